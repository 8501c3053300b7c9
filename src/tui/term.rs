//! The terminal's life: enter raw mode, the alternate screen and bracketed paste, draw each
//! frame inside synchronized output, and always leave it as found (also from the panic hook).

use super::wire::{WireBackend, WireOptions};
use ratatui::Terminal;
use ratatui::crossterm::{
    cursor,
    event::{DisableBracketedPaste, EnableBracketedPaste},
    execute,
    terminal::{self, EndSynchronizedUpdate},
};
use std::io::{self, BufWriter, Stdout, Write};

/// The terminal, through the low-bandwidth backend (see `wire`): it keeps a copy of the
/// screen, writes only what changed with the cheapest cursor moves, and wraps each frame that
/// writes anything in synchronized output.
pub type Term = Terminal<WireBackend<BufWriter<Stdout>>>;

/// Whether the locale's character set is UTF-8, from the variables as the C library reads
/// them: the first set and non-empty of `LC_ALL`, `LC_CTYPE`, `LANG`; none set is the C locale
/// (ASCII). `C.UTF-8`, `zh_CN.UTF-8` and `en_US.utf8` are; `C`, `POSIX` and `zh_CN.GB18030`
/// are not.
pub fn locale_is_utf8(var: impl Fn(&str) -> Option<String>) -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .filter_map(|k| var(k))
        .find(|v| !v.is_empty())
        .map(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        })
        .unwrap_or(false)
}

/// Restores the terminal; safe to call more than once and from the panic hook. Every way out
/// (quit, an error, a panic, SIGTERM, SIGHUP) comes here, so bracketed paste never outlives us.
pub fn restore() {
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        EndSynchronizedUpdate,
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
    let _ = out.flush();
}

/// Switches to raw mode and the alternate screen; installs a panic hook that restores the
/// terminal before the panic is reported (to the log file, never over the screen).
pub fn enter(wire: crate::config::WireChoice) -> io::Result<Term> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        tracing::error!("panic: {info}");
        previous(info);
    }));
    let result = (|| {
        terminal::enable_raw_mode()?;
        let mut out = BufWriter::with_capacity(64 * 1024, io::stdout());
        // A plain clear: ratatui's `Terminal::clear` asks the terminal where the cursor is,
        // and a terminal that never answers would stall the start for seconds.
        // Bracketed paste: a paste arrives as one event, never as keys that could run commands.
        execute!(
            out,
            terminal::EnterAlternateScreen,
            EnableBracketedPaste,
            cursor::Hide,
            terminal::Clear(terminal::ClearType::All)
        )?;
        let opts = options(wire);
        Terminal::new(WireBackend::with_options(out, opts))
    })();
    if result.is_err() {
        restore();
    }
    result
}

pub fn leave(term: &mut Term) {
    let _ = term.show_cursor();
    let _ = term.backend_mut().flush();
    restore();
}

/// Draws one frame; the backend wraps it in synchronized output when it writes anything.
pub fn draw(term: &mut Term, f: impl FnOnce(&mut ratatui::Frame<'_>)) -> io::Result<()> {
    term.draw(f)?;
    Ok(())
}

/// The wire backend's options for the `[display] wire` setting: "plain" sends no scroll
/// regions (DECSTBM), for terminals that mishandle them.
pub fn options(wire: crate::config::WireChoice) -> WireOptions {
    WireOptions {
        sync: true,
        scroll: wire == crate::config::WireChoice::Minimal,
        ..WireOptions::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::WireChoice;

    #[test]
    fn plain_wire_sends_no_scroll_regions_and_minimal_does() {
        assert!(options(WireChoice::Minimal).scroll);
        assert!(!options(WireChoice::Plain).scroll);
        assert!(options(WireChoice::Plain).sync && options(WireChoice::Plain).erase);
    }
}

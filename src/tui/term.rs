//! The terminal's life: enter raw mode and the alternate screen, draw each frame inside
//! synchronized output, and always leave it as found (also from the panic hook).

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::{
    cursor, execute, queue,
    terminal::{self, BeginSynchronizedUpdate, EndSynchronizedUpdate},
};
use std::io::{self, BufWriter, Stdout, Write};

pub type Term = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

/// Restores the terminal; safe to call more than once and from the panic hook.
pub fn restore() {
    let mut out = io::stdout();
    let _ = execute!(
        out,
        EndSynchronizedUpdate,
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
    let _ = out.flush();
}

/// Switches to raw mode and the alternate screen; installs a panic hook that restores the
/// terminal before the panic is reported (to the log file, never over the screen).
pub fn enter() -> io::Result<Term> {
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
        execute!(
            out,
            terminal::EnterAlternateScreen,
            cursor::Hide,
            terminal::Clear(terminal::ClearType::All)
        )?;
        Terminal::new(CrosstermBackend::new(out))
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

/// Draws one frame wrapped in synchronized output, so the terminal shows it whole.
pub fn draw(term: &mut Term, f: impl FnOnce(&mut ratatui::Frame<'_>)) -> io::Result<()> {
    queue!(term.backend_mut(), BeginSynchronizedUpdate)?;
    term.draw(f)?;
    queue!(term.backend_mut(), EndSynchronizedUpdate)?;
    term.backend_mut().flush()
}

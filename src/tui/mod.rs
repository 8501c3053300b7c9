//! The full-screen workbench: owns the terminal (raw mode, alternate screen, restored on
//! quit, panic, SIGTERM and SIGHUP), runs the event loop, draws only when state changed.
//!
//! The session ends only on quit, SIGTERM/SIGHUP or a hung-up terminal: an error from a key,
//! a save, a draft or the change poll goes to the status line in the user's language
//! ([`App::report`]); a busy book says so and the failed save or action is sent again on each
//! poll ([`app::Retry`]); drafts live in a file in the state directory ([`drafts`]).
//!
//! ## How a new pane, detail or form is built (in ten lines)
//! - One file: `panes/<name>.rs` for a pane or a detail, `forms/<name>.rs` for a form.
//! - A pane or detail owns its state and implements [`component::Component`]: `sections`
//!   (its keymap sections: footer and `?` help come from them), `handle(action) -> NotMine |
//!   Unchanged | Consumed(effects)`, `reload(Changed)`, `render`. It reads through `Store`
//!   only, a page at a time ([`widgets::rows::Rows`]), and only when first shown.
//! - It asks `App` for the rest with an [`component::Effect`]: open a screen, open a form, run a
//!   command. A detail is a [`stack::Screen`] pushed on the back stack (Esc pops one); a pane is
//!   a `PaneId` arm in `App`'s routing. Forms and help are overlays on the same stack.
//! - A form is a `FormKind` + [`forms::Subject`] + fields named by constants, and a `command`
//!   that builds a workflow call from named values; its draft is kept by (kind, subject, field).
//! - A command's result sets [`stack::Changed`] flags; only what shows that data reads again.
//!
//! ## The same, in detail: a screen (a detail or overlay over a pane)
//! 1. One file in `panes/` holds the screen's state and `load`s what it shows from the
//!    [`Store`](crate::store::Store) (SQL stays in `src/store`); a list in it is a
//!    [`widgets::rows::Rows`] (a count and an offset page), read when first shown.
//! 2. It implements [`component::Component`]: `sections()` names the keymap sections of its
//!    keys, its own first and `Global` last; `hints()` its footer commands (footer and `?` help
//!    are built from these and the bindings in force); `handle(action, ctx)` answers `NotMine`,
//!    `Unchanged` or `Consumed(effects)`: it changes only its own state and asks `App` for the
//!    rest with an [`component::Effect`] (open a screen or a form, run a workflow command);
//!    `reload(changed, ctx)` reads again only what the [`stack::Changed`] flags touch;
//!    `render` draws from its own state.
//! 3. Register it: a variant of [`stack::Screen`] with its arm in `Screen::component`, and an
//!    `App::open_…` that pushes it on the back stack (`App::detail`). Esc pops one screen; a
//!    pane switch clears the stack.
//! 4. A command's result sets `Changed` flags (`Changed::of_form` for a form, `WARNINGS` for a
//!    warning action; another connection's commit is `Changed::ALL`): `App::apply_changes` reads
//!    the front screen and the visible pane now and marks hidden panes and the screens under
//!    the front one, which read when shown.
//!
//! A pane is a component the same way, held by `App` (not on the stack) and handed the
//! actions of its sections while it is in view with nothing over it: Today
//! ([`panes::today::Today`]: its warnings block, `w` asks for the board filtered to it), the
//! Ledger ([`panes::ledger::Ledger`]) and the warning board ([`panes::warnings::Board`]); the
//! Inspections pane ([`panes::inspections::InspectionsPane`]); the panes without content yet
//! are one [`panes::placeholder::Placeholder`]. Today and the Ledger share
//! [`panes::loans::LoanPane`]: the paged list, its moves and sort, the `/` prompt (raw keys
//! and pastes while open; the query runs when typing pauses, see `FILTER_PAUSE`) and Open as
//! [`component::Effect::OpenLoan`]. Every pane is read again only when shown after its data
//! changed (`App::refresh_visible` hands it the `Changed` flags it missed).
//!
//! Forms and the help are screens on the same stack, as overlays: `Screen::Form` (a
//! [`stack::FormScreen`]: the form and its `FormKey`, which names its draft) and `Screen::Help`
//! ([`panes::help::Help`], listing the sections of the screen under it). An overlay is drawn
//! over the front detail (the top screen that is not one), or over the pane, which stays
//! visible and is what reads again; render draws `Stack::overlays` bottom-up. Keys go to the
//! top: any key pops the help and goes no further; a form takes its keys as text, Esc pops it
//! keeping its draft, a save pops it. Read the open form with `App::form()`/`form_key()`; the
//! draft autosave and a busy save's retry find it there, and a pane switch writes its draft
//! before it clears the stack. `App` keeps only routing: global keys, the pane bar, the back
//! stack, effects and the status line.
//!
//! The report editor ([`panes::inspection_editor`]) is a screen on the stack whose text takes
//! the raw keys while it is edited (`App::handle_editor_key`); its unwritten sections are
//! drafts like a form's, saved by the same timer and on SIGHUP/SIGTERM.

pub mod app;
pub mod audit_actions;
pub mod class_actions;
pub mod component;
pub mod disposal_actions;
pub mod drafts;
pub mod errors;
pub mod forms;
pub mod inspection_actions;
pub mod keymap;
pub mod panes;
pub mod render;
pub mod stack;
pub mod term;
pub mod theme;
pub mod warning_actions;
pub mod widgets;
pub mod wire;

use app::App;
use crossterm::event::{self, Event, KeyEventKind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long the loop sleeps waiting for input. Waking writes nothing; it only checks for
/// signals, other users' commits (`data_version`) and drafts to save.
const TICK: Duration = Duration::from_millis(250);
/// Check other connections' commits this often.
const POLL_BOOK: Duration = Duration::from_secs(1);
/// A filter key typed this soon after the previous one waits for typing to pause this long
/// before the query runs (fast typing costs a few bytes a key); a key after a pause runs it
/// at once.
const FILTER_PAUSE: Duration = Duration::from_millis(120);
/// Save a draft once typing has paused this long.
const DRAFT_PAUSE: Duration = Duration::from_secs(2);

/// Runs the workbench until the user quits or a signal ends it. Returns the process's exit
/// status: 0 after a quit, 128 + the signal's number after SIGTERM or SIGHUP (143, 129), as a
/// shell reports a process a signal ended, so a supervisor script can tell the two apart.
pub fn run(mut app: App) -> anyhow::Result<i32> {
    let stop = Arc::new(AtomicBool::new(false));
    let term_flag = Arc::new(AtomicBool::new(false));
    let hup_flag = Arc::new(AtomicBool::new(false));
    for (sig, flag) in [
        (signal_hook::consts::SIGTERM, &term_flag),
        (signal_hook::consts::SIGHUP, &hup_flag),
    ] {
        signal_hook::flag::register(sig, Arc::clone(&stop))?;
        signal_hook::flag::register(sig, Arc::clone(flag))?;
    }
    let mut terminal = term::enter(app.config.display.wire)?;
    let result = event_loop(&mut app, &mut terminal, &stop);
    // Whatever happened, keep what was typed, then give the terminal back.
    if let Err(e) = app.save_draft() {
        tracing::error!("saving draft on exit: {e:#}");
    }
    term::leave(&mut terminal);
    result?;
    Ok(exit_status(
        term_flag.load(Ordering::Relaxed),
        hup_flag.load(Ordering::Relaxed),
    ))
}

/// The exit status after the event loop: a signal's 128 + number, else 0 (a quit, or a
/// hung-up terminal found by polling, which is no signal).
fn exit_status(terminated: bool, hung_up: bool) -> i32 {
    if terminated {
        128 + signal_hook::consts::SIGTERM
    } else if hung_up {
        128 + signal_hook::consts::SIGHUP
    } else {
        0
    }
}

fn event_loop(app: &mut App, terminal: &mut term::Term, stop: &AtomicBool) -> anyhow::Result<()> {
    let size = terminal.size()?;
    let r = app.on_resize(size.width, size.height);
    settle(app, r);
    let mut dirty = true;
    let mut last_poll = Instant::now();
    let mut last_edit: Option<Instant> = None;
    let mut filter_due: Option<Instant> = None;
    let mut last_filter_key: Option<Instant> = None;
    loop {
        if dirty {
            term::draw(terminal, |f| render::render(app, f))?;
            dirty = false;
        }
        if app.quit || stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        let timeout = match filter_due {
            Some(due) => due.saturating_duration_since(Instant::now()).min(TICK),
            None => TICK,
        };
        // Wait on the terminal ourselves: crossterm 0.29 spins forever reading a hung-up
        // terminal (EIO is neither WouldBlock nor Interrupted), so a dropped SSH link would
        // leave a process burning a core and never saving drafts.
        if wait_for_input(timeout)? == Input::HangUp {
            stop.store(true, Ordering::Relaxed);
            continue;
        }
        if poll(Duration::ZERO)? {
            // Drain everything pending, then draw once: a burst of keys costs one frame. A
            // burst that begins in a text field is text (see `App::handle_burst_key`).
            let mut burst = app::Burst::default();
            loop {
                let ev = event::read()?;
                let more = poll(Duration::ZERO)?;
                let editing = app.form().is_some() || app.editor_editing();
                match ev {
                    Event::Key(k) if k.kind != KeyEventKind::Release => {
                        let r = app.handle_burst_key(k, &mut burst, more);
                        dirty |= settle(app, r);
                    }
                    Event::Resize(w, h) => {
                        terminal.autoresize()?;
                        let r = app.on_resize(w, h);
                        settle(app, r);
                        dirty = true;
                    }
                    // Bracketed paste: one event, into the text field or nowhere; never keys.
                    Event::Paste(text) => {
                        let r = app.handle_paste(&text);
                        dirty |= settle(app, r);
                    }
                    _ => {}
                }
                if editing && (app.form().is_some_and(|f| f.dirty) || app.editor_dirty()) {
                    last_edit = Some(Instant::now());
                }
                if app.quit || wait_for_input(Duration::ZERO)? == Input::HangUp {
                    break;
                }
                if !more && !poll(Duration::ZERO)? {
                    break;
                }
            }
            dirty |= app.end_burst(&burst);
            filter_due = None;
            if app.filter_pending() {
                let now = Instant::now();
                let typing_fast = last_filter_key.is_some_and(|t| now - t < FILTER_PAUSE);
                last_filter_key = Some(now);
                if typing_fast {
                    filter_due = Some(now + FILTER_PAUSE);
                } else {
                    let r = app.apply_pending_filter();
                    dirty |= settle(app, r);
                }
            }
        } else {
            if filter_due.is_some_and(|due| Instant::now() >= due) {
                filter_due = None;
                let r = app.apply_pending_filter();
                dirty |= settle(app, r);
            }
            if last_edit.is_some_and(|t| t.elapsed() >= DRAFT_PAUSE) {
                // A draft that could not be written is tried again at the next tick.
                match app.save_draft() {
                    Ok(()) => last_edit = None,
                    Err(e) => dirty |= app.report(&e),
                }
            }
        }
        // Polled after input too, so a save kept while the book is busy goes through even
        // while the user keeps moving around.
        if last_poll.elapsed() >= POLL_BOOK {
            last_poll = Instant::now();
            let r = app.poll_changes();
            dirty |= settle(app, r);
        }
    }
}

/// The outcome of one thing the app did: whether to redraw. An error never leaves the loop;
/// it is said on the status line (a busy book: "book busy, retrying").
fn settle(app: &mut App, result: anyhow::Result<app::Redraw>) -> app::Redraw {
    match result {
        Ok(redraw) => redraw,
        Err(e) => app.report(&e),
    }
}

/// `event::poll`, with a signal's interruption (SIGTERM, SIGHUP, SIGWINCH) taken as "no input":
/// the loop then sees the signal's flag instead of failing.
fn poll(timeout: Duration) -> std::io::Result<bool> {
    match event::poll(timeout) {
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Ok(false),
        other => other,
    }
}

/// What the terminal has for us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    /// Bytes to read, or nothing yet (crossterm's queue is asked either way).
    Maybe,
    /// The terminal is gone (SSH link dropped, pty closed).
    HangUp,
}

/// Waits up to `timeout` for the terminal (standard input) to become readable and tells a
/// hang-up apart. A signal (SIGWINCH, SIGTERM, SIGHUP) ends the wait early.
fn wait_for_input(timeout: Duration) -> std::io::Result<Input> {
    let mut fds = [libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: libc::POLLIN,
        revents: 0,
    }];
    let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: `fds` is a valid array of one pollfd for the duration of the call.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), 1, ms) };
    if n < 0 {
        let e = std::io::Error::last_os_error();
        return if e.kind() == std::io::ErrorKind::Interrupted {
            Ok(Input::Maybe)
        } else {
            Err(e)
        };
    }
    let hung_up = fds[0].revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0;
    Ok(if hung_up { Input::HangUp } else { Input::Maybe })
}

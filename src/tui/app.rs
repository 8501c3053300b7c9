//! The workbench's state and how keys change it. Rendering only reads this state; every
//! change to the book goes through `workflow`.

use super::component::{Component, Ctx, Effect, FormOf, Outcome};
use super::forms::{FormKey, FormKind, Subject};
use super::keymap::{Action, Key, Keymap, Problem, Section};
use super::panes::inspections::InspectionsPane;
use super::panes::loan_detail::{DetailState, DetailTab};
use super::panes::warning_detail::WarningDetail;
use super::panes::warnings::Board;
use super::stack::{Changed, Screen, Stack};
use super::theme::Theme;
use super::widgets::form::Form;
use super::widgets::loan_list::LoanList;
use crate::config::Config;
use crate::domain::Role;
use crate::i18n::Lang;
use crate::store::{LedgerQuery, LedgerSort, Store, WarningQuery, WarningRow};
use crate::workflow::Actor;
use chrono::{Days, NaiveDate};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// The panes of the bar, in the order of the six steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneId {
    Today,
    Ledger,
    Warnings,
    Inspections,
    Classification,
    Disposal,
    Archive,
    Summary,
}

impl PaneId {
    pub const ALL: [PaneId; 8] = [
        PaneId::Today,
        PaneId::Ledger,
        PaneId::Warnings,
        PaneId::Inspections,
        PaneId::Classification,
        PaneId::Disposal,
        PaneId::Archive,
        PaneId::Summary,
    ];

    pub fn title_key(self) -> &'static str {
        match self {
            PaneId::Today => "pane.today",
            PaneId::Ledger => "pane.ledger",
            PaneId::Warnings => "pane.warnings",
            PaneId::Inspections => "pane.inspections",
            PaneId::Classification => "pane.classification",
            PaneId::Disposal => "pane.disposal",
            PaneId::Archive => "pane.archive",
            PaneId::Summary => "pane.summary",
        }
    }

    fn index(self) -> usize {
        PaneId::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    /// The pane a `pane_*` action goes to.
    pub fn of_action(action: Action) -> Option<PaneId> {
        Some(match action {
            Action::PaneToday => PaneId::Today,
            Action::PaneLedger => PaneId::Ledger,
            Action::PaneWarnings => PaneId::Warnings,
            Action::PaneInspections => PaneId::Inspections,
            Action::PaneClassification => PaneId::Classification,
            Action::PaneDisposal => PaneId::Disposal,
            Action::PaneArchive => PaneId::Archive,
            Action::PaneSummary => PaneId::Summary,
            _ => return None,
        })
    }
}

/// The smallest terminal the layout is made for.
pub const MIN_COLS: u16 = 80;
pub const MIN_ROWS: u16 = 24;

/// How long one attempt to write waits for another connection's lock. Short, so a busy book
/// never freezes the keys: a failed attempt is kept and sent again on the next poll.
pub const BUSY_WAIT: std::time::Duration = std::time::Duration::from_millis(200);

/// An action that failed only because the book was busy, sent again on each poll until it
/// goes through (or, for a form, until the user closes it).
#[derive(Debug, Clone, PartialEq)]
pub enum Retry {
    /// The open form's save.
    Submit,
    /// A warning action without a form (acknowledge, start disposal, issue a notice).
    Act {
        row: Box<WarningRow>,
        action: Action,
    },
}

/// A message on the status line.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

pub struct App {
    pub store: Store,
    pub actor: Actor,
    pub lang: Lang,
    pub theme: Theme,
    pub keymap: Keymap,
    pub config: Config,
    pub today_date: NaiveDate,
    pub book_name: String,
    pub pane: PaneId,
    pub today: LoanList,
    pub ledger: LoanList,
    /// The back stack of screens over the pane (loan and warning details), the front one
    /// last; Esc goes back one step, switching panes clears it. `detail.as_ref()` is the loan
    /// detail in front, `detail.warning()` the warning detail in front.
    pub detail: Stack,
    /// The warning board (pane 3).
    pub board: Board,
    /// The Inspections pane (pane 4).
    pub inspections: InspectionsPane,
    /// Today's "my open warnings": the query, its first rows (red first) and counts per level.
    pub mine_query: WarningQuery,
    pub mine: Vec<WarningRow>,
    pub mine_counts: [u64; 3],
    /// Rows of Today's warnings block (set from the terminal size).
    pub mine_rows: u16,
    pub form: Option<Form>,
    /// Which form is open, about what (its draft is kept under it).
    pub form_key: Option<super::forms::FormKey>,
    pub help: bool,
    pub size: (u16, u16),
    pub notice: Option<Notice>,
    pub quit: bool,
    pub data_version: i64,
    /// Problems found in the keymap at start, shown on the status line until a key is pressed.
    pub keymap_problems: Vec<Problem>,
    /// Loans in the book, for the status line.
    pub loan_count: u64,
    /// The warning rules, for re-evaluating a loan when its data is entered here.
    pub rules: crate::engine::rules::RuleSet,
    /// A typed `/` filter not yet run.
    filter_pending: bool,
    /// Where the drafts of open forms are kept (a file in the state directory).
    pub drafts: super::drafts::Drafts,
    /// The actions kept while the book is busy, in the order they were asked for.
    pub retry: Vec<Retry>,
    /// The last attempt found the book busy: the status line says so until one succeeds.
    pub busy: bool,
    /// The screen's data could not be read (busy): read it again on the next poll.
    pub reload_due: bool,
    /// A kept action is being sent again (a repeated busy refusal says nothing new).
    pub(crate) retrying: bool,
    /// What the command being sent changes (set while a form is saved): after its commit
    /// only that is read again. None: anything may have changed.
    pub(crate) changing: Option<Changed>,
    /// Per pane (Today, Ledger, Warnings): data changed while it was hidden; it is read
    /// again when shown.
    stale: [Changed; 4],
    /// How many times each pane's data was read, for tests of what a change reads again.
    pub reads: Reads,
}

/// Reads of each pane's data since the app started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reads {
    pub today: u64,
    pub ledger: u64,
    pub board: u64,
    pub inspections: u64,
}

/// The data a pane shows, and its slot in `App::stale`.
fn pane_data(pane: PaneId) -> Option<(usize, Changed)> {
    match pane {
        PaneId::Today => Some((0, Changed::LOANS | Changed::WARNINGS)),
        PaneId::Ledger => Some((1, Changed::LOANS)),
        PaneId::Warnings => Some((2, Changed::WARNINGS)),
        PaneId::Inspections => Some((3, Changed::INSPECTIONS | Changed::LOANS)),
        _ => None,
    }
}

/// Outcome of handling an input: whether the screen must be redrawn.
pub type Redraw = bool;

/// The keys of one read of the terminal, taken together. A terminal without bracketed paste
/// sends a paste as a burst of keys; while a text field has focus, such a burst is text.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Burst {
    /// Keys of this read handled so far.
    pub keys: usize,
    /// The read began while a text field had focus.
    pub from_text: bool,
    /// Keys dropped because they came after the text field was left.
    pub dropped: usize,
}

impl App {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: Store,
        actor: Actor,
        lang: Lang,
        theme: Theme,
        keymap: Keymap,
        config: Config,
        today_date: NaiveDate,
        size: (u16, u16),
    ) -> anyhow::Result<App> {
        let book_name = store
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let due_by = today_date
            .checked_add_days(Days::new(u64::from(config.tracking.due_soon_days)))
            .unwrap_or(today_date);
        let today_query = LedgerQuery {
            sort: LedgerSort::NextFollowup,
            officer: (actor.role == Role::Specialist).then(|| actor.username.clone()),
            followup_due_by: Some(due_by),
            today: Some(today_date),
            ..LedgerQuery::default()
        };
        let mine_query = WarningQuery {
            officer: today_query.officer.clone(),
            ..WarningQuery::default()
        };
        let data_version = store.data_version()?;
        store.set_busy_timeout(BUSY_WAIT)?;
        let drafts = super::drafts::Drafts::in_memory(store.path());
        let mut app = App {
            store,
            actor,
            lang,
            theme,
            keymap,
            config,
            today_date,
            book_name,
            pane: PaneId::Today,
            today: LoanList::new(today_query),
            ledger: LoanList::new(LedgerQuery {
                today: Some(today_date),
                ..LedgerQuery::default()
            }),
            detail: Stack::default(),
            board: Board::new(WarningQuery::default()),
            inspections: InspectionsPane::new(today_date),
            mine_query,
            mine: Vec::new(),
            mine_counts: [0; 3],
            mine_rows: 3,
            form: None,
            form_key: None,
            help: false,
            size,
            notice: None,
            quit: false,
            data_version,
            keymap_problems: Vec::new(),
            loan_count: 0,
            rules: crate::engine::rules::RuleSet::defaults(),
            filter_pending: false,
            drafts,
            retry: Vec::new(),
            busy: false,
            reload_due: false,
            retrying: false,
            changing: None,
            stale: [Changed::NONE; 4],
            reads: Reads::default(),
        };
        app.resize(size.0, size.1);
        app.reload_or_later()?;
        // At start every pane is read, so switching to one shows it at once.
        for pane in [PaneId::Ledger, PaneId::Warnings, PaneId::Inspections] {
            match app.refresh_pane(pane) {
                Err(e) if super::errors::is_busy(&e) => app.reload_due = true,
                other => other?,
            }
        }
        Ok(app)
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_COLS || self.size.1 < MIN_ROWS
    }

    /// Rows for list bodies: total minus pane bar, status line, header and hint line. Today
    /// gives the top of its body to the warnings block (a title, its rows and a blank line).
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.size = (cols, rows);
        let body = u64::from(rows.saturating_sub(4)).max(1);
        self.ledger.height = body;
        self.mine_rows = match rows {
            40.. => 5,
            30..40 => 4,
            _ => 3,
        };
        self.fit_today();
        self.board.list.height = super::panes::warnings::list_rows(rows.saturating_sub(3));
        self.inspections.list.height = super::panes::inspections::list_rows(rows.saturating_sub(3));
    }

    /// Lines of Today's warnings block: the count line, its rows (one line when there are
    /// none) and a blank line.
    pub fn mine_block_height(&self) -> u16 {
        (self.mine.len() as u16).clamp(1, self.mine_rows.max(1)) + 2
    }

    /// Today's follow-ups get the body below the warnings block.
    fn fit_today(&mut self) {
        let body = u64::from(self.size.1.saturating_sub(4)).max(1);
        self.today.height = body
            .saturating_sub(u64::from(self.mine_block_height()))
            .max(1);
    }

    pub fn on_resize(&mut self, cols: u16, rows: u16) -> anyhow::Result<Redraw> {
        self.resize(cols, rows);
        // Every list's height changed: what shows is read now, the rest when shown.
        self.stale = [Changed::ALL; 4];
        self.refresh_visible()?;
        Ok(true)
    }

    /// Today's warnings block: the first rows of the acting user's active warnings.
    pub fn reload_mine(&mut self) -> anyhow::Result<()> {
        self.mine_counts = self.store.warning_level_counts(&self.mine_query)?;
        self.mine = self.store.warning_page(
            &self.mine_query,
            &crate::store::PageFrom::Start,
            usize::from(self.mine_rows),
        )?;
        self.fit_today();
        Ok(())
    }

    pub fn list(&self) -> Option<&LoanList> {
        match self.pane {
            PaneId::Today => Some(&self.today),
            PaneId::Ledger => Some(&self.ledger),
            _ => None,
        }
    }

    /// Keeps drafts in `file` (the state directory's `drafts.json`) from now on, and carries
    /// over, once, the drafts this user left in the book when drafts were kept there.
    pub fn use_drafts_file(&mut self, file: std::path::PathBuf) -> anyhow::Result<()> {
        self.drafts = super::drafts::Drafts::in_file(file, self.store.path());
        self.announce_report_drafts();
        let user = self.actor.username.clone();
        if self.drafts.carried(&user)? {
            return Ok(());
        }
        let old = self.store.book_drafts(&user)?;
        let n = self.drafts.carry_over(&user, &old)?;
        // The book's copies are now in the file; removing them is tidying only.
        for (form, _) in &old {
            if let Err(e) = self.store.discard_draft(&user, form) {
                tracing::info!("old draft {form} left in the book: {e}");
            }
        }
        if n > 0 {
            tracing::info!("carried {n} drafts over from the book to the drafts file");
        }
        Ok(())
    }

    /// Called on every poll (about once a second): sends a kept action again, and reloads what
    /// is on screen if another connection changed the book or an earlier read failed busy.
    /// Redraws only when something on screen changed.
    pub fn poll_changes(&mut self) -> anyhow::Result<Redraw> {
        let mut redraw = false;
        let kept = std::mem::take(&mut self.retry);
        if !kept.is_empty() {
            let before = self.status_state();
            self.retrying = true;
            let mut sent = Ok(());
            for retry in kept {
                // Once one finds the book still busy, the rest wait for the next poll.
                if !self.retry.is_empty() || sent.is_err() {
                    self.retry.push(retry);
                    continue;
                }
                sent = match retry.clone() {
                    Retry::Submit => {
                        self.changing = self.form_key.as_ref().map(|k| Changed::of_form(k.kind));
                        let r = self.submit_form();
                        self.changing = None;
                        r
                    }
                    Retry::Act { row, action } => self.act_on_warning(&row, action).map(|_| ()),
                };
                if sent.as_ref().is_err_and(super::errors::is_busy) {
                    self.retry.push(retry);
                }
            }
            self.retrying = false;
            sent?;
            redraw |= self.status_state() != before;
        }
        let v = self.store.data_version()?;
        if v == self.data_version && !self.reload_due {
            return Ok(redraw);
        }
        self.apply_changes(Changed::ALL)?;
        self.data_version = v;
        self.reload_due = false;
        if self.retry.is_empty() {
            self.busy = false;
        }
        Ok(true)
    }

    /// What a retry can change on screen: the notice, the busy mark and the form.
    fn status_state(&self) -> (Option<Notice>, bool, Option<Option<String>>) {
        (
            self.notice.clone(),
            self.busy,
            self.form.as_ref().map(|f| f.message.clone()),
        )
    }

    /// An error that reached the event loop, put on the status line in the user's language
    /// (and in the log in English). A busy book marks the screen's data for reloading on the
    /// next poll. Redraws only if the status line changes.
    pub fn report(&mut self, e: &anyhow::Error) -> Redraw {
        let busy = super::errors::is_busy(e);
        if busy {
            tracing::info!("book busy: {e:#}");
            self.reload_due = true;
        } else {
            tracing::error!("{e:#}");
        }
        let notice = Some(Notice {
            text: super::errors::error_text(e, self.lang),
            error: true,
        });
        let changed = notice != self.notice || busy != self.busy;
        self.notice = notice;
        self.busy = busy;
        changed
    }

    /// After a command of this session committed: reads again what it changed (`changing`,
    /// set while a form is saved; anything when unknown). A busy book marks it for the next
    /// poll instead.
    pub(crate) fn reload_or_later(&mut self) -> anyhow::Result<()> {
        let changed = self.changing.unwrap_or(Changed::ALL);
        self.reload_changed_or_later(changed)
    }

    /// Reads again what `changed` touches; a busy book marks it for the next poll instead.
    pub(crate) fn reload_changed_or_later(&mut self, changed: Changed) -> anyhow::Result<()> {
        match self.apply_changes(changed) {
            Err(e) if super::errors::is_busy(&e) => {
                self.reload_due = true;
                Ok(())
            }
            other => other,
        }
    }

    /// `changed` happened to the book: the status line's count and what is on screen are read
    /// again now; hidden panes and the screens under the front one are marked, and read when
    /// shown. Data that did not change is not read.
    pub(crate) fn apply_changes(&mut self, changed: Changed) -> anyhow::Result<()> {
        if changed.is_empty() {
            return Ok(());
        }
        if changed.any(Changed::LOANS) {
            self.loan_count = self.store.ledger_count(&LedgerQuery::default())?.n;
        }
        for pane in [
            PaneId::Today,
            PaneId::Ledger,
            PaneId::Warnings,
            PaneId::Inspections,
        ] {
            if let Some((slot, data)) = pane_data(pane)
                && changed.any(data)
            {
                self.stale[slot] |= changed;
            }
        }
        self.detail.mark_all(changed);
        self.refresh_visible()
    }

    /// Reads what the front screen (or, with none, the pane) missed while hidden.
    pub(crate) fn refresh_visible(&mut self) -> anyhow::Result<()> {
        // Below the pane bar, a tab bar, a blank line and a column header; above the hint
        // and status lines.
        let rows = usize::from(self.size.1.saturating_sub(6)).max(1);
        let missed = self.detail.take_front_stale();
        if let Some(front) = self.detail.front_mut() {
            let ctx = Ctx {
                store: &self.store,
                today: self.today_date,
                user: &self.actor.username,
            };
            let screen = front.component_mut();
            screen.set_rows(rows);
            let read = screen.reload(missed, &ctx);
            if read.is_err() {
                self.detail.mark_front(missed);
            }
            return read;
        }
        self.refresh_pane(self.pane)
    }

    /// Reads what `pane` missed while hidden, if anything.
    fn refresh_pane(&mut self, pane: PaneId) -> anyhow::Result<()> {
        let Some((slot, _)) = pane_data(pane) else {
            return Ok(());
        };
        let missed = std::mem::take(&mut self.stale[slot]);
        if missed.is_empty() {
            return Ok(());
        }
        let read = match pane {
            PaneId::Today => {
                self.reads.today += 1;
                self.reload_mine()
                    .and_then(|()| Ok(self.today.reload(&self.store)?))
            }
            PaneId::Ledger => {
                self.reads.ledger += 1;
                self.ledger.reload(&self.store).map_err(Into::into)
            }
            PaneId::Inspections => {
                self.reads.inspections += 1;
                self.inspections.reload(&self.store).map_err(Into::into)
            }
            _ => {
                self.reads.board += 1;
                self.board.reload(&self.store).map_err(Into::into)
            }
        };
        if read.is_err() {
            self.stale[slot] |= missed;
        }
        read
    }

    /// Puts `screen` in front (reading what its shown tab needs).
    pub(crate) fn push_screen(&mut self, screen: Screen) -> anyhow::Result<()> {
        self.detail.push(screen);
        self.refresh_visible()
    }

    /// Opens the loan `id` in front, on `tab`.
    pub(crate) fn open_loan(&mut self, id: i64, tab: DetailTab) -> anyhow::Result<bool> {
        let Some(mut d) = DetailState::load(&self.store, id)? else {
            return Ok(false);
        };
        d.tab = tab;
        self.push_screen(Screen::Loan(Box::new(d)))?;
        Ok(true)
    }

    /// Opens the warning `id` in front.
    pub(crate) fn open_warning(&mut self, id: i64) -> anyhow::Result<bool> {
        let Some(w) = WarningDetail::load(&self.store, id, self.today_date)? else {
            return Ok(false);
        };
        self.push_screen(Screen::Warning(Box::new(w)))?;
        Ok(true)
    }

    /// The warning detail in front, if the front screen is one.
    pub fn warning(&self) -> Option<&WarningDetail> {
        self.detail.warning()
    }

    /// Saves the text of an open form as a draft (on a timer, on Esc, on hang-up and on quit)
    /// in the drafts file, never in the book: a busy book cannot lose it.
    pub fn save_draft(&mut self) -> anyhow::Result<()> {
        if let (Some(form), Some(key)) = (&mut self.form, &self.form_key)
            && form.dirty
        {
            self.drafts
                .save(&self.actor.username, key, &form.values())?;
            form.dirty = false;
        }
        self.save_report_draft()
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> anyhow::Result<Redraw> {
        let Some(k) = Key::from_event(&key) else {
            return Ok(false);
        };
        let had_notice =
            self.notice.take().is_some() | !std::mem::take(&mut self.keymap_problems).is_empty();
        if self.too_small() {
            if self.keymap.action(Section::Global, &k) == Some(Action::Quit) {
                self.quit = true;
            }
            return Ok(had_notice);
        }
        if self.help {
            self.help = false;
            return Ok(true);
        }
        if self.form.is_some() {
            // A save reads again only what its command changed.
            self.changing = self.form_key.as_ref().map(|k| Changed::of_form(k.kind));
            let r = self.handle_form_key(key, &k);
            self.changing = None;
            return r.map(|r| r || had_notice);
        }
        if self.filter_open() {
            return self.handle_filter_key(key).map(|r| r || had_notice);
        }
        if self.editor_editing() {
            return self.handle_editor_key(key, &k).map(|r| r || had_notice);
        }
        let redraw = match self.bound_action(&k) {
            Some((section, action)) => self.act(section, action)?,
            None => false,
        };
        Ok(redraw || had_notice)
    }

    /// The sections the keys are looked up in now, the screen's own first.
    pub fn sections(&self) -> &'static [Section] {
        if self.form.is_some() {
            &[Section::Form]
        } else if let Some(front) = self.detail.front() {
            front.component().sections()
        } else if self.pane == PaneId::Warnings {
            self.board.sections()
        } else if self.pane == PaneId::Inspections {
            self.inspections.sections()
        } else if self.pane == PaneId::Today {
            &[Section::Today, Section::List, Section::Global]
        } else if self.list().is_some() {
            &[Section::List, Section::Global]
        } else {
            &[Section::Global]
        }
    }

    /// The first binding of `key` in the sections in force (outside a form).
    fn bound_action(&self, key: &Key) -> Option<(Section, Action)> {
        self.sections()
            .iter()
            .filter(|s| **s != Section::Form)
            .find_map(|s| self.keymap.action(*s, key).map(|a| (*s, a)))
    }

    /// Runs an action found in `section` on the screen in front.
    fn act(&mut self, section: Section, action: Action) -> anyhow::Result<Redraw> {
        // The screen in front handles its own sections' actions; what is not its own goes on
        // to the global keys.
        if section != Section::Global
            && let Some(front) = self.detail.front_mut()
        {
            let ctx = Ctx {
                store: &self.store,
                today: self.today_date,
                user: &self.actor.username,
            };
            return match front.component_mut().handle(action, &ctx)? {
                Outcome::NotMine => self.global_action(action),
                Outcome::Unchanged => Ok(false),
                Outcome::Consumed(effects) => self.apply_effects(effects),
            };
        }
        // The board is a component too: its own sections' actions go to it.
        if section != Section::Global && self.pane == PaneId::Warnings {
            let ctx = Ctx {
                store: &self.store,
                today: self.today_date,
                user: &self.actor.username,
            };
            return match self.board.handle(action, &ctx)? {
                Outcome::NotMine => self.global_action(action),
                Outcome::Unchanged => Ok(false),
                Outcome::Consumed(effects) => self.apply_effects(effects),
            };
        }
        // So is the Inspections pane.
        if section != Section::Global && self.pane == PaneId::Inspections {
            let ctx = Ctx {
                store: &self.store,
                today: self.today_date,
                user: &self.actor.username,
            };
            return match self.inspections.handle(action, &ctx)? {
                Outcome::NotMine => self.global_action(action),
                Outcome::Unchanged => Ok(false),
                Outcome::Consumed(effects) => self.apply_effects(effects),
            };
        }
        match section {
            Section::Global => self.global_action(action),
            Section::Board | Section::Detail | Section::Inspections | Section::Editor => Ok(false),
            Section::List => self.list_action(action),
            Section::Today => self.today_action(action),
            Section::Form => Ok(false),
        }
    }

    /// Whether `/` is open on the pane's list (its prompt takes the keys).
    fn filter_open(&self) -> bool {
        self.list().is_some_and(|l| l.filter.is_some()) && self.detail.is_empty()
    }

    /// Whether keys are text now: a form's field or the `/` filter has focus.
    pub fn text_focus(&self) -> bool {
        !self.too_small()
            && !self.help
            && (self.form.is_some() || self.filter_open() || self.editor_editing())
    }

    /// A paste (bracketed paste: one event, whatever it holds). It goes into the focused text
    /// field as one line, or, where there is no text field, changes nothing and says so. It
    /// never runs as keys.
    pub fn handle_paste(&mut self, text: &str) -> anyhow::Result<Redraw> {
        let had_notice = self.notice.take().is_some();
        if self.too_small() {
            return Ok(had_notice);
        }
        if !self.text_focus() {
            self.notice = Some(Notice {
                text: self.lang.tf(
                    "paste.ignored",
                    &[(
                        "filter",
                        &self
                            .keymap
                            .first_key(Section::List, Action::Filter)
                            .unwrap_or_default(),
                    )],
                ),
                error: true,
            });
            return Ok(true);
        }
        Ok(self.insert_text(text) || had_notice)
    }

    /// Puts text into the focused form field or the filter prompt, as one line.
    fn insert_text(&mut self, text: &str) -> bool {
        if let Some(form) = self.form.as_mut() {
            return form.paste(text);
        }
        if self.editor_editing() {
            return self.paste_into_editor(text);
        }
        if !self.filter_open() {
            return false;
        }
        let list = match self.pane {
            PaneId::Today => &mut self.today,
            PaneId::Ledger => &mut self.ledger,
            _ => return false,
        };
        let Some(input) = list.filter.as_mut() else {
            return false;
        };
        let clean = crate::domain::text::one_line(text);
        if clean.is_empty() {
            return false;
        }
        *input = super::widgets::form::insert_at_cursor(input, &clean);
        list.query.text = input.value().to_string();
        self.filter_pending = true;
        true
    }

    /// A key of a burst (`more`: other input already waits behind it). A lone key is a key.
    /// In a burst that began in a text field, the keys are text: an Enter with more behind it
    /// is a line break of the text (a space), and whatever comes after the field was left
    /// (saved, cancelled) is dropped, so a pasted line can never quit or open anything.
    pub fn handle_burst_key(
        &mut self,
        key: KeyEvent,
        burst: &mut Burst,
        more: bool,
    ) -> anyhow::Result<Redraw> {
        let first = burst.keys == 0;
        burst.keys += 1;
        if first {
            burst.from_text = self.text_focus();
        }
        if first && !more {
            return self.handle_key(key);
        }
        let text = self.text_focus();
        if burst.from_text && !text {
            burst.dropped += 1;
            return Ok(false);
        }
        if text && more && key.code == KeyCode::Enter && key.modifiers.is_empty() {
            // A line break of pasted text: kept in a multi-line field, a space elsewhere.
            let multiline = self
                .form
                .as_ref()
                .and_then(|f| f.focused())
                .is_some_and(|f| f.is_multiline())
                || self.editor_editing();
            return Ok(self.insert_text(if multiline { "\n" } else { " " }));
        }
        self.handle_key(key)
    }

    /// After a burst: says how many keys were dropped, if any.
    pub fn end_burst(&mut self, burst: &Burst) -> Redraw {
        if burst.dropped == 0 {
            return false;
        }
        self.notice = Some(Notice {
            text: self
                .lang
                .tf("paste.burst_dropped", &[("n", &burst.dropped)]),
            error: true,
        });
        true
    }

    fn global_action(&mut self, action: Action) -> anyhow::Result<Redraw> {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.help = true,
            Action::Back => {
                // One step back: the screen under the front one, or the pane.
                if !self.detail.pop() {
                    return Ok(false);
                }
                self.refresh_visible()?;
            }
            Action::NextPane => self.switch_pane(PaneId::ALL[(self.pane.index() + 1) % 8])?,
            Action::PrevPane => self.switch_pane(PaneId::ALL[(self.pane.index() + 7) % 8])?,
            other => {
                let Some(p) = PaneId::of_action(other) else {
                    return Ok(false);
                };
                if p == self.pane && self.detail.is_empty() {
                    return Ok(false);
                }
                self.switch_pane(p)?;
            }
        }
        Ok(true)
    }

    /// Shows `pane`, its back stack cleared; its data is read if it changed while hidden.
    pub(crate) fn switch_pane(&mut self, pane: PaneId) -> anyhow::Result<()> {
        self.detail.clear();
        self.pane = pane;
        self.refresh_visible()
    }

    fn list_action(&mut self, action: Action) -> anyhow::Result<Redraw> {
        let store = &self.store;
        let list = match self.pane {
            PaneId::Today => &mut self.today,
            PaneId::Ledger => &mut self.ledger,
            _ => return Ok(false),
        };
        let page = list.height.max(1) as i64;
        let changed = match action {
            Action::Down => list.move_by(store, 1)?,
            Action::Up => list.move_by(store, -1)?,
            Action::PageDown => list.move_by(store, page)?,
            Action::PageUp => list.move_by(store, -page)?,
            Action::Top => list.to_top(store)?,
            Action::Bottom => list.to_bottom(store)?,
            Action::Filter => {
                list.filter = Some(Input::new(list.query.text.clone()));
                true
            }
            Action::ClearFilter => {
                if list.query.text.is_empty() {
                    false
                } else {
                    list.query.text.clear();
                    list.cursor = 0;
                    list.scroll = 0;
                    list.reload(store)?;
                    true
                }
            }
            Action::SortNext | Action::SortPrev => {
                let all = LedgerSort::ALL;
                let i = all.iter().position(|s| *s == list.query.sort).unwrap_or(0);
                let j = if action == Action::SortNext {
                    (i + 1) % all.len()
                } else {
                    (i + all.len() - 1) % all.len()
                };
                let desc = list.query.descending;
                list.set_sort(store, all[j], desc)?;
                true
            }
            Action::SortReverse => {
                let (sort, desc) = (list.query.sort, !list.query.descending);
                list.set_sort(store, sort, desc)?;
                true
            }
            Action::Open => {
                let Some(id) = list.selected().map(|r| r.id) else {
                    return Ok(false);
                };
                self.open_loan(id, DetailTab::Overview)?
            }
            _ => false,
        };
        Ok(changed)
    }

    fn handle_filter_key(&mut self, key: KeyEvent) -> anyhow::Result<Redraw> {
        let store = &self.store;
        let list = match self.pane {
            PaneId::Today => &mut self.today,
            PaneId::Ledger => &mut self.ledger,
            _ => return Ok(false),
        };
        let Some(input) = list.filter.as_mut() else {
            return Ok(false);
        };
        match key.code {
            KeyCode::Enter => {
                list.filter = None;
                self.apply_pending_filter()?;
                return Ok(true);
            }
            KeyCode::Esc => {
                list.filter = None;
                self.filter_pending = false;
                if !list.query.text.is_empty() {
                    list.query.text.clear();
                    list.cursor = 0;
                    list.scroll = 0;
                    list.reload(store)?;
                }
                return Ok(true);
            }
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.quit = true;
                return Ok(true);
            }
            _ => {}
        }
        let changed = input
            .handle_event(&crossterm::event::Event::Key(key))
            .is_some();
        let text = input.value().to_string();
        if text != list.query.text {
            // The query runs once typing pauses (see `apply_pending_filter`): each key only
            // redraws the prompt, so fast typing over a slow link costs a few bytes per key.
            list.query.text = text;
            self.filter_pending = true;
            return Ok(true);
        }
        Ok(changed)
    }

    /// Whether a typed filter waits to be run.
    pub fn filter_pending(&self) -> bool {
        self.filter_pending
    }

    /// Runs the filter typed so far against the store.
    pub fn apply_pending_filter(&mut self) -> anyhow::Result<Redraw> {
        if !std::mem::take(&mut self.filter_pending) {
            return Ok(false);
        }
        let store = &self.store;
        let list = match self.pane {
            PaneId::Today => &mut self.today,
            PaneId::Ledger => &mut self.ledger,
            _ => return Ok(false),
        };
        list.cursor = 0;
        list.scroll = 0;
        let started = std::time::Instant::now();
        list.reload(store)?;
        tracing::debug!(
            text = %list.query.text,
            total = %list.total_text(),
            ms = started.elapsed().as_secs_f64() * 1e3,
            "filter applied"
        );
        Ok(true)
    }

    /// Carries out what a screen asked for, in order; whether the screen changed.
    fn apply_effects(&mut self, effects: Vec<Effect>) -> anyhow::Result<Redraw> {
        let mut redraw = effects.is_empty();
        for effect in effects {
            redraw |= match effect {
                Effect::OpenWarning(id) => self.open_warning(id)?,
                Effect::OpenLoanOfWarning => self.open_loan_of_warning()?,
                Effect::RaiseWarning(contract) => self.open_raise_form(&contract)?,
                Effect::WarningCommand(row, action) => self.act_on_warning(&row, action)?,
                Effect::OpenInspection(id) => self.open_inspection(id)?,
                Effect::StartInspection {
                    contract,
                    planned,
                    warning,
                } => self.open_start_form(&contract, planned, warning.as_deref())?,
                Effect::Report(cmd) => self.report_command(cmd)?,
                Effect::OpenForm(kind) => {
                    let Some(detail) = self.detail.as_ref() else {
                        continue;
                    };
                    let loan = &detail.loan;
                    let contract = || Subject::Contract(loan.contract_no.clone());
                    let (form, key) = match kind {
                        FormOf::Contact => (
                            super::forms::contact::form(loan, self.lang, self.today_date),
                            FormKey::new(FormKind::Contact, contract()),
                        ),
                        FormOf::Covenant => (
                            super::forms::covenant::form(loan, self.lang),
                            FormKey::new(FormKind::Covenant, contract()),
                        ),
                        FormOf::Repayment => (
                            super::forms::repayment::form(loan, self.lang, self.today_date),
                            FormKey::new(FormKind::Repayment, contract()),
                        ),
                        FormOf::Statement => (
                            super::forms::statement::form(loan, self.lang),
                            FormKey::new(
                                FormKind::Statement,
                                Subject::Borrower(loan.borrower_code.clone()),
                            ),
                        ),
                    };
                    self.open_form(form, key)?;
                    true
                }
            };
        }
        Ok(redraw)
    }
}

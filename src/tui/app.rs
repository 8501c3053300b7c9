//! The workbench's state and how keys change it. Rendering only reads this state; every
//! change to the book goes through `workflow`.

use super::component::{Component, Ctx, Effect, FormOf, Outcome};
use super::forms::{FormKey, FormKind, Subject};
use super::keymap::{Action, Key, Keymap, Problem, Section};
use super::panes::archive::ArchivePane;
use super::panes::classification::{ClassificationPane, Viewer};
use super::panes::disposal::DisposalPane;
use super::panes::help::Help;
use super::panes::inspections::InspectionsPane;
use super::panes::ledger::Ledger;
use super::panes::loan_detail::{DetailState, DetailTab};
use super::panes::loans::{FilterKey, LoanPane};
use super::panes::summary::SummaryPane;
use super::panes::today::Today;
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
use crossterm::event::{KeyCode, KeyEvent};

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
    /// Today (pane 1): the warnings block and the follow-ups list.
    pub today: Today,
    /// The loan ledger (pane 2).
    pub ledger: Ledger,
    /// The back stack of screens over the pane (loan and warning details, and over them the
    /// open form and the help), the top one last; Esc goes back one step, switching panes
    /// clears it. `detail.as_ref()` is the loan detail in front, `detail.warning()` the
    /// warning detail in front; `form()` the open form, `help_open()` the help.
    pub detail: Stack,
    /// The warning board (pane 3).
    pub board: Board,
    /// The Inspections pane (pane 4).
    pub inspections: InspectionsPane,
    /// The classification pane (pane 5).
    pub classification: ClassificationPane,
    /// The disposal pane (pane 6).
    pub disposal: DisposalPane,
    /// The archive pane (pane 7).
    pub archive: ArchivePane,
    /// The summary pane (pane 8), read when first shown.
    pub summary: SummaryPane,
    /// `[classification]` of the config (floors, observation), checked at start.
    pub class_rules: crate::domain::classification::ClassificationRules,
    /// `[legal_clocks]` of the config (checked at start): the clocks the screens show.
    pub legal_rules: crate::domain::legal::LegalClockRules,
    pub size: (u16, u16),
    pub notice: Option<Notice>,
    pub quit: bool,
    pub data_version: i64,
    /// Problems found in the keymap at start, shown on the status line until a key is pressed.
    pub keymap_problems: Vec<Problem>,
    /// The frame is drawn in ASCII (`[display] charset`, or a locale that is not UTF-8).
    pub ascii_chrome: bool,
    /// Loans in the book, for the status line.
    pub loan_count: u64,
    /// The warning rules, for re-evaluating a loan when its data is entered here.
    pub rules: crate::engine::rules::RuleSet,
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
    stale: [Changed; 8],
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
    pub classification: u64,
    pub disposal: u64,
    pub archive: u64,
    pub summary: u64,
}

/// The data a pane shows, and its slot in `App::stale`.
fn pane_data(pane: PaneId) -> Option<(usize, Changed)> {
    match pane {
        PaneId::Today => Some((
            0,
            Changed::LOANS
                | Changed::WARNINGS
                | Changed::INSPECTIONS
                | Changed::CLASSES
                | Changed::DISPOSAL,
        )),
        PaneId::Ledger => Some((1, Changed::LOANS)),
        PaneId::Warnings => Some((2, Changed::WARNINGS | Changed::DISPOSAL)),
        PaneId::Inspections => Some((3, Changed::INSPECTIONS | Changed::LOANS)),
        PaneId::Classification => Some((4, Changed::CLASSES | Changed::LOANS)),
        PaneId::Disposal => Some((5, Changed::DISPOSAL | Changed::WARNINGS | Changed::LOANS)),
        // Documents come from every step: any change may add one.
        PaneId::Archive => Some((6, Changed::ALL)),
        PaneId::Summary => Some((
            7,
            Changed::LOANS
                | Changed::WARNINGS
                | Changed::INSPECTIONS
                | Changed::CLASSES
                | Changed::DISPOSAL,
        )),
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
        let team = actor.role != Role::Specialist;
        let insp_query = crate::store::TodayInspections {
            user: actor.username.clone(),
            role: actor.role,
            team,
            today: today_date,
            due_by: today_date
                .checked_add_days(Days::new(u64::from(
                    config.today.inspections_due_within_days,
                )))
                .unwrap_or(today_date),
        };
        let viewer = Viewer {
            user: actor.username.clone(),
            role: actor.role,
        };
        // A bad `[classification]` is refused at start by the command that opens the book;
        // the rule's own defaults otherwise.
        let class_rules = config.classification.rules().unwrap_or_default();
        let legal_rules = config.legal_clocks.rules().unwrap_or_default();
        let archive_rules = config.archive.rules().unwrap_or_default();
        let data_version = store.data_version()?;
        store.set_busy_timeout(BUSY_WAIT)?;
        let drafts = super::drafts::Drafts::in_memory(store.path());
        let may_sign = crate::workflow::summary_sign::may_sign(&actor);
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
            today: Today::new(
                LoanList::new(today_query),
                mine_query,
                insp_query,
                viewer.reviews().then(|| crate::store::ProposalQuery {
                    pending: true,
                    decidable_by: Some(viewer.decider()),
                    ..crate::store::ProposalQuery::default()
                }),
                team,
            )
            .with_disposal(&viewer.user, viewer.role == Role::Manager)
            .with_clocks(legal_rules),
            ledger: Ledger::new(LoanList::new(LedgerQuery {
                today: Some(today_date),
                ..LedgerQuery::default()
            })),
            detail: Stack::default(),
            board: Board::new(WarningQuery::default()),
            inspections: InspectionsPane::new(today_date),
            classification: ClassificationPane::new(viewer.clone(), today_date),
            disposal: DisposalPane::new(&viewer.user, today_date),
            archive: ArchivePane::new(archive_rules, today_date),
            summary: SummaryPane::new(today_date).signing(may_sign),
            class_rules,
            legal_rules,
            size,
            notice: None,
            quit: false,
            data_version,
            keymap_problems: Vec::new(),
            ascii_chrome: false,
            loan_count: 0,
            rules: crate::engine::rules::RuleSet::defaults(),
            drafts,
            retry: Vec::new(),
            busy: false,
            reload_due: false,
            retrying: false,
            changing: None,
            // The summary is read when first shown (a pass over the whole book), not at start.
            stale: [
                Changed::NONE,
                Changed::NONE,
                Changed::NONE,
                Changed::NONE,
                Changed::NONE,
                Changed::NONE,
                Changed::NONE,
                Changed::ALL,
            ],
            reads: Reads::default(),
        };
        app.resize(size.0, size.1);
        app.reload_or_later()?;
        // At start every pane is read, so switching to one shows it at once.
        for pane in [
            PaneId::Ledger,
            PaneId::Warnings,
            PaneId::Inspections,
            PaneId::Classification,
            PaneId::Disposal,
            PaneId::Archive,
        ] {
            match app.refresh_pane(pane) {
                Err(e) if super::errors::is_busy(&e) => app.reload_due = true,
                other => other?,
            }
        }
        Ok(app)
    }

    /// Picks the characters of the frame from `[display] charset` and whether the locale's
    /// character set is UTF-8 (see [`super::term::locale_is_utf8`]). With "auto" in another
    /// locale the frame is drawn in ASCII, and the status line says once how to get the full
    /// display. Data text is shown as it is either way.
    pub fn apply_charset(&mut self, utf8_locale: bool) {
        use crate::config::{BorderChoice, CharsetChoice};
        let d = &self.config.display;
        let by_locale = d.charset == CharsetChoice::Auto && !utf8_locale;
        self.ascii_chrome =
            d.charset == CharsetChoice::Ascii || d.borders == BorderChoice::Ascii || by_locale;
        if by_locale && self.notice.is_none() {
            self.notice = Some(Notice {
                text: self.lang.t("app.ascii_locale").to_string(),
                error: false,
            });
        }
    }

    /// Says on the status line that the locale cannot show Chinese, so the workbench speaks
    /// English (the command line says it on standard error).
    pub fn note_zh_fallback(&mut self) {
        self.notice = Some(Notice {
            text: self.lang.t("app.ascii_locale_zh").to_string(),
            error: false,
        });
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_COLS || self.size.1 < MIN_ROWS
    }

    /// Rows for list bodies: total minus pane bar, status line, header and hint line. Today
    /// gives the top of its body to the warnings block.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.size = (cols, rows);
        self.ledger.height = u64::from(rows.saturating_sub(4)).max(1);
        self.today.resize(rows);
        self.board.list.height = super::panes::warnings::list_rows(rows.saturating_sub(3));
        self.inspections.list.height = super::panes::inspections::list_rows(rows.saturating_sub(3));
        self.classification.cols = cols;
        self.classification.list.height =
            super::panes::classification::list_rows(rows.saturating_sub(3), cols);
        self.disposal
            .set_height(super::panes::disposal::list_rows(rows.saturating_sub(3)));
        self.archive.list.height = super::panes::archive::list_rows(rows.saturating_sub(3));
        self.board.cases.height = self.board.list.height;
        self.summary
            .set_rows(super::panes::summary::content_rows(rows.saturating_sub(3)));
    }

    pub fn on_resize(&mut self, cols: u16, rows: u16) -> anyhow::Result<Redraw> {
        self.resize(cols, rows);
        // Every list's height changed: what shows is read now, the rest when shown.
        // The summary's figures do not depend on the size: only its rows changed.
        for slot in self.stale.iter_mut().take(7) {
            *slot = Changed::ALL;
        }
        self.refresh_visible()?;
        Ok(true)
    }

    /// The loan list of the pane in view (Today's or the Ledger's).
    pub fn list(&self) -> Option<&LoanList> {
        self.loan_pane().map(|p| &p.list)
    }

    fn loan_pane(&self) -> Option<&LoanPane> {
        match self.pane {
            PaneId::Today => Some(&self.today.loans),
            PaneId::Ledger => Some(&self.ledger.loans),
            _ => None,
        }
    }

    fn loan_pane_mut(&mut self) -> Option<&mut LoanPane> {
        match self.pane {
            PaneId::Today => Some(&mut self.today.loans),
            PaneId::Ledger => Some(&mut self.ledger.loans),
            _ => None,
        }
    }

    /// Keeps drafts in `file` (the state directory's `drafts.json`) from now on, and carries
    /// over, once, the drafts this user left in the book when drafts were kept there.
    pub fn use_drafts_file(&mut self, file: std::path::PathBuf) -> anyhow::Result<()> {
        self.drafts = super::drafts::Drafts::in_file(file, self.store.path());
        let user = self.actor.username.clone();
        // First: a damaged file is moved aside (and said) by the first read.
        let carried = self.drafts.carried(&user);
        self.announce_report_drafts();
        if carried? {
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
        let mut kept: std::collections::VecDeque<Retry> = std::mem::take(&mut self.retry).into();
        if !kept.is_empty() {
            let before = self.status_state();
            self.retrying = true;
            let mut sent = Ok(());
            while let Some(retry) = kept.pop_front() {
                // Once one finds the book still busy, the rest wait for the next poll.
                if !self.retry.is_empty() || sent.is_err() {
                    self.retry.push(retry);
                    continue;
                }
                sent = match retry.clone() {
                    Retry::Submit => {
                        self.changing = self.form_key().map(|k| Changed::of_form(k.kind));
                        let r = self.submit_form();
                        self.changing = None;
                        r
                    }
                    Retry::Act { row, action } => self.send_kept_action(&row, action, &mut kept),
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

    /// Sends a warning action kept while the book was busy. When it lands, the actions kept
    /// after it on the same warning were asked for on the screen it changed: they go with the
    /// warning as this action left it, so the user's own queued change is not taken for a
    /// colleague's (stale) one.
    fn send_kept_action(
        &mut self,
        row: &WarningRow,
        action: Action,
        later: &mut std::collections::VecDeque<Retry>,
    ) -> anyhow::Result<()> {
        self.act_on_warning(row, action)?;
        let landed = self.notice.as_ref().is_some_and(|n| !n.error);
        if !landed || !self.retry.is_empty() {
            return Ok(());
        }
        let Some(fresh) = self.store.warning(row.id)? else {
            return Ok(());
        };
        if fresh.version != row.version + 1 {
            return Ok(());
        }
        for kept in later.iter_mut() {
            if let Retry::Act { row: r, .. } = kept
                && r.id == row.id
                && r.version == row.version
            {
                **r = fresh.row.clone();
            }
        }
        Ok(())
    }

    /// What a retry can change on screen: the notice, the busy mark and the form.
    fn status_state(&self) -> (Option<Notice>, bool, Option<Option<String>>) {
        (
            self.notice.clone(),
            self.busy,
            self.form().map(|f| f.message.clone()),
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
            PaneId::Classification,
            PaneId::Disposal,
            PaneId::Archive,
            PaneId::Summary,
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
        if let Some(screen) = self.detail.front_mut().and_then(Screen::component_mut) {
            let ctx = Ctx {
                store: &self.store,
                today: self.today_date,
                user: &self.actor.username,
            };
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
        let ctx = Ctx {
            store: &self.store,
            today: self.today_date,
            user: &self.actor.username,
        };
        let read = match pane {
            PaneId::Today => {
                self.reads.today += 1;
                self.today.reload(missed, &ctx)
            }
            PaneId::Ledger => {
                self.reads.ledger += 1;
                self.ledger.reload(missed, &ctx)
            }
            PaneId::Inspections => {
                self.reads.inspections += 1;
                self.inspections.reload(&self.store).map_err(Into::into)
            }
            PaneId::Classification => {
                self.reads.classification += 1;
                self.classification.today = self.today_date;
                self.classification.reload(&self.store).map_err(Into::into)
            }
            PaneId::Disposal => {
                self.reads.disposal += 1;
                self.disposal.today = self.today_date;
                self.disposal.reload(&self.store).map_err(Into::into)
            }
            PaneId::Archive => {
                self.reads.archive += 1;
                self.archive.today = self.today_date;
                self.archive.reload(&self.store).map_err(Into::into)
            }
            PaneId::Summary => {
                self.reads.summary += 1;
                self.summary.today = self.today_date;
                self.summary.reload(&self.store).map_err(Into::into)
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
    pub(crate) fn push_screen(&mut self, mut screen: Screen) -> anyhow::Result<()> {
        if let Screen::Loan(d) = &mut screen {
            // The Classification tab's floor is computed with the config's rules, today.
            d.class_rules = self.class_rules.clone();
            d.legal_rules = self.legal_rules;
            d.today = self.today_date;
        }
        self.detail.push(screen);
        self.refresh_visible()
    }

    /// Opens archive document `id` read-only, under the read rules: a refusal (and its audit
    /// entry) is said on the status line; a restricted kind's read is audited.
    pub(crate) fn open_document(&mut self, id: i64) -> anyhow::Result<bool> {
        let rules = self.archive.rules.clone();
        match crate::workflow::archive::read(&mut self.store, &self.actor, id, &rules) {
            Ok(doc) => {
                let text = crate::workflow::archive::show_text(&doc, self.lang);
                let mut v =
                    super::panes::document_viewer::DocumentViewer::new(id, &doc.row.title, &text);
                v.width = usize::from(self.size.0.saturating_sub(2));
                self.push_screen(Screen::Document(Box::new(v)))?;
                Ok(true)
            }
            Err(e) => {
                self.notice = Some(Notice {
                    text: e.localized(self.lang),
                    error: true,
                });
                Ok(true)
            }
        }
    }

    /// Opens the feedback form from the archive row's risk case, inspection or signed summary.
    pub(crate) fn open_feedback_form(
        &mut self,
        row: &crate::store::ArchiveRow,
    ) -> anyhow::Result<bool> {
        // A superseded document of any kind gives no feedback: the one in force is named.
        if let Err(e) =
            crate::workflow::feedback::check_in_force(&self.store, &row.number, row.superseded_by)
        {
            self.notice = Some(Notice {
                text: super::warning_actions::workflow_error_text(&e, self.lang),
                error: true,
            });
            return Ok(true);
        }
        if row.kind == crate::domain::archive::DocumentKind::Summary.code() {
            if self.feedback_refused(&crate::workflow::feedback::Source::Summary(row.id)) {
                return Ok(true);
            }
            let form = super::forms::feedback::form(&row.number, self.lang);
            self.open_form(
                form,
                FormKey::new(FormKind::Feedback, Subject::Summary(row.id)),
            )?;
            return Ok(true);
        }
        let subject = match self.store.document_source(row.id)? {
            Some((kind, number)) if kind == "case" => Some(Subject::Case(number)),
            Some((_, number)) => Some(Subject::Inspection(number)),
            None => None,
        };
        let Some(subject) = subject else {
            self.notice = Some(Notice {
                text: self.lang.t("archive_pane.feedback_not_here").to_string(),
                error: true,
            });
            return Ok(true);
        };
        let source = match &subject {
            Subject::Case(n) => crate::workflow::feedback::Source::Case(n.clone()),
            _ => crate::workflow::feedback::Source::Inspection(subject.code()),
        };
        if self.feedback_refused(&source) {
            return Ok(true);
        }
        let form = super::forms::feedback::form(&subject.code(), self.lang);
        self.open_form(form, FormKey::new(FormKind::Feedback, subject))?;
        Ok(true)
    }

    /// Asks the workflow whether the user may give feedback on `source` (whose loans it is);
    /// a refusal goes to the status line, and is true.
    fn feedback_refused(&mut self, source: &crate::workflow::feedback::Source) -> bool {
        match crate::workflow::feedback::may_give(&self.store, &self.actor, source, self.lang) {
            Ok(()) => false,
            Err(e) => {
                self.notice = Some(Notice {
                    text: super::warning_actions::workflow_error_text(&e, self.lang),
                    error: true,
                });
                true
            }
        }
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

    /// The open form (a screen on the stack), if any.
    pub fn form(&self) -> Option<&Form> {
        self.detail.form_screen().map(|f| &f.form)
    }

    pub fn form_mut(&mut self) -> Option<&mut Form> {
        self.detail.form_screen_mut().map(|f| &mut f.form)
    }

    /// Which form is open, about what (its draft is kept under it).
    pub fn form_key(&self) -> Option<&FormKey> {
        self.detail.form_screen().map(|f| &f.key)
    }

    /// Whether the `?` help is open (the top screen; any key closes it).
    pub fn help_open(&self) -> bool {
        self.detail.help_open()
    }

    /// Saves the text of an open form as a draft (on a timer, on Esc, on hang-up and on quit)
    /// in the drafts file, never in the book: a busy book cannot lose it.
    pub fn save_draft(&mut self) -> anyhow::Result<()> {
        if let Some(open) = self.detail.form_screen_mut()
            && open.form.dirty
        {
            self.drafts
                .save(&self.actor.username, &open.key, &open.form.values())?;
            open.form.dirty = false;
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
        // A help taller than the screen scrolls with the list's movement keys; any other key
        // (or any key, when it fits) closes it and goes no further.
        let page = self.size.1.saturating_sub(8);
        if let Some(help) = self.detail.help_mut()
            && help.scrolls()
            && let Some(action) = self.keymap.action(Section::List, &k)
            && help.scroll_by(action, page)
        {
            return Ok(true);
        }
        if self.detail.pop_help() {
            return Ok(true);
        }
        if self.form().is_some() {
            // A save reads again only what its command changed.
            self.changing = self.form_key().map(|k| Changed::of_form(k.kind));
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
        if self.form().is_some() {
            &[Section::Form]
        } else if let Some(front) = self.detail.front().and_then(Screen::component) {
            front.sections()
        } else {
            match self.pane {
                PaneId::Today => self.today.sections(),
                PaneId::Ledger => self.ledger.sections(),
                PaneId::Warnings => self.board.sections(),
                PaneId::Inspections => self.inspections.sections(),
                PaneId::Classification => self.classification.sections(),
                PaneId::Disposal => self.disposal.sections(),
                PaneId::Archive => self.archive.sections(),
                PaneId::Summary => self.summary.sections(),
            }
        }
    }

    /// The help over the screen in view: its own keys on the left, the global ones (or the
    /// list's, on the board) on the right.
    fn help_overlay(&self) -> Help {
        if self.form().is_some() {
            return Help::new(&[Section::Form], &[Section::Global]);
        }
        // Every section the screen looks keys up in: its own on the left, then Global; less
        // what it ignores (never given to it, see `act`).
        let screen = self.screen_in_view();
        let help = Help::new(own_sections(screen.sections()), &[Section::Global])
            .ignoring(screen.ignores());
        // The signing key only to those who may sign.
        if self.detail.front().is_none() && self.pane == PaneId::Summary && !self.summary.may_sign {
            return help.hiding(&[Action::SummarySign]);
        }
        help
    }

    /// The screen in view: the detail in front, else the pane.
    fn screen_in_view(&self) -> &dyn Component {
        if let Some(front) = self.detail.front().and_then(Screen::component) {
            return front;
        }
        match self.pane {
            PaneId::Today => &self.today,
            PaneId::Ledger => &self.ledger,
            PaneId::Warnings => &self.board,
            PaneId::Inspections => &self.inspections,
            PaneId::Classification => &self.classification,
            PaneId::Disposal => &self.disposal,
            PaneId::Archive => &self.archive,
            PaneId::Summary => &self.summary,
        }
    }

    /// For tests of the `?` help (#13): the actions of the screen in view's own sections that
    /// its help lists, those it hides by role, and those its handler acts on (anything but
    /// [`Outcome::NotMine`]), each tried once on the screen as it is, its effects not carried out.
    #[doc(hidden)]
    pub fn help_probe(&mut self) -> anyhow::Result<HelpProbe> {
        let help = self.help_overlay();
        let listed = help.listed(&self.keymap);
        let hidden = help.hidden().to_vec();
        let mut tried: Vec<Action> = Vec::new();
        for s in help.own() {
            for a in s.actions() {
                if self.keymap.first_key(*s, *a).is_some() && !tried.contains(a) {
                    tried.push(*a);
                }
            }
        }
        let mut acts = Vec::new();
        for action in tried.iter().copied() {
            let ctx = Ctx {
                store: &self.store,
                today: self.today_date,
                user: &self.actor.username,
            };
            let screen: &mut dyn Component =
                match self.detail.front_mut().and_then(Screen::component_mut) {
                    Some(front) => front,
                    None => match self.pane {
                        PaneId::Today => &mut self.today,
                        PaneId::Ledger => &mut self.ledger,
                        PaneId::Warnings => &mut self.board,
                        PaneId::Inspections => &mut self.inspections,
                        PaneId::Classification => &mut self.classification,
                        PaneId::Disposal => &mut self.disposal,
                        PaneId::Archive => &mut self.archive,
                        PaneId::Summary => &mut self.summary,
                    },
                };
            if screen.ignores().contains(&action) {
                continue;
            }
            if !matches!(screen.handle(action, &ctx)?, Outcome::NotMine) {
                acts.push(action);
            }
        }
        Ok(HelpProbe {
            listed,
            hidden,
            tried,
            acts,
        })
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
            && let Some(front) = self.detail.front_mut().and_then(Screen::component_mut)
        {
            if front.ignores().contains(&action) {
                return self.global_action(action);
            }
            let ctx = Ctx {
                store: &self.store,
                today: self.today_date,
                user: &self.actor.username,
            };
            return match front.handle(action, &ctx)? {
                Outcome::NotMine => self.global_action(action),
                Outcome::Unchanged => Ok(false),
                Outcome::Consumed(effects) => self.apply_effects(effects),
            };
        }
        // So does the pane in view.
        if section != Section::Global && self.detail.front().is_none() {
            let ctx = Ctx {
                store: &self.store,
                today: self.today_date,
                user: &self.actor.username,
            };
            let pane: &mut dyn Component = match self.pane {
                PaneId::Today => &mut self.today,
                PaneId::Ledger => &mut self.ledger,
                PaneId::Warnings => &mut self.board,
                PaneId::Inspections => &mut self.inspections,
                PaneId::Classification => &mut self.classification,
                PaneId::Disposal => &mut self.disposal,
                PaneId::Archive => &mut self.archive,
                PaneId::Summary => &mut self.summary,
            };
            if pane.ignores().contains(&action) {
                return self.global_action(action);
            }
            return match pane.handle(action, &ctx)? {
                Outcome::NotMine => self.global_action(action),
                Outcome::Unchanged => Ok(false),
                Outcome::Consumed(effects) => self.apply_effects(effects),
            };
        }
        match section {
            Section::Global => self.global_action(action),
            _ => Ok(false),
        }
    }

    /// Whether `/` is open on the pane's list (its prompt takes the keys).
    fn filter_open(&self) -> bool {
        self.loan_pane().is_some_and(LoanPane::filter_open) && self.detail.front().is_none()
    }

    /// Whether keys are text now: a form's field or the `/` filter has focus.
    pub fn text_focus(&self) -> bool {
        !self.too_small()
            && !self.help_open()
            && (self.form().is_some() || self.filter_open() || self.editor_editing())
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
        if let Some(form) = self.form_mut() {
            return form.paste(text);
        }
        if self.editor_editing() {
            return self.paste_into_editor(text);
        }
        if !self.filter_open() {
            return false;
        }
        self.loan_pane_mut().is_some_and(|p| p.insert_text(text))
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
                .form()
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
            Action::Help => {
                let help = self.help_overlay();
                self.detail.push(Screen::Help(Box::new(help)));
            }
            Action::Back => {
                // One step back: the screen under the front one, or the pane (the
                // classification pane's migration report back to its list).
                if !self.detail.pop() {
                    return Ok(self.pane == PaneId::Classification
                        && self.classification.migration.take().is_some());
                }
                self.refresh_visible()?;
            }
            Action::AuditTrail => return self.open_audit(),
            Action::NextPane => self.switch_pane(PaneId::ALL[(self.pane.index() + 1) % 8])?,
            Action::PrevPane => self.switch_pane(PaneId::ALL[(self.pane.index() + 7) % 8])?,
            other => {
                let Some(p) = PaneId::of_action(other) else {
                    return Ok(false);
                };
                if p == self.pane && self.detail.front().is_none() {
                    return Ok(false);
                }
                self.switch_pane(p)?;
            }
        }
        Ok(true)
    }

    /// Shows `pane`, its back stack cleared; its data is read if it changed while hidden. An
    /// open form's text is kept as its draft first (if that fails, nothing changes).
    pub(crate) fn switch_pane(&mut self, pane: PaneId) -> anyhow::Result<()> {
        self.save_draft()?;
        if self.form().is_some() {
            self.close_form();
        }
        self.detail.clear();
        self.pane = pane;
        self.refresh_visible()
    }

    /// A key typed into the `/` prompt of the pane's list.
    fn handle_filter_key(&mut self, key: KeyEvent) -> anyhow::Result<Redraw> {
        let store = &self.store;
        let pane = match self.pane {
            PaneId::Today => &mut self.today.loans,
            PaneId::Ledger => &mut self.ledger.loans,
            _ => return Ok(false),
        };
        match pane.handle_filter_key(key, store)? {
            FilterKey::Done(redraw) => Ok(redraw),
            FilterKey::Quit => {
                self.quit = true;
                Ok(true)
            }
        }
    }

    /// Whether a typed filter waits to be run.
    pub fn filter_pending(&self) -> bool {
        self.loan_pane().is_some_and(LoanPane::filter_pending)
    }

    /// Runs the filter typed so far against the store.
    pub fn apply_pending_filter(&mut self) -> anyhow::Result<Redraw> {
        let store = &self.store;
        let pane = match self.pane {
            PaneId::Today => &mut self.today.loans,
            PaneId::Ledger => &mut self.ledger.loans,
            _ => return Ok(false),
        };
        pane.apply_pending_filter(store)
    }

    /// Carries out what a screen asked for, in order; whether the screen changed.
    fn apply_effects(&mut self, effects: Vec<Effect>) -> anyhow::Result<Redraw> {
        let mut redraw = effects.is_empty();
        for effect in effects {
            redraw |= match effect {
                Effect::OpenLoan(id) => self.open_loan(id, DetailTab::Overview)?,
                Effect::OpenLoanDisposal(id) => self.open_loan(id, DetailTab::Disposal)?,
                Effect::ShowWarnings(query) => {
                    self.switch_pane(PaneId::Warnings)?;
                    self.board.set_query(&self.store, *query)?;
                    true
                }
                Effect::ShowInspections(query) => {
                    self.switch_pane(PaneId::Inspections)?;
                    self.inspections.set_query(&self.store, *query)?;
                    true
                }
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
                Effect::ShowProposals(query) => {
                    self.switch_pane(PaneId::Classification)?;
                    self.classification.set_query(&self.store, *query)?;
                    true
                }
                Effect::OpenLoanClass(id) => self.open_loan(id, DetailTab::Classification)?,
                Effect::ProposeClass(contract) => self.open_propose_form(&contract)?,
                Effect::ApproveProposals(rows) => self.open_approve_form(&rows)?,
                Effect::RejectProposal(row) => self.open_reject_form(&row)?,
                Effect::MigrationForm => self.open_migration_form()?,
                Effect::SummaryForm => self.open_summary_form()?,
                Effect::SummarySignForm => self.open_summary_sign_form()?,
                Effect::OpenCase(number) => self.open_case(&number)?,
                Effect::OpenDocument(id) => self.open_document(id)?,
                Effect::DocumentFeedback(row) => self.open_feedback_form(&row)?,
                Effect::CaseAction(action) => self.case_action(action)?,
                Effect::OpenAuditEntry(id) => self.open_audit_entry(id)?,
                Effect::AuditFilterForm => self.open_audit_filter()?,
                Effect::ShowDisposal(jump) => {
                    self.switch_pane(PaneId::Disposal)?;
                    self.disposal.jump(&self.store, &jump)?;
                    true
                }
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

/// A screen's sections without `Global` (the help lists it in its own column), in lookup order.
fn own_sections(sections: &'static [Section]) -> &'static [Section] {
    match sections.split_last() {
        Some((Section::Global, own)) => own,
        _ => sections,
    }
}

/// What [`App::help_probe`] found on the screen in view.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct HelpProbe {
    /// The own sections' actions its `?` help lists.
    pub listed: Vec<Action>,
    /// Left out of the help because the user's role may not do them.
    pub hidden: Vec<Action>,
    /// Every own section's action with a key, as tried.
    pub tried: Vec<Action>,
    /// Those the screen acts on.
    pub acts: Vec<Action>,
}

//! The classification pane (分类, pane 5): the proposals waiting — for a reviewer the ones they
//! may decide, as the workflow's approval rights say — paged from the store by keyset, with a
//! portfolio panel (loans and outstanding per class, the NPL ratio, proposals by age) above.
//! `n` proposes, `A` approves the selected or the marked ones, `R` rejects, space marks;
//! Enter opens the loan on its Classification tab (the whole history, paged). `m` asks a period
//! and shows the migration report for it in place of the list (Esc back to the list).

use crate::domain::Role;
use crate::domain::money::{format_money, format_percent};
use crate::domain::text::{display, pad_right, truncate, width};
use crate::engine::classify::floor_text;
use crate::engine::migration::Migration;
use crate::engine::migration_text::{self as mtext, Unit};
use crate::i18n::Lang;
use crate::store::{
    Decider, PageFrom, PageKey, Portfolio, ProposalQuery, ProposalRow, Store, StoreError, Total,
};
use crate::tui::component::{Component, Ctx, Effect, Hint, Outcome, View};
use crate::tui::keymap::{Action, Section};
use crate::tui::stack::Changed;
use crate::tui::theme::Theme;
use crate::tui::widgets::paged::{PageSource, PagedList};
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::collections::BTreeMap;

impl PageSource for ProposalQuery {
    type Row = ProposalRow;
    fn count(&self, store: &Store) -> Result<Total, StoreError> {
        Ok(Total::exact(store.proposal_count(self)?))
    }
    fn count_exact(&self, store: &Store) -> Result<u64, StoreError> {
        store.proposal_count(self)
    }
    fn page(
        &self,
        store: &Store,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<ProposalRow>, StoreError> {
        store.proposal_page(self, from, limit)
    }
    fn key(row: &ProposalRow) -> PageKey {
        row.key()
    }
}

/// Who is looking: the default view and the scopes follow the role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user: String,
    pub role: Role,
}

impl Viewer {
    /// Supervisors and managers decide proposals.
    pub fn reviews(&self) -> bool {
        matches!(self.role, Role::Supervisor | Role::Manager)
    }

    /// The query the pane opens with: a reviewer's proposals to decide; anyone else's pending
    /// proposals on their loans or by them (an auditor: everyone's).
    pub fn default_query(&self) -> ProposalQuery {
        let mut q = ProposalQuery {
            pending: true,
            ..ProposalQuery::default()
        };
        if self.reviews() {
            q.decidable_by = Some(self.decider());
        } else if self.role == Role::Specialist {
            q.mine = Some(self.user.clone());
        }
        q
    }

    pub fn decider(&self) -> Decider {
        Decider {
            user: self.user.clone(),
            role: self.role,
        }
    }
}

/// The pane: its list, the marked proposals (id → version shown), the portfolio panel.
#[derive(Debug, Clone)]
pub struct ClassificationPane {
    pub list: PagedList<ProposalQuery>,
    pub viewer: Viewer,
    pub marks: BTreeMap<i64, ProposalRow>,
    pub portfolio: Portfolio,
    pub today: NaiveDate,
    /// Columns of the terminal: the panel's height follows them.
    pub cols: u16,
    /// The migration report shown in place of the list, if asked for.
    pub migration: Option<MigrationView>,
}

/// The migration report for a period, as the pane shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct MigrationView {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub figures: Migration,
}

/// Lines of the portfolio panel at `cols` columns (its entries wrap into them).
pub fn panel_lines(cols: u16) -> u16 {
    if cols >= 120 { 3 } else { 4 }
}

/// Rows of the list: the body less the header line, the panel and the column header.
pub fn list_rows(body_rows: u16, cols: u16) -> u64 {
    u64::from(body_rows.saturating_sub(2 + panel_lines(cols))).max(1)
}

impl ClassificationPane {
    pub fn new(viewer: Viewer, today: NaiveDate) -> ClassificationPane {
        ClassificationPane {
            list: PagedList::new(viewer.default_query()),
            viewer,
            marks: BTreeMap::new(),
            portfolio: Portfolio::default(),
            today,
            cols: 80,
            migration: None,
        }
    }

    /// Reads the migration figures from `from` to `to` and shows them in place of the list.
    pub fn show_migration(
        &mut self,
        store: &Store,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<(), StoreError> {
        let figures = store.migration(from, to)?;
        self.migration = Some(MigrationView { from, to, figures });
        Ok(())
    }

    /// Reads the panel and the list again (the cursor kept where it can be).
    pub fn reload(&mut self, store: &Store) -> Result<(), StoreError> {
        self.portfolio = store.class_portfolio(self.today)?;
        if let Some(v) = &self.migration {
            let (from, to) = (v.from, v.to);
            self.show_migration(store, from, to)?;
        }
        self.list.reload(store)
    }

    fn restart(&mut self, store: &Store) -> Result<(), StoreError> {
        self.list.cursor = 0;
        self.list.scroll = 0;
        self.list.window.clear();
        self.marks.clear();
        self.list.reload(store)
    }

    /// Shows `query` from the top (Today's "proposals to decide"; `x` goes back).
    pub fn set_query(&mut self, store: &Store, query: ProposalQuery) -> Result<(), StoreError> {
        self.list.query = query;
        self.restart(store)
    }

    /// Back to the default view; whether anything changed.
    pub fn clear_filters(&mut self, store: &Store) -> Result<bool, StoreError> {
        let default = self.viewer.default_query();
        if self.list.query == default {
            return Ok(false);
        }
        self.list.query = default;
        self.restart(store)?;
        Ok(true)
    }

    /// The scope: to decide (reviewers) → my loans and proposals → everyone → …
    pub fn cycle_scope(&mut self, store: &Store) -> Result<(), StoreError> {
        let q = &mut self.list.query;
        q.from_today = false;
        let (decide, mine) = match (&q.decidable_by, &q.mine) {
            (Some(_), _) => (false, true),
            (None, Some(_)) => (false, false),
            (None, None) => (self.viewer.reviews(), !self.viewer.reviews()),
        };
        q.decidable_by = decide.then(|| self.viewer.decider());
        q.mine = mine.then(|| self.viewer.user.clone());
        self.restart(store)
    }

    /// Pending only ↔ every status (the decisions too).
    pub fn toggle_pending(&mut self, store: &Store) -> Result<(), StoreError> {
        let q = &mut self.list.query;
        q.pending = !q.pending;
        if !q.pending {
            // Deciding is about pending ones: every status is everyone's history.
            q.decidable_by = None;
            q.below_floor = false;
        }
        q.from_today = false;
        self.restart(store)
    }

    /// Only the loans below their floor, or all.
    pub fn toggle_floor(&mut self, store: &Store) -> Result<(), StoreError> {
        let q = &mut self.list.query;
        q.below_floor = !q.below_floor;
        if q.below_floor {
            q.pending = true;
        }
        q.from_today = false;
        self.restart(store)
    }

    /// The filters in words: `待决定 · 待我决定 · 低于底线`.
    pub fn filter_text(&self, lang: Lang) -> String {
        let q = &self.list.query;
        if q.from_today {
            return lang.t("classification_pane.from_today").to_string();
        }
        let mut parts = vec![if q.pending {
            lang.t("classification_pane.status_pending")
        } else {
            lang.t("classification_pane.status_all")
        }];
        parts.push(match (&q.decidable_by, &q.mine) {
            (Some(_), _) => lang.t("classification_pane.scope_decide"),
            (None, Some(_)) => lang.t("classification_pane.scope_mine"),
            (None, None) => lang.t("classification_pane.scope_everyone"),
        });
        if q.below_floor {
            parts.push(lang.t("classification_pane.below_floor"));
        }
        parts.join(" · ")
    }

    /// Marks or unmarks the selected pending proposal, then moves down one row.
    fn toggle_mark(&mut self, store: &Store) -> Result<bool, StoreError> {
        let Some(row) = self.list.selected().cloned() else {
            return Ok(false);
        };
        if row.status != "pending" {
            return Ok(false);
        }
        if self.marks.remove(&row.id).is_none() {
            self.marks.insert(row.id, row);
        }
        self.list.move_by(store, 1)?;
        Ok(true)
    }

    /// What `A` approves: the marked proposals, else the selected one.
    pub fn to_approve(&self) -> Vec<ProposalRow> {
        if self.marks.is_empty() {
            self.list.selected().cloned().into_iter().collect()
        } else {
            self.marks.values().cloned().collect()
        }
    }
}

/// The floor a proposal was made under, short: `次级（DPD 95）`.
pub fn floor_short(
    lang: Lang,
    class: Option<&str>,
    reason: Option<&str>,
    value: Option<&str>,
    limit: Option<&str>,
) -> String {
    let (Some(class), Some(reason)) = (class, reason) else {
        return String::new();
    };
    let why = lang.tf(
        &format!("classification_floor_short.{reason}"),
        &[
            ("value", &value.unwrap_or("")),
            ("limit", &limit.unwrap_or("")),
        ],
    );
    lang.tf(
        "classification_pane.floor_short",
        &[("class", &lang.code_name("class", class)), ("reason", &why)],
    )
}

/// A proposal's basis as said: `检查 IN-2026-0001`, `底线`.
pub fn basis_text(lang: Lang, basis: &str, basis_ref: &str) -> String {
    let name = lang.code_name("proposal_basis", basis);
    if basis_ref.is_empty() {
        name
    } else {
        format!("{name} {}", display(basis_ref))
    }
}

/// A proposal's reason as said: the proposer's words, else its floor's sentence.
pub fn reason_text(lang: Lang, row: &ProposalRow) -> String {
    if !row.reason.trim().is_empty() {
        return display(&row.reason);
    }
    match (&row.floor, &row.floor_reason) {
        (Some(c), Some(r)) => floor_text(
            lang,
            c,
            r,
            row.floor_value.as_deref().unwrap_or(""),
            row.floor_limit.as_deref().unwrap_or(""),
        ),
        _ => String::new(),
    }
}

/// A column of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Id,
    Contract,
    Borrower,
    Current,
    Proposed,
    Basis,
    Proposer,
    Effective,
    Floor,
    Status,
}

impl Col {
    fn title_key(self) -> &'static str {
        match self {
            Col::Id => "classification_pane.col_id",
            Col::Contract => "classification_pane.col_contract",
            Col::Borrower => "classification_pane.col_borrower",
            Col::Current => "classification_pane.col_current",
            Col::Proposed => "classification_pane.col_proposed",
            Col::Basis => "classification_pane.col_basis",
            Col::Proposer => "classification_pane.col_proposer",
            Col::Effective => "classification_pane.col_effective",
            Col::Floor => "classification_pane.col_floor",
            Col::Status => "classification_pane.col_status",
        }
    }

    fn text(self, row: &ProposalRow, lang: Lang) -> String {
        match self {
            Col::Id => row.id.to_string(),
            Col::Contract => display(&row.contract_no),
            Col::Borrower => display(&row.borrower_name),
            Col::Current => lang.code_name("class", row.current.code()),
            Col::Proposed => lang.code_name("class", row.proposed.code()),
            Col::Basis => basis_text(lang, &row.basis, &row.basis_ref),
            Col::Proposer => display(&row.proposer),
            Col::Effective => display(&row.effective_on),
            Col::Floor => floor_short(
                lang,
                row.floor.as_deref(),
                row.floor_reason.as_deref(),
                row.floor_value.as_deref(),
                row.floor_limit.as_deref(),
            ),
            Col::Status => lang.code_name("proposal_status", &row.status),
        }
    }
}

/// The columns that fit `width`, each with its width; the borrower takes what is left.
fn columns(width: u16, all_statuses: bool) -> Vec<(Col, usize)> {
    let w = usize::from(width);
    let mut cols = vec![
        (Col::Id, 5),
        (Col::Contract, 11),
        (Col::Borrower, 0),
        (Col::Current, 8),
        (Col::Proposed, 8),
        (Col::Basis, 10),
        (Col::Proposer, 10),
    ];
    if w >= 110 {
        cols.push((Col::Effective, 10));
        cols.push((Col::Floor, 18));
    }
    if all_statuses {
        cols.push((Col::Status, 8));
    }
    let fixed: usize = cols.iter().map(|(_, n)| n + 1).sum::<usize>() + 2;
    let rest = w.saturating_sub(fixed).max(8);
    for c in &mut cols {
        if c.0 == Col::Borrower {
            c.1 = rest;
        }
    }
    cols
}

fn row_line(cells: &[(String, usize)]) -> String {
    let mut s = String::from("  ");
    for (text, w) in cells {
        s.push_str(&pad_right(&truncate(text, *w), *w));
        s.push(' ');
    }
    s
}

fn set(buf: &mut Buffer, area: Rect, y: u16, text: &str, style: Style) {
    buf.set_line(
        area.x,
        y,
        &Line::styled(truncate(text, usize::from(area.width)), style),
        area.width,
    );
}

/// The portfolio panel's entries flowed into `lines` lines of `area`'s width: per class its
/// loans and outstanding, the NPL ratio, then (on a line of its own) proposals by age.
fn portfolio(p: &Portfolio, buf: &mut Buffer, area: Rect, lines: u16, lang: Lang, theme: &Theme) {
    let w = usize::from(area.width);
    let mut entries: Vec<(String, Style)> = crate::domain::Classification::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let style = if c.is_non_performing() && p.count[i] > 0 {
                theme.class(*c)
            } else {
                Style::new()
            };
            (
                format!(
                    "{} {} {}",
                    lang.code_name("class", c.code()),
                    p.count[i],
                    format_money(p.outstanding[i], "CNY")
                ),
                style,
            )
        })
        .collect();
    let ratio = p
        .npl_ratio()
        .map_or_else(|| "-".to_string(), format_percent);
    entries.push((
        lang.tf("classification_pane.npl_ratio", &[("ratio", &ratio)]),
        theme.title,
    ));
    let title = format!(" {} ", lang.t("classification_pane.portfolio"));
    let indent = width(&title);
    let mut rows: Vec<Vec<Span<'static>>> = vec![vec![Span::styled(title, theme.title)]];
    let mut used = indent;
    for (text, style) in entries {
        let n = width(&text) + 2;
        if used + n > w && used > indent {
            rows.push(vec![Span::raw(" ".repeat(indent))]);
            used = indent;
        }
        if let Some(r) = rows.last_mut() {
            r.push(Span::styled(text, style));
            r.push(Span::raw("  "));
        }
        used += n;
    }
    let ages = lang.tf(
        "classification_pane.ages",
        &[("a", &p.ages[0]), ("b", &p.ages[1]), ("c", &p.ages[2])],
    );
    let age_style = if p.ages[2] > 0 {
        theme.warning
    } else {
        theme.muted
    };
    rows.push(vec![
        Span::raw(" ".repeat(indent)),
        Span::styled(ages, age_style),
    ]);
    for (i, spans) in rows.into_iter().take(usize::from(lines)).enumerate() {
        buf.set_line(area.x, area.y + i as u16, &Line::from(spans), area.width);
    }
}

pub fn render(
    pane: &ClassificationPane,
    frame: &mut Frame<'_>,
    area: Rect,
    lang: Lang,
    theme: &Theme,
) {
    if let Some(view) = &pane.migration {
        render_migration(view, frame.buffer_mut(), area, lang, theme);
        return;
    }
    let lines = panel_lines(area.width);
    if area.height < lines + 3 {
        return;
    }
    let buf = frame.buffer_mut();
    let list = &pane.list;
    let mut head = vec![
        Span::raw(" "),
        Span::styled(
            lang.tf("classification_pane.count", &[("n", &list.total_text())]),
            theme.title,
        ),
        Span::raw("  "),
        Span::styled(pane.filter_text(lang), theme.muted),
    ];
    if !pane.marks.is_empty() {
        head.push(Span::raw("  "));
        head.push(Span::styled(
            lang.tf("classification_pane.marked", &[("n", &pane.marks.len())]),
            theme.warning,
        ));
    }
    buf.set_line(area.x, area.y, &Line::from(head), area.width);
    portfolio(
        &pane.portfolio,
        buf,
        Rect::new(area.x, area.y + 1, area.width, lines),
        lines,
        lang,
        theme,
    );
    let top = area.y + 1 + lines;
    let cols = columns(area.width, !list.query.pending);
    let header: Vec<(String, usize)> = cols
        .iter()
        .map(|(c, w)| (lang.t(c.title_key()).to_string(), *w))
        .collect();
    set(buf, area, top, &row_line(&header), theme.header);
    let cursor = list.cursor;
    for (i, (index, row)) in list.visible().enumerate() {
        let y = top + 1 + i as u16;
        if y >= area.y + area.height {
            break;
        }
        let cells: Vec<(String, usize)> =
            cols.iter().map(|(c, w)| (c.text(row, lang), *w)).collect();
        let mut text = row_line(&cells);
        let marked = pane.marks.contains_key(&row.id);
        if marked {
            // The mark reads without colour too.
            text.replace_range(0..1, "*");
        }
        let style = if row.proposed.is_non_performing() && row.status == "pending" {
            theme.class(row.proposed)
        } else {
            Style::new()
        };
        // The selected row: its mark and number reversed, not the whole row, so a one-row
        // move rewrites two short runs of cells (the budget is 260 B a move).
        let selected = index == cursor;
        if selected {
            text.replace_range(1..2, ">");
        }
        let line = truncate(&text, usize::from(area.width));
        let head_w = 2 + cols.first().map_or(0, |(_, w)| *w);
        let head: String = line.chars().take(head_w).collect();
        let rest: String = line.chars().skip(head_w).collect();
        let head_style = if selected {
            style.patch(theme.selected)
        } else if marked {
            style.patch(theme.warning)
        } else {
            style
        };
        buf.set_line(
            area.x,
            y,
            &Line::from(vec![
                Span::styled(head, head_style),
                Span::styled(rest, style),
            ]),
            area.width,
        );
    }
    if list.total == 0 {
        set(
            buf,
            Rect::new(
                area.x + 2,
                area.y,
                area.width.saturating_sub(2),
                area.height,
            ),
            top + 1,
            lang.t("classification_pane.empty"),
            theme.muted,
        );
    }
}

/// The migration report in place of the list: the period and the way back, the matrix by
/// count and by opening balance (in yuan where they fit, else in 10,000 yuan, said in the
/// title), the migration rates flowed into lines, and the NPL ratio at both dates.
fn render_migration(v: &MigrationView, buf: &mut Buffer, area: Rect, lang: Lang, theme: &Theme) {
    let m = &v.figures;
    let w = usize::from(area.width);
    let mut lines: Vec<Line<'static>> = Vec::new();
    lines.push(Line::from(vec![
        Span::styled(
            format!(
                " {}",
                lang.tf(
                    "classification_pane.migration_head",
                    &[("from", &v.from), ("to", &v.to)]
                )
            ),
            theme.title,
        ),
        Span::raw("  "),
        Span::styled(
            lang.t("classification_pane.migration_back").to_string(),
            theme.muted,
        ),
    ]));
    // The opening-class labels take what their widest needs; six closing columns share the rest.
    let label = std::iter::once(width(lang.t("portfolio.opening")))
        .chain(
            crate::domain::Classification::ALL
                .iter()
                .map(|c| width(&lang.code_name("class", c.code()))),
        )
        .max()
        .unwrap_or(8)
        .min(16)
        + 1;
    let col = (w.saturating_sub(1 + label) / 6).clamp(4, 18);
    let unit = if mtext::widest_balance(m, Unit::Yuan) < col {
        Unit::Yuan
    } else {
        Unit::TenThousand
    };
    for (title, by_count) in [
        (lang.t("portfolio.by_count").to_string(), true),
        (
            match unit {
                Unit::Yuan => lang.t("portfolio.by_balance").to_string(),
                Unit::TenThousand => lang.tf(
                    "classification_pane.migration_balance_10k",
                    &[("title", &lang.t("portfolio.by_balance"))],
                ),
            },
            false,
        ),
    ] {
        lines.push(Line::styled(format!(" {title}"), theme.title));
        for (i, text) in mtext::matrix_lines(m, by_count, unit, label, col, lang)
            .into_iter()
            .enumerate()
        {
            let style = if i == 0 { theme.header } else { Style::new() };
            lines.push(Line::styled(format!(" {text}"), style));
        }
    }
    // The rates, flowed: `迁徙率  正常 8.51%  关注 60.00%  …  正常贷款迁徙率 55.56%`.
    let head = format!(" {}  ", lang.t("portfolio.rates"));
    let indent = width(&head);
    let mut row: Vec<Span<'static>> = vec![Span::styled(head, theme.title)];
    let mut used = indent;
    for (key, rate) in mtext::rates(m) {
        let text = format!("{} {}", mtext::rate_name(key, lang), mtext::pct_text(rate));
        let n = width(&text) + 2;
        if used + n > w && used > indent {
            lines.push(Line::from(std::mem::take(&mut row)));
            row.push(Span::raw(" ".repeat(indent)));
            used = indent;
        }
        row.push(Span::raw(text));
        row.push(Span::raw("  "));
        used += n;
    }
    lines.push(Line::from(row));
    lines.push(Line::raw(format!(
        " {}",
        mtext::npl_line(m, v.from, v.to, lang)
    )));
    for (i, line) in lines.into_iter().take(usize::from(area.height)).enumerate() {
        buf.set_line(area.x, area.y + i as u16, &line, area.width);
    }
}

/// The footer's commands while the migration report is shown.
const MIGRATION_HINTS: &[Hint] = &[
    Hint::One(Section::Classification, Action::MigrationReport),
    Hint::One(Section::Global, Action::Back),
    Hint::One(Section::Global, Action::Help),
];

/// The footer's commands (after the position).
const HINTS: &[Hint] = &[
    Hint::Group(
        Section::Classification,
        &[
            Action::FilterMine,
            Action::FilterStatus,
            Action::FilterFloor,
        ],
        "hint.filters",
    ),
    Hint::One(Section::Classification, Action::ProposeClass),
    Hint::One(Section::Classification, Action::ApproveProposal),
    Hint::One(Section::Classification, Action::RejectProposal),
    Hint::One(Section::Classification, Action::MarkProposal),
    Hint::One(Section::Classification, Action::MigrationReport),
    Hint::One(Section::List, Action::Open),
    Hint::One(Section::Global, Action::Help),
];

impl Component for ClassificationPane {
    fn sections(&self) -> &'static [Section] {
        &[Section::Classification, Section::List, Section::Global]
    }

    fn hints(&self) -> &'static [Hint] {
        if self.migration.is_some() {
            MIGRATION_HINTS
        } else {
            HINTS
        }
    }

    fn ignores(&self) -> &'static [Action] {
        // The list has no text filter or sort.
        &[
            Action::Filter,
            Action::SortNext,
            Action::SortPrev,
            Action::SortReverse,
        ]
    }

    fn handle(&mut self, action: Action, ctx: &Ctx<'_>) -> anyhow::Result<Outcome> {
        let store = ctx.store;
        self.today = ctx.today;
        let page = self.list.height.max(1) as i64;
        let changed = |moved: bool| {
            if moved {
                Outcome::Consumed(Vec::new())
            } else {
                Outcome::Unchanged
            }
        };
        if self.migration.is_some() {
            // The report stands in for the list: only another period (or Esc) acts.
            return Ok(match action {
                Action::MigrationReport => Outcome::Consumed(vec![Effect::MigrationForm]),
                _ => Outcome::Unchanged,
            });
        }
        let selected = self.list.selected().cloned();
        Ok(match action {
            Action::Down => changed(self.list.move_by(store, 1)?),
            Action::Up => changed(self.list.move_by(store, -1)?),
            Action::PageDown => changed(self.list.move_by(store, page)?),
            Action::PageUp => changed(self.list.move_by(store, -page)?),
            Action::Top => changed(self.list.to_top(store)?),
            Action::Bottom => changed(self.list.to_bottom(store)?),
            Action::ClearFilter => changed(self.clear_filters(store)?),
            Action::FilterMine => {
                self.cycle_scope(store)?;
                Outcome::Consumed(Vec::new())
            }
            Action::FilterStatus => {
                self.toggle_pending(store)?;
                Outcome::Consumed(Vec::new())
            }
            Action::FilterFloor => {
                self.toggle_floor(store)?;
                Outcome::Consumed(Vec::new())
            }
            Action::MarkProposal => changed(self.toggle_mark(store)?),
            Action::MigrationReport => Outcome::Consumed(vec![Effect::MigrationForm]),
            Action::Open => match selected {
                Some(row) => Outcome::Consumed(vec![Effect::OpenLoanClass(row.loan_id)]),
                None => Outcome::Unchanged,
            },
            Action::ProposeClass => Outcome::Consumed(vec![Effect::ProposeClass(
                selected.map(|r| r.contract_no).unwrap_or_default(),
            )]),
            Action::ApproveProposal => {
                Outcome::Consumed(vec![Effect::ApproveProposals(self.to_approve())])
            }
            Action::RejectProposal => match selected {
                Some(row) => Outcome::Consumed(vec![Effect::RejectProposal(Box::new(row))]),
                None => Outcome::Unchanged,
            },
            _ => Outcome::NotMine,
        })
    }

    fn reload(&mut self, changed: Changed, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        self.today = ctx.today;
        if changed.any(Changed::CLASSES | Changed::LOANS) {
            ClassificationPane::reload(self, ctx.store)?;
        }
        Ok(())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        render(self, frame, area, view.lang, view.theme);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fit_the_width() {
        for w in [80u16, 100, 120, 200] {
            for all in [false, true] {
                let cols = columns(w, all);
                let used: usize = cols.iter().map(|(_, n)| n + 1).sum::<usize>() + 2;
                assert!(used <= usize::from(w), "{w}: {used}");
            }
        }
        assert!(columns(120, false).iter().any(|(c, _)| *c == Col::Floor));
        assert!(!columns(80, false).iter().any(|(c, _)| *c == Col::Floor));
    }
}

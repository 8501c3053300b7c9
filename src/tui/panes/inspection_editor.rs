//! The inspection report editor, a full-screen screen on the back stack: the nine sections on
//! the left (a mark for each filled one), the chosen section's text in the middle (the shared
//! multi-line [`TextArea`]), and a read-only facts panel on the right that the app fills from
//! the loan (terms, ratios now with their levels from `engine::report`, collateral and
//! coverage, repayment status), hidden below 120 columns. A returned report shows the
//! reviewer's comment at the top. Commands go to `App` as effects, which sends them through
//! `workflow::inspection`; the text being typed is kept as a draft by section code.

use crate::domain::checklist::{Checklist, Score};
use crate::domain::inspection::MeasureEntry;
use crate::domain::inspection::{InspectionStatus, Section as ReportSection};
use crate::domain::text::{display, pad_right, truncate};
use crate::store::{Contact, EvidenceRow, Inspection, Store, StoreError, WarningRow};
use crate::tui::component::{Component, Ctx, Effect, Hint, Outcome, View};
use crate::tui::drafts::Values;
use crate::tui::keymap::{Action, Section};
use crate::tui::panes::loan_detail::DetailState;
use crate::tui::stack::Changed;
use crate::tui::widgets::text_area::TextArea;
use chrono::NaiveDate;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use rust_decimal::Decimal;

/// Below this width the facts panel is not shown.
pub const FACTS_FROM_COLS: u16 = 120;
/// The section list's width.
const LIST_COLS: u16 = 24;
/// The facts panel's width.
const FACTS_COLS: u16 = 44;

/// A command of the editor, sent by `App` through the workflow.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportCommand {
    /// Write section `section` with `text`, against the version shown.
    Write {
        section: ReportSection,
        text: String,
    },
    Submit,
    Approve,
    /// Ask for a comment, then return the report.
    Return,
    /// Ask for a path and a note, then attach the file.
    Attach,
    /// Ask for a measure (deadline, owner, note), then add it to the conclusion.
    Measure,
    /// Ask for a classification, then record it as proposed.
    ProposeClass,
    /// Open the checklist form (one field per item), then score the report.
    Checklist,
    /// Editing was asked for where the user may not write: say why.
    Locked,
}

/// The editor's state.
#[derive(Debug, Clone)]
pub struct InspectionEditor {
    pub inspection: Inspection,
    /// Each section's text as stored in the book (report version shown).
    pub stored: Vec<String>,
    /// Each section's text as being edited (equal to `stored` when nothing is pending).
    pub texts: Vec<String>,
    /// The stored text each section's edit began from: when the book's text moves on under
    /// a pending edit (someone else wrote the section), writing it is refused once, as a
    /// conflict, rather than silently overwriting theirs.
    pub base: Vec<String>,
    /// The chosen section (0 … 8).
    pub current: usize,
    /// The chosen section's text with its caret.
    pub area: TextArea,
    /// Keys go into the text.
    pub editing: bool,
    /// Typed since the draft was last saved.
    pub dirty: bool,
    pub measures: Vec<MeasureEntry>,
    pub evidence: Vec<EvidenceRow>,
    /// The checklist points of the report version shown: (item code, points).
    pub points: Vec<(String, Decimal)>,
    /// The configured checklist, set by `App` (None: the score is not shown).
    pub checklist: Option<Checklist>,
    /// The loan's floor today, set by `App` (section 9 shows it by the proposed class).
    pub floor: Option<crate::domain::classification::Floor>,
    /// The loan, for the facts panel.
    pub facts: Option<Box<DetailState>>,
    /// The loan's active warnings (the first few, in board order) and its last contacts.
    pub open_warnings: Vec<WarningRow>,
    pub last_contacts: Vec<Contact>,
    /// The day the loan's previous inspection was done (the ratios "at the last inspection").
    pub last_inspected_on: Option<NaiveDate>,
    pub today: NaiveDate,
}

/// Rows of each list in the facts panel.
const FACT_ROWS: usize = 3;

impl InspectionEditor {
    /// Reads inspection `id`, its report's sections, measures, evidence and loan facts.
    pub fn load(
        store: &Store,
        id: i64,
        today: NaiveDate,
    ) -> Result<Option<InspectionEditor>, StoreError> {
        let Some(inspection) = store.inspection(id)? else {
            return Ok(None);
        };
        let mut e = InspectionEditor {
            stored: vec![String::new(); ReportSection::ALL.len()],
            texts: vec![String::new(); ReportSection::ALL.len()],
            base: vec![String::new(); ReportSection::ALL.len()],
            current: 0,
            area: TextArea::new(""),
            editing: false,
            dirty: false,
            measures: Vec::new(),
            evidence: Vec::new(),
            points: Vec::new(),
            checklist: None,
            floor: None,
            facts: None,
            open_warnings: Vec::new(),
            last_contacts: Vec::new(),
            last_inspected_on: None,
            today,
            inspection,
        };
        e.read_report(store)?;
        e.texts = e.stored.clone();
        e.base = e.stored.clone();
        e.area = TextArea::new(&e.texts[0]);
        e.read_facts(store)?;
        Ok(Some(e))
    }

    /// Reads the facts panel: the loan (terms, indicators, collateral), its active warnings
    /// and its last contacts, a few rows each.
    fn read_facts(&mut self, store: &Store) -> Result<(), StoreError> {
        let loan_id = self.inspection.row.loan_id;
        self.facts = DetailState::load(store, loan_id)?.map(Box::new);
        // Board order puts active warnings first; a page of them is enough to pick a few.
        self.open_warnings = store
            .loan_warnings(loan_id, 0, 20)?
            .into_iter()
            .filter(|w| w.status.is_active())
            .take(FACT_ROWS)
            .collect();
        self.last_contacts = store.contacts_page(loan_id, 0, FACT_ROWS)?;
        self.last_inspected_on = store.last_inspection_on(loan_id, self.inspection.row.id)?;
        Ok(())
    }

    /// Reads the inspection and its report again; text typed and not written stays.
    fn read_report(&mut self, store: &Store) -> Result<(), StoreError> {
        if let Some(i) = store.inspection(self.inspection.row.id)? {
            self.inspection = i;
        }
        let (id, rv) = (self.inspection.row.id, self.inspection.report_version);
        let mut stored = vec![String::new(); ReportSection::ALL.len()];
        for (n, text) in store.inspection_sections(id, rv)? {
            if let Some(slot) = usize::from(n)
                .checked_sub(1)
                .and_then(|i| stored.get_mut(i))
            {
                *slot = text;
            }
        }
        self.keep_area();
        for (i, new) in stored.iter().enumerate() {
            if self.texts[i] == self.stored[i] {
                // Nothing pending here: the section follows the book (another user's text).
                if i == self.current && self.texts[i] != *new {
                    self.area = TextArea::new(new);
                }
                self.texts[i] = new.clone();
            }
            if self.texts[i] == *new {
                self.base[i] = new.clone();
            }
        }
        self.stored = stored;
        self.measures = store.inspection_measures(id, rv)?;
        self.points = store.inspection_checklist(id, rv)?;
        self.evidence = store.inspection_evidence(id)?;
        Ok(())
    }

    pub fn number(&self) -> &str {
        &self.inspection.row.number
    }

    pub fn section(&self) -> ReportSection {
        ReportSection::ALL[self.current.min(ReportSection::ALL.len() - 1)]
    }

    /// Keeps the area's text as the chosen section's working text.
    fn keep_area(&mut self) {
        self.texts[self.current] = self.area.text();
    }

    /// Chooses section `i`: the area holds its working text.
    pub fn choose(&mut self, i: usize) -> bool {
        if i >= ReportSection::ALL.len() || i == self.current {
            return false;
        }
        self.keep_area();
        self.current = i;
        self.area = TextArea::new(&self.texts[i]);
        true
    }

    /// An editing key; true when the text or caret changed.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        let changed = self.area.input(key);
        if changed {
            self.keep_area();
            self.dirty = true;
        }
        changed
    }

    /// Pasted text at the caret.
    pub fn paste(&mut self, text: &str) -> bool {
        let changed = self.area.insert(text);
        if changed {
            self.keep_area();
            self.dirty = true;
        }
        changed
    }

    /// The sections whose text differs from the book's, by section code: the draft.
    pub fn draft_values(&self) -> Values {
        let mut texts = self.texts.clone();
        texts[self.current] = self.area.text();
        ReportSection::ALL
            .iter()
            .zip(texts.iter().zip(&self.stored))
            .filter(|(_, (t, s))| t != s)
            .map(|(sec, (t, _))| (sec.code().to_string(), t.clone()))
            .collect()
    }

    /// Puts a draft's texts back (by section code; unknown codes are ignored). Whether any was.
    pub fn restore(&mut self, values: &Values) -> bool {
        let mut any = false;
        for (code, text) in values {
            if let Some(i) = ReportSection::ALL.iter().position(|s| s.code() == code) {
                self.texts[i] = text.clone();
                any = true;
            }
        }
        self.area = TextArea::new(&self.texts[self.current]);
        any
    }

    /// After the chosen section was written: the book holds `text` now.
    pub fn written(&mut self, store: &Store) -> Result<(), StoreError> {
        self.read_report(store)
    }

    /// Whether the book's text of section `i` changed under a pending edit of it since the
    /// edit began (someone else wrote it).
    pub fn conflict(&self, i: usize) -> bool {
        self.base.get(i) != self.stored.get(i)
    }

    /// The user has been told of the conflict on section `i`: the next write is theirs.
    pub fn take_over(&mut self, i: usize) {
        if let (Some(b), Some(s)) = (self.base.get_mut(i), self.stored.get(i)) {
            b.clone_from(s);
        }
    }

    /// Why the acting user cannot type into this report here, or None: the report is no
    /// longer editable (submitted, approved), or another staff member is its author.
    pub fn locked_for(&self, user: &str, lang: crate::i18n::Lang) -> Option<String> {
        if !self.editable() {
            let status = lang.code_name("inspection_status", self.inspection.row.status.code());
            return Some(lang.tf(
                "inspection_editor.locked_status",
                &[("number", &self.inspection.row.number), ("status", &status)],
            ));
        }
        match &self.inspection.row.author {
            Some(author) if author != user => Some(lang.tf(
                "inspection_editor.locked_author",
                &[
                    ("number", &self.inspection.row.number),
                    ("author", &crate::domain::text::display(author)),
                ],
            )),
            _ => None,
        }
    }

    /// Whether the report can still be edited here (not submitted or approved).
    pub fn editable(&self) -> bool {
        matches!(
            self.inspection.row.status,
            InspectionStatus::Planned | InspectionStatus::Draft | InspectionStatus::Returned
        )
    }
}

const HINTS: &[Hint] = &[
    Hint::One(Section::Editor, Action::EditSection),
    Hint::One(Section::Editor, Action::Save),
    Hint::One(Section::Editor, Action::SubmitReport),
    Hint::One(Section::Editor, Action::ApproveReport),
    Hint::One(Section::Editor, Action::ReturnReport),
    Hint::One(Section::Editor, Action::AttachEvidence),
    Hint::One(Section::Editor, Action::AddMeasure),
    Hint::One(Section::Editor, Action::ProposeClass),
    Hint::One(Section::Editor, Action::Checklist),
    Hint::One(Section::Global, Action::Back),
];

impl Component for InspectionEditor {
    fn sections(&self) -> &'static [Section] {
        &[Section::Editor, Section::Global]
    }

    fn hints(&self) -> &'static [Hint] {
        HINTS
    }

    fn handle(&mut self, action: Action, ctx: &Ctx<'_>) -> anyhow::Result<Outcome> {
        self.today = ctx.today;
        let cmd = |c: ReportCommand| Outcome::Consumed(vec![Effect::Report(c)]);
        Ok(match action {
            Action::Down => {
                if self.choose(self.current + 1) {
                    Outcome::Consumed(Vec::new())
                } else {
                    Outcome::Unchanged
                }
            }
            Action::Up => match self.current.checked_sub(1) {
                Some(i) if self.choose(i) => Outcome::Consumed(Vec::new()),
                _ => Outcome::Unchanged,
            },
            Action::EditSection => {
                if self.locked_for(ctx.user, crate::i18n::Lang::En).is_some() {
                    // Typing into a report that cannot be written would only make a draft
                    // that no save can keep: `App` says why, in the user's language.
                    return Ok(cmd(ReportCommand::Locked));
                }
                self.editing = true;
                Outcome::Consumed(Vec::new())
            }
            Action::Save => cmd(ReportCommand::Write {
                section: self.section(),
                text: self.area.text(),
            }),
            Action::SubmitReport => cmd(ReportCommand::Submit),
            Action::ApproveReport => cmd(ReportCommand::Approve),
            Action::ReturnReport => cmd(ReportCommand::Return),
            Action::AttachEvidence => cmd(ReportCommand::Attach),
            Action::AddMeasure => cmd(ReportCommand::Measure),
            Action::ProposeClass => cmd(ReportCommand::ProposeClass),
            Action::Checklist => cmd(ReportCommand::Checklist),
            _ => Outcome::NotMine,
        })
    }

    fn reload(&mut self, changed: Changed, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        self.today = ctx.today;
        if changed.any(Changed::INSPECTIONS) {
            self.read_report(ctx.store)?;
        }
        if changed.any(Changed::LOANS | Changed::WARNINGS | Changed::STATEMENTS | Changed::CONTACTS)
        {
            self.read_facts(ctx.store)?;
        }
        Ok(())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        render(self, frame, area, view);
    }
}

fn render(e: &InspectionEditor, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
    let (lang, theme) = (view.lang, view.theme);
    if area.height < 4 || area.width < 40 {
        return;
    }
    let row = &e.inspection.row;
    // The title: number, loan, kind, status; then the reviewer's comment of a returned report.
    let title = lang.tf(
        "inspection_editor.title",
        &[
            ("number", &display(&row.number)),
            ("contract", &display(&row.contract_no)),
            ("borrower", &display(&row.borrower_name)),
            ("kind", &lang.code_name("inspection_kind", row.kind.code())),
            (
                "status",
                &lang.code_name("inspection_status", row.status.code()),
            ),
        ],
    );
    let w = usize::from(area.width);
    let buf = frame.buffer_mut();
    buf.set_line(
        area.x,
        area.y,
        &Line::styled(truncate(&title, w), theme.title),
        area.width,
    );
    let mut top = area.y + 1;
    let comment = e.inspection.return_comment.trim();
    if row.status == InspectionStatus::Returned && !comment.is_empty() {
        let text = lang.tf(
            "inspection_editor.returned",
            &[("comment", &display(comment.lines().next().unwrap_or("")))],
        );
        buf.set_line(
            area.x,
            top,
            &Line::styled(truncate(&text, w), theme.danger),
            area.width,
        );
        top += 1;
    }
    let body = Rect::new(area.x, top, area.width, area.height - (top - area.y));
    // Left: the nine sections.
    let list_w = LIST_COLS.min(body.width / 3);
    for (i, s) in ReportSection::ALL.iter().enumerate() {
        let y = body.y + i as u16;
        if y >= body.y + body.height {
            break;
        }
        let filled = !e.texts[i].trim().is_empty();
        let pending = e.texts[i] != e.stored[i];
        let mark = match (filled, pending) {
            (_, true) => "*",
            (true, false) => "+",
            (false, false) => " ",
        };
        let cursor = if i == e.current { ">" } else { " " };
        let text = format!("{cursor}{mark}{}", lang.t(&s.key()));
        let style = if i == e.current {
            theme.selected
        } else if filled {
            Style::new()
        } else {
            theme.muted
        };
        let cell = pad_right(
            &truncate(&text, usize::from(list_w) - 1),
            usize::from(list_w) - 1,
        );
        buf.set_line(body.x, y, &Line::styled(cell, style), list_w);
    }
    let legend_y = body.y + ReportSection::ALL.len() as u16 + 1;
    if legend_y < body.y + body.height {
        let legend = lang.tf(
            "inspection_editor.counts",
            &[
                (
                    "measures",
                    &lang.tf("count.measures", &[("n", &e.measures.len())]),
                ),
                (
                    "evidence",
                    &lang.tf("count.files", &[("n", &e.evidence.len())]),
                ),
            ],
        );
        buf.set_line(
            body.x,
            legend_y,
            &Line::styled(truncate(&legend, usize::from(list_w) - 1), theme.muted),
            list_w,
        );
    }
    if legend_y + 1 < body.y + body.height {
        buf.set_line(
            body.x,
            legend_y + 1,
            &Line::styled(
                truncate(lang.t("inspection_editor.legend"), usize::from(list_w) - 1),
                theme.muted,
            ),
            list_w,
        );
    }
    // Right: the facts, from 120 columns on.
    let facts_w = if area.width >= FACTS_FROM_COLS {
        FACTS_COLS
    } else {
        0
    };
    let mid_x = body.x + list_w;
    let mid_w = body
        .width
        .saturating_sub(list_w + facts_w + u16::from(facts_w > 0));
    // Middle: the chosen section's title and text.
    let head = format!(
        "{}{}",
        lang.t(&e.section().key()),
        if e.editing {
            lang.t("inspection_editor.editing")
        } else {
            ""
        }
    );
    buf.set_line(
        mid_x,
        body.y,
        &Line::styled(truncate(&head, usize::from(mid_w)), theme.header),
        mid_w,
    );
    // Section 9's structured part: the checklist score on the pane's last row.
    let score_row = (e.section() == ReportSection::Conclusion && body.height > 3)
        .then_some(())
        .and(e.checklist.as_ref().filter(|c| !c.items.is_empty()));
    if let Some(c) = score_row {
        let score = c.score(&e.points);
        let text = crate::workflow::inspection_checklist::score_text(score, c, lang);
        let style = match score {
            Score::Complete(s) if c.below_line(s) => theme.danger,
            Score::Complete(_) => theme.header,
            _ => theme.muted,
        };
        buf.set_line(
            mid_x,
            body.y + body.height - 1,
            &Line::styled(truncate(&text, usize::from(mid_w)), style),
            mid_w,
        );
    }
    // Above it: the proposed class with the floor, "建议分类：次级 · 底线：次级（DPD 95）".
    let class_row = e.section() == ReportSection::Conclusion && body.height > 4;
    if class_row {
        let proposed = match e.inspection.proposed_class {
            Some(c) => lang.tf(
                "classification_pane.report_class",
                &[("class", &lang.code_name("class", c.code()))],
            ),
            None => lang.t("classification_pane.report_class_none").to_string(),
        };
        let floor = super::loan_class::floor_line(e.floor, lang)
            .unwrap_or_else(|| lang.t("classification_pane.floor_none").to_string());
        let below =
            matches!((e.inspection.proposed_class, e.floor), (Some(c), Some(f)) if c < f.at_least);
        let y = body.y + body.height - 1 - u16::from(score_row.is_some());
        buf.set_line(
            mid_x,
            y,
            &Line::styled(
                truncate(&format!("{proposed} · {floor}"), usize::from(mid_w)),
                if below { theme.danger } else { theme.header },
            ),
            mid_w,
        );
    }
    let text_h = usize::from(
        body.height
            .saturating_sub(1 + u16::from(score_row.is_some()) + u16::from(class_row)),
    );
    let (rows, caret) = e.area.window(usize::from(mid_w).max(2), text_h);
    let empty = e.area.text().is_empty();
    for (i, r) in rows.iter().enumerate() {
        buf.set_line(mid_x, body.y + 1 + i as u16, &Line::raw(r.clone()), mid_w);
    }
    if empty && !e.editing {
        buf.set_line(
            mid_x,
            body.y + 1,
            &Line::styled(lang.t("inspection_editor.empty"), theme.muted),
            mid_w,
        );
    }
    if facts_w > 0 {
        let fx = mid_x + mid_w + 1;
        let farea = Rect::new(fx, body.y, facts_w, body.height);
        facts(e, frame, farea, view);
    }
    if e.editing {
        let (r, c) = caret;
        frame.set_cursor_position(Position::new(
            mid_x + (c as u16).min(mid_w.saturating_sub(1)),
            body.y + 1 + r as u16,
        ));
    }
}

/// The statement ratios the facts panel shows then and now.
const RATIOS: [crate::engine::kinds::Indicator; 4] = [
    crate::engine::kinds::Indicator::DebtToAsset,
    crate::engine::kinds::Indicator::CurrentRatio,
    crate::engine::kinds::Indicator::QuickRatio,
    crate::engine::kinds::Indicator::InterestCoverage,
];

/// The financial ratios at disbursement, at the last inspection and now, each coloured by
/// the level it reached then ("-": no statement by that day).
fn ratios(
    e: &InspectionEditor,
    d: &DetailState,
    lines: &mut Vec<Line<'static>>,
    view: &View<'_>,
    w: usize,
) {
    use ratatui::text::Span;
    let (lang, theme) = (view.lang, view.theme);
    let disbursed = d.loan.disbursed_on;
    let last = e.last_inspected_on;
    let reports = [
        d.report_on(view.rules, disbursed),
        last.and_then(|on| d.report_on(view.rules, on)),
        d.report(view.rules, view.today),
    ];
    lines.push(Line::from(""));
    lines.push(Line::styled(
        lang.tf(
            "inspection_editor.ratios",
            &[
                ("disbursed", &disbursed.to_string()),
                (
                    "last",
                    &last.map_or_else(|| "-".to_string(), |d| d.to_string()),
                ),
            ],
        ),
        theme.header,
    ));
    for indicator in RATIOS {
        let name = lang.code_name("indicator", indicator.code());
        let mut spans = vec![Span::styled(
            pad_right(&truncate(&name, 10), 11),
            theme.muted,
        )];
        let mut used = 11;
        for (i, rep) in reports.iter().enumerate() {
            let reading = rep
                .as_ref()
                .and_then(|r| r.readings.iter().find(|x| x.indicator == indicator));
            let value = reading
                .and_then(|r| r.value.known())
                .map_or_else(|| "-".to_string(), crate::workflow::warning::show_value);
            let level = reading.and_then(|r| r.hit.map(|(l, _)| l));
            let text = if i == 0 { value } else { format!(" > {value}") };
            used += crate::domain::text::width(&text);
            if used > w {
                break;
            }
            spans.push(Span::styled(text, theme.reached(level)));
        }
        lines.push(Line::from(spans));
    }
}

/// The facts panel, read-only, one column: the loan's terms, repayment status, each
/// indicator now with its level (the engine's report, as the loan detail shows it), and the
/// collateral with its coverage.
fn facts(e: &InspectionEditor, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
    use crate::domain::money::format_money;
    use crate::engine::indicators::Value;
    use ratatui::text::Span;
    let (lang, theme) = (view.lang, view.theme);
    let w = usize::from(area.width);
    let mut lines = vec![Line::styled(
        lang.t("inspection_editor.facts").to_string(),
        theme.header,
    )];
    let Some(d) = &e.facts else {
        lines.push(Line::styled(
            lang.t("inspection_editor.no_loan"),
            theme.muted,
        ));
        frame.render_widget(Paragraph::new(lines), area);
        return;
    };
    let l = &d.loan;
    let kv = |key: &str, value: String, style: Style| {
        let label = pad_right(&truncate(lang.t(key), 12), 13);
        Line::from(vec![
            Span::styled(label, theme.muted),
            Span::styled(truncate(&value, w.saturating_sub(13)), style),
        ])
    };
    let rep = d.report(view.rules, view.today);
    let dpd = l.days_past_due(view.today);
    lines.push(kv(
        "col.outstanding",
        format_money(l.outstanding, &l.currency),
        Style::new(),
    ));
    lines.push(kv(
        "detail.principal",
        format_money(l.principal, &l.currency),
        Style::new(),
    ));
    lines.push(kv(
        "detail.rate",
        format!("{}%", l.interest_rate.normalize()),
        Style::new(),
    ));
    lines.push(kv(
        "detail.term",
        format!("{} ~ {}", l.disbursed_on, l.matures_on),
        Style::new(),
    ));
    lines.push(kv(
        "detail.guarantee",
        lang.code_name("guarantee", l.guarantee_type.code()),
        Style::new(),
    ));
    lines.push(kv(
        "col.class",
        lang.code_name("class", l.classification.code()),
        Style::new(),
    ));
    let dpd_style = theme.reached(
        rep.as_ref()
            .and_then(|r| r.level(crate::engine::rules::Indicator::Dpd)),
    );
    lines.push(kv("col.dpd", dpd.to_string(), dpd_style));
    lines.push(kv(
        "detail.last_contact",
        l.last_contact_on
            .map(|d| d.to_string())
            .unwrap_or_else(|| "-".into()),
        Style::new(),
    ));
    lines.push(Line::from(""));
    lines.push(Line::styled(
        lang.t("inspection_editor.indicators").to_string(),
        theme.header,
    ));
    if let Some(rep) = &rep {
        // The four ratios are listed below, then and now.
        let ratio = |i: crate::engine::kinds::Indicator| RATIOS.contains(&i);
        for r in rep
            .readings
            .iter()
            .filter(|r| r.enabled && !ratio(r.indicator))
        {
            let value = match r.value {
                Value::Known(v) => crate::workflow::warning::show_value(v),
                Value::CannotCompute(_) => lang.t("detail.cannot_compute").to_string(),
                Value::NotApplicable => continue,
            };
            let level = r
                .hit
                .map(|(l, _)| format!("  {}", lang.code_name("level", l.code())))
                .unwrap_or_default();
            let name = lang.code_name("indicator", r.indicator.code());
            lines.push(Line::from(vec![
                Span::styled(pad_right(&truncate(&name, 16), 17), theme.muted),
                Span::styled(
                    truncate(&format!("{value}{level}"), w.saturating_sub(17)),
                    theme.reached(r.hit.map(|(l, _)| l)),
                ),
            ]));
        }
    }
    ratios(e, d, &mut lines, view, w);
    lines.push(Line::from(""));
    lines.push(Line::styled(
        lang.t("inspection_editor.open_warnings").to_string(),
        theme.header,
    ));
    if e.open_warnings.is_empty() {
        lines.push(Line::styled("-", theme.muted));
    }
    for wr in &e.open_warnings {
        let signal =
            crate::tui::widgets::warning_cells::indicator_name(&wr.origin, &wr.indicator, lang);
        lines.push(Line::styled(
            truncate(
                &format!(
                    "{} {} {}",
                    wr.raised_on,
                    lang.code_name("level", wr.level.code()),
                    signal
                ),
                w,
            ),
            theme.reached(Some(wr.level)),
        ));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        lang.t("inspection_editor.last_contacts").to_string(),
        theme.header,
    ));
    if e.last_contacts.is_empty() {
        lines.push(Line::styled("-", theme.muted));
    }
    for c in &e.last_contacts {
        lines.push(Line::raw(truncate(
            &format!(
                "{} {} {}",
                c.contact_on,
                lang.code_name("contact", c.kind.code()),
                display(&c.notes)
            ),
            w,
        )));
    }
    lines.push(Line::from(""));
    lines.push(kv(
        "detail.collateral",
        format_money(d.appraised_total(), &l.currency),
        Style::new(),
    ));
    for c in d.collateral.iter().take(3) {
        lines.push(Line::raw(truncate(
            &format!(
                "  {} {}",
                lang.code_name("collateral", c.kind.code()),
                display(&c.description)
            ),
            w,
        )));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

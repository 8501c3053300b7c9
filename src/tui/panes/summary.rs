//! The summary pane (总结, pane 8): the period summary of the book — the same figures as
//! `postloan report summary`, read by the same store call and worded by the same blocks —
//! with the class mix as bars and warnings and the NPL ratio over 12 months as sparklines.
//! `p` asks the period (month, quarter, year or dates; the book's current month at first);
//! `w` signs it (supervisors and managers: "problems found and measures to improve"), and a
//! signed period says by whom, on which day and as which document under its title;
//! j/k and the page keys scroll. Read when first shown, and again when the book changed.

use crate::domain::Classification;
use crate::domain::text::{display, pad_left, pad_right, truncate, width};
use crate::engine::migration_text::{self as mtext, pct_text};
use crate::engine::summary::{Period, PeriodSummary};
use crate::engine::summary_text::{self as text, Block};
use crate::i18n::Lang;
use crate::store::{Store, StoreError};
use crate::tui::component::{Component, Ctx, Effect, Hint, Outcome, View};
use crate::tui::keymap::{Action, Section};
use crate::tui::stack::Changed;
use crate::tui::theme::Theme;
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Sparkline;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// The signed summary of the period shown: who signed, on which day, which document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedBy {
    pub name: String,
    pub on: Option<NaiveDate>,
    pub id: i64,
    pub number: String,
}

/// The pane: the period, its figures once read, and how far it is scrolled.
#[derive(Debug, Clone)]
pub struct SummaryPane {
    pub period: Period,
    pub summary: Option<PeriodSummary>,
    /// The period's signed summary in force, if it has been signed.
    pub signed: Option<SignedBy>,
    /// Whether the user may sign (the key is shown in the footer and help only then).
    pub may_sign: bool,
    pub today: NaiveDate,
    /// The first content line shown.
    pub scroll: usize,
    /// Content lines the pane can show (rows below the title and the sparklines).
    pub rows: usize,
}

/// Rows above the scrolled content: the title and the two sparklines.
const HEAD_ROWS: u16 = 3;
/// Columns of a class's bar at full share.
const BAR: usize = 24;

impl SummaryPane {
    /// The pane on the month of the book's `today`, not read yet.
    pub fn new(today: NaiveDate) -> SummaryPane {
        SummaryPane {
            period: Period::month_of(today),
            summary: None,
            signed: None,
            may_sign: false,
            today,
            scroll: 0,
            rows: 1,
        }
    }

    /// The pane for a user who may sign (`true`) or not.
    pub fn signing(mut self, may_sign: bool) -> SummaryPane {
        self.may_sign = may_sign;
        self
    }

    /// Reads the figures of the period shown, and its signed summary if any.
    pub fn reload(&mut self, store: &Store) -> Result<(), StoreError> {
        self.summary = Some(store.period_summary(self.period, self.today)?);
        self.signed = signed_by(store, self.period)?;
        self.scroll = self.scroll.min(self.max_scroll());
        Ok(())
    }

    /// Shows `period` from the top.
    pub fn show(&mut self, store: &Store, period: Period) -> Result<(), StoreError> {
        self.period = period;
        self.scroll = 0;
        self.reload(store)
    }

    /// Content lines: the blocks' titles, heads, rows and notes with a blank line between,
    /// without the series (drawn as sparklines). The same count in every language.
    fn content_len(&self) -> usize {
        self.summary.as_ref().map_or(0, |s| {
            text::blocks(s, Lang::En)
                .iter()
                .filter(|b| b.key != "series")
                .map(|b| {
                    let mix = if b.key == "book" {
                        1 + Classification::ALL.len()
                    } else {
                        0
                    };
                    3 + b.rows.len() + b.notes.len() + mix
                })
                .sum::<usize>()
                + 1
        })
    }

    fn max_scroll(&self) -> usize {
        self.content_len().saturating_sub(self.rows)
    }

    fn scroll_by(&mut self, delta: i64) -> bool {
        let to = if delta < 0 {
            self.scroll.saturating_sub(delta.unsigned_abs() as usize)
        } else {
            (self.scroll + delta as usize).min(self.max_scroll())
        };
        let moved = to != self.scroll;
        self.scroll = to;
        moved
    }
}

/// The signed summary of `period` in force: the signer's name (their staff record's), the
/// signature's date (from the document's signature block) and the document.
fn signed_by(store: &Store, period: Period) -> Result<Option<SignedBy>, StoreError> {
    let Some(row) = store.signed_summary(period.key())? else {
        return Ok(None);
    };
    let name = store
        .staff(&row.created_by)?
        .map_or_else(|| row.created_by.clone(), |s| s.display_name);
    let on = store
        .archive_document(row.id)?
        .and_then(|d| crate::workflow::summary_sign::signed_on(&d.body));
    Ok(Some(SignedBy {
        name,
        on,
        id: row.id,
        number: row.number,
    }))
}

/// A block's lines: its title, the head and rows in columns (the first left-aligned, the
/// others right-aligned, each as wide as its widest cell), the notes, a blank line; the
/// book's block also the class mix as bars.
fn block_lines(b: &Block, s: &PeriodSummary, lang: Lang, theme: &Theme) -> Vec<Line<'static>> {
    let cols = b.head.len();
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            std::iter::once(&b.head)
                .chain(b.rows.iter())
                .filter_map(|r| r.get(i))
                .map(|c| width(&display(c)))
                .max()
                .unwrap_or(0)
                .min(24)
        })
        .collect();
    let cells = |r: &[String]| -> String {
        let mut line = String::from(" ");
        for (i, w) in widths.iter().enumerate() {
            let c = truncate(&display(r.get(i).map_or("", String::as_str)), *w);
            if i == 0 {
                line.push_str(&pad_right(&c, *w));
            } else {
                line.push_str("  ");
                line.push_str(&pad_left(&c, *w));
            }
        }
        line
    };
    let mut out = vec![Line::styled(format!(" {}", b.title), theme.title)];
    out.push(Line::styled(cells(&b.head), theme.header));
    for r in &b.rows {
        out.push(Line::raw(cells(r)));
    }
    if b.key == "book" {
        out.extend(mix_lines(
            s,
            widths.first().copied().unwrap_or(8),
            lang,
            theme,
        ));
    }
    for n in &b.notes {
        out.push(Line::raw(format!(" {}", display(n))));
    }
    out.push(Line::raw(""));
    out
}

/// Columns a block's table takes: each column as wide as its widest cell (at most 24), two
/// spaces between, one before.
fn table_width(b: &Block) -> usize {
    1 + (0..b.head.len())
        .map(|i| {
            std::iter::once(&b.head)
                .chain(b.rows.iter())
                .filter_map(|r| r.get(i))
                .map(|c| width(c).min(24))
                .max()
                .unwrap_or(0)
        })
        .sum::<usize>()
        + 2 * b.head.len().saturating_sub(1)
}

/// The book's block in 10,000 yuan (said in its title) where its amounts in yuan do not fit
/// `cols`, as the classification pane's migration matrix does; other blocks as they are.
fn fit_book(mut b: Block, s: &PeriodSummary, cols: usize, lang: Lang) -> Block {
    if b.key != "book" || table_width(&b) <= cols {
        return b;
    }
    let tenk = |d: Decimal| mtext::balance_text(d, mtext::Unit::TenThousand);
    for (i, row) in b.rows.iter_mut().enumerate() {
        let (open, close) = match i {
            0..=4 => (s.opening.outstanding[i], s.closing.outstanding[i]),
            _ => (s.opening.total(), s.closing.total()),
        };
        if let Some(c) = row.get_mut(2) {
            *c = tenk(open);
        }
        if let Some(c) = row.get_mut(4) {
            *c = tenk(close);
        }
    }
    b.title = lang.tf(
        "classification_pane.migration_balance_10k",
        &[("title", &b.title)],
    );
    b
}

/// The class mix at the end as bars: per class its share of the outstanding, a bar of
/// [`BAR`] columns at 100 % (a class with any balance shows at least a sliver), the share.
fn mix_lines(s: &PeriodSummary, label: usize, lang: Lang, theme: &Theme) -> Vec<Line<'static>> {
    let total = s.closing.total();
    let mut out = vec![Line::styled(
        format!(" {}", lang.t("summary_pane.mix")),
        theme.header,
    )];
    for (i, c) in Classification::ALL.iter().enumerate() {
        let share = if total > Decimal::ZERO {
            s.closing.outstanding[i] * Decimal::ONE_HUNDRED / total
        } else {
            Decimal::ZERO
        };
        let n = (share * Decimal::from(BAR as u64) / Decimal::ONE_HUNDRED)
            .round()
            .to_u64()
            .map_or(0, |n| n as usize)
            .min(BAR);
        let n = if n == 0 && s.closing.count[i] > 0 {
            1
        } else {
            n
        };
        let style = if c.is_non_performing() {
            theme.class(*c)
        } else {
            theme.ok
        };
        out.push(Line::from(vec![
            Span::raw(format!(
                " {} ",
                pad_right(&lang.code_name("class", c.code()), label)
            )),
            Span::styled(pad_right(&"█".repeat(n), BAR), style),
            Span::raw(format!(" {}", pct_text(Some(share.round_dp(2))))),
        ]));
    }
    out
}

/// The sparklines' rows: a label, the 12 months as one sparkline (a ratatui widget), then
/// the latest value.
fn sparklines(s: &PeriodSummary, frame: &mut Frame<'_>, area: Rect, lang: Lang, theme: &Theme) {
    let raised: Vec<u64> = s.series.iter().map(|p| p.warnings_raised).collect();
    // The ratio in hundredths of a percent (whole numbers for the widget).
    let npl: Vec<u64> = s
        .series
        .iter()
        .map(|p| {
            p.npl_ratio
                .map(|r| (r * rust_decimal::Decimal::ONE_HUNDRED).round())
                .and_then(|r| r.to_string().parse::<u64>().ok())
                .unwrap_or(0)
        })
        .collect();
    let last = s.series.last();
    let rows = [
        (
            lang.t("summary_pane.spark_warnings"),
            raised,
            last.map_or_else(|| "-".into(), |p| p.warnings_raised.to_string()),
            theme.warning,
        ),
        (
            lang.t("summary_pane.spark_npl"),
            npl,
            pct_text(last.and_then(|p| p.npl_ratio)),
            theme.danger,
        ),
    ];
    let label_w = rows.iter().map(|r| width(r.0)).max().unwrap_or(0) + 2;
    for (i, (label, data, latest, style)) in rows.into_iter().enumerate() {
        let y = area.y + i as u16;
        if y >= area.bottom() {
            break;
        }
        let buf = frame.buffer_mut();
        buf.set_line(
            area.x,
            y,
            &Line::styled(format!(" {}", pad_right(label, label_w - 1)), theme.muted),
            area.width,
        );
        let x = area.x + label_w as u16;
        let w = (data.len() as u16).min(area.width.saturating_sub(label_w as u16));
        frame.render_widget(
            Sparkline::default().data(&data).style(style),
            Rect::new(x, y, w, 1),
        );
        let after = x + w + 1;
        if after < area.right() {
            frame.buffer_mut().set_line(
                after,
                y,
                &Line::raw(lang.tf("summary_pane.latest", &[("value", &latest)])),
                area.right() - after,
            );
        }
    }
}

pub fn render(pane: &SummaryPane, frame: &mut Frame<'_>, area: Rect, lang: Lang, theme: &Theme) {
    if area.height < HEAD_ROWS + 1 {
        return;
    }
    let Some(s) = &pane.summary else {
        frame.buffer_mut().set_line(
            area.x,
            area.y,
            &Line::styled(format!(" {}", lang.t("summary_pane.not_read")), theme.muted),
            area.width,
        );
        return;
    };
    // The period's keys are in the footer; the overdue day is the content's last line.
    let mut head = Line::styled(format!(" {}", text::title(s, lang)), theme.title);
    if let Some(by) = &pane.signed {
        let on = by.on.map_or_else(|| "-".to_string(), |d| d.to_string());
        head.spans.push(Span::styled(
            format!(
                "  {}",
                lang.tf(
                    "summary_pane.signed",
                    &[
                        ("name", &display(&by.name)),
                        ("on", &on),
                        ("id", &by.id),
                        ("number", &by.number),
                    ],
                )
            ),
            theme.ok,
        ));
    }
    frame
        .buffer_mut()
        .set_line(area.x, area.y, &head, area.width);
    sparklines(
        s,
        frame,
        Rect::new(area.x, area.y + 1, area.width, 2),
        lang,
        theme,
    );
    let mut lines: Vec<Line<'static>> = text::blocks(s, lang)
        .into_iter()
        .filter(|b| b.key != "series")
        .map(|b| fit_book(b, s, usize::from(area.width), lang))
        .flat_map(|b| block_lines(&b, s, lang, theme))
        .collect();
    lines.push(Line::styled(
        format!(" {}", text::overdue_note(s, lang)),
        theme.muted,
    ));
    let top = area.y + HEAD_ROWS;
    let visible = usize::from(area.bottom().saturating_sub(top));
    let buf = frame.buffer_mut();
    for (i, line) in lines
        .into_iter()
        .skip(pane.scroll)
        .take(visible)
        .enumerate()
    {
        buf.set_line(area.x, top + i as u16, &line, area.width);
    }
}

/// Content rows of the pane at a body of `body_rows`.
pub fn content_rows(body_rows: u16) -> usize {
    usize::from(body_rows.saturating_sub(HEAD_ROWS)).max(1)
}

const HINTS: &[Hint] = &[
    Hint::One(Section::Summary, Action::SummaryPeriod),
    Hint::Group(
        Section::List,
        &[Action::Down, Action::Up, Action::PageDown, Action::PageUp],
        "hint.scroll",
    ),
    Hint::One(Section::Global, Action::Help),
];

/// The footer of a user who may sign: the signing key too.
const HINTS_SIGN: &[Hint] = &[
    Hint::One(Section::Summary, Action::SummaryPeriod),
    Hint::One(Section::Summary, Action::SummarySign),
    Hint::Group(
        Section::List,
        &[Action::Down, Action::Up, Action::PageDown, Action::PageUp],
        "hint.scroll",
    ),
    Hint::One(Section::Global, Action::Help),
];

impl Component for SummaryPane {
    fn sections(&self) -> &'static [Section] {
        &[Section::Summary, Section::List, Section::Global]
    }

    fn hints(&self) -> &'static [Hint] {
        if self.may_sign { HINTS_SIGN } else { HINTS }
    }

    fn ignores(&self) -> &'static [Action] {
        // The summary's list has no text filter or sort, and opens nothing.
        &[
            Action::Open,
            Action::ClearFilter,
            Action::Filter,
            Action::SortNext,
            Action::SortPrev,
            Action::SortReverse,
        ]
    }

    fn handle(&mut self, action: Action, _ctx: &Ctx<'_>) -> anyhow::Result<Outcome> {
        let page = self.rows.max(1) as i64;
        let changed = |moved: bool| {
            if moved {
                Outcome::Consumed(Vec::new())
            } else {
                Outcome::Unchanged
            }
        };
        Ok(match action {
            Action::SummaryPeriod => Outcome::Consumed(vec![Effect::SummaryForm]),
            // Refused on the status line to those who may not (App says why).
            Action::SummarySign => Outcome::Consumed(vec![Effect::SummarySignForm]),
            Action::Down => changed(self.scroll_by(1)),
            Action::Up => changed(self.scroll_by(-1)),
            Action::PageDown => changed(self.scroll_by(page)),
            Action::PageUp => changed(self.scroll_by(-page)),
            Action::Top => changed(self.scroll_by(i64::MIN / 2)),
            Action::Bottom => changed(self.scroll_by(i64::MAX / 2)),
            _ => Outcome::NotMine,
        })
    }

    fn set_rows(&mut self, rows: usize) {
        self.rows = rows.max(1);
    }

    fn reload(&mut self, changed: Changed, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        self.today = ctx.today;
        if !changed.is_empty() {
            SummaryPane::reload(self, ctx.store)?;
        }
        Ok(())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        render(self, frame, area, view.lang, view.theme);
    }
}

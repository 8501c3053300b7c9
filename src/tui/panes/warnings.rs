//! The warning board (预警): every active warning, red first, then orange, then yellow, oldest
//! first within a level; counts per level and the filters on top, paged from the store.

use crate::domain::warning::{ManualSignal, WarningStatus};
use crate::engine::rules::Indicator;
use crate::i18n::Lang;
use crate::store::{Store, StoreError, WarningQuery};
use crate::tui::app::App;
use crate::tui::widgets::paged::PagedList;
use crate::tui::widgets::warning_cells::{self, count_spans, indicator_name};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The board's list.
pub type WarningList = PagedList<WarningQuery>;

/// The status filter's steps: every active status, each status alone, then everything.
const STATUS_CYCLE: [(Option<WarningStatus>, bool); 7] = [
    (None, false),
    (Some(WarningStatus::Open), false),
    (Some(WarningStatus::Acknowledged), false),
    (Some(WarningStatus::InDisposal), false),
    (Some(WarningStatus::Resolved), false),
    (Some(WarningStatus::Dismissed), false),
    (None, true),
];

/// The board: its list and the counts per level of what the filters (except level) match.
#[derive(Debug, Clone)]
pub struct Board {
    pub list: WarningList,
    pub counts: [u64; 3],
}

impl Board {
    pub fn new(query: WarningQuery) -> Board {
        Board {
            list: PagedList::new(query),
            counts: [0; 3],
        }
    }

    pub fn reload(&mut self, store: &Store) -> Result<(), StoreError> {
        self.counts = store.warning_level_counts(&self.list.query)?;
        self.list.reload(store)
    }

    /// Runs the changed query from the top.
    fn restart(&mut self, store: &Store) -> Result<(), StoreError> {
        self.list.cursor = 0;
        self.list.scroll = 0;
        self.list.window.clear();
        self.reload(store)
    }

    /// Replaces the whole query (Today's `w`: the acting user's warnings).
    pub fn set_query(&mut self, store: &Store, query: WarningQuery) -> Result<(), StoreError> {
        self.list.query = query;
        self.restart(store)
    }

    /// All → red → orange → yellow → all.
    pub fn cycle_level(&mut self, store: &Store) -> Result<(), StoreError> {
        use crate::domain::warning::Level;
        let q = &mut self.list.query;
        q.level = match q.level {
            None => Some(Level::Red),
            Some(Level::Red) => Some(Level::Orange),
            Some(Level::Orange) => Some(Level::Yellow),
            Some(Level::Yellow) => None,
        };
        self.restart(store)
    }

    pub fn cycle_status(&mut self, store: &Store) -> Result<(), StoreError> {
        let q = &mut self.list.query;
        let now = (q.status, q.status.is_none() && q.include_closed);
        let i = STATUS_CYCLE.iter().position(|s| *s == now).unwrap_or(0);
        let (status, closed) = STATUS_CYCLE[(i + 1) % STATUS_CYCLE.len()];
        q.status = status;
        q.include_closed = closed;
        self.restart(store)
    }

    /// Only `user`'s warnings, or everyone's.
    pub fn toggle_mine(&mut self, store: &Store, user: &str) -> Result<(), StoreError> {
        let q = &mut self.list.query;
        q.officer = match q.officer {
            Some(_) => None,
            None => Some(user.to_string()),
        };
        self.restart(store)
    }

    /// All → each indicator → each manual signal → all.
    pub fn cycle_indicator(&mut self, store: &Store) -> Result<(), StoreError> {
        let codes: Vec<&str> = Indicator::ALL
            .iter()
            .map(|i| i.code())
            .chain(ManualSignal::ALL.iter().map(|s| s.code()))
            .collect();
        let q = &mut self.list.query;
        let next = match &q.indicator {
            None => codes.first().copied(),
            Some(c) => codes
                .iter()
                .position(|x| x == c)
                .and_then(|i| codes.get(i + 1).copied()),
        };
        q.indicator = next.map(str::to_string);
        self.restart(store)
    }

    /// Back to every active warning of everyone.
    pub fn clear_filters(&mut self, store: &Store) -> Result<bool, StoreError> {
        let q = &mut self.list.query;
        let base = WarningQuery::default();
        if *q == base {
            return Ok(false);
        }
        *q = base;
        self.restart(store)?;
        Ok(true)
    }

    /// The filters in words: `级别 全部 · 状态 未关闭 · 我的 · 信号 全部`.
    pub fn filter_text(&self, lang: Lang) -> String {
        let q = &self.list.query;
        let all = lang.t("warning.filter_all");
        let level = q
            .level
            .map(|l| lang.code_name("level", l.code()))
            .unwrap_or_else(|| all.to_string());
        let status = match (q.status, q.include_closed) {
            (Some(s), _) => lang.code_name("wstatus", s.code()),
            (None, true) => all.to_string(),
            (None, false) => lang.t("warning.filter_active").to_string(),
        };
        let scope = if q.officer.is_some() {
            lang.t("warning.filter_mine")
        } else {
            lang.t("warning.filter_everyone")
        };
        let signal = match &q.indicator {
            Some(code) => {
                let manual =
                    ManualSignal::parse(code).is_some() && Indicator::parse(code).is_none();
                indicator_name(if manual { "manual" } else { "system" }, code, lang)
            }
            None => all.to_string(),
        };
        lang.tf(
            "warning.filters",
            &[
                ("level", &level),
                ("status", &status),
                ("scope", &scope),
                ("signal", &signal),
            ],
        )
    }
}

/// Rows of the board's list: the body minus the counts line and the column header.
pub fn list_rows(body_rows: u16) -> u64 {
    u64::from(body_rows.saturating_sub(2)).max(1)
}

pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    if area.height < 3 {
        return;
    }
    let board = &app.board;
    let lang = app.lang;
    let mut spans = vec![Span::raw(" ")];
    spans.extend(count_spans(&board.counts, lang, &app.theme));
    spans.push(Span::styled(board.filter_text(lang), app.theme.muted));
    let buf = frame.buffer_mut();
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    let list_area = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    let cols = warning_cells::columns(area.width, true);
    let list = &board.list;
    let cursor = list.cursor.checked_sub(list.scroll).map(|c| c as usize);
    warning_cells::render_rows(
        list.visible().map(|(_, r)| r),
        cursor,
        &cols,
        true,
        list_area,
        buf,
        lang,
        &app.theme,
    );
    if list.total == 0 {
        buf.set_line(
            area.x + 2,
            area.y + 2,
            &Line::styled(lang.t("warning.board_empty"), app.theme.muted),
            area.width.saturating_sub(2),
        );
    }
}

//! A scrolling list over the store: keeps a window of about three screens of rows around the
//! cursor, fetched by keyset, so a 100,000-row result costs a few hundred rows in memory.

use crate::store::{
    LedgerQuery, LoanRow, PageFrom, PageKey, Store, StoreError, Total, WarningQuery, WarningRow,
};
use tui_input::Input;

/// A query that can be counted and read a page at a time in a stable order.
pub trait PageSource: Clone + std::fmt::Debug {
    type Row: Clone + std::fmt::Debug;
    /// The number of rows, or a lower bound when counting all of them would be slow.
    fn count(&self, store: &Store) -> Result<Total, StoreError>;
    /// The number of rows, however long counting takes.
    fn count_exact(&self, store: &Store) -> Result<u64, StoreError>;
    fn page(
        &self,
        store: &Store,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<Self::Row>, StoreError>;
    fn key(row: &Self::Row) -> PageKey;
}

impl PageSource for LedgerQuery {
    type Row = LoanRow;
    fn count(&self, store: &Store) -> Result<Total, StoreError> {
        store.ledger_count(self)
    }
    fn count_exact(&self, store: &Store) -> Result<u64, StoreError> {
        store.ledger_count_exact(self)
    }
    fn page(
        &self,
        store: &Store,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<LoanRow>, StoreError> {
        store.ledger_page(self, from, limit)
    }
    fn key(row: &LoanRow) -> PageKey {
        row.key()
    }
}

impl PageSource for WarningQuery {
    type Row = WarningRow;
    fn count(&self, store: &Store) -> Result<Total, StoreError> {
        Ok(Total::exact(store.warning_count(self)?))
    }
    fn count_exact(&self, store: &Store) -> Result<u64, StoreError> {
        store.warning_count(self)
    }
    fn page(
        &self,
        store: &Store,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<WarningRow>, StoreError> {
        store.warning_page(self, from, limit)
    }
    fn key(row: &WarningRow) -> PageKey {
        row.key()
    }
}

/// The list's state: what is asked, where the cursor is, and the rows held.
#[derive(Debug, Clone)]
pub struct PagedList<Q: PageSource> {
    pub query: Q,
    /// Rows in the result; while `exact` is false, only a lower bound (counting stopped
    /// early), raised as rows are read and made exact when the end is reached.
    pub total: u64,
    pub exact: bool,
    /// Rows `window_start .. window_start + window.len()` of the result, in order.
    pub window: Vec<Q::Row>,
    pub window_start: u64,
    pub cursor: u64,
    /// Index of the first visible row.
    pub scroll: u64,
    /// Rows visible at once (set from the terminal size).
    pub height: u64,
    /// The `/` filter being typed, if any.
    pub filter: Option<Input>,
}

impl<Q: PageSource> PagedList<Q> {
    pub fn new(query: Q) -> PagedList<Q> {
        PagedList {
            query,
            total: 0,
            exact: true,
            window: Vec::new(),
            window_start: 0,
            cursor: 0,
            scroll: 0,
            height: 20,
            filter: None,
        }
    }

    fn chunk(&self) -> usize {
        (self.height.max(1) as usize) * 2
    }

    /// Re-reads the count and the window around the cursor (after a filter, sort or another
    /// user's change). Keeps the cursor index where it can.
    pub fn reload(&mut self, store: &Store) -> Result<(), StoreError> {
        let total = self.query.count(store)?;
        self.total = total.n;
        self.exact = total.exact;
        self.cursor = self.cursor.min(self.total.saturating_sub(1));
        if self.total == 0 {
            self.window.clear();
            self.window_start = 0;
            self.scroll = 0;
            return Ok(());
        }
        if self.cursor == 0 || self.window.is_empty() {
            self.window_start = 0;
            self.cursor = 0;
            self.window = self.query.page(store, &PageFrom::Start, self.chunk())?;
        } else if self.exact && self.cursor + self.chunk() as u64 >= self.total {
            self.window = self.query.page(store, &PageFrom::End, self.chunk())?;
            self.window_start = self.total - self.window.len() as u64;
        } else if let Some(anchor) = self
            .window
            .first()
            .map(Q::key)
            .filter(|_| self.window_start > 0)
        {
            // Re-read the window where it was (another user's commit): rows before it may
            // have come or gone, which shifts the index by as much; the count is re-read.
            self.window = self
                .query
                .page(store, &PageFrom::AtOrAfter(anchor), self.chunk())?;
        } else {
            self.window = self.query.page(store, &PageFrom::Start, self.chunk())?;
            self.window_start = 0;
        }
        self.clamp_scroll();
        self.ensure_loaded(store)
    }

    /// Moves the cursor by `delta` rows (negative: up) and fetches what becomes visible.
    pub fn move_by(&mut self, store: &Store, delta: i64) -> Result<bool, StoreError> {
        if self.total == 0 {
            return Ok(false);
        }
        if !self.exact && delta > 0 {
            let want = self.cursor + delta as u64 + self.height;
            self.read_ahead(store, want)?;
        }
        let max = self.total - 1;
        let target = if delta < 0 {
            self.cursor.saturating_sub(delta.unsigned_abs())
        } else {
            (self.cursor + delta as u64).min(max)
        };
        if target == self.cursor {
            return Ok(false);
        }
        // A page move keeps the cursor's place on screen, like less and most file managers.
        if delta.unsigned_abs() >= self.height && self.height > 0 {
            let offset = self.cursor - self.scroll;
            self.cursor = target;
            self.scroll = target.saturating_sub(offset);
        } else {
            self.cursor = target;
        }
        self.clamp_scroll();
        self.ensure_loaded(store)?;
        Ok(true)
    }

    pub fn to_top(&mut self, store: &Store) -> Result<bool, StoreError> {
        if self.cursor == 0 {
            return Ok(false);
        }
        self.cursor = 0;
        self.scroll = 0;
        if self.window_start != 0 {
            self.window = self.query.page(store, &PageFrom::Start, self.chunk())?;
            self.window_start = 0;
        }
        Ok(true)
    }

    pub fn to_bottom(&mut self, store: &Store) -> Result<bool, StoreError> {
        if !self.exact {
            self.total = self.query.count_exact(store)?;
            self.exact = true;
        }
        if self.total == 0 || self.cursor == self.total - 1 {
            return Ok(false);
        }
        self.cursor = self.total - 1;
        self.clamp_scroll();
        if self.window_start + self.window.len() as u64 != self.total {
            self.window = self.query.page(store, &PageFrom::End, self.chunk())?;
            self.window_start = self.total - self.window.len() as u64;
        }
        Ok(true)
    }

    fn clamp_scroll(&mut self) {
        let h = self.height.max(1);
        if self.cursor < self.scroll {
            self.scroll = self.cursor;
        } else if self.cursor >= self.scroll + h {
            self.scroll = self.cursor + 1 - h;
        }
        let max_scroll = self.total.saturating_sub(h);
        self.scroll = self.scroll.min(max_scroll);
    }

    /// Makes sure rows `scroll .. scroll + height` are in the window, fetching adjacent pages
    /// and dropping rows far from the cursor.
    fn ensure_loaded(&mut self, store: &Store) -> Result<(), StoreError> {
        let need_end = (self.scroll + self.height).min(self.total);
        let keep = self.chunk() * 3 / 2 + self.height as usize;
        while self.window_start + (self.window.len() as u64) < need_end {
            let Some(last) = self.window.last().map(Q::key) else {
                return self.reload_at_scroll(store);
            };
            let more = self
                .query
                .page(store, &PageFrom::After(last), self.chunk())?;
            if more.is_empty() {
                self.total = self.window_start + self.window.len() as u64;
                self.exact = true;
                break;
            }
            self.window.extend(more);
            self.raise_total();
            self.trim_front(keep);
        }
        while self.scroll < self.window_start {
            let Some(first) = self.window.first().map(Q::key) else {
                return self.reload_at_scroll(store);
            };
            let more = self
                .query
                .page(store, &PageFrom::Before(first), self.chunk())?;
            if more.is_empty() {
                self.window_start = 0;
                break;
            }
            self.window_start = self.window_start.saturating_sub(more.len() as u64);
            let mut joined = more;
            joined.append(&mut self.window);
            self.window = joined;
            if self.window.len() > keep {
                let end_keep = need_end.saturating_sub(self.window_start) as usize;
                self.window.truncate(keep.max(end_keep));
            }
        }
        // Reading ahead (while the total is a lower bound) may have left rows above.
        self.trim_front(keep);
        Ok(())
    }

    /// Drops rows from the window's start, never rows at or after the first visible one,
    /// until at most `keep` remain.
    fn trim_front(&mut self, keep: usize) {
        if self.window.len() > keep {
            let drop = self.window.len() - keep;
            let drop = drop.min(self.scroll.saturating_sub(self.window_start) as usize);
            self.window.drain(..drop);
            self.window_start += drop as u64;
        }
    }

    /// The total as shown: "1234", or "10000+" while it is a lower bound.
    pub fn total_text(&self) -> String {
        Total {
            n: self.total,
            exact: self.exact,
        }
        .to_string()
    }

    /// While the total is a lower bound, the rows read so far raise it.
    fn raise_total(&mut self) {
        if !self.exact {
            self.total = self.total.max(self.window_start + self.window.len() as u64);
        }
    }

    /// With an inexact total, reads on from the window's end until `want` rows are known to
    /// exist or the end is found (which makes the total exact).
    fn read_ahead(&mut self, store: &Store, want: u64) -> Result<(), StoreError> {
        while !self.exact && self.total < want {
            let Some(last) = self.window.last().map(Q::key) else {
                return Ok(());
            };
            let chunk = self.chunk();
            let more = self.query.page(store, &PageFrom::After(last), chunk)?;
            let end = more.len() < chunk;
            self.window.extend(more);
            self.raise_total();
            if end {
                self.total = self.window_start + self.window.len() as u64;
                self.exact = true;
            }
            // Rows well above the cursor are dropped as the window moves on.
            self.trim_front(self.chunk() * 3 / 2 + self.height as usize);
        }
        Ok(())
    }

    fn reload_at_scroll(&mut self, store: &Store) -> Result<(), StoreError> {
        self.window = self.query.page(store, &PageFrom::Start, self.chunk())?;
        self.window_start = 0;
        self.cursor = 0;
        self.scroll = 0;
        Ok(())
    }

    pub fn selected(&self) -> Option<&Q::Row> {
        let i = self.cursor.checked_sub(self.window_start)?;
        self.window.get(i as usize)
    }

    pub fn visible(&self) -> impl Iterator<Item = (u64, &Q::Row)> {
        let from = self.scroll.saturating_sub(self.window_start) as usize;
        self.window
            .iter()
            .enumerate()
            .skip(from)
            .take(self.height as usize)
            .map(move |(i, r)| (self.window_start + i as u64, r))
    }
}

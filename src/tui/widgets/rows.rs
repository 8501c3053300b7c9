//! A loan-detail tab's rows, read from the store one screen at a time (offset paging): nothing
//! is read until the tab is first shown, and every row is reachable, however many there are.

use crate::store::{Contact, FundFlow, Store, StoreError, WarningRow};
use crate::tui::keymap::Action;

/// Where a tab's rows come from: a count and a page by offset, both in `src/store`.
pub trait RowSource: Clone + std::fmt::Debug {
    type Row: Clone + std::fmt::Debug;
    fn count(&self, store: &Store) -> Result<u64, StoreError>;
    fn read(&self, store: &Store, offset: u64, limit: usize) -> Result<Vec<Self::Row>, StoreError>;
}

/// A loan's contacts, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactsOf(pub i64);
/// A loan's fund flows, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowsOf(pub i64);
/// A loan's warnings, closed ones too, in board order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WarningsOf(pub i64);

impl RowSource for ContactsOf {
    type Row = Contact;
    fn count(&self, store: &Store) -> Result<u64, StoreError> {
        store.contact_count(self.0)
    }
    fn read(&self, store: &Store, offset: u64, limit: usize) -> Result<Vec<Contact>, StoreError> {
        store.contacts_page(self.0, offset, limit)
    }
}

impl RowSource for FlowsOf {
    type Row = FundFlow;
    fn count(&self, store: &Store) -> Result<u64, StoreError> {
        store.fund_flow_count(self.0)
    }
    fn read(&self, store: &Store, offset: u64, limit: usize) -> Result<Vec<FundFlow>, StoreError> {
        store.fund_flows_page(self.0, offset, limit)
    }
}

impl RowSource for WarningsOf {
    type Row = WarningRow;
    fn count(&self, store: &Store) -> Result<u64, StoreError> {
        store.warning_count(&crate::store::WarningQuery {
            loan_id: Some(self.0),
            include_closed: true,
            ..crate::store::WarningQuery::default()
        })
    }
    fn read(
        &self,
        store: &Store,
        offset: u64,
        limit: usize,
    ) -> Result<Vec<WarningRow>, StoreError> {
        store.loan_warnings(self.0, offset, limit)
    }
}

/// A loan's classification history, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineOf(pub i64);

impl RowSource for TimelineOf {
    type Row = crate::store::TimelineRow;
    fn count(&self, store: &Store) -> Result<u64, StoreError> {
        store.timeline_count(self.0)
    }
    fn read(
        &self,
        store: &Store,
        offset: u64,
        limit: usize,
    ) -> Result<Vec<crate::store::TimelineRow>, StoreError> {
        store.timeline_page(self.0, offset, limit)
    }
}

/// The rows on screen of one tab. A tab with a selection (`cursor`) keeps it on screen; one
/// without scrolls its rows (`top`).
#[derive(Debug, Clone)]
pub struct Rows<S: RowSource> {
    source: S,
    loaded: bool,
    /// Rows in all (as of the last read).
    pub total: u64,
    /// The first row on screen, from 0; `rows` holds it and those after it.
    pub top: u64,
    pub rows: Vec<S::Row>,
    /// The selected row, from 0, for a tab that selects.
    pub cursor: Option<u64>,
    /// Rows on screen.
    pub height: usize,
    /// Reads made, for tests that check what was read and when.
    pub reads: u64,
}

impl<S: RowSource> Rows<S> {
    /// Nothing read yet; `selects`: the tab has a selected row.
    pub fn new(source: S, selects: bool, height: usize) -> Self {
        Rows {
            source,
            loaded: false,
            total: 0,
            top: 0,
            rows: Vec::new(),
            cursor: selects.then_some(0),
            height: height.max(1),
            reads: 0,
        }
    }

    pub fn is_loaded(&self) -> bool {
        self.loaded
    }

    /// Forgets the rows (the book changed): they are read again when next shown.
    pub fn unload(&mut self) {
        self.loaded = false;
    }

    /// Reads the count and the rows on screen if not read yet.
    pub fn show(&mut self, store: &Store) -> Result<(), StoreError> {
        if self.loaded {
            return Ok(());
        }
        self.total = self.source.count(store)?;
        self.clamp();
        self.read(store)
    }

    fn last(&self) -> u64 {
        self.total.saturating_sub(1)
    }

    fn clamp(&mut self) {
        let h = self.height as u64;
        if let Some(c) = self.cursor.as_mut() {
            *c = (*c).min(self.total.saturating_sub(1));
            let c = *c;
            if c < self.top {
                self.top = c;
            } else if c >= self.top + h {
                self.top = c + 1 - h;
            }
        }
        self.top = self.top.min(self.total.saturating_sub(h));
    }

    fn read(&mut self, store: &Store) -> Result<(), StoreError> {
        self.rows = self.source.read(store, self.top, self.height)?;
        self.reads += 1;
        self.loaded = true;
        Ok(())
    }

    /// Rows on screen from now on (the rows are read again when next shown).
    pub fn set_height(&mut self, height: usize) {
        let height = height.max(1);
        if height != self.height {
            self.height = height;
            self.loaded = false;
        }
    }

    /// Selects row `i` (from 0), placed at the bottom of the screen when it is below the
    /// first screen.
    pub fn select(&mut self, store: &Store, i: u64) -> Result<(), StoreError> {
        self.show(store)?;
        if self.cursor.is_none() {
            return Ok(());
        }
        self.cursor = Some(i.min(self.last()));
        self.top = i.saturating_sub(self.height as u64 - 1);
        self.clamp();
        self.read(store)
    }

    /// The selected row, if the tab selects and has rows.
    pub fn selected(&self) -> Option<&S::Row> {
        let c = self.cursor?;
        self.rows
            .get(usize::try_from(c.checked_sub(self.top)?).ok()?)
    }

    /// The selected row's place among the rows on screen.
    pub fn selected_on_screen(&self) -> Option<usize> {
        let c = self.cursor?;
        usize::try_from(c.checked_sub(self.top)?).ok()
    }

    /// j/k/PgDn/PgUp/g/G: moves the selection, or scrolls a tab without one. Whether
    /// anything moved.
    pub fn act(&mut self, store: &Store, action: Action) -> Result<bool, StoreError> {
        self.show(store)?;
        let page = self.height as i64;
        let step = match action {
            Action::Down => 1,
            Action::Up => -1,
            Action::PageDown => page,
            Action::PageUp => -page,
            Action::Top => i64::MIN / 2,
            Action::Bottom => i64::MAX / 2,
            _ => return Ok(false),
        };
        let before = (self.top, self.cursor);
        match self.cursor {
            Some(c) => {
                let to = (c as i64).saturating_add(step).clamp(0, self.last() as i64);
                self.cursor = Some(to as u64);
            }
            None => {
                let max = self.total.saturating_sub(self.height as u64) as i64;
                self.top = (self.top as i64).saturating_add(step).clamp(0, max) as u64;
            }
        }
        self.clamp();
        if (self.top, self.cursor) == before {
            return Ok(false);
        }
        if self.top != before.0 {
            self.read(store)?;
        }
        Ok(true)
    }
}

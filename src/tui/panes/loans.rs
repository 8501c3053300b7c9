//! What Today and the Ledger share: a paged loan list with its keys (moves, sort, `/` filter
//! prompt and its pending query, clear filter, open a loan as an [`Effect`]).

use crate::store::{LedgerSort, Store};
use crate::tui::component::{Effect, Hint, Outcome};
use crate::tui::keymap::{Action, Section};
use crate::tui::widgets::loan_list::LoanList;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// The footer commands of a loan list.
pub const HINTS: &[Hint] = &[
    Hint::One(Section::List, Action::Filter),
    Hint::One(Section::List, Action::SortNext),
    Hint::One(Section::List, Action::Open),
    Hint::One(Section::Global, Action::Help),
];

/// What a key typed into the `/` prompt did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKey {
    /// Handled; whether the screen changed.
    Done(bool),
    /// Ctrl-C: the user quits.
    Quit,
}

/// A loan list and its `/` filter.
pub struct LoanPane {
    pub list: LoanList,
    /// A typed `/` filter not yet run.
    filter_pending: bool,
}

impl LoanPane {
    pub fn new(list: LoanList) -> LoanPane {
        LoanPane {
            list,
            filter_pending: false,
        }
    }

    /// Handles a `List` action: moves, sort, filter, open.
    pub fn handle(&mut self, action: Action, store: &Store) -> anyhow::Result<Outcome> {
        let list = &mut self.list;
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
                    return Ok(Outcome::Unchanged);
                };
                return Ok(Outcome::Consumed(vec![Effect::OpenLoan(id)]));
            }
            _ => return Ok(Outcome::NotMine),
        };
        Ok(if changed {
            Outcome::Consumed(Vec::new())
        } else {
            Outcome::Unchanged
        })
    }

    /// Whether `/` is open (its prompt takes the keys).
    pub fn filter_open(&self) -> bool {
        self.list.filter.is_some()
    }

    /// A key typed into the open `/` prompt.
    pub fn handle_filter_key(&mut self, key: KeyEvent, store: &Store) -> anyhow::Result<FilterKey> {
        let list = &mut self.list;
        let Some(input) = list.filter.as_mut() else {
            return Ok(FilterKey::Done(false));
        };
        match key.code {
            KeyCode::Enter => {
                list.filter = None;
                self.apply_pending_filter(store)?;
                return Ok(FilterKey::Done(true));
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
                return Ok(FilterKey::Done(true));
            }
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                return Ok(FilterKey::Quit);
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
            return Ok(FilterKey::Done(true));
        }
        Ok(FilterKey::Done(changed))
    }

    /// Puts text into the open `/` prompt as one line.
    pub fn insert_text(&mut self, text: &str) -> bool {
        let Some(input) = self.list.filter.as_mut() else {
            return false;
        };
        let clean = crate::domain::text::one_line(text);
        if clean.is_empty() {
            return false;
        }
        *input = crate::tui::widgets::form::insert_at_cursor(input, &clean);
        self.list.query.text = input.value().to_string();
        self.filter_pending = true;
        true
    }

    /// Whether a typed filter waits to be run.
    pub fn filter_pending(&self) -> bool {
        self.filter_pending
    }

    /// Runs the filter typed so far against the store.
    pub fn apply_pending_filter(&mut self, store: &Store) -> anyhow::Result<bool> {
        if !std::mem::take(&mut self.filter_pending) {
            return Ok(false);
        }
        let list = &mut self.list;
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
}

//! The loan ledger (贷款台账): every loan, paged from the store, sortable by any column,
//! filtered with `/` by borrower name, contract number or officer.

use super::loans::LoanPane;
use crate::tui::component::{Component, Ctx, Hint, Outcome, View};
use crate::tui::keymap::{Action, Section};
use crate::tui::stack::Changed;
use crate::tui::widgets::loan_list::{self, Column, LoanList};
use ratatui::Frame;
use ratatui::layout::Rect;

/// The Ledger pane: its list and `/` filter. It reads like its list (`ledger.total`).
pub struct Ledger {
    pub loans: LoanPane,
}

impl Ledger {
    pub fn new(list: LoanList) -> Ledger {
        Ledger {
            loans: LoanPane::new(list),
        }
    }
}

impl std::ops::Deref for Ledger {
    type Target = LoanList;
    fn deref(&self) -> &LoanList {
        &self.loans.list
    }
}

impl std::ops::DerefMut for Ledger {
    fn deref_mut(&mut self) -> &mut LoanList {
        &mut self.loans.list
    }
}

impl Component for Ledger {
    fn sections(&self) -> &'static [Section] {
        &[Section::List, Section::Global]
    }

    fn hints(&self) -> &'static [Hint] {
        super::loans::HINTS
    }

    fn handle(&mut self, action: Action, ctx: &Ctx<'_>) -> anyhow::Result<Outcome> {
        self.loans.handle(action, ctx.store)
    }

    fn reload(&mut self, changed: Changed, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        if changed.any(Changed::LOANS) {
            self.loans.list.reload(ctx.store)?;
        }
        Ok(())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        loan_list::render(
            &self.loans.list,
            columns(area.width),
            area,
            frame.buffer_mut(),
            view.lang,
            view.theme,
            view.today,
            true,
        );
    }
}

/// Columns by width: narrow terminals drop product and officer rather than squeeze names.
pub fn columns(width: u16) -> &'static [Column] {
    if width >= 110 {
        &[
            Column::ContractNo,
            Column::Borrower,
            Column::Product,
            Column::Outstanding,
            Column::Class,
            Column::Dpd,
            Column::Officer,
            Column::NextFollowup,
        ]
    } else {
        &[
            Column::ContractNo,
            Column::Borrower,
            Column::Outstanding,
            Column::Class,
            Column::Dpd,
            Column::NextFollowup,
        ]
    }
}

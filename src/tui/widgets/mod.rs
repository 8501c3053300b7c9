//! Widgets shared by several panes.

pub mod form;
pub mod loan_list;
pub mod paged;
pub mod rows;
pub mod text_area;
pub mod warning_cells;

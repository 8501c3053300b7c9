//! postloan (贷后管理工作台): a terminal workbench for post-loan credit management.
//! Layers, from the bottom: domain ← store/engine ← workflow ← cli/tui.

pub mod demo;
pub mod domain;

//! postloan (贷后管理工作台): a terminal workbench for post-loan credit management.
//! Layers, from the bottom: domain ← store/extract/demo ← workflow ← cli/tui.

pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod engine;
pub mod extract;
pub mod i18n;
pub mod store;
pub mod tui;
pub mod workflow;

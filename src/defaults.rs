//! The compiled-in `config/default.toml`: below both `engine` (whose default rules it holds)
//! and `config` (which layers site and user files over it), so neither imports the other.

/// The text of `config/default.toml`, compiled in.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

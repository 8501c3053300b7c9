//! A ratatui backend for slow links: the same screen as `CrosstermBackend`, in fewer bytes.
//! It keeps a shadow of what the terminal shows and picks the cheapest moves, styles and erases.
//!
//! One job per file: `backend` (the shadow and ratatui's `Backend` calls), `encoder` (changed
//! cells to bytes: moves, runs, erases, gap fills), `scroll` (finding rows shown shifted),
//! `shift` (finding a row shown with cells inserted or deleted: ICH and DCH),
//! `sgr` (styles and numbers as escape sequences), `cells` (what a cell sends), `sinks` (writers
//! that count or keep bytes, for the bench and tests); this file holds the options.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::{Buffer, Cell, CellDiffOption, CellWidth};
use ratatui::layout::{Position, Rect, Size};
use ratatui::style::{Color, Modifier};
use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Begin and end of synchronized output (DEC mode 2026), as crossterm writes them.
const BSU: &[u8] = b"\x1b[?2026h";
const ESU: &[u8] = b"\x1b[?2026l";

/// Which byte-saving techniques the backend may use; each can be turned off to measure it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireOptions {
    /// Relative moves (CUF, CUB, CHA, VPA, CR LF) where shorter than an absolute CUP.
    pub relative_moves: bool,
    /// Re-send a short run of unchanged cells instead of jumping over it, when shorter.
    pub gap_fill: bool,
    /// Erase a blank tail of a row (`ESC[K`) or a blank run (`ESC[nX`) instead of spaces.
    pub erase: bool,
    /// Scroll a block of rows (DECSTBM + SU/SD) when the new frame is the old one shifted.
    pub scroll: bool,
    /// Insert or delete characters (ICH `ESC[n@`, DCH `ESC[nP`) when a row shows its old cells
    /// shifted at one column (typing or deleting in the middle of a line), where shorter.
    pub insert_delete: bool,
    /// Repeat a character with REP (`ESC[nb`). Off by default: not every terminal has it.
    pub rep: bool,
    /// Wrap each draw that writes `backend::SYNC_FROM` bytes or more in synchronized output
    /// (a shorter one goes out bare, in one write), and write nothing at all for a draw that
    /// changes nothing. Off by default: the caller wraps frames itself.
    pub sync: bool,
}

impl Default for WireOptions {
    fn default() -> Self {
        WireOptions {
            relative_moves: true,
            gap_fill: true,
            erase: true,
            scroll: true,
            insert_delete: true,
            rep: false,
            sync: false,
        }
    }
}

impl WireOptions {
    /// Only what is always needed: absolute moves and minimal style changes.
    pub fn minimal() -> Self {
        WireOptions {
            relative_moves: false,
            gap_fill: false,
            erase: false,
            scroll: false,
            insert_delete: false,
            rep: false,
            sync: false,
        }
    }
}

mod backend;
mod cells;
mod encoder;
mod scroll;
mod sgr;
mod shift;
mod sinks;
#[cfg(test)]
mod tests;

pub use backend::WireBackend;
use cells::*;
use encoder::*;
use scroll::*;
use sgr::*;
use shift::*;
pub use sinks::{Capture, Counter};

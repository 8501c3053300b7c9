//! Standard output of the command line (tables, `show` texts, CSV, JSON) with every control,
//! bidi and other invisible format character of data written as `\uXXXX`, so stored text
//! reaches a terminal visible and can never move the cursor, retitle the window, reorder a
//! line or hide a character; and, when the output character set is ASCII (`[display]
//! charset`, or a locale that is not UTF-8 such as `LANG=C`), in ASCII only.
//!
//! Text (tables, `show`, CSV, standard error): line breaks and tabs kept; hidden characters
//! as `\u200B` (`\U000E0001` beyond the BMP). In ASCII, typographic characters become their
//! ASCII stand-ins (`¥` `CNY `, `—` `-`, `·` `.`, `…` `...`, curly quotes `"` `'`, box
//! drawing `+ - |`) and any other non-ASCII character (Chinese data) `\uXXXX`.
//!
//! JSON: the same characters as JSON's own escapes (`\u200b`, a pair of surrogates beyond the
//! BMP), so the output stays lossless and parses to the stored text; in ASCII every non-ASCII
//! character is escaped so, never transliterated.

use crate::config::CharsetChoice;
use crate::domain::text::{is_bidi_control, is_format_char};
use std::borrow::Cow;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether standard output and error are written in ASCII (set once at start).
static ASCII: AtomicBool = AtomicBool::new(false);

/// The one charset decision of the workbench and the command line: ASCII when asked for, or
/// under "auto" in a locale whose character set is not UTF-8.
pub fn ascii_for(choice: CharsetChoice, utf8_locale: bool) -> bool {
    choice == CharsetChoice::Ascii || (choice == CharsetChoice::Auto && !utf8_locale)
}

/// Sets the output character set for the rest of the process.
pub fn set_ascii(on: bool) {
    ASCII.store(on, Ordering::Relaxed);
}

/// Whether output is written in ASCII.
pub fn ascii() -> bool {
    ASCII.load(Ordering::Relaxed)
}

/// Whether a Chinese choice of language has fallen back to English for ASCII output.
static ZH_FELL_BACK: AtomicBool = AtomicBool::new(false);

/// Records that Chinese fell back to English; true the first time (to say it once).
pub fn first_zh_fallback() -> bool {
    !ZH_FELL_BACK.swap(true, Ordering::Relaxed)
}

/// Whether Chinese fell back to English for ASCII output in this process.
pub fn zh_fell_back() -> bool {
    ZH_FELL_BACK.load(Ordering::Relaxed)
}

/// Whether `c` is written as an escape whatever the character set: controls (but line breaks
/// and tabs), bidi controls and invisible format characters (general category Cf, U+FEFF).
fn hidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || is_bidi_control(c) || is_format_char(c)
}

/// The ASCII stand-in of a typographic character the program's own texts and common data
/// use; None for any other character.
pub fn ascii_stand_in(c: char) -> Option<&'static str> {
    Some(match c {
        '¥' | '￥' => "CNY ",
        '—' | '–' | '‒' | '―' | '−' | '‐' | '‑' => "-",
        '·' | '・' | '•' | '‧' => ".",
        '…' => "...",
        '“' | '”' | '„' | '«' | '»' | '「' | '」' | '『' | '』' => "\"",
        '‘' | '’' | '‚' | '′' => "'",
        '→' => "->",
        '←' => "<-",
        '↑' => "^",
        '↓' => "v",
        '×' => "x",
        '±' => "+/-",
        '≤' => "<=",
        '≥' => ">=",
        '≈' => "~",
        '≠' => "!=",
        'Δ' => "d",
        '⚠' => "!",
        '✓' | '✔' => "v",
        '✗' | '✘' => "x",
        '\u{A0}' | '\u{3000}' | '\u{2002}'..='\u{200A}' | '\u{202F}' => " ",
        '─' | '━' | '═' | '┄' | '┈' => "-",
        '│' | '┃' | '║' | '┆' | '┊' => "|",
        '\u{2500}'..='\u{257F}' => "+",
        '▲' | '△' => "^",
        '▼' | '▽' => "v",
        '，' => ",",
        '：' => ":",
        '；' => ";",
        '（' => "(",
        '）' => ")",
        '！' => "!",
        '？' => "?",
        '。' => ".",
        '、' => ",",
        _ => return None,
    })
}

fn push_text_escape(out: &mut String, c: char) {
    let n = u32::from(c);
    if n > 0xFFFF {
        out.push_str(&format!("\\U{n:08X}"));
    } else {
        out.push_str(&format!("\\u{n:04X}"));
    }
}

fn push_json_escape(out: &mut String, c: char) {
    let mut units = [0u16; 2];
    for u in c.encode_utf16(&mut units) {
        out.push_str(&format!("\\u{u:04x}"));
    }
}

/// `text` for a terminal or a text file in the output character set of [`ascii`].
pub fn text(s: &str) -> Cow<'_, str> {
    text_in(s, ascii())
}

/// Data as a command-line line shows it: invisible characters as `\u200B` (and, in ASCII
/// output, stand-ins and escapes) first, then what `display` makes of the rest (controls out,
/// characters of disputed width replaced). `display` alone would drop the invisible ones.
pub fn shown(s: &str) -> String {
    crate::domain::text::display(&text(s))
}

/// `text` for a terminal: hidden characters as escapes; with `ascii`, typographic characters
/// as their stand-ins and any other non-ASCII character as `\uXXXX`. Line breaks and tabs
/// are kept.
pub fn text_in(s: &str, ascii: bool) -> Cow<'_, str> {
    let plain = |c: char| {
        if ascii {
            c.is_ascii() && !hidden(c)
        } else {
            !hidden(c)
        }
    };
    if s.chars().all(plain) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if plain(c) {
            out.push(c);
        } else if hidden(c) {
            push_text_escape(&mut out, c);
        } else if let Some(stand_in) = ascii_stand_in(c) {
            out.push_str(stand_in);
        } else {
            push_text_escape(&mut out, c);
        }
    }
    Cow::Owned(out)
}

/// JSON text (as serde_json writes it) in the output character set of [`ascii`].
pub fn json(s: &str) -> Cow<'_, str> {
    json_in(s, ascii())
}

/// JSON text with every hidden character (and with `ascii`, every non-ASCII one) as JSON's
/// own `\uXXXX` escape: still valid JSON that parses to the same values. serde_json has
/// already escaped C0, quotes and backslashes, so a character of a string is never split.
pub fn json_in(s: &str, ascii: bool) -> Cow<'_, str> {
    let escaped = |c: char| hidden(c) || (ascii && !c.is_ascii());
    if !s.chars().any(escaped) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if escaped(c) {
            push_json_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A line for standard error: controls and bidi characters removed as by
/// `domain::text::terminal_text`, invisible format characters shown, and in ASCII the same
/// stand-ins as standard output.
pub fn note_text(s: &str) -> String {
    let safe = crate::domain::text::terminal_text(s);
    text(&safe).into_owned()
}

/// Which rule a [`Visible`] writer applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Tables, CSV, text.
    Text,
    /// JSON as serde_json writes it.
    Json,
}

/// A writer passing bytes on through [`text`] or [`json`]; a character split across two
/// writes is held until it is whole. Bytes that are not UTF-8 pass as they are, and so does
/// a UTF-8 byte-order mark opening the output (`--bom`: for Excel, not data).
pub struct Visible<W: Write> {
    inner: W,
    pending: Vec<u8>,
    kind: Kind,
    ascii: bool,
    /// Whether anything has been passed on (a byte-order mark can only come first).
    started: bool,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl<W: Write> Visible<W> {
    pub fn new(inner: W) -> Self {
        Self::with(inner, Kind::Text, ascii())
    }

    pub fn with(inner: W, kind: Kind, ascii: bool) -> Self {
        Visible {
            inner,
            pending: Vec::new(),
            kind,
            ascii,
            started: false,
        }
    }

    fn pass(&mut self, s: &str) -> io::Result<()> {
        let out = match self.kind {
            Kind::Text => text_in(s, self.ascii),
            Kind::Json => json_in(s, self.ascii),
        };
        self.inner.write_all(out.as_bytes())
    }
}

/// Standard output for a listing in `format` (JSON gets JSON's escapes): buffered.
pub fn stdout(json: bool) -> io::BufWriter<Visible<io::StdoutLock<'static>>> {
    let kind = if json { Kind::Json } else { Kind::Text };
    io::BufWriter::new(Visible::with(io::stdout().lock(), kind, ascii()))
}

/// Writes a line of text to standard output through [`text`] (the command line's `println!`).
pub fn println(line: &str) {
    print(&format!("{line}\n"));
}

/// Writes text to standard output through [`text`] (the command line's `print!`).
pub fn print(s: &str) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(text(s).as_bytes()) {
        // As `print!`: a closed pipe ends the program quietly (see main's panic hook).
        panic!("failed printing to stdout: {e}");
    }
}

impl<W: Write> Write for Visible<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if !self.started {
            if self.pending.len() < BOM.len() && BOM.starts_with(&self.pending) {
                return Ok(buf.len());
            }
            self.started = true;
            if self.pending.starts_with(BOM) {
                self.inner.write_all(BOM)?;
                self.pending.drain(..BOM.len());
            }
        }
        let pending = std::mem::take(&mut self.pending);
        let mut done = 0;
        let result = (|| {
            while done < pending.len() {
                match std::str::from_utf8(&pending[done..]) {
                    Ok(text) => {
                        self.pass(text)?;
                        done = pending.len();
                    }
                    Err(e) => {
                        let good = e.valid_up_to();
                        let text = std::str::from_utf8(&pending[done..done + good])
                            .map_err(io::Error::other)?;
                        self.pass(text)?;
                        done += good;
                        match e.error_len() {
                            // An invalid sequence passes as it is.
                            Some(n) => {
                                self.inner.write_all(&pending[done..done + n])?;
                                done += n;
                            }
                            // A character cut at the end of this write: wait for the rest.
                            None => break,
                        }
                    }
                }
            }
            Ok::<(), io::Error>(())
        })();
        self.pending = pending[done..].to_vec();
        result?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        // A character still cut waits for its rest (or for the drop).
        self.inner.flush()
    }
}

impl<W: Write> Drop for Visible<W> {
    fn drop(&mut self) {
        let rest = std::mem::take(&mut self.pending);
        let _ = self.inner.write_all(&rest);
        let _ = self.inner.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(kind: Kind, ascii: bool, bytes: &[u8]) -> String {
        let mut out = Visible::with(Vec::new(), kind, ascii);
        // Byte by byte: characters cut between writes come out whole.
        for b in bytes {
            out.write_all(&[*b]).expect("write");
        }
        out.flush().expect("flush");
        String::from_utf8(std::mem::take(&mut out.inner)).expect("utf-8")
    }

    #[test]
    fn controls_and_bidi_become_escapes_and_json_still_reads_the_stored_text() {
        let stored = "a\x1b]0;t\x07\u{9b}2J\u{202E}x\x7f\n\tb";
        let json = serde_json::to_string(&stored).expect("json");
        let shown = through(Kind::Json, false, json.as_bytes());
        assert!(
            !shown.chars().any(|c| c.is_control() || is_bidi_control(c)),
            "{shown:?}"
        );
        let back: String = serde_json::from_str(&shown).expect("still JSON");
        assert_eq!(back, stored, "lossless");
        assert_eq!(text_in("x\u{202E}y\nz", false), "x\\u202Ey\nz");
        assert_eq!(text_in("plain 中文", false), "plain 中文");
    }

    #[test]
    fn zero_width_and_other_format_characters_are_shown_in_text_and_escaped_in_json() {
        let stored = "华\u{200C}夏\u{200B}\u{200D}\u{2060}\u{FEFF}\u{AD}\u{200E}\u{E0001}x";
        let shown = text_in(stored, false);
        assert_eq!(
            shown,
            "华\\u200C夏\\u200B\\u200D\\u2060\\uFEFF\\u00AD\\u200E\\U000E0001x"
        );
        // CSV written through the writer: the cell is visible text.
        let mut csv = csv::Writer::from_writer(Visible::with(Vec::new(), Kind::Text, false));
        csv.write_record([stored, "b"]).expect("csv");
        let inner = csv.into_inner().map_err(|e| e.to_string()).expect("csv");
        let cell = String::from_utf8(inner.inner.clone()).expect("utf-8");
        assert!(cell.starts_with("华\\u200C夏"), "{cell}");
        // JSON: JSON's own escapes (surrogates beyond the BMP), lossless.
        let json = serde_json::to_string(&stored).expect("json");
        let escaped = through(Kind::Json, false, json.as_bytes());
        assert!(
            escaped.contains("\\u200c") && escaped.contains("\\udb40\\udc01"),
            "{escaped}"
        );
        assert!(!escaped.chars().any(is_format_char), "{escaped}");
        let back: String = serde_json::from_str(&escaped).expect("still JSON");
        assert_eq!(back, stored, "lossless");
    }

    #[test]
    fn ascii_output_transliterates_typography_and_escapes_the_rest() {
        let shown = text_in("¥1,200.00 — a · b … “q” ‘s’ ┌─┐│ 华夏\u{200B}", true);
        assert_eq!(
            shown,
            "CNY 1,200.00 - a . b ... \"q\" 's' +-+| \\u534E\\u590F\\u200B"
        );
        assert!(shown.is_ascii());
        // JSON in ASCII: every non-ASCII character escaped, nothing transliterated.
        let stored = "¥5 — 华夏\u{200B}😀";
        let json = serde_json::to_string(&stored).expect("json");
        let escaped = through(Kind::Json, true, json.as_bytes());
        assert!(escaped.is_ascii(), "{escaped}");
        let back: String = serde_json::from_str(&escaped).expect("still JSON");
        assert_eq!(back, stored, "lossless");
        // The charset decision is the workbench's.
        assert!(ascii_for(CharsetChoice::Auto, false));
        assert!(!ascii_for(CharsetChoice::Auto, true));
        assert!(ascii_for(CharsetChoice::Ascii, true));
        assert!(!ascii_for(CharsetChoice::Unicode, false));
    }

    #[test]
    fn a_byte_order_mark_opening_the_output_passes_and_one_in_data_is_shown() {
        let shown = through(Kind::Text, false, "\u{FEFF}a,\u{FEFF}b\n".as_bytes());
        assert_eq!(shown, "\u{FEFF}a,\\uFEFFb\n");
        let shown = through(Kind::Text, false, "a\u{FEFF}".as_bytes());
        assert_eq!(shown, "a\\uFEFF");
    }
}

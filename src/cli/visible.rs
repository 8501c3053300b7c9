//! Standard output of listings (tables, CSV, JSON) with every control and bidi character of
//! data written as the six characters `\uXXXX`, so stored text reaches a terminal visible and
//! can never move the cursor, retitle the window or reorder a line.
//!
//! One rule serves every format: in JSON `\uXXXX` is the character's own escape (the output
//! stays lossless and parses to the stored text; serde_json already escapes C0, this adds DEL,
//! C1 and bidi); in CSV and tables it makes the character visible instead of acting on the
//! terminal. Line breaks and tabs are kept (CSV quotes a multi-line note).

use crate::domain::text::is_bidi_control;
use std::borrow::Cow;
use std::io::{self, Write};

/// Whether `c` is written as `\uXXXX`.
fn hidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || is_bidi_control(c)
}

/// `text` with every control (but line breaks and tabs) and bidi character as `\uXXXX`.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{:04X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A writer passing bytes on through [`visible`]; a character split across two writes is
/// held until it is whole. Bytes that are not UTF-8 pass as they are.
pub struct Visible<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Visible<W> {
    pub fn new(inner: W) -> Self {
        Visible {
            inner,
            pending: Vec::new(),
        }
    }
}

/// Standard output for a listing: buffered, through [`Visible`].
pub fn stdout() -> io::BufWriter<Visible<io::StdoutLock<'static>>> {
    io::BufWriter::new(Visible::new(io::stdout().lock()))
}

impl<W: Write> Write for Visible<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let mut done = 0;
        while done < self.pending.len() {
            match std::str::from_utf8(&self.pending[done..]) {
                Ok(text) => {
                    self.inner.write_all(visible(text).as_bytes())?;
                    done = self.pending.len();
                }
                Err(e) => {
                    let good = e.valid_up_to();
                    let text = std::str::from_utf8(&self.pending[done..done + good])
                        .map_err(io::Error::other)?;
                    self.inner.write_all(visible(text).as_bytes())?;
                    done += good;
                    match e.error_len() {
                        // An invalid sequence passes as it is.
                        Some(n) => {
                            self.inner.write_all(&self.pending[done..done + n])?;
                            done += n;
                        }
                        // A character cut at the end of this write: wait for the rest.
                        None => break,
                    }
                }
            }
        }
        self.pending.drain(..done);
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

    #[test]
    fn controls_and_bidi_become_escapes_and_json_still_reads_the_stored_text() {
        let stored = "a\x1b]0;t\x07\u{9b}2J\u{202E}x\x7f\n\tb";
        let json = serde_json::to_string(&stored).expect("json");
        let mut out = Visible::new(Vec::new());
        // Byte by byte: characters cut between writes come out whole.
        for b in json.as_bytes() {
            out.write_all(&[*b]).expect("write");
        }
        out.flush().expect("flush");
        let shown = String::from_utf8(std::mem::take(&mut out.inner)).expect("utf-8");
        assert!(
            !shown.chars().any(|c| c.is_control() || is_bidi_control(c)),
            "{shown:?}"
        );
        let back: String = serde_json::from_str(&shown).expect("still JSON");
        assert_eq!(back, stored, "lossless");
        assert_eq!(visible("x\u{202E}y\nz"), "x\\u202Ey\nz");
        assert_eq!(visible("plain 中文"), "plain 中文");
    }
}

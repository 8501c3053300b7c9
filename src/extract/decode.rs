//! Choosing and applying the byte encoding of an extract: UTF-8 is used in place, GBK is
//! validated up front, then decoded in chunks as the CSV reader asks for more. Under auto,
//! bytes that are valid UTF-8 are still weighed against GBK (GBK text can be valid UTF-8).

use super::{Encoding, ExtractError};
use encoding_rs::{DecoderResult, GB18030};
use std::io::Read;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const GB18030_BOM: &[u8] = b"\x84\x31\x95\x33";
const CHUNK: usize = 64 * 1024;

/// The body to parse (any byte-order mark removed) and how to read it.
pub(super) enum Decided<'a> {
    Utf8(&'a [u8]),
    Gb18030(&'a [u8]),
}

/// Picks the encoding. Fails before any row is read when the bytes do not decode.
/// A UTF-8 byte-order mark always means UTF-8.
pub(super) fn decide<'a>(
    file: &str,
    bytes: &'a [u8],
    encoding: Encoding,
) -> Result<Decided<'a>, ExtractError> {
    if let Some(order) = utf16(bytes) {
        return Err(ExtractError::Utf16 {
            file: file.to_string(),
            order,
        });
    }
    if let Some(body) = bytes.strip_prefix(UTF8_BOM) {
        return match std::str::from_utf8(body) {
            Ok(_) => Ok(Decided::Utf8(body)),
            Err(e) => Err(encoding_error(
                file,
                bytes,
                "utf-8",
                Reading::Utf8,
                e.valid_up_to() + UTF8_BOM.len(),
            )),
        };
    }
    match encoding {
        Encoding::Utf8 => match std::str::from_utf8(bytes) {
            Ok(_) => Ok(Decided::Utf8(bytes)),
            Err(e) => Err(encoding_error(
                file,
                bytes,
                "utf-8",
                Reading::Utf8,
                e.valid_up_to(),
            )),
        },
        Encoding::Gbk => gb18030(file, bytes, "gbk"),
        Encoding::Auto => match std::str::from_utf8(bytes) {
            Ok(text) if !reads_as_gbk(text) => Ok(Decided::Utf8(bytes)),
            // Valid UTF-8 that reads as GBK, unless the whole file is not GBK after all.
            Ok(_) => gb18030(file, bytes, "utf-8 or gbk").or(Ok(Decided::Utf8(bytes))),
            Err(e) => match gb18030(file, bytes, "utf-8 or gbk") {
                Ok(decided) => Ok(decided),
                // Neither reading holds: the fault is named where the reading that got
                // further stops. A UTF-8 file with Chinese (or a BOM) on an early line is
                // not GBK from that line on, but its real fault is further down.
                Err(gbk_error) => {
                    let gbk_at = match &gbk_error {
                        ExtractError::Encoding { offset, .. } => *offset as usize,
                        _ => 0,
                    };
                    if e.valid_up_to() >= gbk_at {
                        Err(encoding_error(
                            file,
                            bytes,
                            "utf-8 or gbk",
                            Reading::Utf8,
                            e.valid_up_to(),
                        ))
                    } else {
                        Err(gbk_error)
                    }
                }
            },
        },
    }
}

/// How the bytes before a fault are read to count its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    Utf8,
    Gb18030,
}

/// `LE`/`BE` when the bytes are UTF-16 (Excel's "Unicode text"): a UTF-16 byte-order mark,
/// or, without one, a zero byte in every other place of the start of the file (text CSV in
/// UTF-8 or GBK never holds a zero byte).
fn utf16(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\xFF\xFE") {
        return Some("LE");
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Some("BE");
    }
    let head = &bytes[..bytes.len().min(512) & !1];
    if head.len() < 4 {
        return None;
    }
    let pairs = head.len() / 2;
    let zero_at = |odd: usize| head.chunks(2).filter(|p| p[odd] == 0).count();
    match (zero_at(0), zero_at(1)) {
        (_, z) if z * 4 >= pairs * 3 => Some("LE"),
        (z, _) if z * 4 >= pairs * 3 => Some("BE"),
        _ => None,
    }
}

/// Whether GB18030 bytes (already validated) hold a four-byte sequence, which GBK has not:
/// the file is then reported as `gb18030`.
pub(super) fn has_four_byte(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] < 0x80 {
            i += 1;
            continue;
        }
        if bytes.get(i + 1).is_some_and(|b| (0x30..=0x39).contains(b)) {
            return true;
        }
        i += 2;
    }
    false
}

/// Bytes of the file the detector and the plausibility count look at (a large sample: the
/// start of the file up to a line end).
const SAMPLE: usize = 4 << 20;

/// Whether text that is valid UTF-8 is more plausibly GBK: `泰山石业` in GBK
/// (`CC A9 C9 BD CA AF D2 B5`) is also valid UTF-8, read as IPA letters, a combining mark and
/// a rare Cyrillic letter. The detector `chardetng` cannot say so alone: with UTF-8 allowed
/// it answers UTF-8 for any valid UTF-8, so it is asked for its best legacy encoding (for a
/// Chinese source), and when that is GBK both readings of a large sample are weighed: GBK
/// wins when most non-ASCII characters of the UTF-8 reading are in scripts a Chinese
/// extract does not use (IPA, modifier letters, combining marks, rare Cyrillic, Armenian to
/// NKo, most of Latin Extended-B, C1 controls) and most characters of the GBK reading are common GB2312 characters.
/// Pure ASCII, real UTF-8 Chinese and Western or Russian names in UTF-8 stay UTF-8.
fn reads_as_gbk(text: &str) -> bool {
    if text.is_ascii() {
        return false;
    }
    let bytes = text.as_bytes();
    let sample = if bytes.len() <= SAMPLE {
        bytes
    } else {
        let cut = bytes[..SAMPLE]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(SAMPLE, |i| i + 1);
        &bytes[..cut]
    };
    if only_gb2312_words(sample) {
        return true;
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(sample, true);
    let guess = detector.guess(Some(b"cn"), false);
    if guess != encoding_rs::GBK && guess != GB18030 {
        return false;
    }
    let Ok(utf8) = std::str::from_utf8(sample) else {
        return false;
    };
    let (odd, all) = unusual_count(utf8);
    if odd * 2 <= all || validate_gb18030(sample).is_err() {
        return false;
    }
    let (common, pairs) = gb2312_count(sample);
    common * 2 > pairs
}

/// Whether every non-ASCII character of `bytes` read as GBK is a GB2312 hanzi or full-width
/// symbol standing apart from Latin letters, while the UTF-8 reading has no CJK at all: the
/// GBK reading is then Chinese words and the UTF-8 one short runs of Cyrillic, Greek or
/// Latin-1 letters (`谢谢` is `D0 BB D0 BB`, which UTF-8 reads as `лл`). Real UTF-8 text
/// fails it: Chinese gives GBK trail bytes below A1; Russian, Greek and Arabic words almost
/// always hold a letter that does too (`р`–`я` are `D1 80`–`D1 8F`); an accented Latin
/// letter reads as a hanzi inside a Latin word (`Müller`, `Société`).
fn only_gb2312_words(bytes: &[u8]) -> bool {
    let letter = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphabetic);
    let mut pairs = 0u64;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            continue;
        }
        let Some(&next) = bytes.get(i + 1) else {
            return false;
        };
        let hanzi = (0xb0..=0xf7).contains(&b) && (0xa1..=0xfe).contains(&next);
        let symbol = (0xa1..=0xa9).contains(&b) && (0xa1..=0xfe).contains(&next);
        if !(hanzi || symbol) || letter(i.checked_sub(1).and_then(|j| bytes.get(j))) {
            return false;
        }
        if letter(bytes.get(i + 2)) {
            return false;
        }
        pairs += 1;
        i += 2;
    }
    pairs > 0
        && std::str::from_utf8(bytes).is_ok_and(|t| {
            !t.chars().any(
                |c| matches!(u32::from(c), 0x3000..=0x9fff | 0xf900..=0xfaff | 0xff00..=0xffef),
            )
        })
}

/// How many non-ASCII characters of a UTF-8 reading are in scripts or blocks a Chinese bank
/// extract does not use, and how many non-ASCII characters there are.
fn unusual_count(text: &str) -> (u64, u64) {
    let (mut odd, mut all) = (0u64, 0u64);
    for c in text.chars().filter(|c| !c.is_ascii()) {
        all += 1;
        let unusual = matches!(
            u32::from(c),
            0x80..=0x9f            // C1 controls
            | 0x180..=0x19f        // Latin Extended-B, other than Vietnamese and Romanian
            | 0x1a2..=0x1ae
            | 0x1b1..=0x217
            | 0x21c..=0x24f
            | 0x250..=0x36f        // IPA, spacing modifier letters, combining marks
            | 0x370..=0x390        // Greek, other than its letters
            | 0x3ca..=0x3ff
            | 0x460..=0x7ff        // Cyrillic beyond Russian, Armenian, Hebrew … NKo
        );
        odd += u64::from(unusual);
    }
    (odd, all)
}

/// In bytes already known to be GB18030: how many multi-byte characters are common GB2312
/// ones (first byte A1–F7, second A1–FE), and how many multi-byte characters there are.
fn gb2312_count(bytes: &[u8]) -> (u64, u64) {
    let (mut common, mut all) = (0u64, 0u64);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        all += 1;
        if (0x30..=0x39).contains(&next) {
            i += 4;
            continue;
        }
        common += u64::from((0xa1..=0xf7).contains(&b) && (0xa1..=0xfe).contains(&next));
        i += 2;
    }
    (common, all)
}

fn gb18030<'a>(
    file: &str,
    bytes: &'a [u8],
    label: &'static str,
) -> Result<Decided<'a>, ExtractError> {
    let (skip, body) = match bytes.strip_prefix(GB18030_BOM) {
        Some(body) => (GB18030_BOM.len(), body),
        None => (0, bytes),
    };
    match validate_gb18030(body) {
        Ok(()) => Ok(Decided::Gb18030(body)),
        Err(offset) => Err(encoding_error(
            file,
            bytes,
            label,
            Reading::Gb18030,
            offset + skip,
        )),
    }
}

/// `Err(offset)` of the first malformed sequence.
fn validate_gb18030(bytes: &[u8]) -> Result<(), usize> {
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let mut scratch = vec![0u8; CHUNK * 2];
    let mut pos = 0;
    loop {
        let (result, read, _) =
            decoder.decode_to_utf8_without_replacement(&bytes[pos..], &mut scratch, true);
        pos += read;
        match result {
            DecoderResult::InputEmpty => return Ok(()),
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(bad, after) => {
                return Err(pos.saturating_sub(usize::from(bad) + usize::from(after)));
            }
        }
    }
}

/// The error for bytes that are not in `encoding`, with the line and column the offset falls
/// on. Lines are the file's own (every LF ends one, CR LF too, and a quoted cell spanning
/// lines counts each), so an editor's "go to line" finds the byte; the column counts the
/// characters before it on its line as `reading` reads them (a Chinese character is one, a
/// byte-order mark at the start of the file none), from 1.
pub(super) fn encoding_error(
    file: &str,
    bytes: &[u8],
    encoding: &'static str,
    reading: Reading,
    offset: usize,
) -> ExtractError {
    let upto = &bytes[..offset.min(bytes.len())];
    // An LF byte is never part of a UTF-8 or GB18030 sequence: counting them is exact.
    let line = upto.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let column = column_of(upto, reading);
    let hint = match encoding {
        "utf-8" => "save the extract as UTF-8, or read it with the GBK encoding",
        "gbk" => "the file is not GBK; save it as UTF-8 or GBK, or read it with auto",
        _ => "save the extract as UTF-8 (or GBK) and check it is a text CSV",
    };
    ExtractError::Encoding {
        file: file.to_string(),
        encoding,
        offset: offset as u64,
        line,
        column,
        hint,
    }
}

/// The column (from 1) of the byte just after `upto`: the characters after the last LF as
/// `reading` reads them; a byte-order mark opening the file is not a character of the text.
fn column_of(upto: &[u8], reading: Reading) -> u64 {
    let line_start = upto.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let mut segment = &upto[line_start..];
    if line_start == 0 {
        for bom in [UTF8_BOM, GB18030_BOM] {
            if (reading == Reading::Utf8) == (bom == UTF8_BOM)
                && let Some(rest) = segment.strip_prefix(bom)
            {
                segment = rest;
            }
        }
    }
    let chars = match reading {
        // Valid up to the fault; a lossy reading still counts one character a sequence.
        Reading::Utf8 => String::from_utf8_lossy(segment).chars().count(),
        Reading::Gb18030 => {
            let (text, _) = GB18030.decode_without_bom_handling(segment);
            text.chars().count()
        }
    };
    chars as u64 + 1
}

/// Decodes GB18030 to UTF-8 a chunk at a time, so a large file is never held twice.
pub(super) struct Gb18030Reader<'a> {
    input: &'a [u8],
    pos: usize,
    decoder: encoding_rs::Decoder,
    out: Vec<u8>,
    out_start: usize,
    out_end: usize,
    done: bool,
    malformed_at: Option<usize>,
}

impl<'a> Gb18030Reader<'a> {
    pub(super) fn new(input: &'a [u8]) -> Self {
        Gb18030Reader {
            input,
            pos: 0,
            decoder: GB18030.new_decoder_without_bom_handling(),
            out: vec![0u8; CHUNK * 2],
            out_start: 0,
            out_end: 0,
            done: false,
            malformed_at: None,
        }
    }

    /// Byte offset of a malformed sequence met while reading (normally caught earlier).
    pub(super) fn malformed_at(&self) -> Option<usize> {
        self.malformed_at
    }
}

impl Read for Gb18030Reader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.out[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            let end = (self.pos + CHUNK).min(self.input.len());
            let last = end == self.input.len();
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.pos..end],
                &mut self.out,
                last,
            );
            self.pos += read;
            self.out_start = 0;
            self.out_end = written;
            match result {
                DecoderResult::InputEmpty => self.done = last,
                DecoderResult::OutputFull => {}
                DecoderResult::Malformed(bad, after) => {
                    let at = self
                        .pos
                        .saturating_sub(usize::from(bad) + usize::from(after));
                    self.malformed_at = Some(at);
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("malformed GBK at byte {at}"),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod gb2312_words_tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(text).0.into_owned()
    }

    #[test]
    fn two_character_names_valid_as_utf8_read_as_gbk() {
        // Each of these GBK names is also valid UTF-8 (Cyrillic, Greek or IPA letters).
        for name in ["谢谢", "卢魏", "谢薛", "泰山石业", "郑石", "姚莫"] {
            let line = [b"C1,".as_slice(), &gbk(name), b",4.35\n"].concat();
            assert!(std::str::from_utf8(&line).is_ok(), "{name} is valid UTF-8");
            assert!(
                reads_as_gbk(std::str::from_utf8(&line).unwrap_or("")),
                "{name}"
            );
        }
    }

    #[test]
    fn real_utf8_names_stay_utf8() {
        for name in [
            "Müller GmbH",
            "Société Générale",
            "Газпром",
            "Αθήνα",
            "Nguyễn",
            "湖北聚源服饰有限公司",
            "ASCII Only",
        ] {
            let line = format!("C1,{name},4.35\n");
            assert!(!reads_as_gbk(&line), "{name}");
        }
    }
}

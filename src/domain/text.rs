//! Text from data on its way to the screen: control characters removed, characters whose
//! width terminals disagree on replaced (`display`), widths measured in terminal columns (a
//! Chinese character takes two), truncation and padding by display width.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Removes control characters (C0, DEL, C1) so imported text cannot move the cursor,
/// change the title or ring the bell, and bidi controls (see [`is_bidi_control`]) so stored
/// text cannot reorder what a document or screen shows around it. Tabs and newlines become
/// spaces.
pub fn sanitize(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return text.to_string();
    }
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() || is_bidi_control(c) => None,
            c => Some(c),
        })
        .collect()
}

/// Text for a terminal line stream (standard error, a message that may hold what a user
/// typed or a file held): line breaks and tabs kept, every other control character (C0, DEL,
/// C1, so no escape sequence) and bidi control removed, so an argument such as
/// `ESC ] 0 ; title BEL` cannot retitle the window or clear the screen when it is echoed.
pub fn terminal_text(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c);
    if text.chars().any(unsafe_char) {
        text.chars().filter(|c| !unsafe_char(*c)).collect()
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The bidirectional formatting characters: embeddings and overrides (U+202A–U+202E),
/// isolates (U+2066–U+2069) and the marks (U+200E, U+200F, U+061C). In a document or on a
/// screen they reorder the text around them (`ab\u{202E}cd` shows `abdc`), so a note could
/// make "approve" read as something else; post-loan text never needs them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// Invisible format characters (Unicode general category Cf, U+FEFF included): soft hyphen,
/// zero-width space, joiners, word joiner, bidi marks, Arabic and other number signs,
/// interlinear annotation, shorthand format controls, musical format and tag characters.
/// They draw nothing, so two texts that look the same may differ by them.
pub fn is_format_char(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{0890}' | '\u{0891}' | '\u{08E2}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

/// The invisible characters a search passes over, on both sides (the typed key and the
/// searched text): soft hyphen, the Arabic letter mark, the Mongolian vowel separator,
/// zero-width space, non-joiner and joiner, the bidi marks, embeddings, overrides and
/// isolates, word joiner and the invisible operators, and U+FEFF. The screen does not show
/// them, so `华<U+200C>夏` is found by `华夏`. The search index folds the same list in SQL
/// (`store` schema 15; a test checks the two agree).
pub const SEARCH_IGNORED: [char; 23] = [
    '\u{00AD}', '\u{061C}', '\u{180E}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}',
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2060}', '\u{2061}', '\u{2062}',
    '\u{2063}', '\u{2064}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{FEFF}',
];

/// Whether a search passes over `c` (see [`SEARCH_IGNORED`]).
pub fn is_search_ignored(c: char) -> bool {
    SEARCH_IGNORED.contains(&c)
}

/// `text` as a search compares it: without the characters of [`SEARCH_IGNORED`].
pub fn search_fold(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(is_search_ignored) {
        text.chars().filter(|c| !is_search_ignored(*c)).collect()
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Text from data in a Markdown document: control characters (but line breaks and tabs) and
/// bidi controls dropped as by [`terminal_text`] (the book keeps them; a document must not
/// carry them to whoever prints it), `&`, `<`, `>` as entities, so a Markdown viewer
/// (which renders HTML) shows `<script>` as text and runs nothing, and invisible format
/// characters ([`is_format_char`]: zero-width space, joiners, soft hyphen) as character
/// references (`&#x200B;`). Line breaks are kept.
pub fn markdown_text(text: &str) -> String {
    let text = terminal_text(text);
    let mut o = String::with_capacity(text.len() + 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            o.push('\n');
        }
        // A line that would open a block (heading, quote, list, rule, setext underline, an
        // ordered-list number) starts with its marker escaped: data never makes structure.
        let indent = line.len() - line.trim_start().len();
        o.push_str(&line[..indent]);
        let rest = &line[indent..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        // CommonMark: 1–9 digits, `.` or `)`, then a space, a tab or the line's end.
        let ordered = (1..=9).contains(&digits)
            && matches!(rest[digits..].chars().next(), Some('.' | ')'))
            && matches!(rest[digits + 1..].chars().next(), None | Some(' ' | '\t'));
        let mut escape_at = if ordered {
            Some(digits)
        } else if rest.starts_with(['#', '>', '-', '+', '=', '~', '*', '_']) {
            Some(0)
        } else {
            None
        };
        for (j, c) in rest.char_indices() {
            match c {
                '&' => o.push_str("&amp;"),
                '<' => o.push_str("&lt;"),
                '>' if Some(j) != escape_at => o.push_str("&gt;"),
                // Inline structure: links, code, emphasis, table cells.
                '\\' | '`' | '*' | '_' | '[' | ']' | '|' => {
                    o.push('\\');
                    o.push(c);
                    if Some(j) == escape_at {
                        escape_at = None;
                    }
                }
                // Invisible format characters (zero-width, soft hyphen) as character
                // references: the document reads the same and its source shows them.
                c if is_format_char(c) => o.push_str(&format!("&#x{:X};", u32::from(c))),
                c if Some(j) == escape_at => {
                    o.push('\\');
                    o.push(c);
                }
                c => o.push(c),
            }
        }
    }
    o
}

/// `text` without bidi controls (text on its way into a document; line breaks kept).
pub fn strip_bidi(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(is_bidi_control) {
        text.chars().filter(|c| !is_bidi_control(*c)).collect()
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Text a person or an extract gave, for storage (issue #13: "stored as given"): every
/// character kept, control, bidi and zero-width ones included, only the line-break form
/// unified (CR LF and CR become LF), trailing spaces of each line and blank lines at either
/// end dropped. What reads it makes it safe on the way out: [`display`] for a cell,
/// [`terminal_text`] for a line stream, [`markdown_text`] for a document.
pub fn as_given_lines(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .split('\n')
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// Whether `text` shows nothing: empty, or only white space, control, bidi and other
/// invisible characters (a required field holding only these is refused as empty).
pub fn is_blank(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_whitespace() || c.is_control() || is_invisible(c))
}

/// Pasted text for a single-line field, kept as given but for its line breaks: CR LF, LF and
/// CR become one space each, a trailing line break is dropped.
pub fn paste_one_line(text: &str) -> String {
    text.trim_end_matches(['\n', '\r'])
        .replace("\r\n", " ")
        .replace(['\r', '\n'], " ")
}

/// Text of a multi-line field without its controls: control characters removed as by
/// [`sanitize`], line breaks (CR LF, LF or CR) kept as LF, trailing spaces of each line and
/// blank lines at either end dropped (a document's lines; storage uses [`as_given_lines`]).
pub fn sanitize_lines(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .split('\n')
        .map(|l| sanitize(l.trim_end()))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// Pasted text for a single-line field: line breaks (CR LF, LF or CR) and tabs become one
/// space each, a trailing line break is dropped, other control characters are removed.
pub fn one_line(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    sanitize(text.trim_end_matches(['\n', '\r']))
}

/// Text from data made fit for a terminal cell (the screen and its exports, never storage):
/// control characters removed as by [`sanitize`], and every character left one whose width all
/// terminals agree on, so the column after it starts where the layout put it.
///
/// - Emoji variation selectors, zero-width joiners and spaces, bidi controls, keycap marks, tag
///   characters, skin tones and combining accents are dropped; a sequence shows its base
///   character (`☎️` as `☎`, then as below; `1️⃣` as `1`; `e` + U+0301 as `e`). After a joiner,
///   the joined character is dropped too (`👨‍👩‍👧` is one person).
/// - Regional-indicator flags become their letters (`🇨🇳` as `CN`).
/// - East Asian Ambiguous characters (one column in most terminals, two in CJK ones) become a
///   close ASCII or fullwidth equivalent (`①` `(1)`, `→` `->`, `é` `e`, `·` `・`, Greek and
///   Cyrillic letters in Latin), else `?`.
/// - Emoji drawn two columns wide (one column in terminals of before Unicode 9) become `?`.
///
/// ASCII, CJK text and fullwidth forms are kept as they are.
pub fn display(text: &str) -> String {
    if text.chars().all(is_stable) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    // After a zero-width joiner, the joined character is part of the sequence, not text.
    let mut joined = false;
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' => {
                joined = false;
                out.push(' ');
            }
            '\u{200D}' => joined = true,
            c if c.is_control() || is_invisible(c) => {}
            c if joined => {
                // The joined part of an emoji sequence; text after a stray joiner (ASCII, CJK:
                // any character every terminal agrees on) stays.
                joined = false;
                if is_stable(c) {
                    out.push(c);
                }
            }
            c if is_stable(c) => out.push(c),
            c if is_regional(c) => {
                out.push(char::from(b'A' + (u32::from(c) - 0x1F1E6) as u8));
            }
            c if is_wide_emoji(c) => out.push('?'),
            c => out.push_str(&unambiguous(c)),
        }
    }
    out
}

/// Whether every terminal gives `c` the same, non-zero width and it stands on its own (what
/// [`display`] leaves; the screen's last pass replaces any other character of data).
pub fn is_stable(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_control();
    }
    match (c.width(), c.width_cjk()) {
        (Some(w), Some(cjk)) => {
            w == cjk
                && w > 0
                && !is_invisible(c)
                && !is_wide_emoji(c)
                && !is_regional(c)
                && !is_ambiguous_narrow(c)
        }
        _ => false,
    }
}

/// Characters that draw nothing of their own: variation selectors, joiners and other
/// zero-width or format characters, bidi controls, keycap and other enclosing marks, tags,
/// skin-tone modifiers, and combining marks (which `width` counts as zero).
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}'..='\u{11FF}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{20DD}'..='\u{20E4}' | '\u{3164}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}'
        | '\u{1F3FB}'..='\u{1F3FF}' | '\u{E0000}'..='\u{E007F}' | '\u{E0100}'..='\u{E01EF}')
        || c.width() == Some(0)
}

/// East Asian Ambiguous characters that unicode-width's CJK table counts as one column, as
/// most terminals do; a terminal set to draw ambiguous characters wide (PuTTY, Xshell,
/// `xterm -cjk_width`) draws them in two: accented Latin letters, Greek, Cyrillic.
fn is_ambiguous_narrow(c: char) -> bool {
    matches!(c,
        '\u{A8}' | '\u{AA}' | '\u{B4}' | '\u{B8}' | '\u{BA}' | '\u{C6}' | '\u{D0}' | '\u{D8}'
        | '\u{DE}'..='\u{E1}' | '\u{E6}' | '\u{E8}'..='\u{EA}' | '\u{EC}' | '\u{ED}' | '\u{F0}'
        | '\u{F2}' | '\u{F3}' | '\u{F8}'..='\u{FA}' | '\u{FC}' | '\u{FE}' | '\u{101}' | '\u{111}'
        | '\u{113}' | '\u{11B}' | '\u{126}' | '\u{127}' | '\u{12B}' | '\u{131}'..='\u{133}'
        | '\u{138}' | '\u{13F}'..='\u{142}' | '\u{144}' | '\u{148}'..='\u{14B}' | '\u{14D}'
        | '\u{152}' | '\u{153}' | '\u{166}' | '\u{167}' | '\u{16B}' | '\u{1CE}' | '\u{1D0}'
        | '\u{1D2}' | '\u{1D4}' | '\u{1D6}' | '\u{1D8}' | '\u{1DA}' | '\u{1DC}' | '\u{251}'
        | '\u{261}' | '\u{2C4}' | '\u{2C7}' | '\u{2C9}'..='\u{2CB}' | '\u{2CD}' | '\u{2D0}'
        | '\u{2D8}'..='\u{2DB}' | '\u{2DD}' | '\u{2DF}' | '\u{391}'..='\u{3A9}'
        | '\u{3B1}'..='\u{3C9}' | '\u{401}' | '\u{410}'..='\u{44F}' | '\u{451}' | '\u{207F}'
        | '\u{2113}' | '\u{2126}' | '\u{212B}')
}

/// Regional indicators: one column each, but a pair is a flag, two columns in some terminals.
fn is_regional(c: char) -> bool {
    matches!(c, '\u{1F1E6}'..='\u{1F1FF}')
}

/// Emoji that `width` counts as two columns but that terminals of before Unicode 9 (2016) draw
/// in one: the pictographs of the symbol blocks and of plane 1 (CJK there is left alone).
fn is_wide_emoji(c: char) -> bool {
    c.width() == Some(2)
        && matches!(c, '\u{2190}'..='\u{2BFF}' | '\u{1F000}'..='\u{1F1FF}' | '\u{1F300}'..='\u{1FAFF}')
}

/// Latin-1 letters (U+00C0..=U+00FF) without their accents.
const LATIN1: &str = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";
/// Latin Extended-A (U+0100..=U+017F) without accents.
const LATIN_EXT_A: &str = concat!(
    "AaAaAaCcCcCcCcDd",
    "DdEeEeEeEeEeGgGg",
    "GgGgHhHhIiIiIiIi",
    "IiJjJjKkkLlLlLlL",
    "lLlNnNnNnnNnOoOo",
    "OoOoRrRrRrSsSsSs",
    "SsTtTtTtUuUuUuUu",
    "UuUuWwYyYZzZzZzs"
);
/// Pinyin tone letters of Latin Extended-B (U+01CD..=U+01DC).
const PINYIN: &str = "AaIiOoUuUuUuUuUu";
/// Greek capitals (U+0391..=U+03A9) and small letters (U+03B1..=U+03C9) in Latin.
const GREEK_UPPER: &str = "ABGDEZHQIKLMNXOPR?STYFXCW";
const GREEK_LOWER: &str = "abgdezhqiklmnxoprsstyfxcw";
/// Russian letters (U+0410..=U+042F; small ones follow) in Latin.
const CYRILLIC: [&str; 32] = [
    "A", "B", "V", "G", "D", "E", "Zh", "Z", "I", "J", "K", "L", "M", "N", "O", "P", "R", "S", "T",
    "U", "F", "Kh", "Ts", "Ch", "Sh", "Shch", "", "Y", "", "E", "Yu", "Ya",
];

/// A close equivalent of an ambiguous-width character whose width every terminal agrees on.
fn unambiguous(c: char) -> String {
    let n = u32::from(c);
    let nth = |table: &str, base: u32| {
        table
            .chars()
            .nth((n - base) as usize)
            .unwrap_or('?')
            .to_string()
    };
    let fixed = match c {
        'Æ' => "AE",
        'æ' => "ae",
        'ß' => "ss",
        'Þ' => "Th",
        'þ' => "th",
        'Œ' => "OE",
        'œ' => "oe",
        'Ĳ' => "IJ",
        'ĳ' => "ij",
        'Ё' => "Yo",
        'ё' => "yo",
        'ɑ' => "a",
        'ɡ' => "g",
        'ˇ' => "v",
        'ˊ' | 'ˋ' => "'",
        '˙' => ".",
        'ⁿ' => "n",
        'ℓ' => "l",
        '\u{2126}' => "W",
        '\u{212B}' => "A",
        '\u{00C0}'..='\u{00FF}' => return nth(LATIN1, 0xC0),
        '\u{0100}'..='\u{017F}' => return nth(LATIN_EXT_A, 0x100),
        '\u{01CD}'..='\u{01DC}' => return nth(PINYIN, 0x1CD),
        '\u{0391}'..='\u{03A9}' => return nth(GREEK_UPPER, 0x391),
        '\u{03B1}'..='\u{03C9}' => return nth(GREEK_LOWER, 0x3B1),
        '\u{0410}'..='\u{042F}' => return CYRILLIC[(n - 0x410) as usize].to_string(),
        '\u{0430}'..='\u{044F}' => return CYRILLIC[(n - 0x430) as usize].to_lowercase(),
        '\u{2460}'..='\u{2473}' => return format!("({})", n - 0x2460 + 1),
        '\u{2474}'..='\u{2487}' => return format!("({})", n - 0x2474 + 1),
        '\u{2488}'..='\u{249B}' => return format!("{}.", n - 0x2488 + 1),
        '\u{249C}'..='\u{24B5}' => {
            return format!("({})", nth("abcdefghijklmnopqrstuvwxyz", 0x249C));
        }
        '\u{24B6}'..='\u{24CF}' => {
            return format!("({})", nth("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 0x24B6));
        }
        '\u{24D0}'..='\u{24E9}' => {
            return format!("({})", nth("abcdefghijklmnopqrstuvwxyz", 0x24D0));
        }
        '\u{2160}'..='\u{216B}' => {
            return [
                "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
            ][(n - 0x2160) as usize]
                .to_string();
        }
        '\u{2170}'..='\u{217B}' => {
            return [
                "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii",
            ][(n - 0x2170) as usize]
                .to_string();
        }
        '─' | '━' | '┄' | '┅' | '┈' | '┉' | '╌' | '╍' | '═' => "-",
        '│' | '┃' | '┆' | '┇' | '┊' | '┋' | '╎' | '╏' | '║' => "|",
        '\u{2500}'..='\u{257F}' => "+",
        '\u{2580}'..='\u{259F}' => "#",
        '¡' => "!",
        '¿' => "?",
        '§' => "S",
        '¶' => "P",
        '¨' | '“' | '”' | '″' | '〃' => "\"",
        '´' | '‘' | '’' | '′' => "'",
        'ª' => "a",
        'º' | '°' => "o",
        '®' => "(R)",
        '±' => "+-",
        '²' => "2",
        '³' => "3",
        '¹' => "1",
        '¸' => ",",
        '¼' => "1/4",
        '½' => "1/2",
        '¾' => "3/4",
        '·' | '•' | '‧' | '∙' => "・",
        '–' | '—' | '‐' | '―' | '‒' => "-",
        '…' => "...",
        '‥' => "..",
        '‰' => "o/oo",
        '※' => "*",
        '℃' => "C",
        '℉' => "F",
        '№' => "No.",
        '™' => "TM",
        '←' => "<-",
        '→' => "->",
        '↑' => "^",
        '↓' => "v",
        '↔' => "<->",
        '⇒' => "=>",
        '⇔' => "<=>",
        '≤' => "<=",
        '≥' => ">=",
        '≠' => "!=",
        '≈' | '∽' | '∼' => "~",
        '∞' => "inf",
        '○' | '◯' => "o",
        '●' | '★' | '☆' => "*",
        '◎' => "@",
        '◇' | '◆' => "<>",
        '□' | '■' => "[]",
        '△' | '▲' => "^",
        '▽' | '▼' => "v",
        '▶' | '▷' | '►' => ">",
        '◀' | '◁' | '◄' => "<",
        '☎' | '☏' => "Tel",
        _ => "?",
    };
    fixed.to_string()
}

/// Display width in terminal columns.
/// A stored UTC timestamp (`2026-11-30T20:05:42Z`, RFC 3339, or `2026-11-30 20:05:42`) as the
/// user's local time, `2026-11-30 20:05`, the same in every language; text that is not a
/// timestamp is shown as it is.
pub fn local_time(stamp: &str) -> String {
    let t = stamp.trim();
    let utc = chrono::DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&chrono::Utc))
        .ok()
        .or_else(|| {
            [
                "%Y-%m-%dT%H:%M:%SZ",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S",
            ]
            .iter()
            .find_map(|f| chrono::NaiveDateTime::parse_from_str(t, f).ok())
            .map(|n| n.and_utc())
        });
    match utc {
        Some(u) => u
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => display(t),
    }
}

/// The stored (UTC) instant at which the user's local day `d` starts, as audit entries are
/// stamped (`2026-11-30T16:00:00Z` for 1 December in China).
pub fn local_day_start_utc(d: chrono::NaiveDate) -> String {
    use chrono::TimeZone;
    let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    let local = chrono::Local
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| midnight.and_utc());
    local.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Cuts `text` to at most `max` columns, ending in `…` when something was cut.
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Truncates then pads with spaces on the right to exactly `cols` columns.
pub fn pad_right(text: &str, cols: usize) -> String {
    let t = truncate(text, cols);
    let w = width(&t);
    format!("{t}{}", " ".repeat(cols.saturating_sub(w)))
}

/// Truncates then pads with spaces on the left to exactly `cols` columns.
pub fn pad_left(text: &str, cols: usize) -> String {
    let t = truncate(text, cols);
    let w = width(&t);
    format!("{}{t}", " ".repeat(cols.saturating_sub(w)))
}

#[cfg(test)]
mod tests {

    #[test]
    fn bidi_controls_are_dropped_from_stored_and_document_text() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            let text = format!("批准{c}退回");
            assert_eq!(sanitize(&text), "批准退回", "{c:?}");
            assert_eq!(markdown_text(&text), "批准退回", "{c:?}");
        }
        assert_eq!(
            sanitize("a\u{200D}b"),
            "a\u{200D}b",
            "a joiner is not a bidi control"
        );
        assert_eq!(
            markdown_text("<script>alert(1)</script> & x\n<b>"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; x\n&lt;b&gt;"
        );
    }

    #[test]
    fn invisible_format_characters_are_character_references_in_markdown() {
        assert_eq!(
            markdown_text("华\u{200C}夏\u{AD}\u{FEFF}\u{202E}x"),
            "华&#x200C;夏&#xAD;&#xFEFF;x"
        );
        assert!(is_format_char('\u{E0001}') && is_format_char('\u{2060}'));
        assert!(!is_format_char('夏') && !is_format_char(' '));
        assert_eq!(search_fold("华\u{200C}夏\u{200E}"), "华夏");
    }

    #[test]
    fn data_never_makes_markdown_structure() {
        let cases = [
            ("正文\n## 9. 检查结论", "正文\n\\## 9. 检查结论"),
            ("标题\n---", "标题\n\\---"),
            ("标题\n===", "标题\n\\==="),
            ("> 引用", "\\> 引用"),
            ("- 列表\n+ 列表\n* 列表", "\\- 列表\n\\+ 列表\n\\* 列表"),
            ("1. 第一\n2) 第二", "1\\. 第一\n2\\) 第二"),
            ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
            ("`code` *em* _em_ a|b", "\\`code\\` \\*em\\* \\_em\\_ a\\|b"),
            ("  # 缩进标题", "  \\# 缩进标题"),
            (
                "资产负债率 58.4%，2026-12-01 到期",
                "资产负债率 58.4%，2026-12-01 到期",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(markdown_text(text), want, "{text:?}");
        }
    }

    use super::*;

    #[test]
    fn a_multi_line_field_keeps_its_lines_and_loses_its_controls() {
        assert_eq!(
            sanitize_lines("\n 第一行\x1b[31m  \r\n第二行\t完\r第三行\n\n"),
            "第一行[31m\n第二行 完\n第三行"
        );
        assert_eq!(display(&sanitize_lines("a\nb")), "a b");
    }

    #[test]
    fn strips_control_characters() {
        assert_eq!(sanitize("华东\x1b[2J机械\x07"), "华东[2J机械");
        assert_eq!(sanitize("a\tb\nc"), "a b c");
        assert_eq!(sanitize("\u{9b}31m"), "31m");
        assert_eq!(sanitize("plain"), "plain");
    }

    #[test]
    fn pasted_lines_become_one_line() {
        assert_eq!(
            one_line("line one\nh p q\r\nline three\r\n"),
            "line one h p q line three"
        );
        assert_eq!(one_line("a\tb\x1b[2Jc\x07\rq"), "a b[2Jc q");
        assert_eq!(one_line("华东\n"), "华东");
    }

    #[test]
    fn widths_count_cjk_as_two() {
        assert_eq!(width("华东机械"), 8);
        assert_eq!(truncate("华东机械制造有限公司", 7), "华东机…");
        assert_eq!(pad_right("华东", 6), "华东  ");
        assert_eq!(pad_left("12", 4), "  12");
        assert_eq!(width(&pad_right("华东机械制造", 5)), 5);
    }

    /// Both width tables (most terminals, CJK terminals) give the same width.
    fn agreed(text: &str) -> bool {
        UnicodeWidthStr::width(text) == UnicodeWidthStr::width_cjk(text)
    }

    #[test]
    fn display_drops_or_replaces_every_character_of_disputed_width() {
        let cases = [
            // Emoji variation sequence: the base character, itself ambiguous, then replaced.
            ("电话☎\u{FE0F}贸易", "电话Tel贸易"),
            ("❤\u{FE0F}", "❤"),
            // ZWJ family: one person, shown as an emoji would be.
            ("家庭👨\u{200D}👩\u{200D}👧科技", "家庭?科技"),
            ("🏃\u{200D}♀\u{FE0F}", "?"),
            // Keycap, flag, skin tone, tag sequence.
            ("一号1\u{FE0F}\u{20E3}", "一号1"),
            ("#\u{FE0F}\u{20E3}", "#"),
            ("旗🇨🇳", "旗CN"),
            ("👍🏽", "?"),
            (
                "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}",
                "?",
            ),
            // East Asian Ambiguous.
            ("圈①→§公司", "圈(1)->S公司"),
            ("买买提·艾力", "买买提・艾力"),
            ("“引号”…", "\"引号\"..."),
            ("Иван Ωμεγα Ёжик", "Ivan Wmega Yozhik"),
            ("lǜ sè Ⅲ ℃", "lu se III C"),
            ("──│", "--|"),
            // Combining accent dropped; the precomposed letter (ambiguous) loses it too.
            ("Cafe\u{301}", "Cafe"),
            ("Café Société", "Cafe Societe"),
            // Zero-width and format characters, bidi controls.
            ("a\u{200B}b\u{FEFF}c\u{2060}d\u{202E}e\u{00AD}f", "abcdef"),
            ("a\u{200D}b", "ab"),
            ("零宽\u{200D}字符", "零宽字符"),
            // Emoji whose width changed with Unicode 9.
            ("⌚表", "?表"),
            // Control characters, as `sanitize`.
            ("华东\x1b[2J机械\x07\tx", "华东[2J机械 x"),
        ];
        for (input, want) in cases {
            let got = display(input);
            assert_eq!(got, want, "display({input:?})");
            assert!(agreed(&got), "{got:?}: widths disagree");
            assert!(
                got.chars().all(is_stable),
                "{got:?}: a character of disputed width"
            );
            assert_eq!(display(&got), got, "display is idempotent on {input:?}");
        }
    }

    #[test]
    fn stored_times_are_shown_as_local_minutes() {
        let stamp = "2026-11-30T20:05:42Z";
        let want = chrono::DateTime::parse_from_rfc3339(stamp)
            .expect("stamp")
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M")
            .to_string();
        assert_eq!(local_time(stamp), want);
        assert_eq!(local_time("2026-11-30 20:05:42"), want);
        assert_eq!(local_time("2026-11-30T20:05:42+00:00"), want);
        assert!(!local_time(stamp).contains('T') && !local_time(stamp).contains('Z'));
        assert_eq!(local_time("yesterday"), "yesterday");
    }

    #[test]
    fn display_keeps_cjk_fullwidth_and_ascii() {
        for text in [
            "华东机械制造（上海）有限公司",
            "ＡＢＣ１２３，。、；：？！「」",
            "PL00000001 abc-XYZ_(1) ~!@#$%^&*",
            "한국어 ｶﾀｶﾅ ñ Ç",
        ] {
            assert_eq!(display(text), text);
        }
    }

    #[test]
    fn every_character_displays_with_a_width_both_tables_agree_on() {
        let mut text = String::new();
        for n in (0x20..0x3_0000).chain(0xE_0000..0xE_0200) {
            let Some(c) = char::from_u32(n) else { continue };
            text.clear();
            text.push('x');
            text.push(c);
            text.push_str("\u{FE0F}\u{20E3}");
            let out = display(&text);
            assert!(
                out.chars().all(|o| {
                    let w = o.width().unwrap_or(0);
                    w > 0 && Some(w) == o.width_cjk()
                }),
                "U+{n:04X} gives {out:?}"
            );
            assert!(out.chars().all(is_stable), "U+{n:04X} gives {out:?}");
            assert!(agreed(&out), "U+{n:04X} gives {out:?}");
        }
    }
}

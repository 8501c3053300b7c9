//! Natural keys (contract numbers, borrower codes, …) made comparable: the spellings a
//! spreadsheet or an input method produce for one key (full-width letters, a zero-width
//! space, a non-breaking space at the end) become one, and keys that differ only in letter
//! case are found, so a file or the book cannot hold one contract under two keys unseen.

/// A key as stored: full-width ASCII forms (U+FF01–U+FF5E) and the ideographic space as
/// ASCII, zero-width and other format characters and control characters removed, surrounding
/// white space (NBSP and the ideographic space included) trimmed. Letter case is kept.
pub fn normalize_key(text: &str) -> String {
    let plain = text.is_ascii() && !text.bytes().any(|b| b.is_ascii_control());
    if plain {
        return text.trim().to_string();
    }
    let mapped: String = text
        .chars()
        .filter_map(|c| match u32::from(c) {
            0xff01..=0xff5e => char::from_u32(u32::from(c) - 0xfee0),
            0x3000 => Some(' '),
            _ if is_invisible(c) => None,
            _ if c.is_control() => None,
            _ => Some(c),
        })
        .collect();
    mapped.trim().to_string()
}

/// Free text that is part of a key (a collateral description, a counterparty): invisible
/// format characters removed and surrounding white space trimmed; width and case are kept.
pub fn strip_invisible(text: &str) -> String {
    if text.is_ascii() {
        return text.trim().to_string();
    }
    let kept: String = text.chars().filter(|&c| !is_invisible(c)).collect();
    kept.trim().to_string()
}

/// The form two keys are compared in to find ones that differ only in case or width.
pub fn fold_key(text: &str) -> String {
    normalize_key(text).to_lowercase()
}

/// Characters that draw nothing, so two keys differing only by them look the same: the
/// screen's list (variation selectors, joiners and other format characters, Hangul fillers,
/// combining marks, tags — `domain::text::is_invisible`) and the other default-ignorable
/// code points (Khmer inherent vowels, shorthand format controls, musical format marks, the
/// whole tag and variation-selector planes).
fn is_invisible(c: char) -> bool {
    crate::domain::text::is_invisible(c)
        || matches!(
            u32::from(c),
            0x17b4 | 0x17b5 | 0x1bca0..=0x1bca3 | 0x1d173..=0x1d17a | 0xe0000..=0xe0fff
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_key_become_one() {
        for given in [
            "HT011",
            " HT011 ",
            "ＨＴ０１１",
            "ＨＴ011",
            "HT011\u{200b}",
            "\u{feff}HT011",
            "\u{a0}HT011\u{3000}",
            "H\u{200d}T011\t",
            // Fillers, a grapheme joiner, a Khmer vowel, a variation selector, tags.
            "HT\u{3164}011",
            "HT\u{115f}011",
            "HT\u{1160}011",
            "HT\u{ffa0}011",
            "HT\u{34f}011",
            "HT\u{17b4}011",
            "HT011\u{fe0f}",
            "HT011\u{e0041}",
        ] {
            assert_eq!(normalize_key(given), "HT011", "{given:?}");
        }
        assert_eq!(normalize_key("ht011"), "ht011");
        assert_eq!(normalize_key("HT\u{3000}011"), "HT 011");
        assert_eq!(normalize_key("借款-２０２４／1"), "借款-2024/1");
        assert_eq!(fold_key(" ｈｔ011 "), fold_key("HT011"));
        assert_ne!(fold_key("HT011"), fold_key("HT012"));
    }
}

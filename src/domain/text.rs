//! Text from data on its way to the screen: control characters removed, widths measured in
//! terminal columns (a Chinese character takes two), truncation and padding by display width.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Removes control characters (C0, DEL, C1) so imported text cannot move the cursor,
/// change the title or ring the bell. Tabs and newlines become spaces.
pub fn sanitize(text: &str) -> String {
    if !text.chars().any(|c| c.is_control()) {
        return text.to_string();
    }
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Display width in terminal columns.
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
    use super::*;

    #[test]
    fn strips_control_characters() {
        assert_eq!(sanitize("华东\x1b[2J机械\x07"), "华东[2J机械");
        assert_eq!(sanitize("a\tb\nc"), "a b c");
        assert_eq!(sanitize("\u{9b}31m"), "31m");
        assert_eq!(sanitize("plain"), "plain");
    }

    #[test]
    fn widths_count_cjk_as_two() {
        assert_eq!(width("华东机械"), 8);
        assert_eq!(truncate("华东机械制造有限公司", 7), "华东机…");
        assert_eq!(pad_right("华东", 6), "华东  ");
        assert_eq!(pad_left("12", 4), "  12");
        assert_eq!(width(&pad_right("华东机械制造", 5)), 5);
    }
}

//! Insert and delete character: typing and deleting in the middle of a line, replayed in the
//! emulator, against the same frames without them.

use super::*;
use proptest::prelude::{ProptestConfig, any, prop_assert, proptest};

fn no_shift() -> WireOptions {
    WireOptions {
        insert_delete: false,
        ..WireOptions::default()
    }
}

/// Rows of text at given columns and styles.
type Rows<'a> = &'a [(u16, u16, &'a str, Style)];

fn paint(f: &mut ratatui::Frame<'_>, rows: Rows<'_>) {
    let area = f.area();
    let buf = f.buffer_mut();
    for (x, y, text, style) in rows {
        buf.set_stringn(*x, *y, text, usize::from(area.width - x), *style);
    }
    for y in 0..area.height {
        normalize_row(buf, y);
    }
}

/// Draws `before`, then `after`; checks the screen after each and returns the bytes of the
/// second frame, with and without insert/delete character.
fn edit(w: u16, h: u16, before: Rows<'_>, after: Rows<'_>) -> (Vec<u8>, Vec<u8>) {
    let mut result = Vec::new();
    for opts in [WireOptions::default(), no_shift()] {
        let mut term = wire(w, h, opts);
        let mut vt = vt(w, h);
        step(&mut term, &mut vt, &format!("{opts:?} before"), |f| {
            paint(f, before)
        });
        result.push(step(&mut term, &mut vt, &format!("{opts:?} after"), |f| {
            paint(f, after)
        }));
    }
    let without = result.pop().unwrap_or_default();
    let with = result.pop().unwrap_or_default();
    (with, without)
}

fn plain(x: u16, y: u16, text: &str) -> (u16, u16, &str, Style) {
    (x, y, text, Style::new())
}

#[test]
fn vt100_inserts_and_deletes_characters_as_xterm_does() {
    // Otherwise the tests below could pass for the wrong reason.
    let mut vt = vt(8, 2);
    vt.process(b"abcdefgh\x1b[1;3H\x1b[2@");
    assert_eq!(vt.screen().contents(), "ab  cdef");
    assert_eq!(
        vt.screen().cursor_position(),
        (0, 2),
        "ICH leaves the cursor"
    );
    vt.process(b"\x1b[1;2H\x1b[3P");
    assert_eq!(vt.screen().contents(), "acdef");
    assert_eq!(vt.screen().cell(0, 7).map(|c| c.contents()), Some(""));
    // Wide glyphs move as a whole; the one pushed half past the margin is gone.
    vt.process("\x1b[2;1H现场检查".as_bytes());
    vt.process(b"\x1b[2;3H\x1b[2@");
    assert_eq!(vt.screen().rows(0, 8).nth(1).as_deref(), Some("现  场检"));
    vt.process(b"\x1b[2;1H\x1b[@");
    let row: Vec<String> = (0..8)
        .map(|x| {
            vt.screen()
                .cell(1, x)
                .map(|c| c.contents().to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(row[1], "现");
    assert_eq!(row[7], "", "a wide glyph cut at the margin is cleared");
}

#[test]
fn an_ascii_character_typed_mid_line_is_inserted() {
    let (with, without) = edit(
        60,
        3,
        &[plain(2, 1, "The quick brown fox jumps over the dog")],
        &[plain(2, 1, "The quick Xbrown fox jumps over the dog")],
    );
    assert!(
        find(&with, b"\x1b[@X"),
        "{:?}",
        String::from_utf8_lossy(&with)
    );
    assert!(with.len() < without.len(), "{with:?} vs {without:?}");
}

#[test]
fn a_chinese_character_typed_mid_line_is_inserted_as_two_cells() {
    let (with, without) = edit(
        60,
        3,
        &[plain(0, 1, "本次检查为按季常规检查。现场检查发现库存积压")],
        &[plain(
            0,
            1,
            "本次检查为按季常规检查。现场检查发需现库存积压",
        )],
    );
    let want = "\x1b[2@需".as_bytes();
    assert!(find(&with, want), "{:?}", String::from_utf8_lossy(&with));
    // The tail (five characters, 15 bytes) is not sent again.
    assert!(with.len() + 10 <= without.len(), "{with:?} vs {without:?}");
}

#[test]
fn a_wide_character_deleted_mid_line_is_deleted() {
    let (with, without) = edit(
        60,
        3,
        &[plain(0, 1, "现场检查发现库存积压，需重点关注")],
        &[plain(0, 1, "现场检查现库存积压，需重点关注")],
    );
    assert!(
        find(&with, b"\x1b[2P"),
        "{:?}",
        String::from_utf8_lossy(&with)
    );
    assert!(with.len() < 10, "{with:?}");
    assert!(with.len() < without.len());
}

#[test]
fn typing_next_to_a_panel_keeps_the_panel_in_place() {
    // The report editor's shape: section list, text field, facts panel, each on the row; the
    // caret (the terminal's cursor) 7 characters before the text's end.
    let style = Style::new();
    let list = (0, 1, "+五、非财务因素", style.bold());
    let facts = (76, 1, "担保方式     信用", style);
    let border = (75, 1, "│", style);
    let text = "本次检查为按季常规检查。现场检查发现库存积压";
    let typed = "本次检查为按季常规检查。现场检需查发现库存积压";
    let mut bytes = Vec::new();
    for opts in [WireOptions::default(), no_shift()] {
        let mut term = wire(120, 3, opts);
        let mut vt = vt(120, 3);
        let caret = 24 + 2 * 15;
        step(&mut term, &mut vt, "before", |f| {
            paint(f, &[list, plain(24, 1, text), border, facts]);
            f.set_cursor_position((caret, 1));
        });
        bytes.push(step(&mut term, &mut vt, "after", |f| {
            paint(f, &[list, plain(24, 1, typed), border, facts]);
            f.set_cursor_position((caret + 2, 1));
        }));
    }
    let (with, without) = (&bytes[0], &bytes[1]);
    // DCH at the field's end first, then ICH at the caret: nothing right of the field moves.
    assert!(
        find(with, b"\x1b[2P"),
        "{:?}",
        String::from_utf8_lossy(with)
    );
    assert!(find(with, "\x1b[2@需".as_bytes()), "{with:?}");
    assert!(
        !find(with, "担保".as_bytes()),
        "the panel is not sent again"
    );
    // Measured: 21 B against 29 B (the budget is 40 B with 16 B of synchronized output).
    assert!(
        with.len() <= 24,
        "{} B: {:?}",
        with.len(),
        String::from_utf8_lossy(with)
    );
    assert!(with.len() < without.len(), "{with:?} vs {without:?}");
}

#[test]
fn deleting_next_to_a_border_keeps_the_border_in_place() {
    let b = (39, 1, "│", Style::new().blue());
    let (with, _) = edit(
        50,
        3,
        &[
            plain(0, 1, "abcdefghijklmnopqrstuvwxyz"),
            b,
            plain(41, 1, "右栏"),
        ],
        &[
            plain(0, 1, "abcdefghijkmnopqrstuvwxyz"),
            b,
            plain(41, 1, "右栏"),
        ],
    );
    assert!(
        find(&with, b"\x1b[P"),
        "{:?}",
        String::from_utf8_lossy(&with)
    );
    assert!(!find(&with, "│".as_bytes()), "{with:?}");
}

#[test]
fn typing_in_a_row_with_a_coloured_background_rewrites_what_the_terminal_filled() {
    // The pen left by the first frame has a blue background: the blanks an ICH fills in
    // are blue in xterm, so they must be written (the emulator fills them with `#`).
    let bg = Style::new().bg(Color::Blue).fg(Color::White);
    let (with, _) = edit(
        40,
        3,
        &[(0, 1, "select: 现场检查发现库存积压          ", bg)],
        &[(0, 1, "select: 现场检查需发现库存积压        ", bg)],
    );
    assert!(!with.is_empty());
    // And with a background only left of the insertion, the pen at the ICH is the default.
    let (with, without) = edit(
        40,
        3,
        &[(0, 1, "▶ ", bg), plain(2, 1, "abcdefghijklmnop")],
        &[(0, 1, "▶ ", bg), plain(2, 1, "abcdeXfghijklmnop")],
    );
    assert!(with.len() <= without.len());
}

#[test]
fn insertions_at_the_last_columns_and_wide_glyphs_cut_at_the_margin() {
    let w = 20;
    let base = "abcdefghijklmnop现场";
    for at in [0usize, 5, 14, 15, 16, 17] {
        for ins in ["x", "需", "xy"] {
            let cut: String = base.chars().take(at).collect();
            let rest: String = base.chars().skip(at).collect();
            let after = format!("{cut}{ins}{rest}");
            edit(
                w,
                2,
                &[plain(0, 0, base), plain(0, 1, base)],
                &[plain(0, 0, &after), plain(0, 1, base)],
            );
        }
    }
}

#[test]
fn an_edit_never_cuts_a_wide_glyph() {
    let mut b = Buffer::empty(Rect::new(0, 0, 6, 1));
    b.set_string(0, 0, "现场检", Style::new());
    let mut sim = Sim::of(&b, 0);
    assert!(!sim.edit(Edit::Insert { at: 1, n: 1 }, Some(Pen::DEFAULT)));
    assert!(!sim.edit(Edit::Delete { at: 0, n: 1 }, Some(Pen::DEFAULT)));
    assert!(!sim.edit(Edit::Delete { at: 1, n: 2 }, Some(Pen::DEFAULT)));
    // ICH 1 at 0 pushes 检 half past the margin: unknown, as are blanks in a coloured pen.
    let blue = Pen {
        bg: Color::Blue,
        ..Pen::DEFAULT
    };
    assert!(sim.edit(Edit::Insert { at: 0, n: 1 }, Some(blue)));
    assert_eq!(sim.unknown, [true, false, false, false, false, true]);
    assert_eq!(sim.buf.content[1].symbol(), "现");
    let mut sim = Sim::of(&b, 0);
    assert!(sim.edit(Edit::Delete { at: 0, n: 2 }, Some(Pen::DEFAULT)));
    assert_eq!(sim.unknown, [false; 6]);
    assert_eq!(sim.buf.content[0].symbol(), "场");
}

/// Words of a row: column, text, style.
type Words = Vec<(u16, String, Style)>;
/// Rows of words: row, words, the column where the shifted part ends.
type Lines = Vec<(u16, Words, u16)>;

/// A row of random words: ASCII and CJK, some styled, blanks between.
fn random_row(rng: &mut Rng, w: u16) -> Words {
    let words = [
        "检查",
        "现场",
        "abc",
        "库存积压",
        "x",
        "需重点关注",
        "  ",
        "0.31",
    ];
    let styles = [
        Style::new(),
        Style::new(),
        Style::new().bold(),
        Style::new().bg(Color::Blue),
        Style::new().reversed(),
    ];
    let mut out = Vec::new();
    let mut x = rng.below(4) as u16;
    while x < w {
        let word = words[rng.below(words.len() as u64) as usize].to_string();
        let style = styles[rng.below(styles.len() as u64) as usize];
        let width = word
            .chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum::<u16>();
        out.push((x, word, style));
        x += width + rng.below(3) as u16;
    }
    out
}

/// Display width of test words (ASCII narrow, the rest wide).
fn width(s: &str) -> i32 {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// The same row with text inserted or removed at a random place in a random word, the words
/// after it up to `end` shifted; what lies beyond `end` stays in place.
fn edited(rng: &mut Rng, words: &[(u16, String, Style)], end: u16) -> Words {
    let i = rng.below(words.len() as u64) as usize;
    let ins = ["x", "需", "xy", "重点", "", ""][rng.below(6) as usize];
    let del = rng.below(3) as usize;
    let mut delta = 0i32;
    let mut out = Vec::new();
    for (k, (x, word, style)) in words.iter().enumerate() {
        if *x >= end || k < i {
            out.push((*x, word.clone(), *style));
        } else if k == i {
            let cut = rng.below(word.chars().count() as u64 + 1) as usize;
            let head: String = word.chars().take(cut).collect();
            let tail: String = word.chars().skip(cut + del).collect();
            let new = format!("{head}{ins}{tail}");
            delta = width(&new) - width(word);
            out.push((*x, new, *style));
        } else {
            let x = (i32::from(*x) + delta).max(0) as u16;
            out.push((x, word.clone(), *style));
        }
    }
    out
}

/// `bytes` hold an insert (`@`) or delete (`P`) character sequence.
fn has_edit(bytes: &[u8], fin: u8) -> bool {
    bytes.windows(2).enumerate().any(|(i, w)| {
        w == b"\x1b["
            && bytes[i + 2..]
                .iter()
                .find(|b| !b.is_ascii_digit())
                .is_some_and(|b| *b == fin)
    })
}

fn paint_words(f: &mut ratatui::Frame<'_>, rows: &[(u16, Words, u16)]) {
    let area = f.area();
    let buf = f.buffer_mut();
    for (y, words, end) in rows {
        for (x, word, style) in words {
            // A shifted word is clipped at the region's end, as a text field clips its text.
            let limit = if x < end { *end } else { area.width };
            if *x < limit {
                buf.set_stringn(*x, *y, word, usize::from(limit - x), *style);
            }
        }
        normalize_row(buf, *y);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random rows, then random insertions and deletions in them (some with a fixed right
    /// part): the emulator shows each frame, with and without insert/delete character.
    #[test]
    fn random_row_edits_replay_exactly(seed in any::<u64>(), w in 20u16..90) {
        let h = 6;
        for opts in [WireOptions::default(), no_shift(), WireOptions { rep: true, ..WireOptions::default() }] {
            let mut rng = Rng(seed | 1);
            let mut term = wire(w, h, opts);
            let mut vt = vt(w, h);
            let mut rows: Lines = (0..h)
                .map(|y| {
                    let end = if rng.below(2) == 0 { w } else { w / 2 + rng.below(u64::from(w / 2)) as u16 };
                    (y, random_row(&mut rng, w), end)
                })
                .collect();
            for i in 0..12 {
                let what = format!("{opts:?} seed {seed} width {w} edit {i}");
                let bytes = step(&mut term, &mut vt, &what, |f| paint_words(f, &rows));
                if !opts.insert_delete {
                    prop_assert!(!has_edit(&bytes, b'@') && !has_edit(&bytes, b'P'));
                }
                for _ in 0..=rng.below(2) {
                    let r = rng.below(u64::from(h)) as usize;
                    let end = rows[r].2;
                    rows[r].1 = edited(&mut rng, &rows[r].1, end);
                }
            }
        }
    }
}

#[test]
fn random_row_edits_use_insert_and_delete_character() {
    // The property above must exercise ICH and DCH, not only the plain diff.
    let (w, h) = (70u16, 6u16);
    let mut rng = Rng(0x5eed);
    let mut term = wire(w, h, WireOptions::default());
    let mut vt = vt(w, h);
    let mut rows: Lines = (0..h).map(|y| (y, random_row(&mut rng, w), w)).collect();
    let (mut ich, mut dch) = (0, 0);
    for i in 0..60 {
        let bytes = step(&mut term, &mut vt, &format!("edit {i}"), |f| {
            paint_words(f, &rows)
        });
        ich += usize::from(has_edit(&bytes, b'@'));
        dch += usize::from(has_edit(&bytes, b'P'));
        let r = rng.below(u64::from(h)) as usize;
        rows[r].1 = edited(&mut rng, &rows[r].1, w);
    }
    assert!(ich > 5 && dch > 5, "ICH in {ich} frames, DCH in {dch}");
}

#[test]
fn text_pushed_onto_the_next_wrapped_row_costs_no_more_than_without_shifts() {
    // The caret near the end of a wrapped row: the row below shifts too, but the caret is not
    // on it, so no return move is counted there (the bench's first keys at 120x40).
    let facts = |y| (76, y, "担保方式     信用", Style::new());
    let head = "本次检查为按季常规检查。现场检查发需点";
    let frames = [
        [format!("{head}重现库存积"), "压".to_string()],
        [format!("{head}重关现库存"), "积压".to_string()],
    ];
    let mut bytes = Vec::new();
    for opts in [WireOptions::default(), no_shift()] {
        let mut term = wire(120, 4, opts);
        let mut vt = vt(120, 4);
        for (i, [a, b]) in frames.iter().enumerate() {
            let rows = [plain(24, 1, a), facts(1), plain(24, 2, b), facts(2)];
            let sent = step(&mut term, &mut vt, &format!("{opts:?} {i}"), |f| {
                paint(f, &rows);
                f.set_cursor_position((24 + 2 * 20 + 2 * i as u16, 1));
            });
            if i == 1 {
                bytes.push(sent);
            }
        }
    }
    assert!(bytes[0].len() <= bytes[1].len(), "{bytes:?}");
}

//! Keys are data: `config/keymap.toml` compiled in, a user file over it. Each binding maps a
//! key to an action in a section (global, list, detail, form); conflicts are reported at start.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::path::Path;

pub const DEFAULT_KEYMAP: &str = include_str!("../../config/keymap.toml");

/// The sections, in the order they are looked up for a pane (the pane's own first).
pub const SECTIONS: [&str; 6] = ["global", "list", "today", "board", "detail", "form"];

/// A key as written in the keymap (`ctrl-c`, `G`, `pgdn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
    pub alt: bool,
}

/// `KeyCode` subset that can be ordered and written in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
}

impl Key {
    pub fn parse(text: &str) -> Option<Key> {
        let mut rest = text;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCodeOrd::Enter,
            "esc" => KeyCodeOrd::Esc,
            "tab" => KeyCodeOrd::Tab,
            "backtab" => KeyCodeOrd::BackTab,
            "space" => KeyCodeOrd::Char(' '),
            "backspace" => KeyCodeOrd::Backspace,
            "delete" => KeyCodeOrd::Delete,
            "up" => KeyCodeOrd::Up,
            "down" => KeyCodeOrd::Down,
            "left" => KeyCodeOrd::Left,
            "right" => KeyCodeOrd::Right,
            "home" => KeyCodeOrd::Home,
            "end" => KeyCodeOrd::End,
            "pgup" => KeyCodeOrd::PageUp,
            "pgdn" => KeyCodeOrd::PageDown,
            f if f.len() > 1 && f.starts_with('f') => {
                let n: u8 = f[1..].parse().ok().filter(|n| (1..=12).contains(n))?;
                KeyCodeOrd::F(n)
            }
            c if c.chars().count() == 1 => KeyCodeOrd::Char(c.chars().next()?),
            _ => return None,
        };
        Some(Key { code, ctrl, alt })
    }

    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let code = match ev.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Delete => KeyCodeOrd::Delete,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            _ => return None,
        };
        Some(Key {
            code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// How the key is written in the help overlay.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCodeOrd::Char(' ') => "Space".to_string(),
            KeyCodeOrd::Char(c) => crate::domain::text::display(&c.to_string()),
            KeyCodeOrd::F(n) => format!("F{n}"),
            KeyCodeOrd::Enter => "Enter".into(),
            KeyCodeOrd::Esc => "Esc".into(),
            KeyCodeOrd::Tab => "Tab".into(),
            KeyCodeOrd::BackTab => "S-Tab".into(),
            KeyCodeOrd::Backspace => "Bksp".into(),
            KeyCodeOrd::Delete => "Del".into(),
            KeyCodeOrd::Up => "↑".into(),
            KeyCodeOrd::Down => "↓".into(),
            KeyCodeOrd::Left => "←".into(),
            KeyCodeOrd::Right => "→".into(),
            KeyCodeOrd::Home => "Home".into(),
            KeyCodeOrd::End => "End".into(),
            KeyCodeOrd::PageUp => "PgUp".into(),
            KeyCodeOrd::PageDown => "PgDn".into(),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("C-{base}"),
            (_, true) => format!("M-{base}"),
            _ => base,
        }
    }
}

/// Action names a section may bind; anything else in a file is reported.
pub fn known_actions(section: &str) -> &'static [&'static str] {
    match section {
        "global" => &[
            "quit",
            "help",
            "back",
            "next_pane",
            "prev_pane",
            "pane_today",
            "pane_ledger",
            "pane_warnings",
            "pane_inspections",
            "pane_classification",
            "pane_disposal",
            "pane_archive",
            "pane_summary",
        ],
        "list" => &[
            "down",
            "up",
            "page_down",
            "page_up",
            "top",
            "bottom",
            "open",
            "filter",
            "clear_filter",
            "sort_next",
            "sort_prev",
            "sort_reverse",
        ],
        "detail" => &[
            "next_tab",
            "prev_tab",
            "down",
            "up",
            "new_contact",
            "new_statement",
            "new_repayment",
            "set_covenant",
            "new_warning",
            "open_warning",
        ],
        "today" => &["my_warnings"],
        "board" => &[
            "open_warning",
            "filter_level",
            "filter_status",
            "filter_mine",
            "filter_indicator",
            "acknowledge",
            "start_disposal",
            "resolve",
            "dismiss",
            "write_cause",
            "issue_notice",
            "raise_manual",
            "open_loan",
        ],
        "form" => &["next_field", "prev_field", "save", "cancel"],
        _ => &[],
    }
}

/// Bindings per section: key → action, plus the ordered list for help.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    sections: BTreeMap<String, BTreeMap<Key, String>>,
    /// (section, action, keys) in file order, for the help overlay.
    pub listing: Vec<(String, String, Vec<Key>)>,
}

type Layer = Vec<(String, Vec<(String, Vec<String>)>)>;

fn parse_layer(file: &str, text: &str, problems: &mut Vec<String>) -> Layer {
    let table: toml::Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            problems.push(format!(
                "{file}: {}",
                e.to_string().trim().replace('\n', " ")
            ));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (section, value) in table {
        let Some(actions) = value.as_table() else {
            problems.push(format!("{file}: [{section}] is not a table"));
            continue;
        };
        if !SECTIONS.contains(&section.as_str()) {
            problems.push(format!("{file}: unknown section [{section}]"));
            continue;
        }
        let mut list = Vec::new();
        for (action, keys) in actions {
            if !known_actions(&section).contains(&action.as_str()) {
                problems.push(format!("{file}: [{section}] unknown action '{action}'"));
                continue;
            }
            let keys: Vec<String> = match keys {
                toml::Value::String(s) => vec![s.clone()],
                toml::Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect(),
                _ => {
                    problems.push(format!(
                        "{file}: [{section}] {action}: expected a list of keys"
                    ));
                    continue;
                }
            };
            list.push((action.clone(), keys));
        }
        out.push((section, list));
    }
    out
}

impl Keymap {
    /// The built-in keymap with `user` (file name, text) over it; returns the problems found
    /// (unknown keys or actions, two actions on one key), each naming the file and the key.
    pub fn load(user: Option<(&str, &str)>) -> (Keymap, Vec<String>) {
        let mut problems = Vec::new();
        let mut layer = parse_layer("keymap.toml (built-in)", DEFAULT_KEYMAP, &mut problems);
        if let Some((file, text)) = user {
            for (section, actions) in parse_layer(file, text, &mut problems) {
                let idx = match layer.iter().position(|(s, _)| *s == section) {
                    Some(i) => i,
                    None => {
                        layer.push((section.clone(), Vec::new()));
                        layer.len() - 1
                    }
                };
                for (action, keys) in actions {
                    let list = &mut layer[idx].1;
                    match list.iter_mut().find(|(a, _)| *a == action) {
                        Some(slot) => slot.1 = keys,
                        None => list.push((action, keys)),
                    }
                }
            }
        }
        let file = user.map(|(f, _)| f).unwrap_or("keymap.toml (built-in)");
        let mut map = Keymap::default();
        for (section, actions) in layer {
            let bindings = map.sections.entry(section.clone()).or_default();
            for (action, keys) in actions {
                let mut parsed = Vec::new();
                for k in keys {
                    match Key::parse(&k) {
                        Some(key) => {
                            if let Some(other) = bindings.get(&key)
                                && *other != action
                            {
                                problems.push(format!(
                                    "{file}: [{section}] key '{k}' is bound to both '{other}' and '{action}'"
                                ));
                                continue;
                            }
                            bindings.insert(key, action.clone());
                            parsed.push(key);
                        }
                        None => problems
                            .push(format!("{file}: [{section}] {action}: unknown key '{k}'")),
                    }
                }
                map.listing.push((section.clone(), action, parsed));
            }
        }
        // A pane section shadowing a global key would make the global action unreachable.
        if let Some(global) = map.sections.get("global") {
            for section in ["list", "today", "board", "detail"] {
                if let Some(b) = map.sections.get(section) {
                    for (key, action) in b {
                        if let Some(g) = global.get(key) {
                            problems.push(format!(
                                "{file}: key '{}' is bound to [global] '{g}' and [{section}] '{action}'",
                                key.label()
                            ));
                        }
                    }
                }
            }
        }
        // The board and Today also take the list's keys: a key in both would hide one.
        if let Some(list) = map.sections.get("list") {
            for section in ["today", "board"] {
                if let Some(b) = map.sections.get(section) {
                    for (key, action) in b {
                        if let Some(l) = list.get(key)
                            && !(section == "board" && action == "open_warning" && l == "open")
                        {
                            problems.push(format!(
                                "{file}: key '{}' is bound to [list] '{l}' and [{section}] '{action}'",
                                key.label()
                            ));
                        }
                    }
                }
            }
        }
        (map, problems)
    }

    /// Loads the user file at `path` if it exists.
    pub fn load_with_user_file(path: &Path) -> (Keymap, Vec<String>) {
        match std::fs::read_to_string(path) {
            Ok(text) => Keymap::load(Some((&path.display().to_string(), &text))),
            Err(_) => Keymap::load(None),
        }
    }

    /// The action bound to `key` in `section`.
    pub fn action(&self, section: &str, key: &Key) -> Option<&str> {
        self.sections.get(section)?.get(key).map(|s| s.as_str())
    }

    /// The first key bound to `action` in `section`, for hints.
    pub fn first_key(&self, section: &str, action: &str) -> Option<String> {
        self.listing
            .iter()
            .find(|(s, a, _)| s == section && a == action)
            .and_then(|(_, _, keys)| keys.first().map(|k| k.label()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_keymap_has_no_conflicts() {
        let (map, problems) = Keymap::load(None);
        assert!(problems.is_empty(), "{problems:?}");
        let j = Key::parse("j").unwrap();
        assert_eq!(map.action("list", &j), Some("down"));
        assert_eq!(
            map.action("global", &Key::parse("ctrl-c").unwrap()),
            Some("quit")
        );
    }

    #[test]
    fn user_file_replaces_an_action_and_reports_conflicts() {
        let user = "[list]\ndown = [\"n\"]\nup = [\"n\"]\n";
        let (map, problems) = Keymap::load(Some(("my.toml", user)));
        assert_eq!(map.action("list", &Key::parse("n").unwrap()), Some("down"));
        assert_eq!(map.action("list", &Key::parse("j").unwrap()), None);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("my.toml") && p.contains("'n'") && p.contains("up")),
            "{problems:?}"
        );
    }

    #[test]
    fn unknown_keys_and_actions_are_reported() {
        let user = "[list]\ndown = [\"hyper-x\"]\nfly = [\"f\"]\n[list2]\n";
        let (_, problems) = Keymap::load(Some(("u.toml", user)));
        assert_eq!(problems.len(), 3, "{problems:?}");
    }

    #[test]
    fn global_shadowing_is_reported() {
        let user = "[list]\ndown = [\"q\"]\n";
        let (_, problems) = Keymap::load(Some(("u.toml", user)));
        assert!(problems.iter().any(|p| p.contains("'q'")), "{problems:?}");
    }
}

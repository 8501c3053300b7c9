//! The translation table: every string a user sees goes through `Lang::t` (zh-CN, en).
//! Tables live in `i18n/*.toml`, compiled in; a test keeps both languages' keys in step.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

static ZH_CN: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| load(include_str!("../i18n/zh-CN.toml")));
static EN: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| load(include_str!("../i18n/en.toml")));

fn load(text: &str) -> HashMap<String, String> {
    // The tables are compiled in and checked by tests; a broken one is a build defect.
    let table: toml::Table = toml::from_str(text).unwrap_or_default();
    let mut out = HashMap::new();
    flatten("", &table, &mut out);
    out
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out),
            _ => {}
        }
    }
}

impl Lang {
    /// `zh-CN`, `zh_CN.UTF-8`, `zh` → Chinese; `en`, `en_US.UTF-8`, `C` → English.
    pub fn parse(text: &str) -> Option<Lang> {
        let t = text.trim().to_ascii_lowercase();
        if t.starts_with("zh") {
            Some(Lang::ZhCn)
        } else if t.starts_with("en") || t == "c" || t == "posix" || t.starts_with("c.") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// From `LC_ALL`, `LC_MESSAGES` or `LANG`; Chinese when nothing says otherwise.
    pub fn from_env() -> Lang {
        Lang::named_by_env().unwrap_or_default()
    }

    /// The language the locale variables name, if any does (`None`: none is set, or the first
    /// one set names neither language).
    pub fn named_by_env() -> Option<Lang> {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|k| std::env::var(k).ok())
            .find(|v| !v.is_empty())
            .and_then(|v| Lang::parse(&v))
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    fn table(self) -> &'static HashMap<String, String> {
        match self {
            Lang::ZhCn => &ZH_CN,
            Lang::En => &EN,
        }
    }

    /// The text for `key`; the key itself if missing (tests make sure none is). A plural
    /// text (see [`Lang::tn`]) gives its general form.
    pub fn t<'k>(self, key: &'k str) -> &'k str
    where
        'static: 'k,
    {
        self.plural(key, None)
    }

    /// The text for `key` with `{name}` placeholders filled in. A plural text takes the form
    /// for its count: the argument its `count` entry names, `n` unless it says otherwise.
    pub fn tf(self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let count = if self.table().contains_key(&format!("{key}.one")) {
            let by = self
                .table()
                .get(&format!("{key}.count"))
                .map(|s| s.as_str())
                .unwrap_or("n");
            args.iter()
                .find(|(name, _)| *name == by)
                .and_then(|(_, v)| v.to_string().replace(',', "").trim().parse::<i64>().ok())
        } else {
            None
        };
        fill(self.plural(key, count), args)
    }

    /// The text for `key` in the grammatical number of the count `n`, with `{n}` and the
    /// `{name}` placeholders filled in. English keeps two forms under the key, `key.one`
    /// (exactly one) and `key.other` (and in `key.count` the placeholder that counts, when
    /// it is not `{n}`); Chinese has no plural and keeps one text, `key`.
    pub fn tn(self, key: &str, n: i64, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        fill(self.plural(key, Some(n)), args).replace("{n}", &n.to_string())
    }

    /// The form of `key` for the count `n` (the general form without one); the key itself
    /// if missing.
    fn plural<'k>(self, key: &'k str, n: Option<i64>) -> &'k str
    where
        'static: 'k,
    {
        let table = self.table();
        if let Some(text) = table.get(key) {
            return text.as_str();
        }
        let form = match (self, n) {
            (Lang::En, Some(n)) if n.unsigned_abs() == 1 => "one",
            _ => "other",
        };
        table
            .get(&format!("{key}.{form}"))
            .or_else(|| table.get(&format!("{key}.other")))
            .map(|s| s.as_str())
            .unwrap_or(key)
    }

    /// The codes named in `group` (the keys of its table), sorted.
    pub fn codes(self, group: &str) -> Vec<String> {
        let prefix = format!("{group}.");
        let mut codes: Vec<String> = self
            .table()
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix).map(str::to_string))
            .collect();
        codes.sort();
        codes
    }

    /// A code's name in this language (e.g. `class.special_mention` → 关注 / Special mention).
    pub fn code_name(self, group: &str, code: &str) -> String {
        let key = format!("{group}.{code}");
        let text = self.t(&key);
        if text == key {
            code.to_string()
        } else {
            text.to_string()
        }
    }
}

/// `text` with its `{name}` placeholders filled in.
fn fill(text: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut s = text.to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), &value.to_string());
    }
    s
}

/// A failure of the operating system or of SQLite as a user can act on it: the kind, said
/// in the user's language by [`Failure::text`]. The library's own (English) text goes to the
/// log only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    NotFound,
    PermissionDenied,
    IsADirectory,
    NotADirectory,
    ReadOnly,
    StorageFull,
    AlreadyExists,
    NotUtf8,
    CannotOpen,
    NotADatabase,
    Corrupt,
    Busy,
    /// Another OS error: its number, when there is one.
    Os(Option<i32>),
}

impl Failure {
    /// The kind of an I/O error (the raw text is logged).
    pub fn of_io(e: &std::io::Error) -> Failure {
        use std::io::ErrorKind as K;
        tracing::warn!("io error: {e}");
        match e.kind() {
            K::NotFound => Failure::NotFound,
            K::PermissionDenied => Failure::PermissionDenied,
            K::IsADirectory => Failure::IsADirectory,
            K::NotADirectory => Failure::NotADirectory,
            K::ReadOnlyFilesystem => Failure::ReadOnly,
            K::StorageFull | K::QuotaExceeded => Failure::StorageFull,
            K::AlreadyExists => Failure::AlreadyExists,
            K::InvalidData => Failure::NotUtf8,
            _ => Failure::Os(e.raw_os_error()),
        }
    }

    /// The kind of a SQLite error (the raw text is logged); an I/O error inside counts as such.
    pub fn of_sqlite(e: &rusqlite::Error) -> Failure {
        use rusqlite::ErrorCode as C;
        tracing::warn!("sqlite error: {e}");
        match e.sqlite_error_code() {
            Some(C::CannotOpen) => Failure::CannotOpen,
            Some(C::NotADatabase) => Failure::NotADatabase,
            Some(C::DiskFull) => Failure::StorageFull,
            Some(C::ReadOnly) => Failure::ReadOnly,
            Some(C::PermissionDenied | C::AuthorizationForStatementDenied) => {
                Failure::PermissionDenied
            }
            Some(C::DatabaseCorrupt) => Failure::Corrupt,
            Some(C::DatabaseBusy | C::DatabaseLocked) => Failure::Busy,
            _ => Failure::Os(None),
        }
    }

    /// The translation key of the kind.
    pub fn key(self) -> &'static str {
        match self {
            Failure::NotFound => "os_err.not_found",
            Failure::PermissionDenied => "os_err.permission_denied",
            Failure::IsADirectory => "os_err.is_a_directory",
            Failure::NotADirectory => "os_err.not_a_directory",
            Failure::ReadOnly => "os_err.read_only",
            Failure::StorageFull => "os_err.storage_full",
            Failure::AlreadyExists => "os_err.already_exists",
            Failure::NotUtf8 => "os_err.not_utf8",
            Failure::CannotOpen => "os_err.cannot_open",
            Failure::NotADatabase => "os_err.not_a_database",
            Failure::Corrupt => "os_err.corrupt",
            Failure::Busy => "os_err.busy",
            Failure::Os(_) => "os_err.other",
        }
    }

    /// The kind in `lang`.
    pub fn text(self, lang: Lang) -> String {
        match self {
            Failure::Os(Some(code)) => lang.tf("os_err.os_code", &[("code", &code)]),
            _ => lang.t(self.key()).to_string(),
        }
    }
}

/// An I/O error as a reason in `lang` (the one way such errors reach users).
pub fn io_reason(e: &std::io::Error, lang: Lang) -> String {
    Failure::of_io(e).text(lang)
}

/// A SQLite error as a reason in `lang` (the one way such errors reach users).
pub fn sqlite_reason(e: &rusqlite::Error, lang: Lang) -> String {
    Failure::of_sqlite(e).text(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every action code the code writes to the audit trail (the first dotted string literal
    /// of an `audit(` call) has a name in both languages, so the audit screen never shows a
    /// bare code.
    #[test]
    fn every_audit_action_written_has_a_name_in_both_languages() {
        fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    sources(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let mut codes = std::collections::BTreeSet::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            for (at, _) in text.match_indices(".audit(") {
                let call: String = text[at..].chars().take(240).collect();
                let call = call.split(");").next().unwrap_or("");
                let literal = call.split('"').skip(1).step_by(2).find(|l| {
                    l.contains('.')
                        && !l.contains(' ')
                        && l.chars()
                            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                });
                if let Some(code) = literal {
                    codes.insert(code.to_string());
                }
            }
        }
        assert!(
            codes.len() > 40,
            "the scan found the audit calls: {codes:?}"
        );
        let mut missing = Vec::new();
        for lang in [Lang::ZhCn, Lang::En] {
            for code in &codes {
                if lang.code_name("audit_action", code) == *code {
                    missing.push(format!("{lang:?} {code}"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "audit actions without a name: {missing:?}"
        );
    }

    /// Chinese prose takes full-width punctuation (，：；（）？！): an ASCII comma, colon,
    /// semicolon, parenthesis, `?` or `!` directly beside a Chinese character is a mix. ASCII
    /// stays inside placeholders (`{…}`), command examples in backticks, and the one argument
    /// syntax typed as given, `inspection:编号`/`warning:编号` (the `--basis` form `KIND:NUMBER`).
    #[test]
    fn chinese_prose_has_no_ascii_punctuation_beside_a_chinese_character() {
        fn strings<'a>(prefix: &str, v: &'a toml::Value, out: &mut Vec<(String, &'a str)>) {
            match v {
                toml::Value::String(s) => out.push((prefix.to_string(), s)),
                toml::Value::Table(t) => {
                    for (k, v) in t {
                        strings(&format!("{prefix}.{k}"), v, out);
                    }
                }
                toml::Value::Array(a) => {
                    for v in a {
                        strings(prefix, v, out);
                    }
                }
                _ => {}
            }
        }
        fn han(c: char) -> bool {
            matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
        }
        /// The argument syntax typed as given (allowed: the code before its colon).
        const TYPED: [&str; 2] = ["inspection:", "warning:"];
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("i18n/zh-CN.toml");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let table: toml::Value = toml::from_str(&text).unwrap_or(toml::Value::Integer(0));
        let mut all = Vec::new();
        strings("", &table, &mut all);
        assert!(all.len() > 1000, "the scan read the table: {}", all.len());
        let mut mixed = Vec::new();
        for (key, s) in &all {
            let chars: Vec<char> = s.chars().collect();
            let (mut brace, mut tick) = (0u32, false);
            for (i, &c) in chars.iter().enumerate() {
                match c {
                    '{' => brace += 1,
                    '}' => brace = brace.saturating_sub(1),
                    '`' => tick = !tick,
                    _ => {}
                }
                if brace > 0 || tick || !",:;()?!".contains(c) {
                    continue;
                }
                let before = i.checked_sub(1).map(|j| chars[j]);
                let after = chars.get(i + 1).copied();
                if !before.is_some_and(han) && !after.is_some_and(han) {
                    continue;
                }
                let head: String = chars[..=i].iter().collect();
                if c == ':' && TYPED.iter().any(|t| head.ends_with(t)) {
                    continue;
                }
                let from = i.saturating_sub(8);
                let around: String = chars[from..(i + 8).min(chars.len())].iter().collect();
                mixed.push(format!("{key}: '{c}' in «{around}»"));
            }
        }
        assert!(
            mixed.is_empty(),
            "ASCII punctuation in Chinese prose: {mixed:#?}"
        );
    }

    #[test]
    fn os_and_sqlite_failures_are_said_by_kind_in_both_languages() {
        use std::io::{Error, ErrorKind};
        let denied = Error::from_raw_os_error(13);
        let full = Error::new(ErrorKind::StorageFull, "No space left on device");
        let not_db = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB),
            Some("file is not a database".into()),
        );
        let cant = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some("unable to open database file: /tmp/qa9".into()),
        );
        for (lang, denied_said, full_said, not_db_said, cant_said) in [
            (
                Lang::ZhCn,
                "没有权限",
                "磁盘已满",
                "该文件不是账簿",
                "无法打开该文件",
            ),
            (
                Lang::En,
                "permission denied",
                "the disk is full",
                "not a book",
                "cannot be opened",
            ),
        ] {
            let texts = [
                io_reason(&denied, lang),
                io_reason(&full, lang),
                sqlite_reason(&not_db, lang),
                sqlite_reason(&cant, lang),
            ];
            for (text, said) in texts
                .iter()
                .zip([denied_said, full_said, not_db_said, cant_said])
            {
                assert!(text.contains(said), "{lang:?}: {text}");
                for raw in [
                    "os error",
                    "Permission denied",
                    "No space",
                    "file is not a database",
                    "unable to open",
                    "/tmp/qa9",
                ] {
                    assert!(!text.contains(raw), "{lang:?}: raw text {raw:?} in {text}");
                }
            }
        }
        let other = Error::from_raw_os_error(5);
        assert!(io_reason(&other, Lang::ZhCn).contains("错误码 5"));
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let zh: std::collections::BTreeSet<_> = ZH_CN.keys().collect();
        // A count-bearing English text keeps its two forms under the key (`key.one`,
        // `key.other`) where Chinese keeps one text.
        let en: std::collections::BTreeSet<_> = EN.keys().map(plural_base).collect();
        // `--help` texts of commands and arguments: English is the doc comments in src/cli
        // (cli::help_text's test keeps these in step with the command tree).
        let only_zh: Vec<_> = zh
            .difference(&en)
            .filter(|k| !k.starts_with("help_cmd.") && !k.starts_with("help_arg."))
            .collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(only_zh.is_empty(), "only in zh-CN: {only_zh:?}");
        assert!(only_en.is_empty(), "only in en: {only_en:?}");
        assert!(zh.len() > 50);
    }

    /// `key` for `key.one` / `key.other` when `key` is a plural text of English.
    fn plural_base(key: &String) -> &String {
        for form in [".one", ".other", ".count"] {
            if let Some(base) = key.strip_suffix(form)
                && EN.contains_key(&format!("{base}.one"))
                && let Some((k, _)) = ZH_CN.get_key_value(base)
            {
                return k;
            }
        }
        key
    }

    #[test]
    fn english_counts_take_one_and_other_forms_and_chinese_one_text() {
        assert_eq!(Lang::En.tn("status.loans", 1, &[]), "1 loan");
        assert_eq!(Lang::En.tn("status.loans", 2, &[]), "2 loans");
        assert_eq!(Lang::En.tn("status.loans", 0, &[]), "0 loans");
        assert_eq!(Lang::ZhCn.tn("status.loans", 1, &[]), "1 笔贷款");
        assert_eq!(Lang::ZhCn.tn("status.loans", 2, &[]), "2 笔贷款");
        assert_eq!(
            Lang::En.tf("outcomes_cli.days_left", &[("days", &1)]),
            "1 day left"
        );
        assert_eq!(
            Lang::En.tf("outcomes_cli.days_over", &[("days", &1)]),
            "ran out 1 day ago"
        );
        assert_eq!(
            Lang::En.tf("outcomes_cli.days_over", &[("days", &2)]),
            "ran out 2 days ago"
        );
        assert_eq!(
            Lang::ZhCn.tf("outcomes_cli.days_over", &[("days", &1)]),
            Lang::ZhCn
                .t("outcomes_cli.days_over")
                .replace("{days}", "1")
        );
        assert_eq!(
            Lang::En.tf("verify.chain_ok", &[("n", &1), ("hash", &"ab")]),
            "Audit chain intact: 1 entry; head ab."
        );
        assert_eq!(
            Lang::En.tf("verify.chain_ok", &[("n", &"1,000"), ("hash", &"ab")]),
            "Audit chain intact: 1,000 entries; head ab."
        );
        assert_eq!(Lang::En.t("status.loans"), "{n} loans");
        assert_eq!(
            Lang::En.tn("today_disposal.emergency", 1, &[]),
            "1 case needs an emergency plan"
        );
        assert_eq!(
            Lang::En.tn("today_disposal.emergency", 3, &[]),
            "3 cases need an emergency plan"
        );
        // Every plural English text has both forms, and each form says its count.
        for (k, text) in EN.iter() {
            if let Some(base) = k.strip_suffix(".one") {
                let other = EN.get(&format!("{base}.other"));
                assert!(other.is_some(), "{base}.one without {base}.other");
                assert!(
                    ZH_CN.contains_key(base),
                    "{base} has English forms but no Chinese text"
                );
                let places = |t: &str| -> std::collections::BTreeSet<String> {
                    t.split('{')
                        .skip(1)
                        .filter_map(|p| p.split_once('}').map(|(name, _)| name.to_string()))
                        .collect()
                };
                assert_eq!(
                    places(text),
                    places(other.map(|s| s.as_str()).unwrap_or("")),
                    "{base}: the forms fill different places"
                );
                let by = EN
                    .get(&format!("{base}.count"))
                    .map(|s| s.as_str())
                    .unwrap_or("n");
                assert!(places(text).contains(by), "{base}: no {{{by}}} to count by");
                let zh = ZH_CN.get(base).map(|s| s.as_str()).unwrap_or("");
                assert!(
                    places(zh).contains(by),
                    "{base}: the Chinese text lacks {{{by}}}"
                );
            }
        }
    }

    /// English texts that put a number before a noun say it in the plural only through
    /// `.one`/`.other` forms: no "(s)" left.
    #[test]
    fn no_english_text_hedges_its_plural() {
        let hedged: Vec<_> = EN
            .iter()
            .filter(|(_, v)| {
                // A word in "(s)" within three words after a placeholder (`{n} loan(s)`).
                let words: Vec<&str> = v.split_whitespace().collect();
                words.iter().enumerate().any(|(i, w)| {
                    (w.contains("(s)") || w.contains("(es)"))
                        && words[i.saturating_sub(3)..i]
                            .iter()
                            .any(|p| p.ends_with('}'))
                })
            })
            .map(|(k, _)| k.clone())
            .collect();
        assert!(hedged.is_empty(), "texts with (s): {hedged:?}");
    }

    const KEY_GROUPS: [&str; 19] = [
        "err", "eval", "warning", "notice", "amount", "app", "pane", "status", "list", "col",
        "detail", "ratio", "stmt", "form", "help", "action", "cli", "class", "cli_help",
    ];

    #[test]
    fn every_key_used_in_the_code_exists() {
        let mut missing = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // Every string literal that looks like a key of ours must be in the table.
                for (i, _) in text.match_indices('"') {
                    let rest = &text[i + 1..];
                    let Some(end) = rest.find('"') else { continue };
                    let lit = &rest[..end];
                    let Some((group, name)) = lit.split_once('.') else {
                        continue;
                    };
                    if KEY_GROUPS.contains(&group)
                        && !name.is_empty()
                        && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        && !EN.contains_key(lit)
                        && !EN.contains_key(&format!("{lit}.other"))
                    {
                        missing.push(format!("{}: {lit}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the tables: {missing:#?}"
        );
    }

    #[test]
    fn lang_from_locale_names() {
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("en_US.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("C.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("fr_FR"), None);
        assert_eq!(Lang::En.tf("status.loans", &[("n", &5)]), "5 loans");
    }
}

//! Drafts of half-typed forms, kept in a file in the state directory rather than in the book,
//! so a busy or read-only book cannot lose them: each save rewrites a temporary file, fsyncs it
//! and renames it over the old one, under an advisory lock shared by the user's sessions.

use super::forms::{FormKey, FormKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file's format version: 2 keeps each draft's values by field name; 1 (read and carried
/// over) kept a list of values by place.
const VERSION: u32 = 2;

/// A draft's values by field name.
pub type Values = BTreeMap<String, String>;

/// Why the drafts file could not be read or written (the TUI translates these).
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error("drafts file {file}: cannot read: {reason}")]
    Read { file: String, reason: String },
    #[error("drafts file {file}, line {line}, column {column}: {reason}")]
    Parse {
        file: String,
        line: usize,
        column: usize,
        reason: String,
    },
    #[error("drafts file {file}: cannot write: {reason}")]
    Write { file: String, reason: String },
    /// Written by a newer version of the workbench: read nothing from it, write nothing over it.
    #[error("drafts file {file}: version {version} is newer than this program's")]
    Newer { file: String, version: u64 },
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
struct DraftFile {
    version: u32,
    #[serde(default)]
    drafts: Vec<Entry>,
    /// (book, user) pairs whose drafts kept in the book were carried over already.
    #[serde(default)]
    carried: Vec<(String, String)>,
}

/// One draft: whose, of which form about what, and its values by field name.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Entry {
    book: String,
    user: String,
    /// The form kind's code (`FormKind::code`).
    form: String,
    /// The subject's code: a contract, a borrower or a warning id.
    subject: String,
    fields: Values,
    saved_at: String,
}

impl Entry {
    fn is(&self, book: &str, user: &str, key: &FormKey) -> bool {
        self.book == book
            && self.user == user
            && self.form == key.kind.code()
            && self.subject == key.subject.code()
    }
}

/// Version 1 of the file: values by place, under keys like `contact:PL00000001`.
#[derive(Debug, Clone, Deserialize)]
struct DraftFileV1 {
    #[serde(default)]
    drafts: Vec<EntryV1>,
    #[serde(default)]
    carried: Vec<(String, String)>,
}

#[derive(Debug, Clone, Deserialize)]
struct EntryV1 {
    book: String,
    user: String,
    form: String,
    values: Vec<String>,
    saved_at: String,
}

/// A draft kept by place under a key `kind:subject` (drafts file v1, drafts kept in the book),
/// its values named by the fields the form had then. None: a form this version does not have.
fn from_positional(key: &str, values: &[String]) -> Option<(String, String, Values)> {
    let (kind, subject) = key.split_once(':')?;
    let kind = FormKind::parse(kind)?;
    let fields = kind
        .v1_fields()
        .iter()
        .zip(values)
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect();
    Some((kind.code().to_string(), subject.to_string(), fields))
}

/// Where drafts go: a file (the workbench), or memory (tests and benchmarks).
#[derive(Debug)]
pub struct Drafts {
    file: Option<PathBuf>,
    /// The book the drafts belong to (its canonical path), so two books do not share them.
    book: String,
    memory: DraftFile,
}

impl Drafts {
    /// Drafts kept in memory only.
    pub fn in_memory(book: &Path) -> Drafts {
        Drafts {
            file: None,
            book: book_key(book),
            memory: DraftFile::default(),
        }
    }

    /// Drafts kept in `file` for the book at `book`.
    pub fn in_file(file: PathBuf, book: &Path) -> Drafts {
        Drafts {
            file: Some(file),
            book: book_key(book),
            memory: DraftFile::default(),
        }
    }

    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The values saved for `user`'s form `key`, by field name, if any.
    pub fn load(&self, user: &str, key: &FormKey) -> Result<Option<Values>, DraftError> {
        let all = self.read()?;
        Ok(all
            .drafts
            .into_iter()
            .find(|e| e.is(&self.book, user, key))
            .map(|e| e.fields))
    }

    /// Saves (replaces) the values of `user`'s form `key`.
    pub fn save(&mut self, user: &str, key: &FormKey, values: &Values) -> Result<(), DraftError> {
        let book = self.book.clone();
        self.update(|all| {
            all.drafts.retain(|e| !e.is(&book, user, key));
            all.drafts.push(Entry {
                book: book.clone(),
                user: user.to_string(),
                form: key.kind.code().to_string(),
                subject: key.subject.code(),
                fields: values.clone(),
                saved_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            });
        })
    }

    /// Forgets the draft of `user`'s form `key` (after the form was saved).
    pub fn discard(&mut self, user: &str, key: &FormKey) -> Result<(), DraftError> {
        let book = self.book.clone();
        self.update(|all| all.drafts.retain(|e| !e.is(&book, user, key)))
    }

    /// The subjects of `user`'s drafts of form `kind` in this book, oldest save first.
    pub fn subjects(&self, user: &str, kind: FormKind) -> Result<Vec<String>, DraftError> {
        let all = self.read()?;
        Ok(all
            .drafts
            .into_iter()
            .filter(|e| e.book == self.book && e.user == user && e.form == kind.code())
            .map(|e| e.subject)
            .collect())
    }

    /// Whether `user`'s drafts kept in this book (before drafts moved here) were carried over.
    pub fn carried(&self, user: &str) -> Result<bool, DraftError> {
        let all = self.read()?;
        Ok(all
            .carried
            .iter()
            .any(|(b, u)| *b == self.book && u == user))
    }

    /// Takes over drafts that were kept in the book, once: a form that already has a draft
    /// here keeps it. `book_drafts` are `(form key, body)` with the body a JSON list of values
    /// by place, named here by the fields the forms had then.
    pub fn carry_over(
        &mut self,
        user: &str,
        book_drafts: &[(String, String)],
    ) -> Result<usize, DraftError> {
        let book = self.book.clone();
        let mut n = 0;
        self.update(|all| {
            if all.carried.iter().any(|(b, u)| *b == book && u == user) {
                return;
            }
            for (key, body) in book_drafts {
                let Ok(values) = serde_json::from_str::<Vec<String>>(body) else {
                    continue;
                };
                let Some((form, subject, fields)) = from_positional(key, &values) else {
                    continue;
                };
                if all.drafts.iter().any(|e| {
                    e.book == book && e.user == user && e.form == form && e.subject == subject
                }) {
                    continue;
                }
                all.drafts.push(Entry {
                    book: book.clone(),
                    user: user.to_string(),
                    form,
                    subject,
                    fields,
                    saved_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                });
                n += 1;
            }
            all.carried.push((book.clone(), user.to_string()));
        })?;
        Ok(n)
    }

    fn read(&self) -> Result<DraftFile, DraftError> {
        match &self.file {
            None => Ok(self.memory.clone()),
            Some(file) => read_file(file),
        }
    }

    /// Read, change, write back, under the lock (another session of the same user may save
    /// its own drafts at the same moment).
    fn update(&mut self, change: impl FnOnce(&mut DraftFile)) -> Result<(), DraftError> {
        let Some(file) = self.file.clone() else {
            change(&mut self.memory);
            return Ok(());
        };
        let write_err = |e: std::io::Error| DraftError::Write {
            file: file.display().to_string(),
            reason: e.to_string(),
        };
        let dir = file
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        std::fs::create_dir_all(&dir).map_err(write_err)?;
        let _lock = Lock::take(&file.with_extension("lock")).map_err(write_err)?;
        let mut all = read_file(&file)?;
        change(&mut all);
        all.version = VERSION;
        let text = serde_json::to_string_pretty(&all).map_err(|e| DraftError::Write {
            file: file.display().to_string(),
            reason: e.to_string(),
        })?;
        let tmp = file.with_extension(format!("tmp.{}", std::process::id()));
        let written = (|| {
            use std::os::unix::fs::OpenOptionsExt;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, &file)?;
            // The rename itself is made durable by syncing the directory.
            std::fs::File::open(&dir)?.sync_all()
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(write_err(e));
        }
        Ok(())
    }
}

/// The book's identity in the drafts file: its canonical path.
fn book_key(book: &Path) -> String {
    std::fs::canonicalize(book)
        .unwrap_or_else(|_| book.to_path_buf())
        .display()
        .to_string()
}

fn read_file(file: &Path) -> Result<DraftFile, DraftError> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DraftFile::default()),
        Err(e) => {
            return Err(DraftError::Read {
                file: file.display().to_string(),
                reason: e.to_string(),
            });
        }
    };
    let parse_err = |e: serde_json::Error| DraftError::Parse {
        file: file.display().to_string(),
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
    };
    let whole: serde_json::Value = serde_json::from_str(&text).map_err(parse_err)?;
    let version = whole
        .get("version")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(1);
    if version > u64::from(VERSION) {
        return Err(DraftError::Newer {
            file: file.display().to_string(),
            version,
        });
    }
    if version == 2 {
        return serde_json::from_str(&text).map_err(parse_err);
    }
    // Version 1: carried over into the names of the fields, written as version 2 next time.
    let old: DraftFileV1 = serde_json::from_str(&text).map_err(parse_err)?;
    let drafts = old
        .drafts
        .into_iter()
        .filter_map(|e| {
            let (form, subject, fields) = from_positional(&e.form, &e.values)?;
            Some(Entry {
                book: e.book,
                user: e.user,
                form,
                subject,
                fields,
                saved_at: e.saved_at,
            })
        })
        .collect();
    Ok(DraftFile {
        version: VERSION,
        drafts,
        carried: old.carried,
    })
}

/// An exclusive `flock` on a lock file beside the drafts, released on drop.
struct Lock(std::fs::File);

impl Lock {
    fn take(path: &Path) -> std::io::Result<Lock> {
        use std::os::unix::io::AsRawFd;
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        // SAFETY: `f` is an open file descriptor for the duration of the call.
        if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Lock(f))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        use std::os::unix::io::AsRawFd;
        // SAFETY: the descriptor is still open here.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::forms::Subject;
    use crate::tui::widgets::form::{Field, FieldKind, Form};

    fn contact(c: &str) -> FormKey {
        FormKey::new(FormKind::Contact, Subject::Contract(c.into()))
    }

    fn cause(id: i64) -> FormKey {
        FormKey::new(FormKind::WarningCause, Subject::Warning(id))
    }

    fn vals(pairs: &[(&str, &str)]) -> Values {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn drafts_live_in_the_file_per_book_user_and_form() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("state/drafts.json");
        let a = dir.path().join("a.db");
        let b = dir.path().join("b.db");
        let mut da = Drafts::in_file(file.clone(), &a);
        let typed = vals(&[("date", "2026-06-01"), ("notes", "拜访")]);
        da.save("u", &contact("PL1"), &typed).expect("save");
        da.save("v", &contact("PL1"), &vals(&[("notes", "x")]))
            .expect("save v");
        let db = Drafts::in_file(file.clone(), &b);
        assert_eq!(db.load("u", &contact("PL1")).expect("load b"), None);
        let again = Drafts::in_file(file.clone(), &a);
        assert_eq!(again.load("u", &contact("PL1")).expect("load"), Some(typed));
        assert_eq!(again.load("u", &contact("PL2")).expect("load"), None);
        da.discard("u", &contact("PL1")).expect("discard");
        assert_eq!(again.load("u", &contact("PL1")).expect("load"), None);
        assert_eq!(
            again.load("v", &contact("PL1")).expect("load v"),
            Some(vals(&[("notes", "x")]))
        );
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path().join("state"))
            .expect("dir")
            .map(|e| e.expect("entry").file_name().into_string().expect("name"))
            .collect();
        assert!(names.iter().all(|n| !n.contains("tmp")), "{names:?}");
    }

    #[test]
    fn a_draft_comes_back_into_the_fields_of_its_names_whatever_their_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("drafts.json");
        let book = dir.path().join("a.db");
        let make = |names: &[&'static str]| {
            Form::new(
                "t".into(),
                names
                    .iter()
                    .map(|n| Field::new(n, "form.notes", FieldKind::Text { required: false }, ""))
                    .collect(),
            )
        };
        let mut before = make(&["date", "kind", "notes"]);
        for (f, v) in before
            .fields
            .iter_mut()
            .zip(["2026-06-01", "电话", "催收\n第二行"])
        {
            f.set_value(v);
        }
        let mut d = Drafts::in_file(file.clone(), &book);
        d.save("u", &contact("PL1"), &before.values())
            .expect("save");
        // The form now has its fields in another order, one gone and one new.
        let mut after = make(&["notes", "date", "place"]);
        let saved = Drafts::in_file(file, &book)
            .load("u", &contact("PL1"))
            .expect("load")
            .expect("a draft");
        after.restore(&saved);
        let got: Vec<_> = after.fields.iter().map(|f| f.value()).collect();
        assert_eq!(got, ["催收\n第二行", "2026-06-01", ""]);
    }

    #[test]
    fn a_version_1_file_is_carried_over_by_the_old_field_orders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("drafts.json");
        let book = dir.path().join("a.db");
        let d = Drafts::in_memory(&book);
        let old = serde_json::json!({
            "version": 1,
            "drafts": [
                {"book": d.book, "user": "u", "form": "contact:PL1",
                 "values": ["2026-06-01", "走访", "见了财务"], "saved_at": "2026-06-01T00:00:00Z"},
                {"book": d.book, "user": "u", "form": "wraise:PL1",
                 "values": ["PL1", "涉诉", "红色", "信用", "被起诉"], "saved_at": "2026-06-01T00:00:00Z"},
                {"book": d.book, "user": "u", "form": "gone:1",
                 "values": ["x"], "saved_at": "2026-06-01T00:00:00Z"}
            ],
            "carried": []
        });
        std::fs::write(&file, old.to_string()).expect("write");
        let mut d = Drafts::in_file(file.clone(), &book);
        assert_eq!(
            d.load("u", &contact("PL1")).expect("load"),
            Some(vals(&[
                ("date", "2026-06-01"),
                ("kind", "走访"),
                ("notes", "见了财务")
            ]))
        );
        let raise = FormKey::new(FormKind::RaiseWarning, Subject::Contract("PL1".into()));
        let r = d.load("u", &raise).expect("load").expect("raise draft");
        assert_eq!(r.get("reason").map(String::as_str), Some("被起诉"));
        assert_eq!(r.get("signal").map(String::as_str), Some("涉诉"));
        // Written once as version 2, by name.
        d.save("u", &cause(3), &vals(&[("cause", "c")]))
            .expect("save");
        let text = std::fs::read_to_string(&file).expect("read");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(v["version"], 2);
        assert!(text.contains("\"notes\": \"见了财务\""), "{text}");
        assert_eq!(
            d.load("u", &contact("PL1")).expect("load").map(|v| v.len()),
            Some(3)
        );
    }

    #[test]
    fn a_file_of_a_newer_version_is_said_and_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("drafts.json");
        let body = r#"{"version": 9, "drafts": [{"whatever": true}]}"#;
        std::fs::write(&file, body).expect("write");
        let mut d = Drafts::in_file(file.clone(), &dir.path().join("a.db"));
        assert!(matches!(
            d.load("u", &contact("PL1")),
            Err(DraftError::Newer { version: 9, .. })
        ));
        assert!(matches!(
            d.save("u", &contact("PL1"), &vals(&[("notes", "x")])),
            Err(DraftError::Newer { version: 9, .. })
        ));
        assert_eq!(std::fs::read_to_string(&file).expect("read"), body);
        let text = crate::tui::errors::draft_error_text(
            &d.load("u", &contact("PL1")).expect_err("newer"),
            crate::i18n::Lang::En,
        );
        assert!(text.contains("newer version (9)"), "{text}");
    }

    #[test]
    fn a_corrupt_drafts_file_is_named_with_line_and_column_and_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("drafts.json");
        std::fs::write(&file, "{\n  \"version\": 2,\n  \"drafts\": [oops]\n}\n").expect("write");
        let mut d = Drafts::in_file(file.clone(), &dir.path().join("a.db"));
        match d.save("u", &contact("f"), &vals(&[("notes", "x")])) {
            Err(DraftError::Parse { line, column, .. }) => {
                assert_eq!((line, column), (3, 14));
            }
            other => panic!("{other:?}"),
        }
        let kept = std::fs::read_to_string(&file).expect("read");
        assert!(
            kept.contains("[oops]"),
            "the bad file was overwritten: {kept}"
        );
    }

    #[test]
    fn book_drafts_are_carried_over_once_by_name_and_never_override() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("drafts.json");
        let book = dir.path().join("a.db");
        let mut d = Drafts::in_file(file, &book);
        d.save("u", &cause(1), &vals(&[("cause", "newer")]))
            .expect("save");
        let old = vec![
            ("wcause:1".to_string(), r#"["older"]"#.to_string()),
            (
                "contact:PL1".to_string(),
                r#"["2026-06-01","电话"]"#.to_string(),
            ),
        ];
        assert!(!d.carried("u").expect("carried"));
        assert_eq!(d.carry_over("u", &old).expect("carry"), 1);
        assert!(d.carried("u").expect("carried"));
        assert_eq!(
            d.load("u", &cause(1)).expect("load"),
            Some(vals(&[("cause", "newer")]))
        );
        assert_eq!(
            d.load("u", &contact("PL1")).expect("load"),
            Some(vals(&[("date", "2026-06-01"), ("kind", "电话")]))
        );
        d.discard("u", &contact("PL1")).expect("discard");
        assert_eq!(d.carry_over("u", &old).expect("again"), 0);
        assert_eq!(d.load("u", &contact("PL1")).expect("load"), None);
    }
}

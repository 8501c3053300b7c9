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
    Read { file: String, reason: OsReason },
    /// A damaged file that could not be moved aside either (it is left as it is).
    #[error("drafts file {file}: {damage}; not moved aside: {reason}")]
    Damaged {
        file: String,
        damage: Damage,
        reason: OsReason,
    },
    #[error("drafts file {file}: cannot write: {reason}")]
    Write { file: String, reason: OsReason },
    /// Written by a newer version of the workbench, and so is the side file.
    #[error("drafts file {file}: version {version} is newer than this program's")]
    Newer { file: String, version: u64 },
    /// A damaged file was renamed (`to`) and a fresh one is used: said once.
    #[error("drafts file {file}: {damage}; moved aside to {to}")]
    MovedAside {
        file: String,
        to: String,
        damage: Damage,
    },
    /// The file is a newer version's (left as it is); drafts go to the side file `side`.
    #[error("drafts file {file}: version {version} is newer; drafts go to {side}")]
    NewerSide {
        file: String,
        version: u64,
        side: String,
    },
}

/// What is wrong inside a drafts file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Damage {
    #[error("not UTF-8 text")]
    NotUtf8,
    #[error("not valid at line {line}, column {column}")]
    Json { line: usize, column: usize },
}

/// Why the operating system refused, as words the TUI translates where it knows them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OsReason {
    #[error("not found")]
    NotFound,
    #[error("permission denied")]
    PermissionDenied,
    #[error("no space left on the disk")]
    NoSpace,
    #[error("read-only file system")]
    ReadOnly,
    #[error("not UTF-8 text")]
    NotUtf8,
    #[error("{0}")]
    Other(String),
}

impl OsReason {
    pub fn of(e: &std::io::Error) -> OsReason {
        match e.raw_os_error() {
            Some(libc::ENOSPC) | Some(libc::EDQUOT) => return OsReason::NoSpace,
            Some(libc::EROFS) => return OsReason::ReadOnly,
            Some(libc::EACCES) | Some(libc::EPERM) => return OsReason::PermissionDenied,
            Some(libc::ENOENT) => return OsReason::NotFound,
            _ => {}
        }
        match e.kind() {
            std::io::ErrorKind::NotFound => OsReason::NotFound,
            std::io::ErrorKind::PermissionDenied => OsReason::PermissionDenied,
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                OsReason::NoSpace
            }
            std::io::ErrorKind::ReadOnlyFilesystem => OsReason::ReadOnly,
            std::io::ErrorKind::InvalidData => OsReason::NotUtf8,
            _ => OsReason::Other(e.to_string()),
        }
    }
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
    /// A damaged file found here is moved aside and said (as the error) once.
    pub fn load(&self, user: &str, key: &FormKey) -> Result<Option<Values>, DraftError> {
        let (all, notice) = self.read()?;
        if let Some(n @ DraftError::MovedAside { .. }) = notice {
            return Err(n);
        }
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
        let (all, _) = self.read()?;
        Ok(all
            .drafts
            .into_iter()
            .filter(|e| e.book == self.book && e.user == user && e.form == kind.code())
            .map(|e| e.subject)
            .collect())
    }

    /// Whether `user`'s drafts kept in this book (before drafts moved here) were carried over.
    /// Checked as the workbench starts: a damaged file moved aside or a newer version's file
    /// bypassed is said (as the error) here.
    pub fn carried(&self, user: &str) -> Result<bool, DraftError> {
        let (all, notice) = self.read()?;
        if let Some(n) = notice {
            return Err(n);
        }
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

    /// The drafts as stored now, and what was done to reach them (a damaged file moved
    /// aside, a newer version's file bypassed), to be said once.
    fn read(&self) -> Result<(DraftFile, Option<DraftError>), DraftError> {
        match &self.file {
            None => Ok((self.memory.clone(), None)),
            // The drafts file is the user's (under `XDG_STATE_HOME`): the user's own rights.
            Some(file) => crate::user_rights::with_user(|| open(file))
                .map_err(|e| DraftError::Read {
                    file: file.display().to_string(),
                    reason: OsReason::of(&e),
                })?
                .map(|o| (o.all, o.notice)),
        }
    }

    /// Read, change, write back, under the lock (another session of the same user may save
    /// its own drafts at the same moment). A damaged file is moved aside first and a fresh one
    /// written; a newer version's file is left alone and the side file written instead.
    fn update(&mut self, change: impl FnOnce(&mut DraftFile)) -> Result<(), DraftError> {
        let Some(file) = self.file.clone() else {
            change(&mut self.memory);
            return Ok(());
        };
        // The drafts file is the user's (under `XDG_STATE_HOME`): made, locked, read and
        // written with the user's own rights, never the group a setgid install lends.
        crate::user_rights::with_user(|| update_file(&file, change)).map_err(|e| {
            DraftError::Write {
                file: file.display().to_string(),
                reason: OsReason::of(&e),
            }
        })?
    }
}

/// [`Drafts::update`] on the file.
fn update_file(file: &Path, change: impl FnOnce(&mut DraftFile)) -> Result<(), DraftError> {
    let write_err = |e: std::io::Error| DraftError::Write {
        file: file.display().to_string(),
        reason: OsReason::of(&e),
    };
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    std::fs::create_dir_all(&dir).map_err(write_err)?;
    let _lock = Lock::take(&file.with_extension("lock")).map_err(write_err)?;
    let Opened {
        target,
        mut all,
        notice,
    } = open(file)?;
    if let Some(n) = notice {
        tracing::warn!("{n}");
    }
    let write_err = |e: std::io::Error| DraftError::Write {
        file: target.display().to_string(),
        reason: OsReason::of(&e),
    };
    change(&mut all);
    all.version = VERSION;
    let text = serde_json::to_string_pretty(&all).map_err(|e| DraftError::Write {
        file: target.display().to_string(),
        reason: OsReason::Other(e.to_string()),
    })?;
    let tmp = target.with_extension(format!("tmp.{}", std::process::id()));
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
        std::fs::rename(&tmp, &target)?;
        // The rename itself is made durable by syncing the directory.
        std::fs::File::open(&dir)?.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(write_err(e));
    }
    Ok(())
}

/// The drafts file in use, its drafts, and what had to be done to reach it.
struct Opened {
    target: PathBuf,
    all: DraftFile,
    notice: Option<DraftError>,
}

/// Opens the drafts at `file`: a damaged file is moved aside (nothing destroyed) and an empty
/// one used; a newer version's file is left alone and the side file (`drafts.v2.json`) used.
fn open(file: &Path) -> Result<Opened, DraftError> {
    match read_file(file)? {
        Loaded::File(all) => Ok(Opened {
            target: file.to_path_buf(),
            all,
            notice: None,
        }),
        Loaded::Damaged(damage) => move_aside(file, damage),
        Loaded::Newer(version) => {
            let side = side_file(file);
            let notice = DraftError::NewerSide {
                file: file.display().to_string(),
                version,
                side: side.display().to_string(),
            };
            let mut opened = match read_file(&side)? {
                Loaded::File(all) => Opened {
                    target: side,
                    all,
                    notice: None,
                },
                Loaded::Damaged(damage) => move_aside(&side, damage)?,
                Loaded::Newer(version) => {
                    return Err(DraftError::Newer {
                        file: side.display().to_string(),
                        version,
                    });
                }
            };
            // A side file moved aside is worth saying more than the newer file.
            opened.notice = opened.notice.or(Some(notice));
            Ok(opened)
        }
    }
}

/// Renames the damaged `file` to `<name>.bad-YYYYMMDDHHMMSS` and starts afresh.
fn move_aside(file: &Path, damage: Damage) -> Result<Opened, DraftError> {
    let stamp = chrono::Local::now().format("%Y%m%d%H%M%S");
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "drafts.json".into());
    let mut to = file.with_file_name(format!("{name}.bad-{stamp}"));
    let mut n = 1;
    while to.exists() {
        n += 1;
        to = file.with_file_name(format!("{name}.bad-{stamp}-{n}"));
    }
    match std::fs::rename(file, &to) {
        Ok(()) => {
            let notice = DraftError::MovedAside {
                file: file.display().to_string(),
                to: to.display().to_string(),
                damage,
            };
            tracing::warn!("{notice}");
            Ok(Opened {
                target: file.to_path_buf(),
                all: DraftFile::default(),
                notice: Some(notice),
            })
        }
        Err(e) => Err(DraftError::Damaged {
            file: file.display().to_string(),
            damage,
            reason: OsReason::of(&e),
        }),
    }
}

/// Where drafts go while the drafts file is a newer version's: `drafts.v2.json` beside it.
fn side_file(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "drafts".into());
    file.with_file_name(format!("{stem}.v{VERSION}.json"))
}

/// What a drafts file holds.
enum Loaded {
    File(DraftFile),
    Damaged(Damage),
    Newer(u64),
}

/// The book's identity in the drafts file: its canonical path.
fn book_key(book: &Path) -> String {
    std::fs::canonicalize(book)
        .unwrap_or_else(|_| book.to_path_buf())
        .display()
        .to_string()
}

fn read_file(file: &Path) -> Result<Loaded, DraftError> {
    let bytes = match std::fs::read(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Loaded::File(DraftFile::default()));
        }
        Err(e) => {
            return Err(DraftError::Read {
                file: file.display().to_string(),
                reason: OsReason::of(&e),
            });
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return Ok(Loaded::Damaged(Damage::NotUtf8));
    };
    let damaged = |e: serde_json::Error| Damage::Json {
        line: e.line(),
        column: e.column(),
    };
    match parse_file(&text) {
        Ok(Ok(all)) => Ok(Loaded::File(all)),
        Ok(Err(version)) => Ok(Loaded::Newer(version)),
        Err(e) => Ok(Loaded::Damaged(damaged(e))),
    }
}

/// The drafts in `text` (Ok(Err(version)): a newer version's file).
fn parse_file(text: &str) -> Result<Result<DraftFile, u64>, serde_json::Error> {
    let whole: serde_json::Value = serde_json::from_str(text)?;
    let version = whole
        .get("version")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(1);
    if version > u64::from(VERSION) {
        return Ok(Err(version));
    }
    if version == 2 {
        return serde_json::from_str(text).map(Ok);
    }
    // Version 1: carried over into the names of the fields, written as version 2 next time.
    let old: DraftFileV1 = serde_json::from_str(text)?;
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
    Ok(Ok(DraftFile {
        version: VERSION,
        drafts,
        carried: old.carried,
    }))
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
    fn a_file_of_a_newer_version_is_kept_and_drafts_go_to_the_side_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("drafts.json");
        let body = r#"{"version": 9, "drafts": [{"whatever": true}]}"#;
        std::fs::write(&file, body).expect("write");
        let mut d = Drafts::in_file(file.clone(), &dir.path().join("a.db"));
        // Said at start, naming the side file, in words that do not talk of a form.
        let said = d.carried("u").expect_err("said at start");
        assert!(matches!(said, DraftError::NewerSide { version: 9, .. }));
        for lang in [crate::i18n::Lang::En, crate::i18n::Lang::ZhCn] {
            let text = crate::tui::errors::draft_error_text(&said, lang);
            assert!(
                text.contains("drafts.v2.json") && text.contains('9'),
                "{text}"
            );
            assert!(!text.contains("form") && !text.contains("表单"), "{text}");
        }
        d.save("u", &contact("PL1"), &vals(&[("notes", "typed")]))
            .expect("saved to the side file");
        assert_eq!(
            d.load("u", &contact("PL1")).expect("load"),
            Some(vals(&[("notes", "typed")]))
        );
        assert_eq!(std::fs::read_to_string(&file).expect("read"), body);
        assert!(dir.path().join("drafts.v2.json").exists());
    }

    fn moved_aside(dir: &Path) -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .expect("dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().contains("drafts.json.bad-"))
            .collect()
    }

    #[test]
    fn a_damaged_drafts_file_is_moved_aside_said_once_and_drafts_work_again() {
        for (body, damage) in [
            (
                b"{\n  \"version\": 2,\n  \"drafts\": [oops]\n}\n".to_vec(),
                Damage::Json {
                    line: 3,
                    column: 14,
                },
            ),
            (vec![0xff, 0xfe, 0x00, 0x81, b'x'], Damage::NotUtf8),
        ] {
            let dir = tempfile::tempdir().expect("tempdir");
            let file = dir.path().join("drafts.json");
            std::fs::write(&file, &body).expect("write");
            let mut d = Drafts::in_file(file.clone(), &dir.path().join("a.db"));
            let said = d.carried("u").expect_err("said at start");
            let DraftError::MovedAside {
                to, damage: got, ..
            } = &said
            else {
                panic!("{said:?}");
            };
            assert_eq!(got, &damage);
            let aside = moved_aside(dir.path());
            assert_eq!(aside.len(), 1);
            assert_eq!(aside[0].display().to_string(), *to);
            assert_eq!(std::fs::read(&aside[0]).expect("kept"), body);
            let text = crate::tui::errors::draft_error_text(&said, crate::i18n::Lang::ZhCn);
            assert!(
                text.contains(&*aside[0].file_name().expect("name").to_string_lossy())
                    && !text.contains("表单"),
                "{text}"
            );
            // Once: now the drafts work.
            assert!(!d.carried("u").expect("fresh"));
            d.save("u", &contact("f"), &vals(&[("notes", "x")]))
                .expect("saved");
            assert_eq!(
                d.load("u", &contact("f")).expect("load"),
                Some(vals(&[("notes", "x")]))
            );
            assert_eq!(moved_aside(dir.path()).len(), 1);
        }
    }

    #[test]
    fn a_save_over_a_damaged_file_moves_it_aside_and_keeps_the_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("drafts.json");
        std::fs::write(&file, [0xffu8, 0xfe, 0x00]).expect("write");
        let mut d = Drafts::in_file(file.clone(), &dir.path().join("a.db"));
        d.save("u", &contact("f"), &vals(&[("notes", "x")]))
            .expect("saved");
        assert_eq!(moved_aside(dir.path()).len(), 1);
        assert_eq!(
            d.load("u", &contact("f")).expect("load"),
            Some(vals(&[("notes", "x")]))
        );
    }

    #[test]
    fn a_drafts_file_that_cannot_be_written_says_why_in_words() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let sub = dir.path().join("state");
        std::fs::create_dir(&sub).expect("mkdir");
        let file = sub.join("drafts.json");
        let mut d = Drafts::in_file(file.clone(), &dir.path().join("a.db"));
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o500)).expect("chmod");
        let got = d.save("u", &contact("f"), &vals(&[("notes", "x")]));
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        if nix_root() {
            return; // root writes anyway
        }
        let e = got.expect_err("not writable");
        assert!(
            matches!(
                e,
                DraftError::Write {
                    reason: OsReason::PermissionDenied,
                    ..
                }
            ),
            "{e:?}"
        );
        let text = crate::tui::errors::draft_error_text(&e, crate::i18n::Lang::ZhCn);
        assert!(
            text.contains("没有权限") && text.contains("未保存"),
            "{text}"
        );
    }

    fn nix_root() -> bool {
        // SAFETY: geteuid has no preconditions.
        unsafe { libc::geteuid() == 0 }
    }

    #[test]
    fn os_reasons_are_named() {
        let e = |n| std::io::Error::from_raw_os_error(n);
        assert_eq!(OsReason::of(&e(libc::ENOSPC)), OsReason::NoSpace);
        assert_eq!(OsReason::of(&e(libc::EACCES)), OsReason::PermissionDenied);
        assert_eq!(OsReason::of(&e(libc::ENOENT)), OsReason::NotFound);
        assert_eq!(OsReason::of(&e(libc::EROFS)), OsReason::ReadOnly);
        let bad = std::io::Error::new(std::io::ErrorKind::InvalidData, "x");
        assert_eq!(OsReason::of(&bad), OsReason::NotUtf8);
        for (r, zh) in [
            (OsReason::NoSpace, "磁盘空间不足"),
            (OsReason::PermissionDenied, "没有权限"),
            (OsReason::NotFound, "文件不存在"),
            (OsReason::NotUtf8, "不是 UTF-8 文本"),
        ] {
            assert_eq!(
                crate::tui::errors::os_reason_text(&r, crate::i18n::Lang::ZhCn),
                zh
            );
        }
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

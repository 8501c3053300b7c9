//! `postloan backup` and `restore`: a consistent copy of the book taken while others work
//! (SQLite's online backup) with its document store beside it, and a restore that checks
//! the copy first and keeps the book it replaces.

use super::evidence::docs_dir;
use super::verify::{VerifyReport, verify};
use crate::domain::Role;
use crate::store::{Store, StoreError};
use std::path::{Path, PathBuf};

/// Why a backup or a restore did not happen; nothing was replaced.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{path} already exists")]
    Exists { path: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the book {path} exists; restoring over it needs --force")]
    LiveBook { path: PathBuf },
    #[error("the backup {path} does not verify ({problems} problems)")]
    BadBackup {
        path: PathBuf,
        problems: u64,
        report: Box<VerifyReport>,
    },
    /// postloan runs setgid to the book's group (the shared server), and the copy would be
    /// written, or the backup read, in a directory the user could reach without postloan: a
    /// copy there could be read, or a backup there edited, past postloan's checks.
    #[error("{dir} is open outside the group {group}")]
    OpenPlace {
        dir: PathBuf,
        group: u32,
        place: Place,
    },
    /// postloan runs setgid, and the directory is of the right group and closed, but it is
    /// not one the administrator made: its owner (the user themself, or another) could open
    /// it with `chmod` at any time.
    #[error("{dir} is not a directory the administrator made for the group {group}")]
    NotAdminPlace {
        dir: PathBuf,
        group: u32,
        place: Place,
    },
    /// The book to restore over cannot be read as a database, and only root (the
    /// administrator) may replace a book whose managers cannot be asked.
    #[error("the book {book} is damaged ({reason}); only root may restore over it")]
    Damaged {
        book: PathBuf,
        from: PathBuf,
        reason: String,
    },
    /// The live book's audit log records no backup with this file's SHA-256: under setgid a
    /// restore over it takes only a backup the book recorded.
    #[error("the backup {from} (SHA-256 {sha256}) is not one the book {book} recorded")]
    NotRecorded {
        from: PathBuf,
        book: PathBuf,
        sha256: String,
    },
    /// The live book recorded a backup at this path with another SHA-256: the file changed
    /// since `postloan backup` wrote it.
    #[error("the backup {from} changed since it was written")]
    Changed {
        from: PathBuf,
        book: PathBuf,
        sha256: String,
        recorded: String,
    },
    /// The real user is not staff of the book with a role that may do this (root may).
    #[error("{user} may not {what:?} {book}")]
    NotAllowed {
        user: String,
        book: PathBuf,
        what: Guarded,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BackupError {
    /// The message in the user's language.
    pub fn localized(&self, lang: crate::i18n::Lang) -> String {
        match self {
            BackupError::Exists { path } => lang.tf("backup.exists", &[("path", &path.display())]),
            BackupError::Io { path, source } => lang.tf(
                "backup.io",
                &[
                    ("path", &path.display()),
                    ("reason", &crate::i18n::Failure::of_io(source).text(lang)),
                ],
            ),
            BackupError::LiveBook { path } => {
                lang.tf("backup.live_book", &[("path", &path.display())])
            }
            BackupError::BadBackup { path, problems, .. } => lang.tf(
                "backup.bad_backup",
                &[("path", &path.display()), ("n", problems)],
            ),
            BackupError::NotAllowed { user, book, what } => lang.tf(
                match what {
                    Guarded::Backup => "backup.not_allowed_backup",
                    Guarded::RestoreOver => "backup.not_allowed_restore_over",
                    Guarded::RestoreNew => "backup.not_allowed_restore_new",
                    Guarded::RestoreFrom => "backup.not_allowed_restore_from",
                },
                &[("user", user), ("book", &book.display())],
            ),
            BackupError::Damaged { book, from, reason } => lang.tf(
                "backup.damaged_book",
                &[
                    ("book", &book.display()),
                    ("from", &from.display()),
                    ("reason", reason),
                ],
            ),
            BackupError::NotRecorded { from, book, sha256 } => lang.tf(
                "backup.not_recorded",
                &[
                    ("from", &from.display()),
                    ("book", &book.display()),
                    ("sha256", sha256),
                ],
            ),
            BackupError::Changed {
                from,
                book,
                sha256,
                recorded,
            } => lang.tf(
                "backup.changed",
                &[
                    ("from", &from.display()),
                    ("book", &book.display()),
                    ("sha256", sha256),
                    ("recorded", recorded),
                ],
            ),
            BackupError::NotAdminPlace { dir, group, place } => {
                let (owner, dir_group, mode) = dir_facts(dir);
                lang.tf(
                    "backup.dir_not_admin",
                    &[
                        (
                            "place",
                            &lang.t(match place {
                                Place::BackupCopy => "backup.place_copy",
                                Place::RestoreSource => "backup.place_source",
                                Place::RestoreBook => "backup.place_book",
                            }),
                        ),
                        ("dir", &dir.display()),
                        ("group", &super::doctor::group_name(*group)),
                        ("owner", &owner),
                        ("dir_group", &dir_group),
                        ("mode", &mode),
                    ],
                )
            }
            BackupError::OpenPlace { dir, group, place } => {
                let (owner, dir_group, mode) = dir_facts(dir);
                lang.tf(
                    match place {
                        Place::BackupCopy => "backup.dest_open",
                        Place::RestoreSource => "backup.source_open",
                        Place::RestoreBook => "backup.restore_dest_open",
                    },
                    &[
                        ("dir", &dir.display()),
                        ("group", &super::doctor::group_name(*group)),
                        ("owner", &owner),
                        ("dir_group", &dir_group),
                        ("mode", &mode),
                    ],
                )
            }
            BackupError::Store(e) => e.to_string(),
        }
    }
}

/// The owner, group and mode of `dir` as a message shows them (`?` when it cannot be read).
fn dir_facts(dir: &Path) -> (String, String, String) {
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata(dir) {
        Ok(m) => (
            super::user_name(m.uid()).unwrap_or_else(|| m.uid().to_string()),
            super::doctor::group_name(m.gid()),
            format!("{:04o}", m.mode() & 0o7777),
        ),
        Err(_) => ("?".into(), "?".into(), "?".into()),
    }
}

/// On a shared server postloan runs setgid to the book's group, and that group is what lets
/// it read the book. A copy it writes, or a backup it restores, must then lie in a directory
/// of that group closed to others that the administrator made: owned by root (or by the
/// owner of the directory of `live`, the book), never by the user, who could `chmod` their
/// own directory open and read the copy, or edit the backup, without postloan. Root (who can
/// read the book anyway) and a program that is not setgid (a private book) may use any
/// directory.
fn check_place(file: &Path, place: Place, live: &Path) -> Result<(), BackupError> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: these take nothing and cannot fail.
    let (uid, gid, egid) = unsafe { (libc::getuid(), libc::getgid(), libc::getegid()) };
    if uid == 0 || gid == egid {
        return Ok(());
    }
    let dir = crate::store::book_dir(file);
    let meta = std::fs::metadata(&dir).ok();
    let closed = meta
        .as_ref()
        .is_some_and(|m| m.gid() == egid && m.mode() & 0o007 == 0);
    if !closed {
        return Err(BackupError::OpenPlace {
            dir,
            group: egid,
            place,
        });
    }
    let admin = std::fs::metadata(crate::store::book_dir(live))
        .ok()
        .map(|m| m.uid());
    let owner = meta.map_or(uid, |m| m.uid());
    if owner != uid && (owner == 0 || Some(owner) == admin) {
        Ok(())
    } else {
        Err(BackupError::NotAdminPlace {
            dir,
            group: egid,
            place,
        })
    }
}

/// Which file a setgid postloan found in an open directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A backup's copy.
    BackupCopy,
    /// The backup a restore reads.
    RestoreSource,
    /// The book a restore writes.
    RestoreBook,
}

/// What the real user was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guarded {
    /// Copying the book out: managers, supervisors and auditors.
    Backup,
    /// Replacing a live book: its managers.
    RestoreOver,
    /// Making a book from a backup where there is none: a manager in the backup.
    RestoreNew,
    /// Replacing a live book on a shared server: a manager in the backup too.
    RestoreFrom,
}

/// The real user (never `$USER`, nor the group a setgid install lends) and whether they are
/// root, who may do anything to a book (cron's backups, an administrator's restore).
fn real_user() -> (String, bool) {
    // SAFETY: getuid takes nothing and cannot fail.
    let root = unsafe { libc::getuid() } == 0;
    (super::os_user(), root)
}

/// Whether `user` is active staff of `store` with one of `roles`.
fn has_role(store: &Store, user: &str, roles: &[Role]) -> Result<bool, BackupError> {
    Ok(store
        .staff(user)?
        .is_some_and(|s| s.active && roles.contains(&s.role)))
}

/// Refuses `what` on `book` (open as `store`) unless the real user is root or holds a role
/// that may do it there.
fn guard(store: &Store, book: &Path, what: Guarded) -> Result<(), BackupError> {
    let (user, root) = real_user();
    let roles: &[Role] = match what {
        Guarded::Backup => &[Role::Manager, Role::Supervisor, Role::Auditor],
        Guarded::RestoreOver | Guarded::RestoreNew | Guarded::RestoreFrom => &[Role::Manager],
    };
    if root || has_role(store, &user, roles)? {
        Ok(())
    } else {
        Err(BackupError::NotAllowed {
            user,
            book: book.to_path_buf(),
            what,
        })
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackedUp {
    pub file: PathBuf,
    pub docs: PathBuf,
    /// Files copied from the document store.
    pub files: u64,
    /// The chain's head in the copy (keep it with the copy: `verify --expect-head`).
    pub head: String,
    pub entries: u64,
    /// The copy's SHA-256, recorded in the live book's audit log (`book.backup`) so that
    /// `restore` refuses the file once it changed; `None` when the book could not be written
    /// (read-only media) and nothing was recorded.
    pub sha256: Option<String>,
}

/// Copies the book `store` to `dest` (which must not exist) and its document store to
/// `dest.docs`. The database is copied first: the document store only ever gains files
/// (each written before the row naming it commits), so every file the copy names is there
/// when the directory is copied after it.
pub fn backup(store: &mut Store, dest: &Path) -> Result<BackedUp, BackupError> {
    guard(store, store.path(), Guarded::Backup)?;
    check_place(dest, Place::BackupCopy, store.path())?;
    let docs = docs_dir(dest);
    for p in [dest, docs.as_path()] {
        // A place this user cannot look into is said so, not taken for free.
        match p.try_exists() {
            Ok(false) => {}
            Ok(true) => return Err(BackupError::Exists { path: p.into() }),
            Err(source) => {
                return Err(BackupError::Io {
                    path: p.into(),
                    source,
                });
            }
        }
    }
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        return Err(BackupError::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
    }
    let tmp = sibling(dest, &format!(".partial-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    if let Err(e) = store.backup_to(&tmp) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.into());
    }
    let files = match copy_tree(&docs_dir(store.path()), &docs) {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            let _ = std::fs::remove_dir_all(&docs);
            return Err(e);
        }
    };
    let discard = |e: BackupError| {
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_dir_all(&docs);
        e
    };
    // Opened once as a book (WAL mode, as any later open leaves it) before it is hashed, so
    // that a `verify` of the copy later reads it without changing a byte of it.
    let head = Store::open_for_reading(&tmp)
        .and_then(|copy| copy.audit_head())
        .map_err(|e| discard(e.into()))?;
    // The copy's hash goes into the book's audit log before the copy takes its name, so no
    // backup is left that the book does not know (a read-only book records nothing).
    let sha256 = if store.is_read_only() {
        None
    } else {
        let (sha, _) = super::verify::file_sha256(&tmp)
            .map_err(io(&tmp))
            .map_err(discard)?;
        let at = std::fs::canonicalize(crate::store::book_dir(dest))
            .map(|d| d.join(dest.file_name().unwrap_or_default()))
            .unwrap_or_else(|_| dest.to_path_buf());
        let (user, _) = real_user();
        let key = store.path().display().to_string();
        let detail = serde_json::json!({
            "file": at.display().to_string(),
            "sha256": sha,
            "files": files,
        });
        store
            .write::<(), crate::store::StoreError>(|tx| {
                tx.audit(&user, "book.backup", "book", &key, &detail)
            })
            .map_err(|e| discard(e.into()))?;
        Some(sha)
    };
    std::fs::rename(&tmp, dest).map_err(io(dest))?;
    Ok(BackedUp {
        file: dest.to_path_buf(),
        docs,
        files,
        head: head.hash,
        entries: head.entries,
        sha256,
    })
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Restored {
    pub book: PathBuf,
    /// Where the book it replaced was kept (`None`: there was none).
    pub kept: Option<PathBuf>,
    pub entries: u64,
}

/// Restores the backup `from` (and `from.docs`) as the book at `book`. The backup is
/// copied beside the book and verified there first; a book already at `book` is refused
/// unless `force`, and then kept as `book.before-restore-<UTC time>` (its `-wal` and
/// document store renamed with it, so it opens as it was). Stop the workbenches on the
/// book first: one still open keeps writing to the book it had open.
pub fn restore(from: &Path, book: &Path, force: bool) -> Result<Restored, BackupError> {
    check_place(from, Place::RestoreSource, book)?;
    check_place(book, Place::RestoreBook, book)?;
    // The real reason a backup cannot be read (missing, or permission denied).
    match std::fs::metadata(from) {
        Ok(m) if m.is_file() && crate::store::can_read(from) => {}
        Ok(m) if m.is_file() => {
            return Err(BackupError::Io {
                path: from.to_path_buf(),
                source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            });
        }
        Ok(_) => {
            return Err(BackupError::Io {
                path: from.to_path_buf(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
        Err(source) => {
            return Err(BackupError::Io {
                path: from.to_path_buf(),
                source,
            });
        }
    }
    // A book this user may not reach is not "no book": restoring would replace it unasked.
    // An empty file is no book (nothing to keep): the restore makes the book there.
    let live = crate::store::book_exists(book)? && !crate::store::is_blank_file(book);
    // The backups the live book recorded (file, SHA-256); `None`: no book, or a damaged one.
    let mut recorded: Option<Vec<(String, String)>> = None;
    if live {
        // Who may replace the book is the book's own business, asked before anything else.
        let asked = (|| -> Result<Vec<(String, String)>, BackupError> {
            let live_store = Store::open_for_reading(book)?;
            guard(&live_store, book, Guarded::RestoreOver)?;
            recorded_backups(&live_store)
        })();
        match asked {
            Ok(list) => recorded = Some(list),
            // A book that is no sound database has no managers to ask: on the shared server
            // the administrator (root) restores over it and anyone else is told so, with the
            // command; a private book's owner (no lent group) may, having its rights anyway.
            Err(BackupError::Store(e)) if e.damage().is_some() => {
                if crate::user_rights::group_lent() {
                    return Err(BackupError::Damaged {
                        book: book.to_path_buf(),
                        from: from.to_path_buf(),
                        reason: e.damage().map(|d| d.to_string()).unwrap_or_default(),
                    });
                }
            }
            Err(e) => return Err(e),
        }
        if !force {
            return Err(BackupError::LiveBook {
                path: book.to_path_buf(),
            });
        }
    }
    // The wall clock on purpose: it names a file by when it was written.
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let staged = sibling(book, &format!(".restoring-{stamp}"));
    let staged_docs = docs_dir(&staged);
    // Two restores in one second keep two books: the second's name takes a number.
    let kept_path = (1..)
        .map(|n| match n {
            1 => sibling(book, &format!(".before-restore-{stamp}")),
            n => sibling(book, &format!(".before-restore-{stamp}-{n}")),
        })
        .find(|p| !p.exists() && !docs_dir(p).exists())
        .unwrap_or_else(|| sibling(book, &format!(".before-restore-{stamp}")));
    let cleanup = |staged: &Path| {
        let _ = std::fs::remove_file(staged);
        for s in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(sibling(staged, s));
        }
        let _ = std::fs::remove_dir_all(docs_dir(staged));
    };
    cleanup(&staged);
    let staged_result = (|| -> Result<u64, BackupError> {
        if let Some(dir) = book.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::store::files::create_private_dir(dir).map_err(io(dir))?;
        }
        crate::store::files::copy_private_file(from, &staged).map_err(io(&staged))?;
        // Hashed as copied, before SQLite opens it; judged once it verified.
        let (sha256, _) = super::verify::file_sha256(&staged).map_err(io(&staged))?;
        copy_tree(&docs_dir(from), &staged_docs)?;
        let mut store = Store::open_existing(&staged)?;
        let report = verify(&store, None)?;
        if report.problems() > 0 {
            return Err(BackupError::BadBackup {
                path: from.to_path_buf(),
                problems: report.problems(),
                report: Box::new(report),
            });
        }
        if !live {
            // No book to ask: the backup's own managers may bring it back.
            guard(&store, book, Guarded::RestoreNew)?;
        } else if crate::user_rights::group_lent() {
            // On a shared server a manager of some other book (one's own, say) is no one
            // here: the backup must name them manager too.
            guard(&store, book, Guarded::RestoreFrom)?;
        }
        if let Some(list) = &recorded {
            check_recorded(list, from, book, sha256)?;
        }
        // The restored book says who brought it back, from where, and where the book it
        // replaced is kept: the first entry after the backup's own chain.
        let (user, _) = real_user();
        let detail = serde_json::json!({
            "from": from.display().to_string(),
            "backup_entries": report.chain.entries,
            "kept": live.then(|| kept_path.display().to_string()),
        });
        store.write(|tx| {
            tx.audit(
                &user,
                "book.restore",
                "book",
                &book.display().to_string(),
                &detail,
            )
        })?;
        store.checkpoint()?;
        Ok(report.chain.entries + 1)
    })();
    let entries = match staged_result {
        Ok(n) => n,
        Err(e) => {
            cleanup(&staged);
            return Err(e);
        }
    };
    let kept = if live {
        let kept = kept_path;
        if let Ok(old) = Store::open_existing(book) {
            // What the -wal holds goes into the file, so the kept book is whole on its own.
            let _ = old.checkpoint();
        }
        std::fs::rename(book, &kept).map_err(io(book))?;
        for s in ["-wal", "-shm"] {
            let side = sibling(book, s);
            if side.exists() {
                let _ = std::fs::rename(&side, sibling(&kept, s));
            }
        }
        let docs = docs_dir(book);
        if docs.exists() {
            std::fs::rename(&docs, docs_dir(&kept)).map_err(io(&docs))?;
        }
        Some(kept)
    } else {
        // An emptied book's document store is kept aside, not merged into the backup's.
        let docs = docs_dir(book);
        if docs.exists() {
            std::fs::rename(&docs, docs_dir(&kept_path)).map_err(io(&docs))?;
        }
        None
    };
    for s in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(sibling(&staged, s));
    }
    std::fs::rename(&staged, book).map_err(io(book))?;
    if staged_docs.exists() {
        std::fs::rename(&staged_docs, docs_dir(book)).map_err(io(&staged_docs))?;
    }
    Ok(Restored {
        book: book.to_path_buf(),
        kept,
        entries,
    })
}

/// The backups `store` recorded (`book.backup` entries): (file, SHA-256), oldest first.
fn recorded_backups(store: &Store) -> Result<Vec<(String, String)>, BackupError> {
    Ok(store
        .audit_details("book.backup")?
        .iter()
        .filter_map(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .filter_map(|v| {
            Some((
                v.get("file")?.as_str()?.to_string(),
                v.get("sha256")?.as_str()?.to_string(),
            ))
        })
        .collect())
}

/// Refuses the backup `from` (whose copy gives `sha256`) when the live book's records (`list`) say
/// it is not what `postloan backup` wrote: a backup recorded at the same place with another
/// SHA-256 changed since (refused to everyone); on a shared server (setgid, not root) a copy
/// whose SHA-256 the book never recorded is refused too, since who restores could have
/// written it.
fn check_recorded(
    list: &[(String, String)],
    from: &Path,
    book: &Path,
    sha256: String,
) -> Result<(), BackupError> {
    if list.iter().any(|(_, s)| s.eq_ignore_ascii_case(&sha256)) {
        return Ok(());
    }
    let at = std::fs::canonicalize(from)
        .unwrap_or_else(|_| from.to_path_buf())
        .display()
        .to_string();
    if let Some((_, recorded)) = list.iter().rev().find(|(f, _)| *f == at) {
        return Err(BackupError::Changed {
            from: from.to_path_buf(),
            book: book.to_path_buf(),
            sha256,
            recorded: recorded.clone(),
        });
    }
    if crate::user_rights::group_lent() {
        return Err(BackupError::NotRecorded {
            from: from.to_path_buf(),
            book: book.to_path_buf(),
            sha256,
        });
    }
    Ok(())
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Copies the directory tree `from` to `to` (absent `from`: nothing to copy), every
/// directory made 2770 and every file 0660 whatever the umask (the book's modes); the files
/// copied.
fn copy_tree(from: &Path, to: &Path) -> Result<u64, BackupError> {
    if !from.is_dir() {
        return Ok(0);
    }
    crate::store::files::create_private_dir(to).map_err(io(to))?;
    let mut n = 0;
    for entry in std::fs::read_dir(from).map_err(io(from))? {
        let entry = entry.map_err(io(from))?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        let kind = entry.file_type().map_err(io(&src))?;
        if kind.is_dir() {
            n += copy_tree(&src, &dst)?;
        } else if kind.is_file() {
            crate::store::files::copy_private_file(&src, &dst).map_err(io(&src))?;
            n += 1;
        }
    }
    Ok(n)
}

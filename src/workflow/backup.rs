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
                },
                &[("user", user), ("book", &book.display())],
            ),
            BackupError::OpenPlace { dir, group, place } => {
                use std::os::unix::fs::MetadataExt;
                let (owner, dir_group, mode) = match std::fs::metadata(dir) {
                    Ok(m) => (
                        super::user_name(m.uid()).unwrap_or_else(|| m.uid().to_string()),
                        super::doctor::group_name(m.gid()),
                        format!("{:04o}", m.mode() & 0o7777),
                    ),
                    Err(_) => ("?".into(), "?".into(), "?".into()),
                };
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

/// On a shared server postloan runs setgid to the book's group, and that group is what lets
/// it read the book. A copy it writes, or a backup it restores, must then lie in a directory
/// of that group closed to others, as the book's is: elsewhere the user could read the copy,
/// or edit the backup, without postloan. Root (who can read the book anyway) and a program
/// that is not setgid (a private book) may use any directory.
fn check_place(file: &Path, place: Place) -> Result<(), BackupError> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: these take nothing and cannot fail.
    let (uid, gid, egid) = unsafe { (libc::getuid(), libc::getgid(), libc::getegid()) };
    if uid == 0 || gid == egid {
        return Ok(());
    }
    let dir = crate::store::book_dir(file);
    let closed = std::fs::metadata(&dir).is_ok_and(|m| m.gid() == egid && m.mode() & 0o007 == 0);
    if closed {
        Ok(())
    } else {
        Err(BackupError::OpenPlace {
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
        Guarded::RestoreOver | Guarded::RestoreNew => &[Role::Manager],
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
}

/// Copies the book `store` to `dest` (which must not exist) and its document store to
/// `dest.docs`. The database is copied first: the document store only ever gains files
/// (each written before the row naming it commits), so every file the copy names is there
/// when the directory is copied after it.
pub fn backup(store: &Store, dest: &Path) -> Result<BackedUp, BackupError> {
    guard(store, store.path(), Guarded::Backup)?;
    check_place(dest, Place::BackupCopy)?;
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
    std::fs::rename(&tmp, dest).map_err(io(dest))?;
    let copy = Store::open_for_reading(dest)?;
    let head = copy.audit_head()?;
    Ok(BackedUp {
        file: dest.to_path_buf(),
        docs,
        files,
        head: head.hash,
        entries: head.entries,
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
    check_place(from, Place::RestoreSource)?;
    check_place(book, Place::RestoreBook)?;
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
    let live = crate::store::book_exists(book)?;
    if live {
        // Who may replace the book is the book's own business, asked before anything else.
        guard(&Store::open_for_reading(book)?, book, Guarded::RestoreOver)?;
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
    let kept_path = sibling(book, &format!(".before-restore-{stamp}"));
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
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        std::fs::copy(from, &staged).map_err(io(&staged))?;
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

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Copies the directory tree `from` to `to` (absent `from`: nothing to copy); the files
/// copied.
fn copy_tree(from: &Path, to: &Path) -> Result<u64, BackupError> {
    if !from.is_dir() {
        return Ok(0);
    }
    std::fs::create_dir_all(to).map_err(io(to))?;
    let mut n = 0;
    for entry in std::fs::read_dir(from).map_err(io(from))? {
        let entry = entry.map_err(io(from))?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        let kind = entry.file_type().map_err(io(&src))?;
        if kind.is_dir() {
            n += copy_tree(&src, &dst)?;
        } else if kind.is_file() {
            std::fs::copy(&src, &dst).map_err(io(&src))?;
            n += 1;
        }
    }
    Ok(n)
}

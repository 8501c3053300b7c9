//! The only place with SQL: opens the book (SQLite in WAL mode), runs migrations, offers
//! typed, paged queries and the writes the workflow layer composes into transactions.

mod archive;
mod audit;
mod bulk;
mod checklist;
mod classification;
mod classification_pane;
mod detail;
mod disposal;
mod disposal_pane;
mod disposal_tui;
mod evaluate;
pub mod files;
mod inspections;
mod ledger;
mod outcomes;
mod probe;
mod reindex;
mod seal;
mod sqlval;
mod summary;
mod warnings;
mod write;

pub use archive::{ArchiveDocument, ArchiveQuery, ArchiveRow, NewDocument, SUMMARY_PERIOD_REF};
pub(crate) use audit::sha256_hex;
pub use audit::{
    AuditEntry, AuditQuery, AuditRecord, BREAKS_KEPT, ChainBreak, ChainReport, DocumentBreak, Head,
    SealBreak,
};
pub use bulk::BulkWriter;
pub use classification::*;
pub use classification_pane::*;
pub use detail::*;
pub use disposal::*;
pub use disposal_pane::*;
pub use disposal_tui::*;
pub use evaluate::*;
pub use inspections::*;
pub use ledger::*;
pub use outcomes::*;
pub use probe::Probe;
pub use reindex::DeferredIndexes;
pub use seal::Sealed;
pub use warnings::*;
pub use write::{BookKey, Outcome, Tx};

use crate::domain::{Role, StaffRecord};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};
use std::path::{Path, PathBuf};

/// Errors from the store, with enough context for the user to act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("database schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("{0} not found")]
    NotFound(String),
    /// A SQLite database another program made at the book's path: not touched.
    #[error("{0} is another program's database, not a postloan book")]
    Foreign(String),
    #[error("{0} was changed by someone else; reload and try again")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("unknown {column} '{value}'")]
    Unknown { column: &'static str, value: String },
    /// A write command on a book that cannot be written (read-only file, directory or medium).
    #[error("the book {path} is read-only: {} cannot be written", .place.describe(path))]
    ReadOnly { path: String, place: ReadOnlyPlace },
    /// A read-only book whose schema this program would have to upgrade first.
    #[error(
        "the book {path} is read-only and has schema version {found}; this program reads version {want}"
    )]
    ReadOnlyOutdated {
        path: String,
        found: i64,
        want: usize,
    },
    /// The path names something other than a file a book can live in: a device, a pipe, or
    /// a name ending in `/` (a directory is reported by SQLite's own refusal).
    #[error("{path} is not a regular file")]
    NotAFile { path: String },
    /// The book was written by a newer postloan: its schema is past what this one knows.
    #[error(
        "the book {path} has schema version {found}, written by a newer postloan; this postloan ({program}) knows versions up to {want}; the book was not changed"
    )]
    TooNew {
        path: String,
        found: i64,
        want: usize,
        program: &'static str,
    },
    /// The copy made before a schema upgrade failed; the book was not upgraded.
    #[error("cannot back up {path} to {backup} before upgrading it: {source}")]
    UpgradeBackup {
        path: String,
        backup: String,
        source: Box<StoreError>,
    },
    /// A new file (a new book, a copy) cannot be made.
    #[error("cannot create the file {path}: {reason}")]
    CreateFile { path: String, reason: String },
    /// The directory for a new book cannot be made.
    #[error("cannot create the directory {dir}: {reason}")]
    CreateDir { dir: String, reason: String },
    /// This process may not reach the book: a directory on its path cannot be entered, or
    /// the book file cannot be read. Whether a book is there is unknown (a directory) or
    /// known (the file): it is never "no book".
    #[error("permission denied: {place} stands between this user and the book {path}")]
    Denied {
        path: String,
        place: String,
        place_is_book: bool,
    },
}

impl StoreError {
    /// The SQLite error of this one when it says the file is not a sound database (damaged,
    /// truncated, not a database at all).
    pub fn damage(&self) -> Option<&rusqlite::Error> {
        let sql = match self {
            StoreError::Open { source, .. } | StoreError::Sql(source) => source,
            _ => return None,
        };
        matches!(
            sql.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
        )
        .then_some(sql)
    }

    /// Whether another connection holds the book (SQLite's `BUSY` or `LOCKED`, after the busy
    /// timeout ran out): the same action can succeed once the other writer commits.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Sql(e) | StoreError::Open { source: e, .. } => is_busy(e),
            StoreError::Migration(rusqlite_migration::Error::RusqliteError { err, .. }) => {
                is_busy(err)
            }
            _ => false,
        }
    }
}

/// Whether a SQLite error says the book is held by another connection.
pub fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// What makes a book read-only: the file itself, or the directory SQLite must create the
/// `-wal` and `-shm` files in (a read-only directory or medium).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOnlyPlace {
    File,
    Directory,
}

impl ReadOnlyPlace {
    /// The file or directory, for messages.
    pub fn describe(self, book: &str) -> String {
        match self {
            ReadOnlyPlace::File => book.to_string(),
            ReadOnlyPlace::Directory => book_dir(Path::new(book)).display().to_string(),
        }
    }
}

/// The directory a book's `-wal` and `-shm` files live in.
pub fn book_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether the book file and its directory can be written, as the kernel says (`access(2)`:
/// a read-only mount or an immutable file says no even to root).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Writable {
    pub file: bool,
    pub dir: bool,
}

impl Writable {
    pub fn probe(path: &Path) -> Writable {
        Writable {
            file: can_write(path),
            dir: can_write(&book_dir(path)),
        }
    }

    /// Why a write command may not run here, if it may not.
    pub fn refusal(self) -> Option<ReadOnlyPlace> {
        if !self.file {
            Some(ReadOnlyPlace::File)
        } else if !self.dir {
            Some(ReadOnlyPlace::Directory)
        } else {
            None
        }
    }
}

/// Whether this process may write `path`, by its *effective* ids: a postloan installed setgid
/// to the book's group writes the book although the user's own (real) group may not, so
/// `access(2)`, which asks for the real ids, would call a shared book read-only.
pub fn can_write(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated string for the duration of the call.
    unsafe { libc::faccessat(libc::AT_FDCWD, c.as_ptr(), libc::W_OK, libc::AT_EACCESS) == 0 }
}

/// Whether this process may read `path`, by its effective ids (see [`can_write`]).
pub fn can_read(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated string for the duration of the call.
    unsafe { libc::faccessat(libc::AT_FDCWD, c.as_ptr(), libc::R_OK, libc::AT_EACCESS) == 0 }
}

/// Whether this process may pass through the directory `dir` (search permission).
fn can_enter(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated string for the duration of the call.
    unsafe { libc::faccessat(libc::AT_FDCWD, c.as_ptr(), libc::X_OK, libc::AT_EACCESS) == 0 }
}

/// Whether there is a book at `path`, as far as this process may know: `Ok(false)` only when
/// the system says nothing is there. A directory on the way that cannot be entered, or a book
/// file that cannot be read, is [`StoreError::Denied`] naming it, never "no book": `init`
/// must not be offered over a book that may well be there.
pub fn book_exists(path: &Path) -> Result<bool> {
    let denied = |place: &Path, place_is_book: bool| StoreError::Denied {
        path: path.display().to_string(),
        place: place.display().to_string(),
        place_is_book,
    };
    match path.try_exists() {
        Ok(true) if path.is_dir() || can_read(path) => Ok(true),
        Ok(true) => Err(denied(path, true)),
        Ok(false) => Ok(false),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            let mut dirs: Vec<PathBuf> = path
                .ancestors()
                .skip(1)
                .map(|d| {
                    if d.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        d.to_path_buf()
                    }
                })
                .collect();
            dirs.reverse();
            let closed = dirs
                .iter()
                .find(|d| !can_enter(d))
                .cloned()
                .unwrap_or_else(|| book_dir(path));
            Err(denied(&closed, false))
        }
        // Not a directory on the way, a loop of links, a name too long: nothing is there.
        Err(_) => Ok(false),
    }
}

/// How a command that only reads opens a book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMode {
    /// Read-write as usual (a pending schema upgrade runs).
    Normal,
    /// SQLite's read-only mode: needs the `-shm` and `-wal` files to exist or to be creatable.
    ReadOnly,
    /// `immutable=1`: no locks, no `-shm`; for a directory or medium nothing can be written to.
    Immutable,
}

/// Chooses how to open a book for reading. A WAL book opened read-only needs its `-shm` and
/// `-wal` files: SQLite creates them when the directory can be written, and uses them when
/// they are there; otherwise only `immutable=1` opens it (nobody can be writing it there).
pub fn read_mode(w: Writable, wal_files_exist: bool) -> ReadMode {
    match (w.file, w.dir) {
        (true, true) => ReadMode::Normal,
        (_, true) => ReadMode::ReadOnly,
        (_, false) if wal_files_exist => ReadMode::ReadOnly,
        (_, false) => ReadMode::Immutable,
    }
}

/// Refuses a book path that cannot be a regular file: SQLite would open a device (and fail
/// later with "disk I/O error") or create `x` for `x/`.
fn check_book_path(path: &Path) -> Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let not_a_file = || StoreError::NotAFile {
        path: path.display().to_string(),
    };
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(m) if !m.is_file() => Err(not_a_file()),
        _ if path.as_os_str().as_bytes().ends_with(b"/") => Err(not_a_file()),
        _ => Ok(()),
    }
}

/// `file:PATH?immutable=1`, the path percent-encoded as SQLite's URI parser expects.
fn immutable_uri(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::from("file:");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// Whether a read of the book at `path` will miss committed changes: on a directory that
/// cannot be written, a `-wal` file with content but no `-shm` beside it can only be opened
/// `immutable=1`, which reads the main file alone.
pub fn wal_unreadable(path: &Path) -> bool {
    let w = Writable::probe(path);
    !w.dir
        && std::fs::metadata(side_file(path, "-wal")).is_ok_and(|m| m.len() > 0)
        && !side_file(path, "-shm").exists()
}

fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The schema, one script a version; a book's `user_version` says how many it has run.
const SCHEMA: &[&str] = &[
    include_str!("schema_v1.sql"),
    include_str!("schema_v2.sql"),
    include_str!("schema_v3.sql"),
    include_str!("schema_v4.sql"),
    include_str!("schema_v5.sql"),
    include_str!("schema_v6.sql"),
    include_str!("schema_v7.sql"),
    include_str!("schema_v8.sql"),
    include_str!("schema_v9.sql"),
    include_str!("schema_v10.sql"),
    include_str!("schema_v11.sql"),
    include_str!("schema_v12.sql"),
    include_str!("schema_v13.sql"),
    include_str!("schema_v14.sql"),
    include_str!("schema_v15.sql"),
];

fn migrations() -> Migrations<'static> {
    Migrations::new(SCHEMA.iter().map(|sql| M::up(sql)).collect())
}

/// Makes a new, empty book at `path` with the schema as it was at `version` (1 ..= the
/// current one): an older program's book, for the tests of the upgrade. Nothing else
/// writes a book below the current version.
pub fn create_at_version(path: &Path, version: usize) -> Result<()> {
    let mut conn = Connection::open(path).map_err(|source| StoreError::Open {
        path: path.display().to_string(),
        source,
    })?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    migrations().to_version(&mut conn, version.clamp(1, SCHEMA.len()))?;
    Ok(())
}

/// Whether opening the existing book at `path` will upgrade its schema, which on a large
/// book takes a while (version 4 indexes every loan for search, version 15 again: about a minute at
/// 1,000,000 loans). False for a new or unreadable file, or anything but a regular file.
pub fn upgrade_pending(path: &Path) -> bool {
    // Opening a pipe would wait for a writer; only a regular file can be a book. The header
    // is read as bytes: opening the book here would make -wal and -shm files beside it.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    files::header_schema_version(path).is_some_and(|v| v > 0 && (v as usize) < SCHEMA.len())
}

/// A schema upgrade made when the book was opened, and the copy kept from before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgrade {
    pub from: i64,
    pub to: usize,
    pub backup: PathBuf,
}

/// The schema version this program writes.
pub fn schema_version() -> usize {
    SCHEMA.len()
}

/// Where the copy of a book at schema `from` is kept before upgrading it: `BOOK.vN-backup`
/// beside it, or `BOOK.vN-backup-2`, … when that name is taken (an earlier upgrade failed).
pub fn upgrade_backup_path(path: &Path, from: i64) -> PathBuf {
    let base = side_file(path, &format!(".v{from}-backup"));
    let mut candidate = base.clone();
    let mut n = 2;
    while std::fs::symlink_metadata(&candidate).is_ok() {
        candidate = side_file(&base, &format!("-{n}"));
        n += 1;
    }
    candidate
}

fn too_new(path: &Path, found: i64) -> StoreError {
    StoreError::TooNew {
        path: path.display().to_string(),
        found,
        want: SCHEMA.len(),
        program: env!("CARGO_PKG_VERSION"),
    }
}

/// Copies the database of `conn` to the new file `dest` (mode 0660) with SQLite's online
/// backup, in one step; a failed copy is removed.
fn backup_conn(conn: &Connection, dest: &Path) -> Result<()> {
    let open_err = |source| StoreError::Open {
        path: dest.display().to_string(),
        source,
    };
    let copy = || -> Result<()> {
        files::create_private_file(dest).map_err(|e| StoreError::CreateFile {
            path: dest.display().to_string(),
            reason: e.to_string(),
        })?;
        let mut out = Connection::open(dest).map_err(open_err)?;
        {
            let backup = rusqlite::backup::Backup::new(conn, &mut out)?;
            loop {
                match backup.step(-1)? {
                    rusqlite::backup::StepResult::Done => break,
                    rusqlite::backup::StepResult::More => continue,
                    // Busy or locked: the destination is ours alone, so only the source can
                    // be; wait as the busy timeout would.
                    _ => std::thread::sleep(std::time::Duration::from_millis(50)),
                }
            }
        }
        out.pragma_update(None, "journal_mode", "DELETE")?;
        out.close().map_err(|(_, e)| StoreError::Sql(e))?;
        Ok(())
    };
    let existed = std::fs::symlink_metadata(dest).is_ok();
    let done = copy();
    if done.is_err() && !existed {
        let _ = std::fs::remove_file(dest);
        let _ = std::fs::remove_file(side_file(dest, "-journal"));
    }
    done
}

/// An open book.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The schema upgrade this open made, if it made one.
    upgraded: Option<Upgrade>,
    /// How the last ledger text filter was answered, reused while the book is unchanged.
    search_plan: std::cell::RefCell<Option<ledger::CachedPlan>>,
    /// Where the text filter changes plans: (sorted matches, count cap).
    search_tiers: std::cell::Cell<(u64, u64)>,
    /// SQLite steps a walk for the text filter's matches may take (see `ledger`).
    walk_budget: std::cell::Cell<i32>,
}

/// One staff member as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Staff {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

/// Whether `path` is a file with no book in it yet: empty, or a SQLite file with no table
/// and schema version 0 (what an `init` cut short leaves). Commands other than `init` take it
/// for no book, and a setgid postloan makes a book in it only where it would make a new one.
pub fn is_blank_file(path: &Path) -> bool {
    if wal_holds_pages(path) {
        return false;
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() == 0 => true,
        Ok(m) if m.is_file() => {
            files::header_schema_version(path) == Some(0) && schema_objects(path) == Some(0)
        }
        _ => false,
    }
}

/// Whether `path` holds a SQLite database postloan did not make: schema version 0 with
/// tables in it. Opening it as a book would add postloan's tables to another program's data.
pub fn is_foreign_database(path: &Path) -> bool {
    !wal_holds_pages(path)
        && files::header_schema_version(path) == Some(0)
        && schema_objects(path).is_some_and(|n| n > 0)
}

/// Whether the book's `-wal` file holds pages: then the file alone does not say what the
/// book is (a new book's schema may be only there), and it is taken for a book.
fn wal_holds_pages(path: &Path) -> bool {
    std::fs::metadata(side_file(path, "-wal")).is_ok_and(|m| m.len() > 0)
}

/// How many objects (tables, indexes …) the SQLite file at `path` holds, read without
/// writing a byte; `None` when it cannot be read.
fn schema_objects(path: &Path) -> Option<i64> {
    let conn = Connection::open_with_flags(
        immutable_uri(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .ok()
}

impl Store {
    /// Opens (creating if needed) the book at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        book_exists(path)?;
        check_book_path(path)?;
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            files::create_private_dir(dir).map_err(|e| StoreError::CreateDir {
                dir: dir.display().to_string(),
                reason: e.to_string(),
            })?;
        }
        let w = Writable::probe(path);
        let refusal = if path.exists() {
            w.refusal()
        } else {
            (!w.dir).then_some(ReadOnlyPlace::Directory)
        };
        if let Some(place) = refusal {
            return Err(StoreError::ReadOnly {
                path: path.display().to_string(),
                place,
            });
        }
        // A newer program's book is refused before SQLite opens it (opening makes -wal and
        // -shm files); a new book is made 0660 whatever the umask, and SQLite gives its
        // -wal and -shm files the same mode.
        match files::header_schema_version(path) {
            Some(found) if found > SCHEMA.len() as i64 => return Err(too_new(path, found)),
            _ => {}
        }
        if is_foreign_database(path) {
            return Err(StoreError::Foreign(path.display().to_string()));
        }
        if !path.exists() {
            files::create_private_file(path).map_err(|e| StoreError::CreateFile {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        Self::setup(conn, path)
    }

    /// Opens an existing book; fails when there is none at `path` (an empty file is none).
    pub fn open_existing(path: &Path) -> Result<Store> {
        if !book_exists(path)? || is_blank_file(path) {
            return Err(StoreError::NotFound(format!("book {}", path.display())));
        }
        Self::open(path)
    }

    /// Opens an existing book for a command that only reads: as usual where the book can be
    /// written, else read-only (see [`read_mode`]), so a book on read-only media still reads.
    pub fn open_for_reading(path: &Path) -> Result<Store> {
        Self::open_for_reading_as(path, Writable::probe(path))
    }

    /// [`Store::open_for_reading`] with the writability given (tests simulate read-only media).
    pub fn open_for_reading_as(path: &Path, w: Writable) -> Result<Store> {
        if !book_exists(path)? || is_blank_file(path) {
            return Err(StoreError::NotFound(format!("book {}", path.display())));
        }
        check_book_path(path)?;
        let wal_files = side_file(path, "-wal").exists() && side_file(path, "-shm").exists();
        match read_mode(w, wal_files) {
            ReadMode::Normal => Self::open(path),
            ReadMode::ReadOnly => match Self::open_read_only(path, false) {
                // The -shm/-wal files could be neither used nor made: nobody writes here.
                Err(_) if !w.dir => Self::open_read_only(path, true),
                other => other,
            },
            ReadMode::Immutable => Self::open_read_only(path, true),
        }
    }

    fn open_read_only(path: &Path, immutable: bool) -> Result<Store> {
        let wrap = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = if immutable {
            Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI)
        } else {
            Connection::open_with_flags(path, flags)
        }
        .map_err(wrap)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(wrap)?;
        // Opening is lazy: read the schema version now so a failure shows here.
        let found: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(wrap)?;
        if found > SCHEMA.len() as i64 {
            return Err(too_new(path, found));
        }
        if found != SCHEMA.len() as i64 {
            return Err(StoreError::ReadOnlyOutdated {
                path: path.display().to_string(),
                found,
                want: SCHEMA.len(),
            });
        }
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(wrap)?;
        Ok(Self::wrap_conn(conn, path))
    }

    fn setup(mut conn: Connection, path: &Path) -> Result<Store> {
        let wrap = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(wrap)?;
        // Read before anything is set: the header may be behind a -wal file.
        let found: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(wrap)?;
        if found > SCHEMA.len() as i64 {
            return Err(too_new(path, found));
        }
        let upgraded = if found > 0 && found < SCHEMA.len() as i64 {
            let backup = upgrade_backup_path(path, found);
            backup_conn(&conn, &backup).map_err(|e| StoreError::UpgradeBackup {
                path: path.display().to_string(),
                backup: backup.display().to_string(),
                source: Box::new(e),
            })?;
            Some(Upgrade {
                from: found,
                to: SCHEMA.len(),
                backup,
            })
        } else {
            None
        };
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(wrap)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(wrap)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(wrap)?;
        migrations().to_latest(&mut conn)?;
        let mut store = Self::wrap_conn(conn, path);
        store.upgraded = upgraded;
        Ok(store)
    }

    /// The schema upgrade opening this book made (and where the copy from before it is).
    pub fn upgraded(&self) -> Option<&Upgrade> {
        self.upgraded.as_ref()
    }

    fn wrap_conn(conn: Connection, path: &Path) -> Store {
        Store {
            conn,
            path: path.to_path_buf(),
            upgraded: None,
            search_plan: Default::default(),
            search_tiers: std::cell::Cell::new(ledger::SEARCH_TIERS),
            walk_budget: std::cell::Cell::new(ledger::WALK_BUDGET_OPS),
        }
    }

    /// Whether this connection can only read (the book is on read-only media or file).
    pub fn is_read_only(&self) -> bool {
        self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SQLite's `data_version`: changes when another connection commits. Polled by the TUI
    /// so other people's changes appear without a restart; reading it writes nothing.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Whether this book was built by `postloan demo` (only there may `--as` switch user).
    pub fn is_demo(&self) -> Result<bool> {
        Ok(self.meta("demo")?.as_deref() == Some("1"))
    }

    pub fn staff(&self, username: &str) -> Result<Option<Staff>> {
        staff_q(&self.conn, username)
    }

    pub fn staff_list(&self) -> Result<Vec<Staff>> {
        let mut stmt = self.conn.prepare(
            "SELECT username, display_name, role, active FROM staff ORDER BY role, username",
        )?;
        let rows = stmt.query_map([], staff_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn staff_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM staff", [], |r| r.get(0))?)
    }

    /// Runs `f` in one write transaction (IMMEDIATE, so two writers queue rather than fail
    /// half-way); commits when it returns `Ok`, rolls back otherwise.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut Tx<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let txn = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let mut tx = Tx::new(txn)?;
        let value = f(&mut tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Gives this connection a page cache of `mib` MiB (SQLite's default is 2): a large import
    /// updates nine indexes of the loans table, which thrash a small cache.
    pub fn set_cache_mib(&self, mib: u32) -> Result<()> {
        self.conn
            .pragma_update(None, "cache_size", -(i64::from(mib) * 1024))?;
        Ok(())
    }

    /// This connection's page cache in MiB, as [`Store::set_cache_mib`] sets it (a cache
    /// set in pages counts at SQLite's default page of 4 KiB).
    pub fn cache_mib(&self) -> Result<u32> {
        let size: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        let kib = if size < 0 { -size } else { size * 4 };
        Ok(u32::try_from(kib / 1024).unwrap_or(u32::MAX))
    }

    /// A bulk writer for a freshly created book (the demo generator): prepared inserts in one
    /// transaction, without the per-row comparisons of an import.
    pub fn bulk(&mut self) -> Result<BulkWriter<'_>> {
        BulkWriter::new(&mut self.conn)
    }

    /// Verifies the audit chain; returns the number of rows checked or the first broken id.
    pub fn verify_audit(&self) -> Result<std::result::Result<u64, i64>> {
        audit::verify(&self.conn)
    }

    pub fn audit_tail(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        audit::tail(&self.conn, limit)
    }

    /// A page of the audit trail, newest first, with ids below `before` (keyset paging).
    pub fn audit_page(
        &self,
        q: &AuditQuery,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>> {
        audit::page(&self.conn, q, before, limit)
    }

    /// The entries just newer than `after`, oldest first (keyset paging back up).
    pub fn audit_page_newer(
        &self,
        q: &AuditQuery,
        after: i64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>> {
        audit::page_newer(&self.conn, q, after, limit)
    }

    /// Audit entry `id` with its previous and own hash; None when there is none.
    pub fn audit_entry(&self, id: i64) -> Result<Option<AuditRecord>> {
        audit::entry(&self.conn, id)
    }

    /// The details (JSON) of every audit entry of `action`, oldest first: the few entries of
    /// a rare action such as `book.backup` (read through the action's index).
    pub fn audit_details(&self, action: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT detail FROM audit_log WHERE action = ?1 ORDER BY id")?;
        let rows = stmt.query_map([action], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The chain's head as stored apart from its rows.
    pub fn audit_head(&self) -> Result<Head> {
        audit::head(&self.conn)
    }

    /// Walks the whole chain once (see [`ChainReport`]); `expected` is a head kept elsewhere.
    /// One read transaction, so the head read with it belongs to the same state.
    pub fn audit_walk(&self, expected: Option<&str>) -> Result<(ChainReport, Head)> {
        let txn = self.conn.unchecked_transaction()?;
        let report = audit::walk(&txn, expected)?;
        let head = audit::head(&txn)?;
        txn.finish()?;
        Ok((report, head))
    }

    /// The sealed rows that no longer match the last seal the chain holds for them.
    pub fn check_seals(&self, chain: &ChainReport) -> Result<Vec<SealBreak>> {
        audit::check_seals(&self.conn, &chain.seals)
    }

    /// Every document's text against its SHA-256: (documents read, mismatches).
    pub fn check_documents(&self) -> Result<(u64, Vec<DocumentBreak>)> {
        audit::check_documents(&self.conn)
    }

    /// A page of the evidence files the book lists, `(SHA-256, size)` after `after`.
    pub fn evidence_files_page(&self, after: &str, limit: u32) -> Result<Vec<(String, u64)>> {
        audit::evidence_page(&self.conn, after, limit)
    }

    /// Who keeps the stored file `sha`: `(is a document, number, id)` — documents stored by
    /// it, then inspections holding it as evidence (the evidence row's id).
    pub fn stored_file_owners(&self, sha: &str, limit: u32) -> Result<Vec<(bool, String, i64)>> {
        audit::stored_file_owners(&self.conn, sha, limit)
    }

    /// SQLite's integrity check: the problems it names (empty: ok).
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        audit::integrity_check(&self.conn)
    }

    /// Copies the book to `dest` with SQLite's online backup, in one step (one read
    /// transaction): a consistent copy while others keep writing (WAL readers do not block
    /// writers). `dest` must not exist yet.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        backup_conn(&self.conn, dest)
    }

    /// Writes what the `-wal` file holds into the book and empties it (before the book's
    /// files are moved aside).
    pub fn checkpoint(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    pub fn count_rows(&self, table: Table) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name());
        Ok(self.conn.query_row(&sql, [], |r| r.get(0))?)
    }

    /// Loads a draft saved for `username` under `form`.
    pub fn draft(&self, username: &str, form: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT body FROM drafts WHERE username = ?1 AND form = ?2",
                params![username, form],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Saves text being typed so a dropped link loses nothing. Not audited: it is not a
    /// change to the book, only the user's unfinished input.
    pub fn save_draft(&self, username: &str, form: &str, body: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO drafts (username, form, body, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (username, form) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            params![username, form, body, now_text()],
        )?;
        Ok(())
    }

    /// Every draft `username` left in the book (drafts were kept here before they moved to a
    /// file in the state directory): `(form, body)`, read once to carry them over.
    pub fn book_drafts(&self, username: &str) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT form, body FROM drafts WHERE username = ?1 ORDER BY form")?;
        let rows = stmt.query_map([username], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Caps the book at `pages` pages for this connection (SQLite's `max_page_count`): a
    /// write that needs more fails as a full disk does (`SQLITE_FULL`). Tests simulate a
    /// full disk with it; nothing is stored.
    pub fn limit_pages(&self, pages: u64) -> Result<()> {
        self.conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
        Ok(())
    }

    /// The book's size in pages (`PRAGMA page_count`).
    pub fn page_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get::<_, i64>(0))?
            .max(0) as u64)
    }

    /// How long a statement waits for another connection's write lock before failing busy.
    pub fn set_busy_timeout(&self, wait: std::time::Duration) -> Result<()> {
        self.conn.busy_timeout(wait)?;
        Ok(())
    }

    pub fn discard_draft(&self, username: &str, form: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM drafts WHERE username = ?1 AND form = ?2",
            params![username, form],
        )?;
        Ok(())
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// Tables whose rows can be counted from outside (for summaries and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Staff,
    Borrowers,
    Loans,
    Collateral,
    Statements,
    Repayments,
    FundFlows,
    Contacts,
    Audit,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Staff => "staff",
            Table::Borrowers => "borrowers",
            Table::Loans => "loans",
            Table::Collateral => "collateral",
            Table::Statements => "financial_statements",
            Table::Repayments => "repayment_status",
            Table::FundFlows => "fund_flows",
            Table::Contacts => "contacts",
            Table::Audit => "audit_log",
        }
    }
}

fn staff_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Staff> {
    let role: String = r.get(2)?;
    Ok(Staff {
        username: r.get(0)?,
        display_name: r.get(1)?,
        role: Role::parse(&role).unwrap_or(Role::Auditor),
        active: r.get::<_, i64>(3)? != 0,
    })
}

/// The current time as stored in `*_at` columns (UTC, seconds). The wall clock on purpose:
/// audit rows and `updated_at` say when a write happened; business dates (a demo book's
/// own day) come from `book_today`, and documents are dated by `Tx::document_at`.
pub(crate) fn now_text() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl From<&Staff> for StaffRecord {
    fn from(s: &Staff) -> Self {
        StaffRecord {
            username: s.username.clone(),
            display_name: s.display_name.clone(),
            role: s.role,
        }
    }
}

fn staff_q(conn: &Connection, username: &str) -> Result<Option<Staff>> {
    Ok(conn
        .query_row(
            "SELECT username, display_name, role, active FROM staff WHERE username = ?1",
            [username],
            staff_from_row,
        )
        .optional()?)
}

/// Reads a command makes inside its own write transaction.
impl Tx<'_> {
    pub fn staff(&self, username: &str) -> Result<Option<Staff>> {
        staff_q(self.conn(), username)
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RW: Writable = Writable {
        file: true,
        dir: true,
    };
    const RO_FILE: Writable = Writable {
        file: false,
        dir: true,
    };
    const RO_DIR: Writable = Writable {
        file: true,
        dir: false,
    };
    const RO_MEDIUM: Writable = Writable {
        file: false,
        dir: false,
    };

    #[test]
    fn reads_choose_the_mode_the_medium_allows() {
        assert_eq!(read_mode(RW, false), ReadMode::Normal);
        assert_eq!(read_mode(RO_FILE, false), ReadMode::ReadOnly);
        assert_eq!(read_mode(RO_DIR, true), ReadMode::ReadOnly);
        assert_eq!(read_mode(RO_DIR, false), ReadMode::Immutable);
        assert_eq!(read_mode(RO_MEDIUM, true), ReadMode::ReadOnly);
        assert_eq!(read_mode(RO_MEDIUM, false), ReadMode::Immutable);
    }

    #[test]
    fn writes_are_refused_naming_what_cannot_be_written() {
        assert_eq!(RW.refusal(), None);
        assert_eq!(RO_FILE.refusal(), Some(ReadOnlyPlace::File));
        assert_eq!(RO_DIR.refusal(), Some(ReadOnlyPlace::Directory));
        assert_eq!(RO_MEDIUM.refusal(), Some(ReadOnlyPlace::File));
        let e = StoreError::ReadOnly {
            path: "/media/cd/book.db".into(),
            place: ReadOnlyPlace::Directory,
        };
        assert_eq!(
            e.to_string(),
            "the book /media/cd/book.db is read-only: /media/cd cannot be written"
        );
    }

    /// A closed book with one staff member, in WAL mode as `open` leaves it.
    fn book() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("b k?#%.db");
        let mut store = Store::open(&path).expect("open");
        let rec = StaffRecord {
            username: "u".into(),
            display_name: "U".into(),
            role: Role::Manager,
        };
        store.write(|tx| tx.upsert_staff(&rec, "u")).expect("staff");
        drop(store);
        (dir, path)
    }

    #[test]
    fn a_book_path_must_be_able_to_be_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        for path in [
            PathBuf::from("/dev/null"),
            dir.path().join("new/"),
            dir.path().join("x.db/"),
        ] {
            assert!(
                matches!(Store::open(&path), Err(StoreError::NotAFile { .. })),
                "{path:?}"
            );
        }
        assert!(!dir.path().join("new").exists() && !dir.path().join("x.db").exists());
        assert!(matches!(
            Store::open_for_reading(Path::new("/dev/null")),
            Err(StoreError::NotAFile { .. })
        ));
    }

    #[test]
    fn a_read_only_book_is_read_read_only_or_immutable() {
        for w in [RO_FILE, RO_DIR, RO_MEDIUM] {
            let (_dir, path) = book();
            let store = Store::open_for_reading_as(&path, w).expect("open for reading");
            assert!(store.is_read_only(), "{w:?}");
            assert_eq!(store.staff_count().expect("count"), 1, "{w:?}");
            let write = store.save_draft("u", "f", "x");
            assert!(write.is_err(), "{w:?}: a read-only open wrote");
        }
        let (_dir, path) = book();
        let store = Store::open_for_reading_as(&path, RW).expect("open for reading");
        assert!(!store.is_read_only());
    }

    #[test]
    fn an_outdated_read_only_book_says_it_cannot_be_upgraded() {
        let (_dir, path) = book();
        let conn = Connection::open(&path).expect("open");
        conn.pragma_update(None, "user_version", 3)
            .expect("version");
        drop(conn);
        match Store::open_for_reading_as(&path, RO_MEDIUM) {
            Err(StoreError::ReadOnlyOutdated { found: 3, want, .. }) => {
                assert_eq!(want, SCHEMA.len())
            }
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("opened an outdated read-only book"),
        }
    }
}

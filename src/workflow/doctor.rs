//! `postloan doctor`: checks a book's place on a shared server — owner, group and modes of
//! its files, schema version, WAL mode, free disk, the document store — and says what to fix.
//! It only reads (the book is opened read-only and never upgraded), so it changes nothing.

use super::evidence::{docs_dir, stored_path};
use super::verify::file_sha256;
use crate::i18n::Lang;
use crate::store::{Probe, book_dir};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// How a check came out. "All is well" means every check is [`Status::Ok`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

/// A translation key and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Said {
    fn new(key: &'static str, args: &[(&'static str, String)]) -> Said {
        Said {
            key,
            args: args.to_vec(),
        }
    }

    /// The text in `lang` (an argument `os_err.*` is a failure's kind, said in `lang` too).
    pub fn text(&self, lang: Lang) -> String {
        super::rule_text(lang, self.key, &self.args)
    }
}

/// One check: what was looked at, how it came out, what was found and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// `dir`, `book`, `wal`, `shm`, `docs_dir`, `schema`, `journal`, `disk`, `docs`.
    pub name: &'static str,
    pub status: Status,
    pub detail: Said,
    pub fix: Option<Said>,
}

/// Every check on one book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub book: PathBuf,
    pub checks: Vec<Check>,
    /// The book's schema version, when the book could be read; never guessed.
    pub book_schema: Option<i64>,
}

impl Report {
    pub fn all_well(&self) -> bool {
        self.checks.iter().all(|c| c.status == Status::Ok)
    }

    pub fn problems(&self) -> usize {
        self.checks
            .iter()
            .filter(|c| c.status != Status::Ok)
            .count()
    }

    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }
}

/// Thresholds of the checks.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Free space below which the disk check warns (it also wants twice the book's size:
    /// an upgrade or a backup copies the book beside it).
    pub min_free_bytes: u64,
    /// How many documents are read back against their SHA-256.
    pub sample: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_free_bytes: 1024 * 1024 * 1024,
            sample: 32,
        }
    }
}

fn s(v: impl ToString) -> String {
    v.to_string()
}

/// A user id's name, else its number.
fn owner_name(uid: u32) -> String {
    super::user_name(uid).unwrap_or_else(|| uid.to_string())
}

/// A group id's name in the group database, else its number.
pub fn group_name(gid: u32) -> String {
    let mut buf = vec![0u8; 4096];
    loop {
        // SAFETY: an all-zero group is a valid value for getgrgid_r to fill.
        let mut grp: libc::group = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::group = std::ptr::null_mut();
        // SAFETY: `buf` outlives the call and its length is passed; `grp` and `found` are
        // valid for writes; the strings `grp` points to live in `buf`.
        let rc = unsafe {
            libc::getgrgid_r(
                gid,
                &mut grp,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut found,
            )
        };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || found.is_null() || grp.gr_name.is_null() {
            return gid.to_string();
        }
        // SAFETY: getgrgid_r succeeded, so gr_name is a NUL-terminated string inside `buf`.
        let name = unsafe { std::ffi::CStr::from_ptr(grp.gr_name) };
        return name.to_string_lossy().into_owned();
    }
}

fn side(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// `0660`, `2770`: the permission bits with setgid.
fn mode_text(mode: u32) -> String {
    format!("{:04o}", mode & 0o7777)
}

/// The owner, group and mode check of one file or directory of the book. Others may never
/// reach it. On a shared book (see [`Shared::is_shared`]) the group must read and write it
/// (staff work through the group), it must belong to the directory's group, and a directory
/// must be setgid so what is made in it keeps that group. A book that is not shared (a
/// laptop's, or one locked down by hand to its owner: `0700` and `0600`) needs none of that.
fn mode_check(
    name: &'static str,
    path: &Path,
    meta: &std::fs::Metadata,
    dir_gid: u32,
    shared: bool,
) -> Check {
    let is_dir = meta.is_dir();
    let mode = meta.mode();
    let shown = path.display().to_string();
    let base = [
        ("path", shown.clone()),
        ("owner", owner_name(meta.uid())),
        ("group", group_name(meta.gid())),
        ("mode", mode_text(mode)),
    ];
    // What to make it: the shared layout when it is shared or its group uses it (postloan's
    // own `0660`/`2770`), else closed to all but its owner.
    let group_uses = shared || mode & 0o070 != 0;
    let fix_mode = match (is_dir, group_uses) {
        (true, true) => "2770",
        (false, true) => "0660",
        (true, false) => "0700",
        (false, false) => "0600",
    };
    let with = |extra: &[(&'static str, String)]| {
        let mut v = base.to_vec();
        v.extend_from_slice(extra);
        v
    };
    let (status, detail, fix) = if mode & 0o007 != 0 {
        (
            Status::Fail,
            Said::new(
                if group_uses {
                    "doctor.others_access"
                } else {
                    "doctor.others_access_private"
                },
                &with(&[("fix_mode", s(fix_mode))]),
            ),
            Some(Said::new(
                "doctor.fix_chmod",
                &[("path", shown.clone()), ("mode", s(fix_mode))],
            )),
        )
    } else if !shared {
        // Not shared: only its owner (and root) need reach it; the group is not checked.
        let key = if mode & 0o070 == 0 {
            "doctor.mode_single_user"
        } else {
            "doctor.mode_ok"
        };
        match super::user_name(meta.uid()) {
            Some(_) => (Status::Ok, Said::new(key, &base), None),
            None => (
                Status::Warn,
                Said::new("doctor.owner_unknown", &with(&[("uid", s(meta.uid()))])),
                Some(Said::new("doctor.fix_chown", &[("path", shown.clone())])),
            ),
        }
    } else if meta.gid() != dir_gid {
        let dir_group = group_name(dir_gid);
        (
            Status::Fail,
            Said::new(
                "doctor.group_differs",
                &with(&[("dir_group", dir_group.clone())]),
            ),
            Some(Said::new(
                "doctor.fix_chgrp",
                &[("path", shown.clone()), ("group", dir_group)],
            )),
        )
    } else if mode & 0o060 != 0o060 || (is_dir && mode & 0o010 == 0) {
        (
            Status::Fail,
            Said::new(
                if is_dir {
                    "doctor.group_cannot_use_dir"
                } else {
                    "doctor.group_cannot_write"
                },
                &base,
            ),
            Some(Said::new(
                "doctor.fix_chmod",
                &[("path", shown.clone()), ("mode", s(fix_mode))],
            )),
        )
    } else if is_dir && mode & 0o2000 == 0 {
        (
            Status::Warn,
            Said::new("doctor.not_setgid", &base),
            Some(Said::new(
                "doctor.fix_chmod",
                &[("path", shown.clone()), ("mode", s(fix_mode))],
            )),
        )
    } else if super::user_name(meta.uid()).is_none() {
        (
            Status::Warn,
            Said::new("doctor.owner_unknown", &with(&[("uid", s(meta.uid()))])),
            Some(Said::new("doctor.fix_chown", &[("path", shown.clone())])),
        )
    } else {
        (Status::Ok, Said::new("doctor.mode_ok", &base), None)
    };
    Check {
        name,
        status,
        detail,
        fix,
    }
}

/// What decides whether a book is set up to be shared: its directory, and the running
/// user's own (primary) group.
#[derive(Debug, Clone, Copy)]
pub struct Shared {
    pub dir_mode: u32,
    pub dir_gid: u32,
    pub user_gid: u32,
    /// The group this process runs with: the program's own group when its setgid bit took
    /// effect, else the user's (a `nosuid` mount or `no_new_privs` ignores the bit).
    pub effective_gid: u32,
}

impl Shared {
    /// A book is shared when its directory is group-writable and belongs to a group other
    /// than the user's own: the setup of the README's "Shared server" (`2770`, group
    /// `postloan`). A book on a laptop, in a directory of the user's own group, is not.
    pub fn is_shared(&self) -> bool {
        self.dir_mode & 0o020 != 0 && self.dir_gid != self.user_gid
    }
}

/// The setgid install: on a shared book, the running program must be setgid to the book
/// directory's group (staff reach the book only through it); `installed` is the program's
/// path, mode and group. A book that is not shared needs no setgid program.
pub fn install_check(shared: &Shared, installed: Option<(&Path, u32, u32)>) -> Check {
    let group = group_name(shared.dir_gid);
    if !shared.is_shared() {
        // Not shared: the user's own group's directory (a laptop), or one its group may
        // not write (nobody works on it through the group).
        let detail = if shared.dir_gid == shared.user_gid {
            Said::new("doctor.install_private", &[("group", group)])
        } else {
            Said::new(
                "doctor.install_not_shared",
                &[("group", group), ("mode", mode_text(shared.dir_mode))],
            )
        };
        return Check {
            name: "install",
            status: Status::Ok,
            detail,
            fix: None,
        };
    }
    let Some((path, mode, gid)) = installed else {
        return Check {
            name: "install",
            status: Status::Warn,
            detail: Said::new("doctor.install_unknown", &[("group", group)]),
            fix: None,
        };
    };
    let shown = path.display().to_string();
    let base = [
        ("program", shown.clone()),
        ("mode", mode_text(mode)),
        ("program_group", group_name(gid)),
        ("group", group.clone()),
    ];
    let fix = Some(Said::new(
        "doctor.fix_install",
        &[("program", shown), ("group", group)],
    ));
    let (status, detail, fix) = if mode & 0o2000 == 0 {
        (
            Status::Fail,
            Said::new("doctor.install_not_setgid", &base),
            fix,
        )
    } else if gid != shared.dir_gid {
        (
            Status::Fail,
            Said::new("doctor.install_wrong_group", &base),
            fix,
        )
    } else if shared.effective_gid != shared.dir_gid {
        let program = base[0].1.clone();
        (
            Status::Fail,
            Said::new("doctor.install_no_effect", &base),
            Some(Said::new(
                "doctor.fix_install_no_effect",
                &[("program", program)],
            )),
        )
    } else {
        (Status::Ok, Said::new("doctor.install_ok", &base), None)
    };
    Check {
        name: "install",
        status,
        detail,
        fix,
    }
}

/// Checks the book at `path`; reads only.
pub fn diagnose(path: &Path, opts: &Options) -> Report {
    let mut checks = Vec::new();
    let shown = path.display().to_string();
    let dir = book_dir(path);
    let report = |checks| Report {
        book: path.to_path_buf(),
        checks,
        book_schema: None,
    };
    let dir_meta = match std::fs::metadata(&dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            checks.push(denied_check("dir", path));
            return report(checks);
        }
        Err(e) => {
            checks.push(Check {
                name: "dir",
                status: Status::Fail,
                detail: Said::new(
                    "doctor.unreadable",
                    &[
                        ("path", dir.display().to_string()),
                        ("reason", s(crate::i18n::Failure::of_io(&e).key())),
                    ],
                ),
                fix: Some(Said::new("doctor.fix_path", &[("path", shown)])),
            });
            return report(checks);
        }
    };
    let dir_gid = dir_meta.gid();
    let program = std::env::current_exe().ok();
    let program_meta = program.as_deref().and_then(|p| std::fs::metadata(p).ok());
    let user_gid = super::real_primary_gid();
    let shared = Shared {
        dir_mode: dir_meta.mode(),
        dir_gid,
        user_gid,
        // SAFETY: getegid takes nothing and cannot fail.
        effective_gid: unsafe { libc::getegid() },
    };
    let is_shared = shared.is_shared();
    checks.push(mode_check("dir", &dir, &dir_meta, dir_gid, is_shared));
    let installed = program
        .as_deref()
        .zip(program_meta.as_ref())
        .map(|(p, m)| (p, m.mode(), m.gid()));
    checks.push(install_check(&shared, installed));
    let book_meta = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m,
        // The directory cannot be entered: a book may well be there; never "no book".
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            checks.push(denied_check("book", path));
            return report(checks);
        }
        _ => {
            checks.push(Check {
                name: "book",
                status: Status::Fail,
                detail: Said::new("doctor.no_book", &[("path", shown.clone())]),
                fix: Some(Said::new("doctor.fix_path", &[("path", shown)])),
            });
            return report(checks);
        }
    };
    checks.push(mode_check("book", path, &book_meta, dir_gid, is_shared));
    for (name, suffix) in [("wal", "-wal"), ("shm", "-shm")] {
        let p = side(path, suffix);
        if let Ok(m) = std::fs::metadata(&p) {
            checks.push(mode_check(name, &p, &m, dir_gid, is_shared));
        }
    }
    let docs = docs_dir(path);
    if let Ok(m) = std::fs::metadata(&docs) {
        checks.push(mode_check("docs_dir", &docs, &m, dir_gid, is_shared));
    }
    match Probe::open(path) {
        Ok(probe) => {
            let (check, found) = schema_check(&probe, &shown);
            checks.push(check);
            if found.is_none() {
                // Not read: no journal or document finding to make from it.
                checks.push(disk_check(&dir, book_meta.len(), opts));
                return report(checks);
            }
            checks.push(journal_check(path));
            checks.push(disk_check(&dir, book_meta.len(), opts));
            checks.push(docs_check(&probe, &docs, &dir, opts));
            return Report {
                book_schema: found,
                ..report(checks)
            };
        }
        Err(_) if !crate::store::can_read(path) => {
            checks.push(denied_check("schema", path));
            checks.push(disk_check(&dir, book_meta.len(), opts));
        }
        Err(e) => {
            let reason = store_reason(&e);
            checks.push(Check {
                name: "schema",
                status: Status::Fail,
                detail: Said::new(
                    "doctor.unreadable",
                    &[("path", shown.clone()), ("reason", reason)],
                ),
                fix: Some(Said::new("doctor.fix_verify", &[("path", shown)])),
            });
            checks.push(disk_check(&dir, book_meta.len(), opts));
        }
    }
    report(checks)
}

/// This user may not reach the book at `path` (a directory on the way cannot be entered) or
/// read it: said as "permission denied", naming where and whose it is, with whom to ask. The
/// book may well be there, so nothing suggests making one.
fn denied_check(name: &'static str, path: &Path) -> Check {
    let place = match crate::store::book_exists(path) {
        Err(crate::store::StoreError::Denied { place, .. }) => PathBuf::from(place),
        _ if !crate::store::can_read(path) => path.to_path_buf(),
        _ => book_dir(path),
    };
    let (owner, group, mode) = match std::fs::metadata(&place) {
        Ok(m) => (
            owner_name(m.uid()),
            group_name(m.gid()),
            mode_text(m.mode()),
        ),
        Err(_) => (s("?"), s("?"), s("?")),
    };
    let key = if place == path {
        "doctor.denied_book"
    } else {
        "doctor.denied"
    };
    let place = place.display().to_string();
    Check {
        name,
        status: Status::Fail,
        detail: Said::new(
            key,
            &[
                ("path", path.display().to_string()),
                ("place", place.clone()),
                ("owner", owner.clone()),
                ("group", group.clone()),
                ("mode", mode),
                ("user", super::os_user()),
            ],
        ),
        fix: Some(Said::new(
            "doctor.fix_denied",
            &[("place", place), ("owner", owner), ("group", group)],
        )),
    }
}

/// Why the store failed, as a translatable failure key where SQLite said it.
fn store_reason(e: &crate::store::StoreError) -> String {
    use crate::store::StoreError;
    match e {
        StoreError::Open { source, .. } | StoreError::Sql(source) => {
            s(crate::i18n::Failure::of_sqlite(source).key())
        }
        other => other.to_string(),
    }
}

/// The schema check, and the version found when the book could be read.
fn schema_check(probe: &Probe, shown: &str) -> (Check, Option<i64>) {
    let want = Probe::program_schema_version() as i64;
    let found = match probe.schema_version() {
        Ok(v) => v,
        Err(e) => {
            let check = Check {
                name: "schema",
                status: Status::Fail,
                detail: Said::new(
                    "doctor.unreadable",
                    &[("path", s(shown)), ("reason", store_reason(&e))],
                ),
                fix: Some(Said::new("doctor.fix_verify", &[("path", s(shown))])),
            };
            return (check, None);
        }
    };
    let args = [
        ("found", s(found)),
        ("want", s(want)),
        ("program", s(env!("CARGO_PKG_VERSION"))),
        ("path", s(shown)),
    ];
    if found <= 0 {
        // An empty file or another program's SQLite database: no version of ours at all.
        let check = Check {
            name: "schema",
            status: Status::Fail,
            detail: Said::new("doctor.not_a_book", &[("path", s(shown))]),
            fix: Some(Said::new("doctor.fix_path", &[("path", s(shown))])),
        };
        return (check, None);
    }
    let (status, key, fix) = match found.cmp(&want) {
        std::cmp::Ordering::Equal => (Status::Ok, "doctor.schema_ok", None),
        std::cmp::Ordering::Less => (
            Status::Warn,
            "doctor.schema_old",
            Some(Said::new("doctor.fix_schema_old", &args)),
        ),
        std::cmp::Ordering::Greater => (
            Status::Fail,
            "doctor.schema_new",
            Some(Said::new("doctor.fix_schema_new", &args)),
        ),
    };
    let check = Check {
        name: "schema",
        status,
        detail: Said::new(key, &args),
        fix,
    };
    (check, Some(found))
}

fn journal_check(path: &Path) -> Check {
    let shown = path.display().to_string();
    // The header, not `PRAGMA journal_mode`: the probe may read the book `immutable=1`,
    // which reports a rollback journal whatever the file is.
    let wal = crate::store::files::header_is_wal(path).unwrap_or(false);
    let args = [
        ("mode", s(if wal { "wal" } else { "delete" })),
        ("path", shown),
    ];
    if wal {
        Check {
            name: "journal",
            status: Status::Ok,
            detail: Said::new("doctor.journal_ok", &args),
            fix: None,
        }
    } else {
        Check {
            name: "journal",
            status: Status::Fail,
            detail: Said::new("doctor.journal_bad", &args),
            fix: Some(Said::new("doctor.fix_journal", &args)),
        }
    }
}

/// Bytes free for an unprivileged user on the file system holding `dir`: `f_bavail`, not
/// `f_bfree`, which counts the blocks kept for root (5 % of an ext4 file system by default).
pub fn free_bytes(dir: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
    // SAFETY: an all-zero statvfs is a valid value for statvfs to fill.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is NUL-terminated and `st` is valid for writes during the call.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
    Ok(st.f_bavail as u64 * st.f_frsize as u64)
}

/// `1.5 GiB`, `320 MiB`: a size for people.
pub fn size_text(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    const GIB: u64 = 1024 * MIB;
    if bytes >= GIB {
        format!("{}.{} GiB", bytes / GIB, (bytes % GIB) * 10 / GIB)
    } else if bytes >= MIB {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

/// Free space on the book's disk: at least the floor (`--min-free-mib`, room for imports,
/// the `-wal` file and new documents) and at least twice the book (an upgrade or a backup
/// copies it beside itself); the text names whichever of the two sets the need.
fn disk_check(dir: &Path, book_len: u64, opts: &Options) -> Check {
    let twice_book = book_len.saturating_mul(2);
    let need = opts.min_free_bytes.max(twice_book);
    let shown = dir.display().to_string();
    match free_bytes(dir) {
        Ok(free) => {
            let args = [
                ("free", size_text(free)),
                ("need", size_text(need)),
                ("book", size_text(book_len)),
                ("min", size_text(opts.min_free_bytes)),
                ("dir", shown),
            ];
            let (ok, low) = if twice_book > opts.min_free_bytes {
                ("doctor.disk_ok_book", "doctor.disk_low_book")
            } else {
                ("doctor.disk_ok_min", "doctor.disk_low_min")
            };
            if free >= need {
                Check {
                    name: "disk",
                    status: Status::Ok,
                    detail: Said::new(ok, &args),
                    fix: None,
                }
            } else {
                Check {
                    name: "disk",
                    status: Status::Warn,
                    detail: Said::new(low, &args),
                    fix: Some(Said::new("doctor.fix_disk", &args)),
                }
            }
        }
        Err(e) => Check {
            name: "disk",
            status: Status::Warn,
            detail: Said::new(
                "doctor.unreadable",
                &[
                    ("path", shown.clone()),
                    ("reason", s(crate::i18n::Failure::of_io(&e).key())),
                ],
            ),
            fix: Some(Said::new("doctor.fix_path", &[("path", shown)])),
        },
    }
}

fn docs_check(probe: &Probe, docs: &Path, dir: &Path, opts: &Options) -> Check {
    let shown = docs.display().to_string();
    let count = match probe.evidence_count() {
        Ok(n) => n,
        Err(e) => {
            return Check {
                name: "docs",
                status: Status::Fail,
                detail: Said::new(
                    "doctor.unreadable",
                    &[("path", shown.clone()), ("reason", e.to_string())],
                ),
                fix: Some(Said::new("doctor.fix_verify", &[("path", shown)])),
            };
        }
    };
    let fail = |detail: Said, fix: Said| Check {
        name: "docs",
        status: Status::Fail,
        detail,
        fix: Some(fix),
    };
    if !docs.is_dir() {
        if count > 0 {
            return fail(
                Said::new(
                    "doctor.docs_missing",
                    &[("path", shown.clone()), ("count", s(count))],
                ),
                Said::new("doctor.fix_docs_restore", &[("path", shown)]),
            );
        }
        // Made with the first document: the book's directory must let it be made.
        if !crate::store::can_write(dir) {
            let d = dir.display().to_string();
            return fail(
                Said::new(
                    "doctor.docs_cannot_make",
                    &[("path", shown), ("dir", d.clone())],
                ),
                Said::new("doctor.fix_chmod", &[("path", d), ("mode", s("2770"))]),
            );
        }
        return Check {
            name: "docs",
            status: Status::Ok,
            detail: Said::new("doctor.docs_none", &[("path", shown)]),
            fix: None,
        };
    }
    if !crate::store::can_write(docs) {
        return fail(
            Said::new("doctor.docs_read_only", &[("path", shown.clone())]),
            Said::new("doctor.fix_chmod", &[("path", shown), ("mode", s("2770"))]),
        );
    }
    let sample = match probe.evidence_sample(opts.sample) {
        Ok(v) => v,
        Err(e) => {
            return fail(
                Said::new(
                    "doctor.unreadable",
                    &[("path", shown.clone()), ("reason", e.to_string())],
                ),
                Said::new("doctor.fix_verify", &[("path", shown)]),
            );
        }
    };
    let mut bad = Vec::new();
    let mut open_to_others = None;
    for (sha, size) in &sample {
        let p = stored_path(docs, sha);
        match file_sha256(&p) {
            Ok((got, len)) if got.eq_ignore_ascii_case(sha) && len == *size => {
                if open_to_others.is_none()
                    && std::fs::metadata(&p).is_ok_and(|m| m.mode() & 0o007 != 0)
                {
                    open_to_others = Some(p);
                }
            }
            _ => bad.push(p),
        }
    }
    if let Some(first) = bad.first() {
        return fail(
            Said::new(
                "doctor.docs_bad",
                &[
                    ("bad", s(bad.len())),
                    ("checked", s(sample.len())),
                    ("count", s(count)),
                    ("first", first.display().to_string()),
                ],
            ),
            Said::new("doctor.fix_docs_restore", &[("path", shown)]),
        );
    }
    if let Some(p) = open_to_others {
        let p = p.display().to_string();
        return fail(
            Said::new("doctor.docs_open", &[("path", p), ("dir", shown.clone())]),
            Said::new("doctor.fix_docs_modes", &[("path", shown)]),
        );
    }
    Check {
        name: "docs",
        status: Status::Ok,
        detail: Said::new(
            "doctor.docs_ok",
            &[
                ("count", s(count)),
                ("checked", s(sample.len())),
                ("path", shown),
            ],
        ),
        fix: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_text(0), "0 KiB");
        assert_eq!(size_text(622_592), "608 KiB");
        assert_eq!(size_text(320 * 1024 * 1024), "320 MiB");
        assert_eq!(size_text(3 * 1024 * 1024 * 1024 / 2), "1.5 GiB");
    }

    #[test]
    fn the_setgid_install_is_checked_only_on_a_shared_book() {
        let exe = Path::new("/usr/local/bin/postloan");
        // A laptop: the directory is the user's own group's; no setgid program wanted.
        let laptop = Shared {
            dir_mode: 0o2770,
            dir_gid: 1000,
            user_gid: 1000,
            effective_gid: 1000,
        };
        assert!(!laptop.is_shared());
        let c = install_check(&laptop, Some((exe, 0o755, 1000)));
        assert_eq!(
            (c.status, c.detail.key),
            (Status::Ok, "doctor.install_private")
        );
        // Nor a directory of another group that the group cannot write.
        let read_only = Shared {
            dir_mode: 0o2750,
            dir_gid: 990,
            user_gid: 1000,
            effective_gid: 1000,
        };
        assert!(!read_only.is_shared());
        let c = install_check(&read_only, Some((exe, 0o755, 1000)));
        assert_eq!(
            (c.status, c.detail.key),
            (Status::Ok, "doctor.install_not_shared")
        );
        // A shared book: the program must be setgid, to the directory's group.
        let shared = Shared {
            dir_mode: 0o2770,
            dir_gid: 990,
            user_gid: 1000,
            effective_gid: 990,
        };
        assert!(shared.is_shared());
        let c = install_check(&shared, Some((exe, 0o755, 990)));
        assert_eq!(
            (c.status, c.detail.key),
            (Status::Fail, "doctor.install_not_setgid")
        );
        assert_eq!(c.fix.as_ref().map(|f| f.key), Some("doctor.fix_install"));
        let c = install_check(&shared, Some((exe, 0o2755, 0)));
        assert_eq!(
            (c.status, c.detail.key),
            (Status::Fail, "doctor.install_wrong_group")
        );
        let c = install_check(&shared, Some((exe, 0o2755, 990)));
        assert_eq!(
            (c.status, c.detail.key, c.fix),
            (Status::Ok, "doctor.install_ok", None)
        );
        // Setgid on a file system mounted nosuid: the bit is there but did nothing.
        let ignored = Shared {
            effective_gid: 1000,
            ..shared
        };
        let c = install_check(&ignored, Some((exe, 0o2755, 990)));
        assert_eq!(
            (c.status, c.detail.key),
            (Status::Fail, "doctor.install_no_effect")
        );
        assert_eq!(
            c.fix.as_ref().map(|f| f.key),
            Some("doctor.fix_install_no_effect")
        );
        let c = install_check(&shared, None);
        assert_eq!(c.status, Status::Warn);
        for lang in [Lang::En, Lang::ZhCn] {
            for key in [
                "doctor.install_private",
                "doctor.install_not_shared",
                "doctor.install_unknown",
                "doctor.install_not_setgid",
                "doctor.install_wrong_group",
                "doctor.install_ok",
                "doctor.fix_install",
                "doctor.install_no_effect",
                "doctor.fix_install_no_effect",
            ] {
                let text = Said::new(
                    key,
                    &[
                        ("program", s("/usr/local/bin/postloan")),
                        ("mode", s("0755")),
                        ("program_group", s("root")),
                        ("group", s("postloan")),
                    ],
                )
                .text(lang);
                assert!(
                    !text.contains('{') && !text.contains(key),
                    "{lang:?} {key}: {text}"
                );
            }
        }
    }

    #[test]
    fn the_disk_check_names_the_threshold_that_set_the_need() {
        let here = Path::new(".");
        // The floor (--min-free-mib) is above twice the book: the floor is the reason.
        let floor = Options {
            min_free_bytes: u64::MAX / 4,
            sample: 1,
        };
        let c = disk_check(here, 4096, &floor);
        assert_eq!(
            (c.status, c.detail.key),
            (Status::Warn, "doctor.disk_low_min")
        );
        // Twice the book is above the floor: the copy an upgrade or a backup makes is.
        let book = Options {
            min_free_bytes: 1,
            sample: 1,
        };
        let c = disk_check(here, u64::MAX / 4, &book);
        assert_eq!(
            (c.status, c.detail.key),
            (Status::Warn, "doctor.disk_low_book")
        );
        for lang in [Lang::En, Lang::ZhCn] {
            let low_min = disk_check(here, 4096, &floor).detail.text(lang);
            assert!(low_min.contains("--min-free-mib"), "{low_min}");
            assert!(low_min.contains("4 KiB"), "the book's size: {low_min}");
            let low_book = disk_check(here, u64::MAX / 4, &book).detail.text(lang);
            assert!(low_book.contains("0 KiB"), "the floor: {low_book}");
            for text in [low_min, low_book] {
                assert!(!text.contains('{'), "{text}");
            }
        }
        // Enough: the text still says which of the two set the need.
        let c = disk_check(here, 0, &book);
        assert_eq!((c.status, c.detail.key), (Status::Ok, "doctor.disk_ok_min"));
        let c = disk_check(here, 4096, &book);
        assert_eq!(
            (c.status, c.detail.key),
            (Status::Ok, "doctor.disk_ok_book")
        );
        for lang in [Lang::En, Lang::ZhCn] {
            let text = c.detail.text(lang);
            assert!(text.contains("root"), "the reserve is named: {text}");
            assert!(text.contains("8 KiB") && text.contains("4 KiB"), "{text}");
        }
    }

    fn chmod(path: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }

    fn status(r: &Report, name: &str) -> (Status, &'static str) {
        let c = r
            .check(name)
            .unwrap_or_else(|| panic!("no {name} check: {r:#?}"));
        (c.status, c.detail.key)
    }

    #[test]
    fn a_book_locked_down_to_its_owner_passes_and_only_others_fail_it() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("mine");
        let book = dir.join("book.db");
        std::fs::create_dir(&dir).expect("dir");
        crate::store::Store::open(&book).expect("book");
        let opts = Options {
            min_free_bytes: 0,
            sample: 1,
        };
        // Locked down by hand: 0700 and 0600 or 0640, no group use. Valid, and safer.
        chmod(&dir, 0o700);
        for book_mode in [0o600, 0o640] {
            chmod(&book, book_mode);
            let r = diagnose(&book, &opts);
            assert!(r.all_well(), "{book_mode:o}: {r:#?}");
            assert_eq!(status(&r, "dir"), (Status::Ok, "doctor.mode_single_user"));
            assert_eq!(r.book_schema, Some(crate::store::schema_version() as i64));
        }
        // Readable by others is what fails, and the fix keeps it the owner's.
        chmod(&book, 0o604);
        let r = diagnose(&book, &opts);
        assert_eq!(
            status(&r, "book"),
            (Status::Fail, "doctor.others_access_private")
        );
        let fix = r.check("book").and_then(|c| c.fix.clone()).expect("fix");
        assert_eq!(fix.text(Lang::En), format!("chmod 0600 {}", book.display()));
        for lang in [Lang::En, Lang::ZhCn] {
            let text = r.check("book").expect("book").detail.text(lang);
            assert!(text.contains("0600") && !text.contains('{'), "{text}");
        }
        // A laptop's directory of the user's own group, as postloan makes it, passes too.
        chmod(&dir, 0o2770);
        chmod(&book, 0o660);
        assert!(diagnose(&book, &opts).all_well());
    }

    #[test]
    fn a_book_that_cannot_be_read_gets_no_version() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let opts = Options {
            min_free_bytes: 0,
            sample: 1,
        };
        let junk = tmp.path().join("junk.db");
        std::fs::write(&junk, [b'x'; 4096]).expect("junk");
        let empty = tmp.path().join("empty.db");
        std::fs::write(&empty, b"").expect("empty");
        for (path, key) in [(&junk, "doctor.unreadable"), (&empty, "doctor.not_a_book")] {
            let r = diagnose(path, &opts);
            assert_eq!(r.book_schema, None, "{r:#?}");
            assert_eq!(status(&r, "schema"), (Status::Fail, key));
            assert!(r.check("journal").is_none() && r.check("docs").is_none());
            for lang in [Lang::En, Lang::ZhCn] {
                let text = r.check("schema").expect("schema").detail.text(lang);
                let want = crate::store::schema_version().to_string();
                assert!(!text.contains(&want), "no version invented: {text}");
                assert!(!text.contains('{') && !text.contains("os_err"), "{text}");
            }
        }
    }

    #[test]
    fn modes_are_written_as_chmod_takes_them() {
        assert_eq!(mode_text(0o100660), "0660");
        assert_eq!(mode_text(0o42770), "2770");
    }
}

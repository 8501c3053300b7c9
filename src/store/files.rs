//! The book's files on disk, before SQLite sees them: made with the shared-server modes
//! (files 0660, directories 2770) whatever the user's umask, and the schema version read
//! from the file's header without opening it, so a book from a newer program is not touched.

use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The mode of the book, its `-wal` and `-shm` files (SQLite gives those the book's mode),
/// backups and document files: owner and group read and write, others nothing.
pub const FILE_MODE: u32 = 0o660;

/// The mode of the directories postloan makes: owner and group, setgid so that what is made
/// inside belongs to the directory's group (the book's group), others nothing.
pub const DIR_MODE: u32 = 0o2770;

/// Makes `path` as an empty file of mode [`FILE_MODE`] unless something is there already.
/// SQLite would make it `0644` less the umask; an empty file is a new database to SQLite.
pub fn create_private_file(path: &Path) -> std::io::Result<()> {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(path)
    {
        // The umask may have taken bits away: set the mode itself.
        Ok(f) => f.set_permissions(std::fs::Permissions::from_mode(FILE_MODE)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Makes `dir` and the parents it lacks, each one it makes of mode [`DIR_MODE`].
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent()
        && !parent.as_os_str().is_empty()
    {
        create_private_dir(parent)?;
    }
    match std::fs::DirBuilder::new().mode(DIR_MODE).create(dir) {
        Ok(()) => std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DIR_MODE)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Copies the file `from` to `to` (which must not exist) as a file of mode [`FILE_MODE`],
/// whatever the umask and whatever the mode of `from`: a backup's copy, a restored book and
/// the files of their document stores are the group's like the book. The bytes copied.
pub fn copy_private_file(from: &Path, to: &Path) -> std::io::Result<u64> {
    let mut src = std::fs::File::open(from)?;
    let mut dst = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(to)?;
    dst.set_permissions(std::fs::Permissions::from_mode(FILE_MODE))?;
    let n = std::io::copy(&mut src, &mut dst)?;
    dst.sync_all()?;
    Ok(n)
}

/// The schema version (`PRAGMA user_version`) in the header of the SQLite file at `path`,
/// read as bytes: `None` when the file is missing, empty, or not a SQLite file (SQLite then
/// says what it is). A change still in the `-wal` file is not seen here; the migration
/// step checks again once the book is open.
pub fn header_schema_version(path: &Path) -> Option<i64> {
    let head = header(path)?;
    let v = i32::from_be_bytes([head[60], head[61], head[62], head[63]]);
    Some(i64::from(v))
}

/// Whether the SQLite file at `path` is in WAL mode, as its header says (the file format
/// versions at bytes 18 and 19 are 2 in WAL mode, 1 with a rollback journal); `None` when it
/// is not a SQLite file.
pub fn header_is_wal(path: &Path) -> Option<bool> {
    let head = header(path)?;
    Some(head[18] == 2 && head[19] == 2)
}

/// The 100-byte header of the SQLite file at `path`.
fn header(path: &Path) -> Option<[u8; 100]> {
    let mut head = [0u8; 100];
    let mut f = std::fs::File::open(path).ok()?;
    f.read_exact(&mut head).ok()?;
    (&head[..16] == b"SQLite format 3\0").then_some(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn files_and_directories_get_the_shared_modes_whatever_the_umask() {
        let tmp = tempfile::tempdir().expect("tempdir");
        // SAFETY: umask only changes this process's creation mask; the test restores it.
        let old = unsafe { libc::umask(0o077) };
        let dir = tmp.path().join("a/b");
        let made = create_private_dir(&dir).and_then(|()| create_private_file(&dir.join("f")));
        // SAFETY: as above.
        unsafe { libc::umask(old) };
        made.expect("create");
        for d in [tmp.path().join("a"), dir.clone()] {
            let mode = std::fs::metadata(&d).expect("dir").mode() & 0o7777;
            assert_eq!(mode, DIR_MODE, "{d:?}");
        }
        let mode = std::fs::metadata(dir.join("f")).expect("file").mode() & 0o7777;
        assert_eq!(mode, FILE_MODE);
        // A copy is the group's too, whatever the mode of what it copies.
        std::fs::write(tmp.path().join("open"), b"x").expect("write");
        std::fs::set_permissions(
            tmp.path().join("open"),
            std::fs::Permissions::from_mode(0o644),
        )
        .expect("chmod");
        // SAFETY: as above.
        let old = unsafe { libc::umask(0o022) };
        let copied = copy_private_file(&tmp.path().join("open"), &dir.join("copy"));
        // SAFETY: as above.
        unsafe { libc::umask(old) };
        assert_eq!(copied.expect("copy"), 1);
        let mode = std::fs::metadata(dir.join("copy")).expect("copy").mode() & 0o7777;
        assert_eq!(mode, FILE_MODE);
        // An existing file is left as it is.
        std::fs::write(dir.join("f"), b"kept").expect("write");
        create_private_file(&dir.join("f")).expect("again");
        assert_eq!(std::fs::read(dir.join("f")).expect("read"), b"kept");
    }

    #[test]
    fn the_header_says_the_schema_version_without_sqlite() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("b.db");
        assert_eq!(header_schema_version(&path), None);
        std::fs::write(&path, b"").expect("empty");
        assert_eq!(header_schema_version(&path), None);
        std::fs::write(&path, [b'x'; 200]).expect("junk");
        assert_eq!(header_schema_version(&path), None);
        std::fs::remove_file(&path).expect("rm");
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.pragma_update(None, "user_version", 77).expect("set");
        assert_eq!(header_is_wal(&path), Some(false));
        conn.pragma_update(None, "journal_mode", "WAL")
            .expect("wal");
        drop(conn);
        assert_eq!(header_schema_version(&path), Some(77));
        assert_eq!(header_is_wal(&path), Some(true));
    }
}

//! Files outside the book (a registered document) opened with the real user's own rights:
//! a postloan installed setgid to the book's group must not lend that group to them, or a
//! registered path swapped for a symlink to the book would copy the book out.
//!
//! The kernel decides: the effective group is set back to the real group around the open
//! (`setegid(getgid())`), and restored after; the descriptor keeps working. Root and a
//! program that is not setgid open as they are.

use std::path::Path;

/// Whether this process runs with an effective group lent by a setgid bit (real group
/// differs from the effective one) and is not root.
pub fn lent_group() -> bool {
    // SAFETY: these take nothing and cannot fail.
    let (uid, gid, egid) = unsafe { (libc::getuid(), libc::getgid(), libc::getegid()) };
    uid != 0 && gid != egid
}

/// Runs `f` with the effective group set to the real user's own group, so that whatever it
/// opens is opened with the user's own rights; the lent group is restored after. When the
/// group cannot be dropped `f` is not run and the error says why.
pub fn with_user_rights<T>(f: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
    if !lent_group() {
        return f();
    }
    // SAFETY: these take nothing and cannot fail.
    let (gid, egid) = unsafe { (libc::getgid(), libc::getegid()) };
    // SAFETY: setegid changes only this process's credentials.
    if unsafe { libc::setegid(gid) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let out = f();
    // The saved set-group-id is the lent group, so it can always be taken back.
    // SAFETY: as above.
    if unsafe { libc::setegid(egid) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    out
}

/// Opens `path` for reading with the user's own rights: a regular file only (a directory
/// or a device is refused as "not found"), so what is read is what the user could read.
pub fn open_as_user(path: &Path) -> std::io::Result<std::fs::File> {
    let file = with_user_rights(|| std::fs::File::open(path))?;
    if file.metadata()?.is_file() {
        Ok(file)
    } else {
        Err(std::io::Error::from(std::io::ErrorKind::NotFound))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_lent_group_a_file_opens_as_it_is() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("reg.txt");
        std::fs::write(&f, b"hi").expect("write");
        let mut s = String::new();
        std::io::Read::read_to_string(&mut open_as_user(&f).expect("open"), &mut s).expect("read");
        assert_eq!(s, "hi");
        // A directory is no document.
        assert!(open_as_user(dir.path()).is_err());
        assert!(open_as_user(&dir.path().join("none")).is_err());
    }
}

//! The user's own rights for the user's own files: a postloan installed setgid to the book's
//! group lends that group to the book only. Files the user names (`--output`, `--config`,
//! an import …) and files under paths the environment gives (`XDG_STATE_HOME`'s log and
//! drafts, `XDG_CONFIG_HOME`'s config and keymap) are opened with the *real* group as the
//! effective one, so the kernel decides with the user's rights at the moment of the open: a
//! symlink swapped in afterwards, or a variable pointed at the book's directory, gets
//! nothing the user could not do themselves.

/// Whether this process runs with a group it borrowed: setgid (the effective group is not
/// the real one) and not root (root may do anything anyway).
pub fn group_lent() -> bool {
    // SAFETY: these take nothing and cannot fail.
    let (uid, gid, egid) = unsafe { (libc::getuid(), libc::getgid(), libc::getegid()) };
    uid != 0 && gid != egid
}

/// Sets this thread's effective group id (the raw system call: glibc's `setegid` would
/// change every thread's, and another thread may be opening the book meanwhile).
fn set_thread_egid(gid: libc::gid_t) -> std::io::Result<()> {
    let keep = libc::gid_t::MAX; // -1: leave the real and saved ids as they are
    // SAFETY: setresgid takes three ids by value and touches no memory.
    let rc = unsafe { libc::syscall(libc::SYS_setresgid, keep, gid, keep) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Runs `f` with the user's own group as the effective one when the program's group is
/// lent (see [`group_lent`]), and gives the group back afterwards; otherwise just runs `f`.
/// Whatever `f` opens or makes is then decided by the user's rights and owned by the user's
/// group. Only this thread drops the group. An error is the drop's or the give-back's.
pub fn with_user<T>(f: impl FnOnce() -> T) -> std::io::Result<T> {
    if !group_lent() {
        return Ok(f());
    }
    // SAFETY: these take nothing and cannot fail.
    let (gid, egid) = unsafe { (libc::getgid(), libc::getegid()) };
    set_thread_egid(gid)?;
    let out = f();
    // The saved set-group-id is still the program's group, so this is not refused; if it
    // were, the process is left with fewer rights, never more.
    set_thread_egid(egid)?;
    Ok(out)
}

/// [`with_user`] for a file operation: its own error, or the drop's.
pub fn as_user<T>(f: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
    with_user(f)?
}

/// `std::fs::read` with the user's own rights.
pub fn read(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    as_user(|| std::fs::read(path))
}

/// `std::fs::read_to_string` with the user's own rights.
pub fn read_to_string(path: &std::path::Path) -> std::io::Result<String> {
    as_user(|| std::fs::read_to_string(path))
}

/// `std::fs::File::open` with the user's own rights.
pub fn open(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    as_user(|| std::fs::File::open(path))
}

/// Opens `path` for reading with the user's own rights, a regular file only (a directory or
/// a device is "not found"): a registered document is a file outside the book, and what is
/// read of it is what the user could read.
pub fn open_regular(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let file = open(path)?;
    if file.metadata()?.is_file() {
        Ok(file)
    } else {
        Err(std::io::Error::from(std::io::ErrorKind::NotFound))
    }
}

/// `std::fs::write` with the user's own rights.
pub fn write(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    as_user(|| std::fs::write(path, bytes))
}

/// `std::fs::File::create` with the user's own rights.
pub fn create(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    as_user(|| std::fs::File::create(path))
}

/// `std::fs::create_dir_all` with the user's own rights.
pub fn create_dir_all(path: &std::path::Path) -> std::io::Result<()> {
    as_user(|| std::fs::create_dir_all(path))
}

/// The group a new file at `path` would be made with only because postloan lends it: under a
/// lent group, when the nearest directory that is there at or above `path`'s belongs to the
/// program's group and the real user is not a member. `None` when the user's own rights
/// would make it (or root's, or a program that is not setgid).
pub fn borrowed_group_for_new(path: &std::path::Path) -> Option<u32> {
    if !group_lent() {
        return None;
    }
    // SAFETY: getegid takes nothing and cannot fail.
    let egid = unsafe { libc::getegid() };
    (nearest_dir_gid(path) == Some(egid) && !user_in_group(egid)).then_some(egid)
}

/// The group of the nearest directory that is there at or above `path`'s directory.
fn nearest_dir_gid(path: &std::path::Path) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    let mut dir = crate::store::book_dir(path);
    loop {
        match std::fs::metadata(&dir) {
            Ok(m) => return Some(m.gid()),
            Err(_) => match dir.parent() {
                Some(p) if !p.as_os_str().is_empty() && p != dir => dir = p.to_path_buf(),
                _ => return std::fs::metadata(".").ok().map(|m| m.gid()),
            },
        }
    }
}

/// The lent group is for a book in a directory of that group. For any other book (the
/// user's own, in their home; a demo book) this drops it for good, before anything is
/// opened: what the command makes is then the user's group's, and a copy or a restore of
/// that book gets no more than the user's own rights (no backup of one's own book into the
/// group's backup directory).
pub fn lend_only_for(book: &std::path::Path) -> std::io::Result<()> {
    if !group_lent() {
        return Ok(());
    }
    // SAFETY: these take nothing and cannot fail.
    let (gid, egid) = unsafe { (libc::getgid(), libc::getegid()) };
    if nearest_dir_gid(book) == Some(egid) {
        return Ok(());
    }
    // SAFETY: setresgid takes three ids by value; glibc's wrapper sets them in every thread.
    if unsafe { libc::setresgid(gid, gid, gid) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Whether the real user is a member of group `gid`: their own group or a supplementary one.
pub fn user_in_group(gid: u32) -> bool {
    // SAFETY: getgid takes nothing and cannot fail.
    if unsafe { libc::getgid() } == gid {
        return true;
    }
    // SAFETY: with a zero size getgroups only counts the groups.
    let n = unsafe { libc::getgroups(0, std::ptr::null_mut()) };
    let Ok(len) = usize::try_from(n) else {
        return false;
    };
    let mut groups = vec![0 as libc::gid_t; len];
    // SAFETY: `groups` has room for `n` ids.
    let n = unsafe { libc::getgroups(n, groups.as_mut_ptr()) };
    let Ok(len) = usize::try_from(n) else {
        return false;
    };
    groups.truncate(len);
    groups.contains(&gid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_lent_group_the_user_files_open_as_usual() {
        // The test runs without a setgid bit: nothing is dropped, and the result passes through.
        assert!(!group_lent());
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("x");
        write(&f, b"abc").expect("write");
        assert_eq!(read(&f).expect("read"), b"abc");
        assert!(read(&dir.path().join("missing")).is_err());
        // SAFETY: getgid takes nothing and cannot fail.
        assert!(user_in_group(unsafe { libc::getgid() }));
    }
}

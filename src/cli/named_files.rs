//! Files the user names on the command line are read and written with the user's own rights:
//! a postloan installed setgid to the book's group must not lend that group to them, or
//! `--output BOOK` would overwrite the book and `archive add L1 BOOK` copy it out. What
//! decides is the open itself, made with the real group (`crate::user_rights`), so a symlink
//! swapped in after this check gets nothing; this check runs first only to refuse early, with
//! a message that says whose rights count, before any work is done.

use super::{Cli, Command};
use crate::i18n::Lang;
use std::path::{Path, PathBuf};

/// What the command does with a file the user named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Read,
    Write,
}

/// The files `cli` names, with what the command does with them (`--db` is the book itself,
/// which postloan guards; a backup's copy and a restore's source are checked where they are
/// used, in `workflow::backup`).
fn named(cli: &Cli) -> Vec<(PathBuf, Use)> {
    use super::archive::ArchiveCommand;
    use super::inspections::{InspectionCommand, ReportCommand as InspectionReport};
    use super::portfolio::ReportCommand;
    let mut out = Vec::new();
    if let Some(c) = &cli.config {
        out.push((c.clone(), Use::Read));
    }
    match &cli.command {
        Some(Command::Import { file, .. }) => out.push((file.clone(), Use::Read)),
        Some(Command::Archive(args)) => match &args.command {
            Some(ArchiveCommand::Export { dir, .. }) => out.push((dir.clone(), Use::Write)),
            Some(ArchiveCommand::Add { file, .. }) => out.push((file.clone(), Use::Read)),
            _ => {}
        },
        Some(Command::Inspection {
            command:
                InspectionCommand::Write { file: Some(f), .. }
                | InspectionCommand::Attach { file: f, .. },
        }) => out.push((f.clone(), Use::Read)),
        Some(Command::Report { command }) => match command {
            ReportCommand::Inspection(InspectionReport::Inspection {
                output: Some(o), ..
            }) => out.push((o.clone(), Use::Write)),
            ReportCommand::Summary(args) => {
                if let Some(o) = &args.output {
                    out.push((o.clone(), Use::Write));
                }
                if let Some(t) = args.text_file.as_ref().filter(|t| t.as_os_str() != "-") {
                    out.push((t.clone(), Use::Read));
                }
            }
            _ => {}
        },
        Some(Command::StressWorker(args)) => out.push((args.plan.clone(), Use::Read)),
        _ => {}
    }
    out
}

/// `access(2)`: whether the *real* user may do `mode` on `path`.
fn real_access(path: &Path, mode: libc::c_int) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated string for the duration of the call.
    unsafe { libc::access(c.as_ptr(), mode) == 0 }
}

/// Whether the real user may use `path` as `how`: read it; write it where it is, or make it
/// in the nearest directory above it that is there.
fn user_may(path: &Path, how: Use) -> bool {
    match how {
        Use::Read => real_access(path, libc::R_OK),
        // A symlink counts as there even when the user cannot follow it (to the book).
        Use::Write if std::fs::symlink_metadata(path).is_ok() => real_access(path, libc::W_OK),
        Use::Write => {
            let mut dir = crate::store::book_dir(path);
            loop {
                if real_access(&dir, libc::F_OK) {
                    return real_access(&dir, libc::W_OK | libc::X_OK);
                }
                match dir.parent() {
                    Some(p) if !p.as_os_str().is_empty() && p != dir => dir = p.to_path_buf(),
                    _ => return real_access(Path::new("."), libc::W_OK | libc::X_OK),
                }
            }
        }
    }
}

/// Refuses a command that names a file the user could not read or write themselves, when
/// postloan runs setgid (its group is not the user's); root and a plain install pass.
pub fn check(cli: &Cli, lang: Lang) -> anyhow::Result<()> {
    // SAFETY: these take nothing and cannot fail.
    let (uid, gid, egid) = unsafe { (libc::getuid(), libc::getgid(), libc::getegid()) };
    if uid == 0 || gid == egid {
        return Ok(());
    }
    for (path, how) in named(cli) {
        if !user_may(&path, how) {
            anyhow::bail!(
                "{}",
                lang.tf(
                    match how {
                        Use::Read => "cli_env.named_file_read",
                        Use::Write => "cli_env.named_file_write",
                    },
                    &[
                        ("path", &super::shown_path(&path)),
                        ("user", &crate::workflow::os_user()),
                    ],
                )
            );
        }
    }
    Ok(())
}

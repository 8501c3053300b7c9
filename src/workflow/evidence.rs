//! The book's document store: evidence files copied beside the book (`<book>.docs/ab/abcd…`)
//! under their SHA-256, written to a temporary file in the store, synced and renamed, so a
//! file is either whole or absent; the same content is stored once.

use super::WorkflowError;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The document store of the book at `book`: `<book>.docs` beside it.
pub fn docs_dir(book: &Path) -> PathBuf {
    let mut s = book.as_os_str().to_owned();
    s.push(".docs");
    PathBuf::from(s)
}

/// Where content with this SHA-256 lives in the store.
pub fn stored_path(docs: &Path, sha256: &str) -> PathBuf {
    docs.join(sha256.get(..2).unwrap_or("00")).join(sha256)
}

/// A file in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    /// Whether this call put the content there (else it was stored already).
    pub new_file: bool,
}

/// Why a file could not be stored; nothing of it is left half-written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EvidenceError {
    #[error("{path}: no such file")]
    Missing { path: String },
    #[error("{path}: not a regular file")]
    NotAFile { path: String },
    #[error("{path}: cannot be read: {}", .reason.text(crate::i18n::Lang::En))]
    Unreadable {
        path: String,
        reason: crate::i18n::Failure,
    },
    #[error(
        "{path}: {size} bytes, more than the {max} bytes allowed (inspections.evidence_max_mib)"
    )]
    TooLarge { path: String, size: u64, max: u64 },
    #[error("the document store {dir} cannot be written: {}", .reason.text(crate::i18n::Lang::En))]
    Store {
        dir: String,
        reason: crate::i18n::Failure,
    },
}

impl EvidenceError {
    /// As a workflow refusal with its translation key.
    pub fn into_workflow(self) -> WorkflowError {
        match self {
            EvidenceError::Missing { path } => {
                WorkflowError::rule("evidence_err.missing", &[("path", &path)])
            }
            EvidenceError::NotAFile { path } => {
                WorkflowError::rule("evidence_err.not_a_file", &[("path", &path)])
            }
            EvidenceError::Unreadable { path, reason } => WorkflowError::rule(
                "evidence_err.unreadable",
                &[("path", &path), ("reason", &reason.key())],
            ),
            EvidenceError::TooLarge { path, size, max } => WorkflowError::rule(
                "evidence_err.too_large",
                &[("path", &path), ("size", &size), ("max", &max)],
            ),
            EvidenceError::Store { dir, reason } => WorkflowError::rule(
                "evidence_err.store",
                &[("dir", &dir), ("reason", &reason.key())],
            ),
        }
    }
}

/// The media type a file's extension says.
pub fn media_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "tif" | "tiff" => "image/tiff",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "md" => "text/markdown",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ofd" => "application/ofd",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Copies the file at `path` (at most `max_bytes`) into the store at `docs`.
pub fn store_file(docs: &Path, path: &Path, max_bytes: u64) -> Result<Stored, EvidenceError> {
    let shown = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(EvidenceError::Missing { path: shown });
        }
        Err(e) => {
            return Err(EvidenceError::Unreadable {
                path: shown,
                reason: crate::i18n::Failure::of_io(&e),
            });
        }
    };
    if !meta.is_file() {
        return Err(EvidenceError::NotAFile { path: shown });
    }
    if meta.len() > max_bytes {
        return Err(EvidenceError::TooLarge {
            path: shown,
            size: meta.len(),
            max: max_bytes,
        });
    }
    let unreadable = |e: std::io::Error| EvidenceError::Unreadable {
        path: shown.clone(),
        reason: crate::i18n::Failure::of_io(&e),
    };
    // The user's file: opened with the user's own rights, so the kernel decides at the open
    // (a setgid install's group reads only the book and its document store).
    let mut src = crate::user_rights::open(path).map_err(unreadable)?;
    let store_err = |e: std::io::Error| EvidenceError::Store {
        dir: docs.display().to_string(),
        reason: crate::i18n::Failure::of_io(&e),
    };
    // 2770 and 0660 whatever the umask: the book's group shares the store (README).
    crate::store::files::create_private_dir(docs).map_err(store_err)?;
    let mut tmp = TempFile::new_in(docs).map_err(store_err)?;
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = src.read(&mut buf).map_err(unreadable)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        // The file grew while being read: the limit holds for what is copied.
        if size > max_bytes {
            return Err(EvidenceError::TooLarge {
                path: shown,
                size,
                max: max_bytes,
            });
        }
        let chunk = buf.get(..n).unwrap_or_default();
        hasher.update(chunk);
        tmp.file.write_all(chunk).map_err(store_err)?;
    }
    let sha256: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let target = stored_path(docs, &sha256);
    let media_type = media_type(path).to_string();
    if target.is_file() {
        // Stored before (perhaps by an attach whose row was not written): reused.
        return Ok(Stored {
            sha256,
            size,
            media_type,
            new_file: false,
        });
    }
    tmp.file.sync_all().map_err(store_err)?;
    let dir = target.parent().unwrap_or(docs).to_path_buf();
    crate::store::files::create_private_dir(&dir).map_err(store_err)?;
    std::fs::rename(&tmp.path, &target).map_err(store_err)?;
    tmp.kept = true;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(Stored {
        sha256,
        size,
        media_type,
        new_file: true,
    })
}

/// A temporary file in the store, removed unless renamed into place.
struct TempFile {
    path: PathBuf,
    file: std::fs::File,
    kept: bool,
}

impl TempFile {
    fn new_in(dir: &Path) -> std::io::Result<TempFile> {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        loop {
            let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let path = dir.join(format!(".tmp-{}-{nanos}-{n}", std::process::id()));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(crate::store::files::FILE_MODE)
                .open(&path)
            {
                Ok(file) => {
                    file.set_permissions(std::fs::Permissions::from_mode(
                        crate::store::files::FILE_MODE,
                    ))?;
                    return Ok(TempFile {
                        path,
                        file,
                        kept: false,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_stored_once_under_its_hash() {
        let dir = tempfile::tempdir().expect("tempdir");
        let docs = docs_dir(&dir.path().join("book.db"));
        let a = dir.path().join("现场照片.jpg");
        std::fs::write(&a, b"abc").expect("write");
        let first = store_file(&docs, &a, 10).expect("stored");
        assert_eq!(
            first.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            (first.size, first.media_type.as_str(), first.new_file),
            (3, "image/jpeg", true)
        );
        let at = stored_path(&docs, &first.sha256);
        assert_eq!(std::fs::read(&at).expect("read"), b"abc");
        assert!(at.starts_with(docs.join("ba")));
        // The book's group shares the store; others see nothing (README, "Shared server").
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o7777;
        assert_eq!(mode(&at), 0o660);
        assert_eq!((mode(&docs), mode(&docs.join("ba"))), (0o2770, 0o2770));
        let b = dir.path().join("copy.pdf");
        std::fs::write(&b, b"abc").expect("write");
        let again = store_file(&docs, &b, 10).expect("stored");
        assert_eq!(again.sha256, first.sha256);
        assert!(!again.new_file, "the same content is stored once");
        // Nothing but the one file (no temporaries left).
        let files: Vec<_> = walk(&docs);
        assert_eq!(files, vec![at]);
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }

    #[test]
    fn missing_oversized_and_odd_paths_store_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let docs = docs_dir(&dir.path().join("book.db"));
        let missing = dir.path().join("nope.png");
        assert!(matches!(
            store_file(&docs, &missing, 10),
            Err(EvidenceError::Missing { .. })
        ));
        let big = dir.path().join("big.pdf");
        std::fs::write(&big, [0u8; 11]).expect("write");
        assert_eq!(
            store_file(&docs, &big, 10),
            Err(EvidenceError::TooLarge {
                path: big.display().to_string(),
                size: 11,
                max: 10
            })
        );
        assert!(matches!(
            store_file(&docs, dir.path(), 10),
            Err(EvidenceError::NotAFile { .. })
        ));
        assert!(
            !docs.exists() || walk(&docs).is_empty(),
            "nothing half-stored"
        );
    }
}

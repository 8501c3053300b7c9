//! `postloan verify`: every check of the book's tamper evidence in one report — the audit
//! chain and its head, the seals of business rows, every document's text against its hash,
//! every evidence file against the file in the document store, and SQLite's own check.

use super::evidence::{docs_dir, stored_path};
use crate::store::{ChainReport, DocumentBreak, Head, SealBreak, Store};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// An evidence file that does not match what the book says of it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EvidenceBreak {
    pub sha256: String,
    pub path: PathBuf,
    /// Who keeps the file: `(is a document, number, id)` (documents, then inspections'
    /// evidence), so the finding names them rather than the hash path.
    pub owners: Vec<(bool, String, i64)>,
    /// The file is gone (else its content changed).
    pub missing: bool,
}

/// A document registered by its path whose file is gone or no longer gives its hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RegisteredBreak {
    pub id: i64,
    pub number: String,
    pub path: PathBuf,
    pub missing: bool,
}

/// Everything one run of `verify` found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VerifyReport {
    pub chain: ChainReport,
    /// The head as stored apart from the rows.
    pub head: Head,
    /// A head kept elsewhere that the run was asked to find (`--expect-head`).
    pub expected: Option<String>,
    pub seal_breaks: Vec<SealBreak>,
    pub documents: u64,
    pub document_breaks: Vec<DocumentBreak>,
    pub evidence: u64,
    pub evidence_breaks: Vec<EvidenceBreak>,
    /// Files registered by path (not copied), read where they are.
    pub registered: u64,
    pub registered_breaks: Vec<RegisteredBreak>,
    /// SQLite's `integrity_check` lines (empty: ok).
    pub integrity: Vec<String>,
}

impl VerifyReport {
    /// Whether the stored head is the chain's last entry and counts its entries.
    pub fn head_matches(&self) -> bool {
        self.head.hash == self.chain.last_hash
            && self.head.entries == self.chain.entries
            && self.head.last_id == self.chain.last_id
    }

    /// Whether the stored head says something the chain's breaks do not: with no break, any
    /// difference; with breaks (entries deleted or rewritten in the middle, which change the
    /// count), only a different last entry — entries cut off the end or a head rewritten.
    pub fn head_adds(&self) -> bool {
        if self.chain.break_count == 0 {
            !self.head_matches()
        } else {
            self.head.hash != self.chain.last_hash || self.head.last_id != self.chain.last_id
        }
    }

    /// Whether the expected head, if one was given, is in the chain.
    pub fn expected_found(&self) -> bool {
        self.expected.is_none() || self.chain.expected_at.is_some()
    }

    /// How many problems the run found (0: the book is intact): as many as [`lines`] says
    /// (a file kept by two records is two problems, one a line).
    pub fn problems(&self) -> u64 {
        self.chain.break_count
            + u64::from(self.head_adds())
            + u64::from(!self.expected_found())
            + self.seal_breaks.len() as u64
            + self.document_breaks.len() as u64
            + self
                .evidence_breaks
                .iter()
                .map(|e| e.owners.len().max(1) as u64)
                .sum::<u64>()
            + self.registered_breaks.len() as u64
            + self.integrity.len() as u64
    }
}

/// Runs every check on the book `store` (its document store beside it).
/// SQLite's integrity check, the slowest part (it reads every table and index), runs on a
/// connection of its own beside the rest, so a book of 1,000,000 audit entries verifies in
/// the time of the check alone (README, Performance).
pub fn verify(store: &Store, expected: Option<&str>) -> crate::store::Result<VerifyReport> {
    let path = store.path().to_path_buf();
    let (integrity, rest) = std::thread::scope(|s| {
        let integrity = s.spawn(move || -> crate::store::Result<Vec<String>> {
            let own = Store::open_for_reading(&path)?;
            own.set_cache_mib(128)?;
            own.integrity_check()
        });
        let rest = walk_and_compare(store, expected);
        (integrity.join(), rest)
    });
    let (chain, head, seal_breaks, documents, document_breaks, evidence, evidence_breaks) = rest?;
    let (registered, registered_breaks) = check_registered(store)?;
    let integrity = match integrity {
        Ok(Ok(lines)) => lines,
        // The second connection could not be had (or failed): check on this one.
        _ => store.integrity_check()?,
    };
    Ok(VerifyReport {
        chain,
        head,
        expected: expected.map(str::to_string),
        seal_breaks,
        documents,
        document_breaks,
        evidence,
        evidence_breaks,
        registered,
        registered_breaks,
        integrity,
    })
}

/// Every file registered by path against its recorded SHA-256 and size, a page at a time.
fn check_registered(store: &Store) -> crate::store::Result<(u64, Vec<RegisteredBreak>)> {
    let mut n = 0;
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = store.registered_files_page(after, 500)?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.0;
        for (id, number, path, sha, size) in page {
            n += 1;
            let path = PathBuf::from(path);
            match registered_sha256(&path) {
                Ok((got, len)) if got.eq_ignore_ascii_case(&sha) && len == size => {}
                Ok(_) => out.push(RegisteredBreak {
                    id,
                    number,
                    path,
                    missing: false,
                }),
                Err(_) => out.push(RegisteredBreak {
                    id,
                    number,
                    path,
                    missing: true,
                }),
            }
        }
    }
    Ok((n, out))
}

/// What [`verify`] reads besides the integrity check.
type Compared = (
    ChainReport,
    Head,
    Vec<SealBreak>,
    u64,
    Vec<DocumentBreak>,
    u64,
    Vec<EvidenceBreak>,
);

fn walk_and_compare(store: &Store, expected: Option<&str>) -> crate::store::Result<Compared> {
    let (chain, head) = store.audit_walk(expected)?;
    let seal_breaks = store.check_seals(&chain)?;
    let (documents, document_breaks) = store.check_documents()?;
    let (evidence, evidence_breaks) = check_evidence(store, &docs_dir(store.path()))?;
    Ok((
        chain,
        head,
        seal_breaks,
        documents,
        document_breaks,
        evidence,
        evidence_breaks,
    ))
}

/// Every evidence file the book lists against its file in `docs`, a page at a time.
fn check_evidence(store: &Store, docs: &Path) -> crate::store::Result<(u64, Vec<EvidenceBreak>)> {
    let mut n = 0;
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let page = store.evidence_files_page(&after, 500)?;
        let Some((last, _)) = page.last() else {
            break;
        };
        after = last.clone();
        for (sha, size) in page {
            n += 1;
            let path = stored_path(docs, &sha);
            match file_sha256(&path) {
                Ok((got, len)) if got.eq_ignore_ascii_case(&sha) && len == size => {}
                Ok(_) => out.push(EvidenceBreak {
                    owners: store.stored_file_owners(&sha, 5)?,
                    sha256: sha,
                    path,
                    missing: false,
                }),
                Err(_) => out.push(EvidenceBreak {
                    owners: store.stored_file_owners(&sha, 5)?,
                    sha256: sha,
                    path,
                    missing: true,
                }),
            }
        }
    }
    Ok((n, out))
}

/// The SHA-256 (hex) and length of the file at `path`, read in blocks.
pub fn file_sha256(path: &Path) -> std::io::Result<(String, u64)> {
    reader_sha256(std::fs::File::open(path)?)
}

/// The SHA-256 (hex) and length of a file registered by path (outside the book), opened
/// with the user's own rights: a setgid postloan does not lend its group to read it.
pub fn registered_sha256(path: &Path) -> std::io::Result<(String, u64)> {
    reader_sha256(crate::user_rights::open_regular(path)?)
}

/// The SHA-256 (hex) and length of what `f` reads, in blocks.
fn reader_sha256(mut f: impl Read) -> std::io::Result<(String, u64)> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut len = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        len += n as u64;
        h.update(&buf[..n]);
    }
    let digest = h.finalize();
    Ok((digest.iter().map(|b| format!("{b:02x}")).collect(), len))
}

/// The report's lines in `lang`: one per problem (or an "ok" line per check), then the
/// verdict. `path` names the book.
pub fn lines(r: &VerifyReport, path: &Path, lang: crate::i18n::Lang) -> Vec<String> {
    use crate::store::ChainBreak;
    let mut out = Vec::new();
    let p = path.display();
    if r.integrity.is_empty() {
        out.push(lang.t("verify.integrity_ok").to_string());
    }
    for line in &r.integrity {
        out.push(lang.tf(
            "verify.integrity",
            &[("line", &crate::domain::text::display(line))],
        ));
    }
    if r.chain.break_count == 0 {
        out.push(lang.tf(
            "verify.chain_ok",
            &[("n", &r.chain.entries), ("hash", &r.chain.last_hash)],
        ));
    }
    for b in &r.chain.breaks {
        out.push(match b {
            ChainBreak::Edited { id } => lang.tf("verify.edited", &[("id", id)]),
            ChainBreak::Unlinked { id, after } => {
                lang.tf("verify.unlinked", &[("id", id), ("after", after)])
            }
            ChainBreak::Missing { from, to } if from == to => {
                lang.tf("verify.missing_one", &[("id", from)])
            }
            ChainBreak::Missing { from, to } => {
                lang.tf("verify.missing", &[("from", from), ("to", to)])
            }
        });
    }
    let more = r
        .chain
        .break_count
        .saturating_sub(r.chain.breaks.len() as u64);
    if more > 0 {
        out.push(lang.tf("verify.more_breaks", &[("n", &more)]));
    }
    if r.head_adds() {
        out.push(lang.tf(
            "verify.head_mismatch",
            &[
                ("entries", &r.head.entries),
                ("hash", &r.head.hash),
                ("n", &r.chain.entries),
                ("chain", &r.chain.last_hash),
            ],
        ));
    }
    if let Some(e) = &r.expected {
        let e = crate::domain::text::display(e);
        out.push(match r.chain.expected_at {
            Some(id) => lang.tf(
                "verify.expected_found",
                &[
                    ("hash", &e),
                    ("id", &id),
                    ("n", &(r.chain.last_id - id).max(0)),
                ],
            ),
            None => lang.tf("verify.expected_missing", &[("hash", &e)]),
        });
    }
    for s in &r.seal_breaks {
        let key = if s.deleted {
            "verify.seal_deleted"
        } else {
            "verify.seal_changed"
        };
        out.push(match &s.name {
            Some(name) => lang.tf(
                "verify.seal_changed_named",
                &[
                    ("row", &lang.code_name("verify_row", s.row)),
                    ("name", &crate::domain::text::display(name)),
                    ("id", &s.id),
                    ("audit", &s.audit_id),
                ],
            ),
            // No name (the row is gone, or its record is): the row itself, by its own id.
            None => lang.tf(
                key,
                &[
                    ("row", &row_by_id(lang, s.row, s.id)),
                    ("audit", &s.audit_id),
                ],
            ),
        });
    }
    if r.document_breaks.is_empty() {
        out.push(lang.tf("verify.documents_ok", &[("n", &r.documents)]));
    }
    for d in &r.document_breaks {
        out.push(lang.tf(
            "verify.document",
            &[
                ("number", &crate::domain::text::display(&d.number)),
                ("id", &d.id),
            ],
        ));
    }
    if r.evidence_breaks.is_empty() {
        out.push(lang.tf("verify.evidence_ok", &[("n", &r.evidence)]));
    }
    for e in &r.evidence_breaks {
        let key = if e.missing {
            "verify.evidence_missing"
        } else {
            "verify.evidence_modified"
        };
        if e.owners.is_empty() {
            out.push(lang.tf(key, &[("path", &e.path.display())]));
        }
        for (document, number, id) in &e.owners {
            let key = match (document, e.missing) {
                (true, true) => "verify.stored_document_missing",
                (true, false) => "verify.stored_document_modified",
                (false, true) => "verify.stored_evidence_missing",
                (false, false) => "verify.stored_evidence_modified",
            };
            out.push(lang.tf(
                key,
                &[
                    ("number", &crate::domain::text::display(number)),
                    ("id", id),
                    ("path", &e.path.display()),
                ],
            ));
        }
    }
    if r.registered_breaks.is_empty() && r.registered > 0 {
        out.push(lang.tf("verify.registered_ok", &[("n", &r.registered)]));
    }
    for b in &r.registered_breaks {
        let key = if b.missing {
            "verify.registered_missing"
        } else {
            "verify.registered_modified"
        };
        out.push(lang.tf(
            key,
            &[
                ("number", &crate::domain::text::display(&b.number)),
                ("id", &b.id),
                (
                    "path",
                    &crate::domain::text::display(&b.path.display().to_string()),
                ),
            ],
        ));
    }
    out.push(match r.problems() {
        0 => lang.tf("verify.passed", &[("path", &p)]),
        n => lang.tf("verify.failed", &[("path", &p), ("n", &n)]),
    });
    out
}

/// A sealed row named by its own id (`progress note 7 of a disposal action`), for a row
/// that cannot be named by its record: the record's number is not the row's id.
pub fn row_by_id(lang: crate::i18n::Lang, code: &str, id: impl std::fmt::Display) -> String {
    let key = format!("verify_row_id.{code}");
    let text = lang.tf(&key, &[("id", &id)]);
    if text == key {
        format!("{code} {id}")
    } else {
        text
    }
}

/// Why the file at `path` cannot be a whole book, read from its SQLite header: `Some((have,
/// want))` when it is shorter than the pages the header counts (a truncated copy), `None`
/// when its length agrees (or the header cannot say).
pub fn truncated(path: &Path) -> Option<(u64, u64)> {
    let mut f = std::fs::File::open(path).ok()?;
    let have = f.metadata().ok()?.len();
    let mut header = [0u8; 100];
    f.read_exact(&mut header).ok()?;
    if &header[..16] != b"SQLite format 3\0" {
        return None;
    }
    let page = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536u64,
        n => u64::from(n),
    };
    let pages = u64::from(u32::from_be_bytes([
        header[28], header[29], header[30], header[31],
    ]));
    // The count is valid only when written by the version that last changed the file.
    let valid = header[24..28] == header[92..96];
    let want = pages * page;
    (valid && want > have).then_some((have, want))
}

/// The report of a book that could not be opened or read to the end because its file is
/// damaged: what is wrong with the file, then the verdict (one problem).
pub fn damaged_lines(path: &Path, reason: &str, lang: crate::i18n::Lang) -> Vec<String> {
    let p = crate::domain::text::display(&path.display().to_string());
    let first = match truncated(path) {
        Some((have, want)) => lang.tf(
            "verify.truncated",
            &[("path", &p), ("have", &have), ("want", &want)],
        ),
        None => lang.tf(
            "verify.damaged",
            &[
                ("path", &p),
                ("reason", &crate::domain::text::display(reason)),
            ],
        ),
    };
    vec![first, lang.tf("verify.failed", &[("path", &p), ("n", &1)])]
}

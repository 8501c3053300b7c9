//! The archive as commands: put a contract or another file in a loan's file (copied into the
//! document store, or registered by its path), supersede a document (both are kept), read a
//! document under the read rules (a restricted kind's read is audited), export a loan's file.

use super::evidence::{docs_dir, media_type, store_file, stored_path};
use super::verify::registered_sha256;
use super::{Actor, Command, Result, Subject, WorkflowError, execute};
use crate::domain::Role;
use crate::domain::archive::{ArchiveRules, DocumentKind, ReadRule, Storage};
use crate::domain::text::sanitize;
use crate::i18n::Lang;
use crate::store::{ArchiveDocument, ArchiveRow, NewDocument, Store, Tx};
use chrono::{Datelike, NaiveDate};
use serde_json::json;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// `archive add`: a file for a loan's file.
#[derive(Debug, Clone)]
pub struct AddDocument<'a> {
    pub contract_no: &'a str,
    pub file: &'a Path,
    /// Only `contract` or `other` are added by hand (the rest are issued by their steps).
    pub kind: DocumentKind,
    /// Register the file where it is (its path, hash and size), instead of copying it in.
    pub register: bool,
    /// The document this one replaces (it is kept, marked superseded).
    pub supersedes: Option<i64>,
    /// The most bytes a copied file may have (`inspections.evidence_max_mib`).
    pub max_bytes: u64,
}

/// What `archive add` did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Added {
    pub id: i64,
    pub number: String,
    pub sha256: String,
    pub bytes: u64,
    pub storage: &'static str,
}

/// The day a document was made, in local time (its stored instant is UTC).
pub fn created_on(row: &ArchiveRow) -> Option<NaiveDate> {
    let local = crate::domain::text::local_time(&row.created_at);
    NaiveDate::parse_from_str(local.get(..10)?, "%Y-%m-%d").ok()
}

/// The day until which `row` is kept, as configured for its kind.
pub fn retain_until(row: &ArchiveRow, rules: &ArchiveRules) -> Option<NaiveDate> {
    rules.retain_until(row.document_kind()?, created_on(row)?)
}

fn rule(key: &'static str, args: &[(&'static str, &dyn std::fmt::Display)]) -> WorkflowError {
    WorkflowError::rule(key, args)
}

/// Puts a file in a loan's file: copied into the document store (before the transaction:
/// the store keeps content by hash, so a failed command leaves at most an unlisted copy) or
/// registered by its absolute path; optionally superseding a document of the same loan.
pub fn add(store: &mut Store, actor: &Actor, cmd: &AddDocument<'_>) -> Result<Added> {
    if !matches!(cmd.kind, DocumentKind::Contract | DocumentKind::Other) {
        return Err(rule(
            "archive_err.kind_not_added",
            &[("kind", &format!("@document_kind.{}", cmd.kind.code()))],
        ));
    }
    let loan = store
        .loan_by_contract(cmd.contract_no)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "loan",
            key: cmd.contract_no.to_string(),
        })?;
    super::guard(
        store,
        actor,
        Command::ArchiveDocument,
        &Subject::loan_of(&loan.officer),
    )?;
    let file_name = cmd
        .file
        .file_name()
        .map(|n| sanitize(&n.to_string_lossy()))
        .unwrap_or_default();
    let (storage, sha, bytes, path) = if cmd.register {
        let shown = cmd.file.display().to_string();
        let meta = std::fs::metadata(cmd.file)
            .map_err(|_| rule("evidence_err.missing", &[("path", &shown)]))?;
        if !meta.is_file() {
            return Err(rule("evidence_err.not_a_file", &[("path", &shown)]));
        }
        let abs = std::fs::canonicalize(cmd.file).map_err(|e| {
            rule(
                "evidence_err.unreadable",
                &[
                    ("path", &shown),
                    ("reason", &crate::i18n::Failure::of_io(&e).key()),
                ],
            )
        })?;
        let (sha, n) = registered_sha256(&abs).map_err(|e| {
            rule(
                "evidence_err.unreadable",
                &[
                    ("path", &shown),
                    ("reason", &crate::i18n::Failure::of_io(&e).key()),
                ],
            )
        })?;
        (Storage::Registered, sha, n, Some(abs.display().to_string()))
    } else {
        let stored = store_file(&docs_dir(store.path()), cmd.file, cmd.max_bytes)
            .map_err(|e| e.into_workflow())?;
        (Storage::Stored, stored.sha256, stored.size, None)
    };
    let media = media_type(cmd.file);
    execute(store, actor, |tx| {
        if let Some(old) = cmd.supersedes {
            check_supersedable(tx, old, loan.id)?;
        }
        // Numbered by the book's day (a demo book's own date), as every other record.
        let year = tx.book_today()?.year();
        let prefix = match cmd.kind {
            DocumentKind::Contract => "HT",
            _ => "DA",
        };
        let number = tx.next_document_number(prefix, year)?;
        let id = tx.insert_archive_document(
            &NewDocument {
                loan_id: Some(loan.id),
                borrower_id: None,
                kind: cmd.kind,
                number: &number,
                title: &file_name,
                lang: "",
                body: "",
                storage,
                file: Some((&sha, bytes)),
                file_path: path.as_deref(),
                file_name: Some(&file_name),
                media_type: media,
                recipient: None,
                reference: None,
            },
            &actor.username,
        )?;
        if let Some(old) = cmd.supersedes {
            tx.supersede_document(old, id)?;
        }
        tx.audit(
            &actor.username,
            "document.archive",
            "document",
            &number,
            &json!({
                "after": {
                    "kind": cmd.kind.code(),
                    "contract_no": loan.contract_no,
                    "storage": storage.code(),
                    "sha256": sha,
                    "bytes": bytes,
                    "path": path,
                    "supersedes": cmd.supersedes,
                }
            }),
        )?;
        Ok(Added {
            id,
            number,
            sha256: sha.clone(),
            bytes,
            storage: storage.code(),
        })
    })
}

/// A document may be superseded once, by one of the same loan.
fn check_supersedable(tx: &mut Tx<'_>, old: i64, loan_id: i64) -> Result<()> {
    let doc = tx
        .archive_document(old)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "document",
            key: old.to_string(),
        })?;
    if doc.row.loan_id != Some(loan_id) {
        return Err(rule(
            "archive_err.other_loan",
            &[
                ("id", &old),
                ("contract", &doc.row.contract_no.clone().unwrap_or_default()),
            ],
        ));
    }
    if let Some(by) = doc.row.superseded_by {
        return Err(rule(
            "archive_err.already_superseded",
            &[("id", &old), ("by", &by)],
        ));
    }
    Ok(())
}

/// Whether `role` may read `row` under `rules` (a refusal names the roles that may).
fn read_check(
    rules: &ArchiveRules,
    row: &ArchiveRow,
    role: Role,
) -> std::result::Result<bool, WorkflowError> {
    let Some(kind) = row.document_kind() else {
        return Ok(false);
    };
    match rules.read_rule(kind, role) {
        ReadRule::Open => Ok(false),
        ReadRule::Audited => Ok(true),
        ReadRule::Denied(roles) => {
            let may = roles
                .iter()
                .map(|r| format!("role.{}", r.code()))
                .collect::<Vec<_>>()
                .join("/");
            Err(rule(
                "archive_err.read_denied",
                &[
                    ("kind", &format!("@document_kind.{}", kind.code())),
                    ("id", &row.id),
                    ("may", &format!("@{may}")),
                ],
            ))
        }
    }
}

/// Opens document `id` for `actor`: refused (and the refusal audited) when the read rules
/// keep its kind from the actor's role; a restricted kind's read is audited.
pub fn read(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    rules: &ArchiveRules,
) -> Result<ArchiveDocument> {
    let doc = store
        .archive_document(id)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "document",
            key: id.to_string(),
        })?;
    match read_check(rules, &doc.row, actor.role) {
        Ok(false) => Ok(doc),
        Ok(true) => {
            store.write(|tx| -> Result<()> {
                tx.audit(
                    &actor.username,
                    "document.read",
                    "document",
                    &doc.row.number,
                    &json!({"id": id, "kind": doc.row.kind, "role": actor.role.code()}),
                )?;
                Ok(())
            })?;
            Ok(doc)
        }
        Err(e) => {
            let recorded = store.write(|tx| -> Result<()> {
                tx.audit(
                    &actor.username,
                    "document.read_denied",
                    "document",
                    &doc.row.number,
                    &json!({"id": id, "kind": doc.row.kind, "role": actor.role.code()}),
                )?;
                Ok(())
            });
            if let Err(w) = recorded {
                tracing::warn!("refused read not recorded: {w}");
            }
            Err(e)
        }
    }
}

/// The Markdown a document shows: its text, or for a file a short description of it. Control
/// characters are stripped (the text came from people and files).
pub fn show_text(doc: &ArchiveDocument, lang: Lang) -> String {
    let text = if doc.row.storage == Storage::Text.code() {
        doc.body.clone()
    } else {
        let r = &doc.row;
        let mut s = format!("# {}\n\n", r.title);
        s.push_str(&lang.tf(
            "archive.file_line",
            &[
                ("kind", &lang.code_name("document_kind", &r.kind)),
                ("number", &r.number),
                ("name", &r.file_name.clone().unwrap_or_default()),
                ("bytes", &r.bytes),
                ("sha256", &r.sha256),
            ],
        ));
        s.push('\n');
        match r.storage.as_str() {
            "registered" => s.push_str(&lang.tf(
                "archive.file_registered",
                &[("path", &r.file_path.clone().unwrap_or_default())],
            )),
            _ => s.push_str(lang.t("archive.file_stored")),
        }
        s.push('\n');
        s
    };
    text.lines()
        .map(|l| sanitize(l.trim_end()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The kind as a person reads it: its name, and a feedback note's recipient.
pub fn kind_text(r: &ArchiveRow, lang: Lang) -> String {
    let kind = lang.code_name("document_kind", &r.kind);
    match &r.recipient {
        Some(to) => format!("{kind}({})", lang.code_name("recipient_short", to)),
        None => kind,
    }
}

/// The loan (contract and borrower), the borrower alone, or the book.
pub fn owner_text(r: &ArchiveRow, lang: Lang) -> String {
    match (&r.contract_no, &r.borrower_name) {
        (Some(c), Some(b)) => format!(
            "{} {}",
            crate::domain::text::display(c),
            crate::domain::text::display(b)
        ),
        (Some(c), None) => crate::domain::text::display(c),
        (None, Some(b)) => crate::domain::text::display(b),
        (None, None) => lang.t("archive.book").to_string(),
    }
}

/// What `archive export` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub dir: PathBuf,
    /// (file name, SHA-256 as written) in the order written; the MANIFEST lists them.
    pub files: Vec<(String, String)>,
    /// Documents whose file no longer gives the hash the book recorded (not written: what
    /// the file holds now is not the document).
    pub changed: Vec<String>,
    /// Registered or stored files that could not be read (not written).
    pub missing: Vec<String>,
}

/// A name safe for one file in a directory: no separators or control characters.
fn file_component(text: &str) -> String {
    let s: String = sanitize(text)
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let s = s.trim_matches('.').trim().to_string();
    if s.is_empty() { "file".to_string() } else { s }
}

/// Writes the loan's whole file (every document of the loan and of its borrower, evidence
/// included) into `dir`, with a `MANIFEST` of SHA-256 per file (`sha256sum -c` reads it).
/// Refuses a `dir` that exists and is not empty, and a file holding a kind the actor may not
/// read; the export is audited.
pub fn export(
    store: &mut Store,
    actor: &Actor,
    contract_no: &str,
    dir: &Path,
    rules: &ArchiveRules,
) -> Result<Exported> {
    let loan = store
        .loan_by_contract(contract_no)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "loan",
            key: contract_no.to_string(),
        })?;
    let shown = dir.display().to_string();
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(rule("archive_err.dir_not_empty", &[("dir", &shown)]));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            let key = if dir.exists() && !dir.is_dir() {
                return Err(rule("archive_err.not_a_dir", &[("dir", &shown)]));
            } else {
                crate::i18n::Failure::of_io(&e).key()
            };
            return Err(rule(
                "archive_err.dir_unwritable",
                &[("dir", &shown), ("reason", &key)],
            ));
        }
    }
    // Every document first: a kind the actor may not read stops the export before a file
    // is written.
    let mut docs: Vec<ArchiveDocument> = Vec::new();
    let mut after = 0;
    loop {
        let page = store.loan_file_page(loan.id, after, 200)?;
        let Some(last) = page.last() else { break };
        after = last.row.id;
        docs.extend(page);
    }
    let mut restricted = Vec::new();
    for d in &docs {
        if read_check(rules, &d.row, actor.role)? {
            restricted.push(d.row.number.clone());
        }
    }
    let io = |e: std::io::Error| {
        rule(
            "archive_err.dir_unwritable",
            &[
                ("dir", &shown),
                ("reason", &crate::i18n::Failure::of_io(&e).key()),
            ],
        )
    };
    // The export directory is the user's: made and written with the user's own rights.
    crate::user_rights::create_dir_all(dir).map_err(io)?;
    let store_dir = docs_dir(store.path());
    let mut out = Exported {
        dir: dir.to_path_buf(),
        files: Vec::new(),
        changed: Vec::new(),
        missing: Vec::new(),
    };
    let mut used = std::collections::HashSet::new();
    for d in &docs {
        let r = &d.row;
        let base = match r.storage.as_str() {
            "text" => format!("{}.md", file_component(&r.number)),
            _ => format!(
                "{}-{}",
                file_component(&r.number),
                file_component(r.file_name.as_deref().unwrap_or("file"))
            ),
        };
        let mut name = base.clone();
        let mut n = 1;
        while name == "MANIFEST" || !used.insert(name.clone()) {
            n += 1;
            name = format!("{n}-{base}");
        }
        let target = dir.join(&name);
        let written = match r.storage.as_str() {
            "text" => {
                crate::user_rights::write(&target, d.body.as_bytes()).map_err(io)?;
                Copied::Same(crate::store::sha256_hex(d.body.as_bytes()))
            }
            // A file outside the book is read with the user's own rights: a setgid
            // postloan does not lend its group to read what the path now names.
            "registered" => copy_checked(
                crate::user_rights::open_regular(Path::new(r.file_path.as_deref().unwrap_or(""))),
                &target,
                &r.sha256,
            )
            .map_err(io)?,
            _ => copy_checked(
                std::fs::File::open(stored_path(&store_dir, &r.sha256)),
                &target,
                &r.sha256,
            )
            .map_err(io)?,
        };
        match written {
            Copied::Same(sha) => out.files.push((name, sha)),
            // Bytes that are not the document are not left in the export.
            Copied::Changed => out.changed.push(r.number.clone()),
            Copied::Missing => out.missing.push(r.number.clone()),
        }
    }
    let manifest: String = out
        .files
        .iter()
        .map(|(name, sha)| format!("{sha}  {name}\n"))
        .collect();
    crate::user_rights::write(&dir.join("MANIFEST"), manifest.as_bytes()).map_err(io)?;
    let manifest_sha = crate::store::sha256_hex(manifest.as_bytes());
    execute(store, actor, |tx| {
        tx.audit(
            &actor.username,
            "archive.export",
            "loan",
            &loan.contract_no,
            &json!({
                "dir": shown,
                "files": out.files.len(),
                "manifest_sha256": manifest_sha,
                "restricted": restricted,
                "changed": out.changed,
                "missing": out.missing,
            }),
        )?;
        Ok(())
    })?;
    Ok(out)
}

/// What [`copy_checked`] did with one document's file.
enum Copied {
    /// Copied; it gives the recorded SHA-256 (this one).
    Same(String),
    /// It no longer gives the recorded SHA-256: nothing was left in the export.
    Changed,
    /// It could not be opened or read: nothing was left in the export.
    Missing,
}

/// Copies what `from` opened to `to` through a temporary file beside it, hashing what is
/// copied; the copy is put in place only when it gives `sha256`, and removed otherwise.
fn copy_checked(
    from: std::io::Result<std::fs::File>,
    to: &Path,
    sha256: &str,
) -> std::io::Result<Copied> {
    use sha2::{Digest, Sha256};
    let Ok(mut src) = from else {
        return Ok(Copied::Missing);
    };
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(to.file_name().unwrap_or_default());
    tmp_name.push(".partial");
    let tmp = to.with_file_name(tmp_name);
    let mut dst = crate::user_rights::create(&tmp)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let result = (|| -> std::io::Result<Option<String>> {
        loop {
            let n = match src.read(&mut buf) {
                Ok(n) => n,
                Err(_) => return Ok(None),
            };
            if n == 0 {
                break;
            }
            let chunk = buf.get(..n).unwrap_or_default();
            h.update(chunk);
            dst.write_all(chunk)?;
        }
        dst.sync_all()?;
        Ok(Some(
            h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        ))
    })();
    drop(dst);
    match result {
        Ok(Some(got)) if got.eq_ignore_ascii_case(sha256) => {
            if let Err(e) = crate::user_rights::as_user(|| std::fs::rename(&tmp, to)) {
                let _ = crate::user_rights::as_user(|| std::fs::remove_file(&tmp));
                return Err(e);
            }
            Ok(Copied::Same(got))
        }
        other => {
            let _ = crate::user_rights::as_user(|| std::fs::remove_file(&tmp));
            match other {
                Ok(Some(_)) => Ok(Copied::Changed),
                Ok(None) => Ok(Copied::Missing),
                Err(e) => Err(e),
            }
        }
    }
}

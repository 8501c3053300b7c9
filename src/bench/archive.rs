//! `postloan bench --documents N`: fills the bench book's archive up to N documents (pane 7 at
//! scale), written through the store's own document insert in batches, as the audit-entry
//! generator writes its entries; the screens are then measured on that archive.

use crate::domain::archive::{DocumentKind, Recipient, Storage};
use crate::store::{ArchiveQuery, NewDocument, Store};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// Documents written per transaction.
const BATCH: u64 = 20_000;

/// The kinds written, in turn: the Markdown documents the workflow keeps for a loan.
const KINDS: [DocumentKind; 6] = [
    DocumentKind::WarningNotice,
    DocumentKind::InspectionReport,
    DocumentKind::RectificationNotice,
    DocumentKind::ProgressReport,
    DocumentKind::DisposalRecord,
    DocumentKind::Feedback,
];

/// Adds documents to the book at `path` until its archive holds `documents`, spread over
/// its first `loans` loans (`PL00000001`…), each a page of Markdown of the size a notice has.
/// Returns how many it added.
pub fn fill(path: &Path, documents: u64, loans: u64, out: &mut impl Write) -> anyhow::Result<u64> {
    let mut store = Store::open_existing(path)?;
    let have = store.archive_count(&ArchiveQuery::default())?;
    if have >= documents || loans == 0 {
        return Ok(0);
    }
    let t = Instant::now();
    // The loans' ids, read once (the documents go round them).
    let mut loan_ids = Vec::with_capacity(loans.min(documents) as usize);
    for n in 1..=loans.min(documents - have) {
        if let Some(l) = store.loan_by_contract(&format!("PL{n:08}"))? {
            loan_ids.push(l.id);
        }
    }
    if loan_ids.is_empty() {
        anyhow::bail!("the bench book has no demo loans to file documents with");
    }
    let mut next = have;
    while next < documents {
        let n = BATCH.min(documents - next);
        store.write(|tx| -> crate::store::Result<()> {
            for i in next..next + n {
                let kind = KINDS[(i % KINDS.len() as u64) as usize];
                let loan_id = loan_ids[(i % loan_ids.len() as u64) as usize];
                let number = format!("BENCH-{i:08}");
                let body = format!(
                    "# {} {number}\n\n- 日期: 2026-06-30\n- 编号: {number}\n\n## 事项\n\n\
                     借款人经营正常，按期还款；本期检查发现应收账款回收放缓，现金流偏紧，\
                     已提示客户经理加强跟踪，每月核对一次销售回款与存货变化。{i}\n",
                    kind.zh()
                );
                tx.insert_archive_document(
                    &NewDocument {
                        loan_id: Some(loan_id),
                        borrower_id: None,
                        kind,
                        number: &number,
                        title: &format!("{} {number}", kind.zh()),
                        lang: "zh-CN",
                        body: &body,
                        storage: Storage::Text,
                        file: None,
                        file_path: None,
                        file_name: None,
                        media_type: "text/markdown",
                        recipient: (kind == DocumentKind::Feedback).then_some(Recipient::Risk),
                        reference: None,
                    },
                    "wang.fang",
                )?;
            }
            Ok(())
        })?;
        next += n;
    }
    store.checkpoint()?;
    writeln!(
        out,
        "Archive: {} documents added ({} in all) over {} loans in {:.1} s.\n",
        documents - have,
        documents,
        loan_ids.len(),
        t.elapsed().as_secs_f64()
    )?;
    Ok(documents - have)
}

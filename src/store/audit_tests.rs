//! The audit chain in the store: the head kept with every append, the walk that names each
//! break, seals, and the keyset-paged listing with its filters.

use super::*;
use crate::store::Store;

fn book() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("book.db")).expect("open");
    (dir, store)
}

fn add(store: &mut Store, actor: &str, action: &str, entity: &str, key: &str) {
    store
        .write(|tx| tx.audit(actor, action, entity, key, &serde_json::json!({"n": 1})))
        .expect("append");
}

#[test]
fn the_head_follows_every_append_in_its_transaction() {
    let (_dir, mut store) = book();
    assert_eq!(store.audit_head().expect("head").entries, 0);
    for i in 0..5 {
        add(
            &mut store,
            "zhang",
            "contact.record",
            "loan",
            &format!("HT-{i}"),
        );
    }
    // A rolled-back transaction leaves neither the entry nor the head.
    let failed: Result<()> = store.write(|tx| {
        tx.audit("zhang", "x", "loan", "HT-9", &serde_json::json!({}))?;
        Err(super::super::StoreError::Invalid("no".into()))
    });
    assert!(failed.is_err());
    let (chain, head) = store.audit_walk(None).expect("walk");
    assert_eq!(head.entries, 5);
    assert_eq!(head.last_id, 5);
    assert_eq!(head.hash, chain.last_hash);
    assert_eq!(chain.entries, 5);
    assert!(chain.breaks.is_empty());
}

#[test]
fn the_walk_names_an_edit_a_gap_and_the_link_after_it() {
    let (_dir, mut store) = book();
    for i in 0..6 {
        add(
            &mut store,
            "zhang",
            "contact.record",
            "loan",
            &format!("HT-{i}"),
        );
    }
    store
        .conn()
        .execute_batch(
            "UPDATE audit_log SET entity_key = 'HT-X' WHERE id = 2;
             DELETE FROM audit_log WHERE id IN (4, 5);",
        )
        .expect("tamper");
    let (chain, _) = store.audit_walk(None).expect("walk");
    assert_eq!(
        chain.breaks,
        vec![
            ChainBreak::Edited { id: 2 },
            ChainBreak::Missing { from: 4, to: 5 },
            ChainBreak::Unlinked { id: 6, after: 3 },
        ]
    );
    assert_eq!(store.verify_audit().expect("verify"), Err(2));
}

#[test]
fn an_expected_head_is_found_anywhere_in_the_chain() {
    let (_dir, mut store) = book();
    add(&mut store, "zhang", "a", "loan", "1");
    let kept = store.audit_head().expect("head").hash;
    add(&mut store, "zhang", "b", "loan", "2");
    let (chain, _) = store.audit_walk(Some(&kept.to_uppercase())).expect("walk");
    assert_eq!(chain.expected_at, Some(1));
    let (chain, _) = store.audit_walk(Some("00")).expect("walk");
    assert_eq!(chain.expected_at, None);
}

#[test]
fn a_page_filters_by_user_kind_and_time_newest_first_and_pages_by_id() {
    let (_dir, mut store) = book();
    add(&mut store, "zhang", "warnings.raise", "warning", "1");
    add(&mut store, "wang", "warnings.acknowledged", "warning", "1");
    add(&mut store, "zhang", "warningsx", "loan", "HT-1");
    add(&mut store, "zhang", "warnings", "loan", "HT-1");
    add(&mut store, "zhang", "contact.record", "loan", "HT-1");
    let ids = |q: &AuditQuery, before: Option<i64>, limit: u32| -> Vec<i64> {
        store
            .audit_page(q, before, limit)
            .expect("page")
            .iter()
            .map(|e| e.id)
            .collect()
    };
    assert_eq!(ids(&AuditQuery::default(), None, 10), [5, 4, 3, 2, 1]);
    assert_eq!(ids(&AuditQuery::default(), Some(4), 2), [3, 2]);
    let kind = AuditQuery {
        kind: Some("warnings".into()),
        ..Default::default()
    };
    assert_eq!(ids(&kind, None, 10), [4, 2, 1], "the family, not warningsx");
    let user = AuditQuery {
        actor: Some("wang".into()),
        ..Default::default()
    };
    assert_eq!(ids(&user, None, 10), [2]);
    let later = AuditQuery {
        from_at: Some("2999-01-01T00:00:00Z".into()),
        ..Default::default()
    };
    assert!(ids(&later, None, 10).is_empty());
    let earlier = AuditQuery {
        to_at: Some("2999-01-01T00:00:00Z".into()),
        ..Default::default()
    };
    assert_eq!(ids(&earlier, None, 10).len(), 5);
}

#[test]
fn the_listing_uses_an_index_for_each_filter() {
    let (_dir, store) = book();
    for (filter, index) in [
        ("actor = 'x'", "audit_log_actor"),
        ("entity = 'loan' AND entity_key = 'x'", "audit_log_record"),
        ("action = 'x'", "audit_log_action"),
    ] {
        let plan: Vec<String> = store
            .conn()
            .prepare(&format!(
                "EXPLAIN QUERY PLAN SELECT id FROM audit_log WHERE {filter} AND id < 9 ORDER BY id DESC LIMIT 10"
            ))
            .expect("plan")
            .query_map([], |r| r.get::<_, String>(3))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("plan rows");
        assert!(plan.iter().any(|p| p.contains(index)), "{filter}: {plan:?}");
    }
}

/// The SHA-256 the previous release's `document` seal gave a row: the code, then each of its
/// nine columns as a type tag and the value, each after 0x1e — written out here, not through
/// the code under test, so a change to what an old code hashes fails this test.
fn old_document_seal(cols: &[(&str, Option<&str>)]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"document");
    for (tag, v) in cols {
        h.update([0x1e]);
        match v {
            None => h.update(b"n"),
            Some(v) => {
                h.update(tag.as_bytes());
                h.update(v.as_bytes());
            }
        }
    }
    hex(&h.finalize())
}

#[test]
fn an_entry_sealed_with_an_old_code_stays_valid_and_is_recomputed_with_that_code() {
    let (_dir, mut store) = book();
    let old = old_document_seal(&[
        ("n", None),
        ("t", Some("notice")),
        ("t", Some("YJ-1")),
        ("t", Some("预警通知")),
        ("t", Some("zh-CN")),
        ("t", Some("正文")),
        ("t", Some("abc")),
        ("t", Some("2026-01-01T00:00:00Z")),
        ("t", Some("root")),
    ]);
    store
        .write(|tx| -> Result<()> {
            tx.conn().execute(
                "INSERT INTO documents (id, loan_id, kind, number, title, lang, body, sha256,
                   bytes, created_at, created_by)
                 VALUES (1, NULL, 'notice', 'YJ-1', '预警通知', 'zh-CN', '正文', 'abc', 6,
                   '2026-01-01T00:00:00Z', 'root')",
                [],
            )?;
            // As the previous release wrote it: the seal made with the old column set.
            seal::take_touched(tx.conn())?;
            append(
                tx.conn(),
                "2026-01-01T00:00:00Z",
                "root",
                "document.issue",
                "document",
                "YJ-1",
                &serde_json::json!({"seals": [{"row": "document", "id": 1, "sha256": old}]}),
            )
        })
        .expect("an old entry");
    let doc = Sealed::parse("document").expect("the old code is still known");
    assert_eq!(
        seal::row_seal(store.conn(), doc, 1).expect("seal"),
        Some(old.clone()),
        "the old code hashes what it hashed"
    );
    let walked = walk(store.conn(), None).expect("walk");
    assert_eq!(walked.seals[&("documents", 1)].0, doc);
    assert!(
        check_seals(store.conn(), &walked.seals)
            .expect("check")
            .is_empty()
    );
    // The old seal did not cover the recipient: an edit there is not its to see.
    store
        .write(|tx| -> Result<()> {
            tx.conn().execute(
                "UPDATE documents SET recipient = 'finance' WHERE id = 1",
                [],
            )?;
            Ok(())
        })
        .expect("edit");
    assert!(
        check_seals(store.conn(), &walked.seals)
            .expect("check")
            .is_empty()
    );
    // Its body it did.
    store
        .write(|tx| -> Result<()> {
            tx.conn()
                .execute("UPDATE documents SET body = '改过' WHERE id = 1", [])?;
            Ok(())
        })
        .expect("edit");
    let breaks = check_seals(store.conn(), &walked.seals).expect("check");
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    assert_eq!(breaks[0].row, "document");
    assert_eq!(breaks[0].name.as_deref(), Some("YJ-1"));
}

#[test]
fn a_batch_that_wrote_more_rows_than_one_entry_holds_seals_them_in_parts() {
    let (_dir, mut store) = book();
    store
        .write(|tx| -> Result<()> {
            for i in 0..12_001 {
                tx.conn().execute(
                    "INSERT INTO staff (username, display_name, role, created_at, created_by,
                       updated_at, updated_by) VALUES (?1, ?1, 'specialist', 'now', 'root', 'now', 'root')",
                    [format!("u{i}")],
                )?;
            }
            tx.audit("root", "staff.add", "book", "", &serde_json::json!({"n": 12_001}))
        })
        .expect("a batch");
    let tail = tail(store.conn(), 10).expect("tail");
    let actions: Vec<&str> = tail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["audit.seals", "audit.seals", "staff.add"]);
    assert!(
        tail[2].detail.contains("\"seal_parts\":3"),
        "{}",
        tail[2].detail
    );
    let walked = walk(store.conn(), None).expect("walk");
    assert!(walked.breaks.is_empty());
    assert_eq!(walked.seals.len(), 12_001);
    assert!(
        check_seals(store.conn(), &walked.seals)
            .expect("check")
            .is_empty()
    );
    store
        .write(|tx| -> Result<()> {
            tx.conn().execute(
                "UPDATE staff SET role = 'manager' WHERE username = 'u11000'",
                [],
            )?;
            Ok(())
        })
        .expect("edit");
    let breaks = check_seals(store.conn(), &walked.seals).expect("check");
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    assert_eq!(
        (breaks[0].row, breaks[0].name.as_deref()),
        ("staff", Some("u11000"))
    );
}

-- postloan schema, version 13: the document archive (issue #12). A document belongs to a
-- loan, to a borrower (loan_id NULL) or to the book (both NULL: a summary); its content is
-- Markdown text in the row, a file copied into the document store, or a file registered by
-- its path (not copied; verify reads it there). A replaced document is superseded, never
-- deleted. Feedback notes carry their recipient. Evidence files of inspections are listed
-- here too (one row per attachment), so the archive is one keyset-paged table.
CREATE TABLE documents_v13 (
    id            INTEGER PRIMARY KEY,
    loan_id       INTEGER REFERENCES loans(id),      -- NULL: a borrower's or the book's
    borrower_id   INTEGER REFERENCES borrowers(id),  -- NULL: the book's
    contract_no   TEXT,                              -- copies, for the list and its filters
    borrower_name TEXT,
    kind          TEXT NOT NULL,
    number        TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    lang          TEXT NOT NULL,
    body          TEXT NOT NULL,                     -- Markdown; '' for a file
    sha256        TEXT NOT NULL,                     -- of the body, or of the file
    bytes         INTEGER NOT NULL,                  -- of the body, or of the file
    storage       TEXT NOT NULL DEFAULT 'text',      -- text / stored / registered
    file_path     TEXT,                              -- registered: where the file is
    file_name     TEXT,                              -- a file's own name
    recipient     TEXT,                              -- feedback: approval / risk / finance
    superseded_by INTEGER REFERENCES documents_v13(id),
    ref_table     TEXT,
    ref_id        INTEGER,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL
);
INSERT INTO documents_v13 (id, loan_id, borrower_id, contract_no, borrower_name, kind, number,
    title, lang, body, sha256, bytes, storage, ref_table, ref_id, created_at, created_by)
SELECT d.id, d.loan_id, l.borrower_id, l.contract_no, l.borrower_name, d.kind, d.number,
    d.title, d.lang, d.body, d.sha256, length(CAST(d.body AS BLOB)), 'text', d.ref_table,
    d.ref_id, d.created_at, d.created_by
FROM documents d LEFT JOIN loans l ON l.id = d.loan_id;
DROP TABLE documents;
ALTER TABLE documents_v13 RENAME TO documents;
-- Evidence already attached to inspections: one archive row per attachment.
INSERT INTO documents (loan_id, borrower_id, contract_no, borrower_name, kind, number, title,
    lang, body, sha256, bytes, storage, file_name, ref_table, ref_id, created_at, created_by)
SELECT i.loan_id, l.borrower_id, l.contract_no, l.borrower_name, 'evidence', 'ZJ-' || e.id,
    i.number || ' ' || e.file_name, '', '', e.sha256, f.size, 'stored', e.file_name,
    'inspection_evidence', e.id, e.created_at, e.created_by
FROM inspection_evidence e
JOIN inspections i ON i.id = e.inspection_id
JOIN evidence_files f ON f.sha256 = e.sha256
LEFT JOIN loans l ON l.id = i.loan_id
ORDER BY e.id;
CREATE INDEX documents_loan ON documents(loan_id, id);
CREATE INDEX documents_borrower ON documents(borrower_id, id);
CREATE INDEX documents_kind ON documents(kind, id);
CREATE INDEX documents_created ON documents(created_at, id);
CREATE INDEX documents_ref ON documents(ref_table, ref_id);
CREATE INDEX documents_registered ON documents(id) WHERE storage = 'registered';

-- postloan schema, version 6: inspections (step 3). Each inspection is one row; its report
-- is kept per report version (an amendment of an approved report is version + 1, the
-- approved one stays). Dates are TEXT 'YYYY-MM-DD'; amounts TEXT.
CREATE TABLE inspections (
    id              INTEGER PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,      -- XJ2026-000123
    loan_id         INTEGER NOT NULL REFERENCES loans(id),
    contract_no     TEXT NOT NULL,             -- copies from the loan, for the list
    borrower_name   TEXT NOT NULL,
    officer         TEXT NOT NULL,
    kind            TEXT NOT NULL,             -- first / routine / triggered
    mode            TEXT NOT NULL,             -- onsite / offsite
    due_on          TEXT NOT NULL,
    status          TEXT NOT NULL,             -- planned / draft / submitted / returned / approved
    focus           TEXT NOT NULL DEFAULT '',
    inspected_on    TEXT,                      -- the day it was done
    inspectors      TEXT NOT NULL DEFAULT '',
    author          TEXT,
    reviewer        TEXT,                      -- the approving (or returning) supervisor
    second_reviewer TEXT,                      -- the manager's second approval, when needed
    approvals_needed INTEGER NOT NULL DEFAULT 1,
    approvals_done  INTEGER NOT NULL DEFAULT 0,
    report_version  INTEGER NOT NULL DEFAULT 1,
    proposed_class  TEXT,
    return_comment  TEXT NOT NULL DEFAULT '',
    submitted_on    TEXT,
    approved_on     TEXT,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
-- The plan never piles up: one open planned row per loan and kind.
CREATE UNIQUE INDEX inspections_planned ON inspections(loan_id, kind) WHERE status = 'planned';
CREATE INDEX inspections_loan ON inspections(loan_id, kind, status);
CREATE INDEX inspections_due ON inspections(due_on, id);
CREATE INDEX inspections_officer ON inspections(officer, due_on);
CREATE TABLE inspection_sections (
    inspection_id  INTEGER NOT NULL REFERENCES inspections(id),
    report_version INTEGER NOT NULL,
    section        INTEGER NOT NULL,           -- 1 … 9
    body           TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    PRIMARY KEY (inspection_id, report_version, section)
);
CREATE TABLE inspection_measures (
    id             INTEGER PRIMARY KEY,
    inspection_id  INTEGER NOT NULL REFERENCES inspections(id),
    report_version INTEGER NOT NULL,
    measure        TEXT NOT NULL,
    deadline       TEXT,
    owner          TEXT,
    note           TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL
);
CREATE INDEX inspection_measures_of ON inspection_measures(inspection_id, report_version, id);
-- The warnings a triggered inspection answers.
CREATE TABLE inspection_warnings (
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    warning_id    INTEGER NOT NULL REFERENCES warnings(id),
    PRIMARY KEY (inspection_id, warning_id)
);
CREATE INDEX inspection_warnings_warning ON inspection_warnings(warning_id);
-- Files kept in the book's document store (`<book>.docs/ab/abcdef…`), once per content.
CREATE TABLE evidence_files (
    sha256     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE TABLE inspection_evidence (
    id            INTEGER PRIMARY KEY,
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    sha256        TEXT NOT NULL REFERENCES evidence_files(sha256),
    file_name     TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    UNIQUE (inspection_id, sha256)
);
-- Every step of the review: submitted, approved, second_approved, returned, amended.
CREATE TABLE inspection_reviews (
    id             INTEGER PRIMARY KEY,
    inspection_id  INTEGER NOT NULL REFERENCES inspections(id),
    report_version INTEGER NOT NULL,
    at             TEXT NOT NULL,
    on_date        TEXT NOT NULL,
    actor          TEXT NOT NULL,
    event          TEXT NOT NULL,
    comment        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inspection_reviews_of ON inspection_reviews(inspection_id, id);

-- postloan schema, version 2: warnings (step 2), their history, loan covenants, documents.

-- The ledger's "/" filter counts matches by scanning this narrow index instead of the table.
CREATE INDEX loans_search ON loans(borrower_name, contract_no, officer);

-- A loan's own thresholds for an indicator, overriding the configured ones for that loan.
CREATE TABLE covenants (
    id         INTEGER PRIMARY KEY,
    loan_id    INTEGER NOT NULL REFERENCES loans(id),
    indicator  TEXT NOT NULL,
    yellow     TEXT,
    orange     TEXT,
    red        TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    UNIQUE (loan_id, indicator)
);

CREATE TABLE warnings (
    id              INTEGER PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,      -- YJ2026-000123
    loan_id         INTEGER NOT NULL REFERENCES loans(id),
    contract_no     TEXT NOT NULL,             -- copies from the loan, for the board
    borrower_name   TEXT NOT NULL,
    officer         TEXT NOT NULL,
    origin          TEXT NOT NULL,             -- 'system' (evaluate) or 'manual'
    indicator       TEXT NOT NULL,             -- indicator code, or the manual signal's code
    level           TEXT NOT NULL,
    level_order     INTEGER NOT NULL,          -- red 0, orange 1, yellow 2
    board_key       TEXT NOT NULL,             -- level_order || '|' || raised_on: the board's order
    risk_type       TEXT NOT NULL,
    value           TEXT,                      -- system warnings: the value that crossed
    threshold       TEXT,                      -- and the threshold it crossed
    unit            TEXT,
    source          TEXT,                      -- default / site / user / covenant
    reason          TEXT NOT NULL DEFAULT '',  -- manual warnings: why
    status          TEXT NOT NULL,
    back_to_normal  INTEGER NOT NULL DEFAULT 0,
    raised_on       TEXT NOT NULL,
    cause           TEXT NOT NULL DEFAULT '',  -- cause analysis
    judged_level    TEXT,
    closed_on       TEXT,
    close_reason    TEXT NOT NULL DEFAULT '',
    feedback_due_on TEXT,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
-- At most one active system warning per loan and indicator: evaluate never duplicates.
CREATE UNIQUE INDEX warnings_active_signal ON warnings(loan_id, indicator)
    WHERE origin = 'system' AND status NOT IN ('resolved', 'dismissed');
CREATE INDEX warnings_loan ON warnings(loan_id, board_key);
CREATE INDEX warnings_board ON warnings(board_key);
CREATE INDEX warnings_officer ON warnings(officer, board_key);

-- Everything that happened to a warning, in order: raised, escalated, back to normal,
-- acknowledged, cause written, in disposal, resolved, dismissed, notice issued.
CREATE TABLE warning_events (
    id         INTEGER PRIMARY KEY,
    warning_id INTEGER NOT NULL REFERENCES warnings(id),
    at         TEXT NOT NULL,
    on_date    TEXT NOT NULL,
    actor      TEXT NOT NULL,
    event      TEXT NOT NULL,
    level      TEXT,
    value      TEXT,
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX warning_events_warning ON warning_events(warning_id, id);

-- Documents kept with a loan (warning notices now; reports and disposal records later).
CREATE TABLE documents (
    id         INTEGER PRIMARY KEY,
    loan_id    INTEGER NOT NULL REFERENCES loans(id),
    kind       TEXT NOT NULL,
    number     TEXT NOT NULL UNIQUE,
    title      TEXT NOT NULL,
    lang       TEXT NOT NULL,
    body       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    ref_table  TEXT,
    ref_id     INTEGER,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX documents_loan ON documents(loan_id, id);

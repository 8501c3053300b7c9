-- postloan schema, version 1. Amounts are TEXT (exact decimals); `*_fen` INTEGER columns
-- beside them exist only so SQL can order by amount. Dates are TEXT 'YYYY-MM-DD'.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE staff (
    id           INTEGER PRIMARY KEY,
    username     TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE borrowers (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    credit_code TEXT NOT NULL DEFAULT '',
    industry    TEXT NOT NULL DEFAULT '',
    region      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX borrowers_name ON borrowers(name);

CREATE TABLE loans (
    id                 INTEGER PRIMARY KEY,
    contract_no        TEXT NOT NULL UNIQUE,
    borrower_id        INTEGER NOT NULL REFERENCES borrowers(id),
    borrower_name      TEXT NOT NULL,            -- copy of borrowers.name, kept in step by the store
    product            TEXT NOT NULL,
    purpose            TEXT NOT NULL,
    currency           TEXT NOT NULL,
    principal          TEXT NOT NULL,
    outstanding        TEXT NOT NULL,
    outstanding_fen    INTEGER NOT NULL,
    interest_rate      TEXT NOT NULL,
    disbursed_on       TEXT NOT NULL,
    matures_on         TEXT NOT NULL,
    guarantee_type     TEXT NOT NULL,
    officer            TEXT NOT NULL REFERENCES staff(username),
    tracking_frequency TEXT NOT NULL,
    classification     TEXT NOT NULL,
    class_rank         INTEGER NOT NULL,
    overdue_days       INTEGER NOT NULL DEFAULT 0,
    overdue_principal  TEXT NOT NULL DEFAULT '0',
    overdue_interest   TEXT NOT NULL DEFAULT '0',
    status_as_of       TEXT,
    last_contact_on    TEXT,
    last_statement_on  TEXT,
    next_followup_on   TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    updated_by         TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
);
-- One index per sortable ledger column; SQLite appends the rowid, so each orders by (col, id).
CREATE INDEX loans_borrower_name ON loans(borrower_name);
CREATE INDEX loans_borrower_id ON loans(borrower_id);
CREATE INDEX loans_product ON loans(product);
CREATE INDEX loans_outstanding ON loans(outstanding_fen);
CREATE INDEX loans_class ON loans(class_rank);
CREATE INDEX loans_dpd ON loans(overdue_days);
CREATE INDEX loans_officer ON loans(officer, next_followup_on);
CREATE INDEX loans_next_followup ON loans(next_followup_on);

CREATE TABLE collateral (
    id              INTEGER PRIMARY KEY,
    loan_id         INTEGER NOT NULL REFERENCES loans(id),
    kind            TEXT NOT NULL,
    description     TEXT NOT NULL,
    appraised_value TEXT NOT NULL,
    appraised_on    TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    UNIQUE (loan_id, kind, description)
);

CREATE TABLE financial_statements (
    id                  INTEGER PRIMARY KEY,
    borrower_id         INTEGER NOT NULL REFERENCES borrowers(id),
    period_end          TEXT NOT NULL,
    total_assets        TEXT NOT NULL,
    total_liabilities   TEXT NOT NULL,
    current_assets      TEXT NOT NULL,
    current_liabilities TEXT NOT NULL,
    inventory           TEXT NOT NULL,
    revenue             TEXT NOT NULL,
    ebit                TEXT NOT NULL,
    interest_expense    TEXT NOT NULL,
    net_profit          TEXT NOT NULL,
    operating_cash_flow TEXT NOT NULL,
    source              TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    UNIQUE (borrower_id, period_end)
);

CREATE TABLE repayment_status (
    id                INTEGER PRIMARY KEY,
    loan_id           INTEGER NOT NULL REFERENCES loans(id),
    as_of             TEXT NOT NULL,
    overdue_days      INTEGER NOT NULL,
    overdue_principal TEXT NOT NULL,
    overdue_interest  TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    UNIQUE (loan_id, as_of)
);

CREATE TABLE fund_flows (
    id           INTEGER PRIMARY KEY,
    loan_id      INTEGER NOT NULL REFERENCES loans(id),
    paid_on      TEXT NOT NULL,
    amount       TEXT NOT NULL,
    counterparty TEXT NOT NULL,
    sector       TEXT NOT NULL,
    prohibited   INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    UNIQUE (loan_id, paid_on, amount, counterparty)
);

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    loan_id    INTEGER NOT NULL REFERENCES loans(id),
    contact_on TEXT NOT NULL,
    kind       TEXT NOT NULL,
    notes      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX contacts_loan ON contacts(loan_id, contact_on);

-- Text being typed, saved as the user types and on hang-up; removed when the form is saved.
CREATE TABLE drafts (
    username   TEXT NOT NULL,
    form       TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (username, form)
);

-- Append-only, hash-chained: each row's hash covers the previous row's hash.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);

-- v8: five-tier classification (issue #10). Proposals and their decisions; the history of
-- classes, append-only (triggers refuse UPDATE and DELETE); restructurings and impairments as
-- dated facts; each loan's outstanding balance by date (from imports), for migration reports.
-- Classes are codes ('pass' … 'loss') with their rank beside them; amounts TEXT.

CREATE TABLE classification_proposals (
    id            INTEGER PRIMARY KEY,
    loan_id       INTEGER NOT NULL REFERENCES loans(id),
    from_class    TEXT NOT NULL,
    to_class      TEXT NOT NULL,
    to_rank       INTEGER NOT NULL,
    basis         TEXT NOT NULL,               -- floor | judgement | inspection | warning | import
    basis_ref     TEXT NOT NULL DEFAULT '',    -- the inspection or warning number
    reason        TEXT NOT NULL DEFAULT '',    -- the proposer's words (a floor's is its floor)
    floor_class   TEXT,                        -- the floor when proposed (or last classified)
    floor_reason  TEXT,                        -- its reason code, value and limit
    floor_value   TEXT,
    floor_limit   TEXT,
    effective_on  TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending', -- pending | approved | rejected | superseded
    proposer      TEXT NOT NULL,
    decided_by    TEXT,
    decided_at    TEXT,
    comment       TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
-- One pending floor proposal per loan: the nightly check updates it rather than adding one.
CREATE UNIQUE INDEX classification_proposals_one_floor
    ON classification_proposals(loan_id) WHERE status = 'pending' AND basis = 'floor';
CREATE INDEX classification_proposals_loan ON classification_proposals(loan_id, status);
CREATE INDEX classification_proposals_pending
    ON classification_proposals(id) WHERE status = 'pending';

CREATE TABLE classification_history (
    id            INTEGER PRIMARY KEY,
    loan_id       INTEGER NOT NULL REFERENCES loans(id),
    from_class    TEXT NOT NULL,
    to_class      TEXT NOT NULL,
    effective_on  TEXT NOT NULL,
    reason        TEXT NOT NULL,
    basis         TEXT NOT NULL,
    basis_ref     TEXT NOT NULL DEFAULT '',
    proposal_id   INTEGER REFERENCES classification_proposals(id),
    proposer      TEXT NOT NULL,
    approver      TEXT NOT NULL,
    decided_at    TEXT NOT NULL,
    floor_class   TEXT,
    floor_reason  TEXT,
    floor_value   TEXT,
    floor_limit   TEXT
);
CREATE INDEX classification_history_loan ON classification_history(loan_id, id);
CREATE TRIGGER classification_history_no_update BEFORE UPDATE ON classification_history
BEGIN
    SELECT RAISE(ABORT, 'classification history is append-only');
END;
CREATE TRIGGER classification_history_no_delete BEFORE DELETE ON classification_history
BEGIN
    SELECT RAISE(ABORT, 'classification history is append-only');
END;

CREATE TABLE loan_restructurings (
    id          INTEGER PRIMARY KEY,
    loan_id     INTEGER NOT NULL REFERENCES loans(id),
    on_date     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (loan_id, on_date)
);

CREATE TABLE loan_impairments (
    id          INTEGER PRIMARY KEY,
    loan_id     INTEGER NOT NULL REFERENCES loans(id),
    on_date     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (loan_id, on_date)
);

CREATE TABLE loan_balances (
    loan_id     INTEGER NOT NULL REFERENCES loans(id),
    on_date     TEXT NOT NULL,
    outstanding TEXT NOT NULL,
    PRIMARY KEY (loan_id, on_date)
) WITHOUT ROWID;

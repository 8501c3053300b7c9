-- v11: outcomes of disposal and the legal clocks (issue #11 points 4 and 5), keyed by loan.
-- `case_id` names a risk case (another step's table) without a foreign key. Amounts TEXT,
-- dates TEXT 'YYYY-MM-DD'. Every table is append-only but for the loan's own columns.

-- The loan's status apart from its class: active | recalled | closed | written_off; the
-- amount written off so far stays visible after its outstanding is gone.
ALTER TABLE loans ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE loans ADD COLUMN recalled_on TEXT;
ALTER TABLE loans ADD COLUMN closed_on TEXT;
ALTER TABLE loans ADD COLUMN written_off TEXT NOT NULL DEFAULT '0';
-- The nightly clock scan: loans whose claim fell due by recall (few), beside `loans_matured`
-- (v5) for those due at maturity.
CREATE INDEX loans_recalled ON loans(recalled_on) WHERE recalled_on IS NOT NULL;
CREATE INDEX loans_written_off ON loans(matures_on) WHERE status = 'written_off';

-- Demands for payment (催收): each restarts the limitation period.
CREATE TABLE loan_demands (
    id          INTEGER PRIMARY KEY,
    loan_id     INTEGER NOT NULL REFERENCES loans(id),
    case_id     INTEGER,
    on_date     TEXT NOT NULL,
    channel     TEXT NOT NULL,              -- letter | visit | phone | court
    note        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
-- The last demand of each loan, read from the index alone.
CREATE INDEX loan_demands_loan ON loan_demands(loan_id, on_date);

-- Legal steps: preservation ruling, suit filed, seizure, its renewal (judgment kept for later).
CREATE TABLE legal_events (
    id          INTEGER PRIMARY KEY,
    loan_id     INTEGER NOT NULL REFERENCES loans(id),
    case_id     INTEGER,
    kind        TEXT NOT NULL,              -- preservation | suit | seizure | seizure_renewal | judgment
    asset_kind  TEXT,                       -- deposit | movable | real_estate (seizures)
    seizure_id  INTEGER REFERENCES legal_events(id), -- the seizure a renewal renews
    on_date     TEXT NOT NULL,
    reference   TEXT NOT NULL DEFAULT '',   -- court and case number
    note        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX legal_events_loan ON legal_events(loan_id, kind, on_date);
CREATE INDEX legal_events_kind ON legal_events(kind, on_date);
CREATE INDEX legal_events_seizure ON legal_events(seizure_id) WHERE seizure_id IS NOT NULL;

CREATE TABLE recoveries (
    id          INTEGER PRIMARY KEY,
    loan_id     INTEGER NOT NULL REFERENCES loans(id),
    case_id     INTEGER,
    on_date     TEXT NOT NULL,
    kind        TEXT NOT NULL,              -- repayment | collateral_sale | guarantor | court
    principal   TEXT NOT NULL,
    interest    TEXT NOT NULL,
    costs       TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX recoveries_loan ON recoveries(loan_id, on_date);

CREATE TABLE write_offs (
    id          INTEGER PRIMARY KEY,
    loan_id     INTEGER NOT NULL REFERENCES loans(id),
    case_id     INTEGER,
    on_date     TEXT NOT NULL,
    amount      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX write_offs_loan ON write_offs(loan_id, on_date);

-- Recalls and closings, with their reasons (the loan row keeps only the dates).
CREATE TABLE loan_status_events (
    id          INTEGER PRIMARY KEY,
    loan_id     INTEGER NOT NULL REFERENCES loans(id),
    case_id     INTEGER,
    status      TEXT NOT NULL,              -- recalled | closed
    on_date     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX loan_status_events_loan ON loan_status_events(loan_id, id);

-- v10: disposal (issue #11 points 1-3). One risk case per borrower gathers its open warnings;
-- plans by level (explanation, rectification, emergency), actions with owner and deadline,
-- their notes, the case's periodic progress reports and its history. Dates TEXT 'YYYY-MM-DD'.

CREATE TABLE risk_cases (
    id               INTEGER PRIMARY KEY,
    number           TEXT NOT NULL UNIQUE,        -- CZ2026-000001
    borrower_id      INTEGER NOT NULL REFERENCES borrowers(id),
    level            TEXT NOT NULL,               -- yellow | orange | red
    level_order      INTEGER NOT NULL,            -- red 0, orange 1, yellow 2 (as warnings)
    status           TEXT NOT NULL DEFAULT 'open', -- open | closed
    opened_on        TEXT NOT NULL,
    closed_on        TEXT,
    close_reason     TEXT NOT NULL DEFAULT '',
    officer          TEXT NOT NULL,               -- the officer of the borrower's first loan
    next_deadline    TEXT,                        -- earliest open plan due date or action deadline
    escalated_on     TEXT,                        -- last raised to red by escalation
    emergency_needed INTEGER NOT NULL DEFAULT 0,  -- 1: red by escalation, no emergency plan yet
    class_review_on  TEXT,                        -- level rose: classification review asked on
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    updated_by       TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    -- The pane's order: level, then next deadline (none last).
    pane_key         TEXT GENERATED ALWAYS AS
                         (level_order || '|' || COALESCE(next_deadline, '9999-12-31')) VIRTUAL
);
-- One open case per borrower.
CREATE UNIQUE INDEX risk_cases_one_open ON risk_cases(borrower_id) WHERE status = 'open';
CREATE INDEX risk_cases_pane ON risk_cases(status, pane_key, id);
CREATE INDEX risk_cases_officer ON risk_cases(officer, status, pane_key, id);
CREATE INDEX risk_cases_emergency ON risk_cases(opened_on, id)
    WHERE status = 'open' AND emergency_needed = 1;
CREATE INDEX risk_cases_review ON risk_cases(class_review_on, id)
    WHERE status = 'open' AND class_review_on IS NOT NULL;

-- The warnings a case gathers: a warning joins one case, once.
CREATE TABLE case_warnings (
    case_id    INTEGER NOT NULL REFERENCES risk_cases(id),
    warning_id INTEGER NOT NULL REFERENCES warnings(id),
    joined_on  TEXT NOT NULL,
    PRIMARY KEY (case_id, warning_id)
);
CREATE UNIQUE INDEX case_warnings_warning ON case_warnings(warning_id);

CREATE TABLE disposal_plans (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES risk_cases(id),
    kind        TEXT NOT NULL,                    -- explanation | rectification | emergency
    status      TEXT NOT NULL,                    -- see domain::disposal
    summary     TEXT NOT NULL,
    due_on      TEXT,
    arrived_on  TEXT,                             -- explanation: when it arrived
    arrival     TEXT NOT NULL DEFAULT '',         -- explanation: its summary
    proposer    TEXT NOT NULL,
    approver    TEXT,
    decided_at  TEXT,
    reason      TEXT NOT NULL DEFAULT '',         -- rejection, failure or cancellation
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX disposal_plans_case ON disposal_plans(case_id, id);
-- The nightly check reads approved rectifications by due date.
CREATE INDEX disposal_plans_due ON disposal_plans(kind, status, due_on);

CREATE TABLE disposal_actions (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES risk_cases(id),
    plan_id     INTEGER REFERENCES disposal_plans(id),
    loan_id     INTEGER REFERENCES loans(id),
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    owner       TEXT NOT NULL,
    deadline    TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'planned',
    outcome     TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',         -- 'inspection:XJ2026-000123' for a measure
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    -- The lists' order: open first, then deadline (the most overdue on top).
    pane_key    TEXT GENERATED ALWAYS AS
                    ((CASE WHEN status IN ('planned', 'in_progress') THEN '0' ELSE '1' END)
                     || '|' || deadline) VIRTUAL
);
CREATE INDEX disposal_actions_pane ON disposal_actions(pane_key, id);
CREATE INDEX disposal_actions_owner ON disposal_actions(owner, pane_key, id);
CREATE INDEX disposal_actions_case ON disposal_actions(case_id, pane_key, id);
CREATE INDEX disposal_actions_plan ON disposal_actions(plan_id);

CREATE TABLE action_notes (
    id         INTEGER PRIMARY KEY,
    action_id  INTEGER NOT NULL REFERENCES disposal_actions(id),
    on_date    TEXT NOT NULL,
    note       TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX action_notes_action ON action_notes(action_id, id);

-- The periodic progress report under its four headings.
CREATE TABLE case_progress (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES risk_cases(id),
    on_date    TEXT NOT NULL,
    signal_now TEXT NOT NULL,
    effect     TEXT NOT NULL,
    problems   TEXT NOT NULL,
    next_steps TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_progress_case ON case_progress(case_id, id);

-- A yellow case tightens its loans' tracking frequency; closing restores `previous`.
CREATE TABLE case_tracking (
    case_id   INTEGER NOT NULL REFERENCES risk_cases(id),
    loan_id   INTEGER NOT NULL REFERENCES loans(id),
    previous  TEXT NOT NULL,
    tightened TEXT NOT NULL,
    PRIMARY KEY (case_id, loan_id)
);

-- Everything that happened to a case, in order (append-only).
CREATE TABLE case_events (
    id       INTEGER PRIMARY KEY,
    case_id  INTEGER NOT NULL REFERENCES risk_cases(id),
    at       TEXT NOT NULL,
    on_date  TEXT NOT NULL,
    actor    TEXT NOT NULL,
    event    TEXT NOT NULL,
    ref      TEXT NOT NULL DEFAULT '',            -- a warning, plan, action or document
    note     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events(case_id, id);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case history is append-only');
END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case history is append-only');
END;

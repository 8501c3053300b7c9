-- postloan schema, version 12: the audit chain's head kept apart from its rows, and the
-- indexes the audit listing filters by (user, record, kind, date; newest first).

-- One row: the hash of the last entry and how many entries the chain has. Written in the
-- same transaction as each entry; `postloan verify` compares it with the chain, and a head
-- kept elsewhere (`verify --head`, then `--expect-head`) catches a cut-off end even when
-- this row was rewritten too.
CREATE TABLE audit_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    hash     TEXT NOT NULL,
    entries  INTEGER NOT NULL,
    last_id  INTEGER NOT NULL
);
INSERT INTO audit_head (id, hash, entries, last_id)
VALUES (
    1,
    COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), ''),
    (SELECT COUNT(*) FROM audit_log),
    COALESCE((SELECT MAX(id) FROM audit_log), 0)
);

CREATE INDEX audit_log_actor ON audit_log(actor, id);
CREATE INDEX audit_log_record ON audit_log(entity, entity_key, id);
CREATE INDEX audit_log_action ON audit_log(action, id);
CREATE INDEX audit_log_at ON audit_log(at, id);

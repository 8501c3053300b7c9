-- postloan schema, version 7: the inspection checklist score (report section 9). One row per
-- report version and scored item; an item left unscored has no row. Points are TEXT decimals
-- (0 … the item's configured weight, one decimal at most); an amendment copies the rows.
CREATE TABLE inspection_checklist (
    inspection_id  INTEGER NOT NULL REFERENCES inspections(id),
    report_version INTEGER NOT NULL,
    item           TEXT NOT NULL,              -- the item's code in [inspections.checklist]
    points         TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    PRIMARY KEY (inspection_id, report_version, item)
);
-- The Today pane's inspection parts (returned, to review, due, overdue) and the pane's status
-- filters read by status, and by officer and status, in due order: without these, each read
-- walked most of the table (3.6 s to the first frame at 100,000 loans; 0.44 s with them).
CREATE INDEX inspections_status ON inspections(status, due_on, id);
CREATE INDEX inspections_officer_status ON inspections(officer, status, due_on);

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

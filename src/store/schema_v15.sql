-- postloan schema, version 15: the ledger's search finds a name by what the screen shows. A
-- borrower name is stored as given, zero-width and other invisible format characters included
-- (issue #13), but `华<U+200C>夏` shows as `华夏` and must be found by it. `search_name` holds
-- the name without the characters of `domain::text::SEARCH_IGNORED` (the typed key loses the
-- same), or NULL when it holds none (nearly always): written with `borrower_name` by every
-- write of the program, filled here once for the loans already in the book. The search index
-- holds `search_name` where there is one, and the dense scan looks it up in a partial index.
-- Contract numbers and officers are keys, stored without such characters already.
ALTER TABLE loans ADD COLUMN search_name TEXT;

UPDATE loans SET search_name = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(borrower_name, char(173), ''), char(1564), ''), char(6158), ''), char(8203), ''), char(8204), ''), char(8205), ''), char(8206), ''), char(8207), ''), char(8234), ''), char(8235), ''), char(8236), ''), char(8237), ''), char(8238), ''), char(8288), ''), char(8289), ''), char(8290), ''), char(8291), ''), char(8292), ''), char(8294), ''), char(8295), ''), char(8296), ''), char(8297), ''), char(65279), '')
WHERE borrower_name GLOB '*[' || char(173, 1564, 6158, 8203, 8204, 8205, 8206, 8207, 8234, 8235, 8236, 8237, 8238, 8288, 8289, 8290, 8291, 8292, 8294, 8295, 8296, 8297, 65279) || ']*';

-- The few names that have one, for the dense scan's `id IN (…)` (it keeps reading the name
-- index alone, as before).
CREATE INDEX loans_search_name ON loans(search_name) WHERE search_name IS NOT NULL;

DROP TRIGGER IF EXISTS loan_search_insert;
DROP TRIGGER IF EXISTS loan_search_delete;
DROP TRIGGER IF EXISTS loan_search_update;
DROP VIEW IF EXISTS loan_search_source;

CREATE VIEW loan_search_source (id, contract_no, borrower_name, officer) AS
SELECT id, contract_no || char(31, 31), coalesce(search_name, borrower_name) || char(31, 31),
       officer || char(31, 31)
FROM loans;

INSERT INTO loan_search (loan_search) VALUES ('delete-all');
INSERT INTO loan_search (rowid, contract_no, borrower_name, officer)
SELECT id, contract_no, borrower_name, officer FROM loan_search_source;

CREATE TRIGGER loan_search_insert AFTER INSERT ON loans BEGIN
    INSERT INTO loan_search (rowid, contract_no, borrower_name, officer)
    VALUES (new.id, new.contract_no || char(31, 31),
            coalesce(new.search_name, new.borrower_name) || char(31, 31),
            new.officer || char(31, 31));
END;

CREATE TRIGGER loan_search_delete AFTER DELETE ON loans BEGIN
    INSERT INTO loan_search (loan_search, rowid, contract_no, borrower_name, officer)
    VALUES ('delete', old.id, old.contract_no || char(31, 31),
            coalesce(old.search_name, old.borrower_name) || char(31, 31),
            old.officer || char(31, 31));
END;

CREATE TRIGGER loan_search_update
AFTER UPDATE OF contract_no, borrower_name, officer, search_name ON loans
WHEN old.contract_no IS NOT new.contract_no OR old.borrower_name IS NOT new.borrower_name
     OR old.officer IS NOT new.officer OR old.search_name IS NOT new.search_name
BEGIN
    INSERT INTO loan_search (loan_search, rowid, contract_no, borrower_name, officer)
    VALUES ('delete', old.id, old.contract_no || char(31, 31),
            coalesce(old.search_name, old.borrower_name) || char(31, 31),
            old.officer || char(31, 31));
    INSERT INTO loan_search (rowid, contract_no, borrower_name, officer)
    VALUES (new.id, new.contract_no || char(31, 31),
            coalesce(new.search_name, new.borrower_name) || char(31, 31),
            new.officer || char(31, 31));
END;

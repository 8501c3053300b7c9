-- postloan schema, version 15: the ledger's search finds a name by what the screen shows. A
-- borrower name is stored as given, zero-width and other invisible format characters included
-- (issue #13), but `华<U+200C>夏` shows as `华夏` and must be found by it: the search index
-- holds each name without those characters (the same list as `domain::text::is_search_ignored`,
-- which folds the typed key; a unit test checks the two agree). Contract numbers and officers
-- are keys, stored without them already. The index is rebuilt once (seconds at 100,000 loans).
DROP TRIGGER IF EXISTS loan_search_insert;
DROP TRIGGER IF EXISTS loan_search_delete;
DROP TRIGGER IF EXISTS loan_search_update;
DROP VIEW IF EXISTS loan_search_source;

CREATE VIEW loan_search_source (id, contract_no, borrower_name, officer) AS
SELECT id, contract_no || char(31, 31),
       replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(borrower_name, char(173), ''), char(1564), ''), char(6158), ''), char(8203), ''), char(8204), ''), char(8205), ''), char(8206), ''), char(8207), ''), char(8234), ''), char(8235), ''), char(8236), ''), char(8237), ''), char(8238), ''), char(8288), ''), char(8289), ''), char(8290), ''), char(8291), ''), char(8292), ''), char(8294), ''), char(8295), ''), char(8296), ''), char(8297), ''), char(65279), '') || char(31, 31),
       officer || char(31, 31)
FROM loans;

INSERT INTO loan_search (loan_search) VALUES ('delete-all');
INSERT INTO loan_search (rowid, contract_no, borrower_name, officer)
SELECT id, contract_no, borrower_name, officer FROM loan_search_source;

CREATE TRIGGER loan_search_insert AFTER INSERT ON loans BEGIN
    INSERT INTO loan_search (rowid, contract_no, borrower_name, officer)
    SELECT id, contract_no, borrower_name, officer FROM loan_search_source WHERE id = new.id;
END;

CREATE TRIGGER loan_search_delete AFTER DELETE ON loans BEGIN
    INSERT INTO loan_search (loan_search, rowid, contract_no, borrower_name, officer)
    VALUES ('delete', old.id, old.contract_no || char(31, 31),
            replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(old.borrower_name, char(173), ''), char(1564), ''), char(6158), ''), char(8203), ''), char(8204), ''), char(8205), ''), char(8206), ''), char(8207), ''), char(8234), ''), char(8235), ''), char(8236), ''), char(8237), ''), char(8238), ''), char(8288), ''), char(8289), ''), char(8290), ''), char(8291), ''), char(8292), ''), char(8294), ''), char(8295), ''), char(8296), ''), char(8297), ''), char(65279), '') || char(31, 31),
            old.officer || char(31, 31));
END;

CREATE TRIGGER loan_search_update AFTER UPDATE OF contract_no, borrower_name, officer ON loans
WHEN old.contract_no IS NOT new.contract_no OR old.borrower_name IS NOT new.borrower_name
     OR old.officer IS NOT new.officer
BEGIN
    INSERT INTO loan_search (loan_search, rowid, contract_no, borrower_name, officer)
    VALUES ('delete', old.id, old.contract_no || char(31, 31),
            replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(old.borrower_name, char(173), ''), char(1564), ''), char(6158), ''), char(8203), ''), char(8204), ''), char(8205), ''), char(8206), ''), char(8207), ''), char(8234), ''), char(8235), ''), char(8236), ''), char(8237), ''), char(8238), ''), char(8288), ''), char(8289), ''), char(8290), ''), char(8291), ''), char(8292), ''), char(8294), ''), char(8295), ''), char(8296), ''), char(8297), ''), char(65279), '') || char(31, 31),
            old.officer || char(31, 31));
    INSERT INTO loan_search (rowid, contract_no, borrower_name, officer)
    SELECT id, contract_no, borrower_name, officer FROM loan_search_source WHERE id = new.id;
END;

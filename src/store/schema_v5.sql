-- postloan schema, version 5: the ledger's order by days past due. Past maturity with a
-- balance out, a loan's days past due are at least the days since maturity, counted to the
-- book's today; no stored column can hold that, so the DPD order walks this index for such
-- loans (latest maturity first, then id) beside `loans_dpd` for the others. Only loans with
-- a balance are in it; it carries the stored days past due so a loan whose status already
-- counts more is passed over in the index, without reading its row.
CREATE INDEX loans_matured ON loans(matures_on DESC, id, overdue_days) WHERE outstanding_fen > 0;

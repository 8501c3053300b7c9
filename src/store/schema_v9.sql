-- v9: classification, finished (issue #10). An impairment can be cleared: the row stays (the
-- history is kept, nothing deleted) and says from which date it no longer applies, why, who
-- and when; a loan is impaired on a date D when an impairment has on_date <= D and is not
-- cleared on or before D.
ALTER TABLE loan_impairments ADD COLUMN cleared_on TEXT;
ALTER TABLE loan_impairments ADD COLUMN cleared_reason TEXT;
ALTER TABLE loan_impairments ADD COLUMN cleared_by TEXT;
ALTER TABLE loan_impairments ADD COLUMN cleared_at TEXT;

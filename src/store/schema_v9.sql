-- v9: classification, finished (issue #10). An impairment can be cleared: the row stays (the
-- history is kept, nothing deleted) and says from which date it no longer applies, why, who
-- and when; a loan is impaired on a date D when an impairment has on_date <= D and is not
-- cleared on or before D.
ALTER TABLE loan_impairments ADD COLUMN cleared_on TEXT;
ALTER TABLE loan_impairments ADD COLUMN cleared_reason TEXT;
ALTER TABLE loan_impairments ADD COLUMN cleared_by TEXT;
ALTER TABLE loan_impairments ADD COLUMN cleared_at TEXT;

-- The book's date a proposal was made on (the as-of date of the check or import, the acting
-- user's book date), so the pane's "proposals by age" counts on the book's clock, not the
-- wall clock of created_at. Proposals made before v9 take their effective date.
ALTER TABLE classification_proposals ADD COLUMN proposed_on TEXT;
UPDATE classification_proposals SET proposed_on = effective_on;
CREATE INDEX classification_proposals_pending_age
    ON classification_proposals(proposed_on) WHERE status = 'pending';

-- The portfolio panel (count and outstanding per class) read from the index alone: a
-- covering scan instead of every loan row (110–190 ms → about 20 ms on 100,000 loans).
CREATE INDEX loans_class_outstanding ON loans(class_rank, outstanding_fen);

-- postloan schema, version 14: indexes for the period summary (issue #12), so a year on a
-- 1,000,000-loan book reads ranges of indexes instead of whole tables.
-- Inspections done in the period (carried out on a day) and overdue on a day (due before it,
-- not carried out by then): by the day carried out, then due, with the officer and status,
-- so each block reads the index alone.
CREATE INDEX IF NOT EXISTS inspections_done ON inspections(inspected_on, due_on, officer, status);
-- Warnings raised, escalated and resolved in a period, by level and day.
CREATE INDEX IF NOT EXISTS warning_events_day ON warning_events(on_date, event, level, warning_id);
-- Disposal actions done and failed in a period.
CREATE INDEX IF NOT EXISTS case_events_day ON case_events(event, on_date);
-- Cases opened and closed in a period.
CREATE INDEX IF NOT EXISTS risk_cases_opened ON risk_cases(opened_on);
CREATE INDEX IF NOT EXISTS risk_cases_closed ON risk_cases(closed_on) WHERE closed_on IS NOT NULL;

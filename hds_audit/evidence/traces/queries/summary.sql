-- the period's number of traces, first and last instant
SELECT coalesce(sum(n), 0) AS n, min(lo_us) AS first_us, max(hi_us) AS last_us FROM period_groups

-- per region of the period (no region first): traces, first and last instant
SELECT region, sum(n) AS n, min(lo_us) AS first_us, max(hi_us) AS last_us
FROM period_groups
GROUP BY region
ORDER BY region NULLS FIRST

-- The files to read trace by trace for `outside_traces`: a group's region decides it whole, so its own n, lo_us,
-- hi_us are exact; a file is read only if it may hold one of its region's first $max_refs (what a finding
-- references): per region, `bound` is the least hi_us such that the groups ending by it hold $max_refs traces, and
-- a group starting after it holds none of them (ties on time are broken by file, record: hence <=).
WITH outside AS (
    SELECT reading, region, n, lo_us, hi_us FROM period_groups
    WHERE region IS NULL OR region NOT IN (SELECT region FROM allowed)
),
running AS (
    SELECT reading, region, lo_us, hi_us,
           sum(n) OVER (PARTITION BY region ORDER BY hi_us ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS upto
    FROM outside
),
bounded AS (
    SELECT reading, lo_us, min(CASE WHEN upto >= $max_refs THEN hi_us END) OVER (PARTITION BY region) AS bound
    FROM running
)
SELECT DISTINCT reading FROM bounded WHERE bound IS NULL OR lo_us <= bound

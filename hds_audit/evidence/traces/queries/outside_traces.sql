-- hits: the period's traces outside the allowed regions, keyed by region: trace by trace from the files `traces`
-- holds, and the groups of the other files, each as one row of n traces
SELECT region AS key, CAST(NULL AS VARCHAR) AS bucket, time_us, time_us AS hi_us, CAST(1 AS BIGINT) AS n, file, record
FROM traces
WHERE time_us >= $start AND time_us < $end AND (region IS NULL OR region NOT IN (SELECT region FROM allowed))
UNION ALL
SELECT region AS key, CAST(NULL AS VARCHAR) AS bucket, lo_us AS time_us, hi_us, n, CAST(NULL AS VARCHAR) AS file,
       CAST(NULL AS INTEGER) AS record
FROM period_groups
WHERE (region IS NULL OR region NOT IN (SELECT region FROM allowed))
  AND reading NOT IN (SELECT DISTINCT reading FROM traces)

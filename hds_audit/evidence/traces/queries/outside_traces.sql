-- hits: the period's traces outside the allowed regions, keyed by region
SELECT region AS key, CAST(NULL AS VARCHAR) AS bucket, time_us, file, record
FROM traces
WHERE time_us >= $start AND time_us < $end AND (region IS NULL OR region NOT IN (SELECT region FROM allowed))

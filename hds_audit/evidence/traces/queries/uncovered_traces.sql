-- hits: the period's actions that no span of their account covers (an anti-join: spans are disjoint, so a trace
-- matches at most one); with $after_revocation = 1, only those at or after the account's first revocation.
-- Trace by trace from the files `traces` holds; a file it does not hold contributes its groups uncovered whole
-- (uncovered_files reads every other group that may hold such an action), each as one row of n traces.
SELECT t.user_name AS key, CAST(NULL AS VARCHAR) AS bucket, t.time_us, t.time_us AS hi_us, CAST(1 AS BIGINT) AS n,
       t.file, t.record
FROM traces t
LEFT JOIN cover_spans s
    ON s.user_name = t.user_name AND s.start_us <= t.time_us AND (s.stop_us IS NULL OR t.time_us < s.stop_us)
LEFT JOIN cover_accounts a ON a.user_name = t.user_name
WHERE t.user_name IS NOT NULL AND t.time_us >= $start AND t.time_us < $end AND s.user_name IS NULL
  AND ($after_revocation = 0 OR a.first_revoked_us <= t.time_us)
UNION ALL
SELECT p.user_name AS key, CAST(NULL AS VARCHAR) AS bucket, p.lo_us AS time_us, p.hi_us, p.n,
       CAST(NULL AS VARCHAR) AS file, CAST(NULL AS INTEGER) AS record
FROM period_groups p
LEFT JOIN cover_spans s
    ON s.user_name = p.user_name AND s.start_us <= p.hi_us AND (s.stop_us IS NULL OR p.lo_us < s.stop_us)
LEFT JOIN cover_accounts a ON a.user_name = p.user_name
WHERE p.user_name IS NOT NULL AND s.user_name IS NULL AND ($after_revocation = 0 OR a.first_revoked_us <= p.lo_us)
  AND p.reading NOT IN (SELECT DISTINCT reading FROM traces)

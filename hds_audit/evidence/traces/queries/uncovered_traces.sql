-- hits: the period's actions that no span of their account covers (an anti-join: spans are disjoint, so a trace
-- matches at most one); with $after_revocation = 1, only those at or after the account's first revocation
SELECT t.user_name AS key, CAST(NULL AS VARCHAR) AS bucket, t.time_us, t.file, t.record
FROM traces t
LEFT JOIN cover_spans s
    ON s.user_name = t.user_name AND s.start_us <= t.time_us AND (s.stop_us IS NULL OR t.time_us < s.stop_us)
LEFT JOIN cover_accounts a ON a.user_name = t.user_name
WHERE t.user_name IS NOT NULL AND t.time_us >= $start AND t.time_us < $end AND s.user_name IS NULL
  AND ($after_revocation = 0 OR a.first_revoked_us <= t.time_us)

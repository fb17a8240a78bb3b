-- The files to read trace by trace for `uncovered_traces`. A group of the period that no span of its account even
-- intersects (and, with $after_revocation = 1, whose first instant is at or after the account's first revocation)
-- is uncovered whole: its own n, lo_us, hi_us are exact, so its file is read only if it may hold one of the
-- account's first $max_refs (what a finding references). Per account, `bound` is the least hi_us such that such
-- groups ending by it hold $max_refs traces: the first $max_refs lie at or before it (ties broken by file, record),
-- so a group starting after it holds none of them. Read as well: every file with a group that a span covers in part
-- (spans are disjoint: one holding a group whole is the only one intersecting it), or, with $after_revocation = 1,
-- that the first revocation splits.
WITH whole AS (
    SELECT p.reading, p.user_name, p.n, p.lo_us, p.hi_us
    FROM period_groups p
    LEFT JOIN cover_spans s
        ON s.user_name = p.user_name AND s.start_us <= p.hi_us AND (s.stop_us IS NULL OR p.lo_us < s.stop_us)
    LEFT JOIN cover_accounts a ON a.user_name = p.user_name
    WHERE p.user_name IS NOT NULL AND s.user_name IS NULL AND ($after_revocation = 0 OR a.first_revoked_us <= p.lo_us)
),
running AS (
    SELECT reading, user_name, lo_us, hi_us,
           sum(n) OVER (PARTITION BY user_name ORDER BY hi_us ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS upto
    FROM whole
),
bounded AS (
    SELECT reading, lo_us, min(CASE WHEN upto >= $max_refs THEN hi_us END) OVER (PARTITION BY user_name) AS bound
    FROM running
)
SELECT reading FROM bounded WHERE bound IS NULL OR lo_us <= bound
UNION
SELECT p.reading
FROM period_groups p
JOIN cover_spans s
    ON s.user_name = p.user_name AND s.start_us <= p.hi_us AND (s.stop_us IS NULL OR p.lo_us < s.stop_us)
LEFT JOIN cover_accounts a ON a.user_name = p.user_name
WHERE NOT (s.start_us <= p.lo_us AND (s.stop_us IS NULL OR p.hi_us < s.stop_us))
  AND ($after_revocation = 0 OR a.first_revoked_us <= p.hi_us)
UNION
SELECT p.reading
FROM period_groups p
LEFT JOIN cover_spans s
    ON s.user_name = p.user_name AND s.start_us <= p.hi_us AND (s.stop_us IS NULL OR p.lo_us < s.stop_us)
JOIN cover_accounts a ON a.user_name = p.user_name
WHERE $after_revocation = 1 AND s.user_name IS NULL AND p.lo_us < a.first_revoked_us AND a.first_revoked_us <= p.hi_us

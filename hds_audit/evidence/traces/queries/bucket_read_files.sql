-- The files to read trace by trace for `bucket_read_traces`, as uncovered_files: a group of the period reading a
-- bucket of `buckets` that no span of its account intersects (a group without a user: none does) is a read no span
-- covers, whole; its file is read only if it may hold one of the account's first $max_refs. Read as well: every
-- file with such a group that a span covers in part.
WITH whole AS (
    SELECT p.reading, p.user_name, p.n, p.lo_us, p.hi_us
    FROM period_groups p
    LEFT JOIN cover_spans s
        ON s.user_name = p.user_name AND s.start_us <= p.hi_us AND (s.stop_us IS NULL OR p.lo_us < s.stop_us)
    WHERE (p.read_name IN (SELECT bucket FROM buckets) OR p.read_bucket IN (SELECT bucket FROM buckets))
      AND s.user_name IS NULL
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
WHERE (p.read_name IN (SELECT bucket FROM buckets) OR p.read_bucket IN (SELECT bucket FROM buckets))
  AND NOT (s.start_us <= p.lo_us AND (s.stop_us IS NULL OR p.hi_us < s.stop_us))

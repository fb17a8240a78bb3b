-- the files to read trace by trace: those with a group of the period reading a bucket of `buckets` that no single
-- span of its account holds whole
SELECT DISTINCT p.reading
FROM period_groups p
LEFT JOIN cover_spans s
    ON s.user_name = p.user_name AND s.start_us <= p.lo_us AND (s.stop_us IS NULL OR p.hi_us < s.stop_us)
WHERE (p.read_name IN (SELECT bucket FROM buckets) OR p.read_bucket IN (SELECT bucket FROM buckets))
  AND s.user_name IS NULL

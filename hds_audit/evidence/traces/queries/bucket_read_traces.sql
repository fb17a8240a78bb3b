-- hits: the period's reads of a bucket of `buckets` that no span of their account covers (traces without a user
-- included, key NULL); `bucket` is the bucket read: its resource_name, else its resource_id's first segment.
-- Trace by trace from the files `traces` holds; a file it does not hold contributes its groups of such reads that
-- no span intersects (bucket_read_files reads every other), each as one row of n traces.
SELECT t.user_name AS key,
       CASE WHEN t.read_name IN (SELECT bucket FROM buckets) THEN t.read_name ELSE t.read_bucket END AS bucket,
       t.time_us, t.time_us AS hi_us, CAST(1 AS BIGINT) AS n, t.file, t.record
FROM traces t
LEFT JOIN cover_spans s
    ON s.user_name = t.user_name AND s.start_us <= t.time_us AND (s.stop_us IS NULL OR t.time_us < s.stop_us)
WHERE t.time_us >= $start AND t.time_us < $end AND s.user_name IS NULL
  AND (t.read_name IN (SELECT bucket FROM buckets) OR t.read_bucket IN (SELECT bucket FROM buckets))
UNION ALL
SELECT p.user_name AS key,
       CASE WHEN p.read_name IN (SELECT bucket FROM buckets) THEN p.read_name ELSE p.read_bucket END AS bucket,
       p.lo_us AS time_us, p.hi_us, p.n, CAST(NULL AS VARCHAR) AS file, CAST(NULL AS INTEGER) AS record
FROM period_groups p
LEFT JOIN cover_spans s
    ON s.user_name = p.user_name AND s.start_us <= p.hi_us AND (s.stop_us IS NULL OR p.lo_us < s.stop_us)
WHERE (p.read_name IN (SELECT bucket FROM buckets) OR p.read_bucket IN (SELECT bucket FROM buckets))
  AND s.user_name IS NULL AND p.reading NOT IN (SELECT DISTINCT reading FROM traces)

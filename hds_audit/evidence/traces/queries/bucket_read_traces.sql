-- hits: the period's reads of a bucket of `buckets` that no span of their account covers (traces without a user
-- included, key NULL); `bucket` is the bucket read: its resource_name, else its resource_id's first segment
SELECT t.user_name AS key,
       CASE WHEN t.read_name IN (SELECT bucket FROM buckets) THEN t.read_name ELSE t.read_bucket END AS bucket,
       t.time_us, t.file, t.record
FROM traces t
LEFT JOIN cover_spans s
    ON s.user_name = t.user_name AND s.start_us <= t.time_us AND (s.stop_us IS NULL OR t.time_us < s.stop_us)
WHERE t.time_us >= $start AND t.time_us < $end AND s.user_name IS NULL
  AND (t.read_name IN (SELECT bucket FROM buckets) OR t.read_bucket IN (SELECT bucket FROM buckets))

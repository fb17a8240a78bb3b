-- per key of hits, the distinct buckets read
SELECT DISTINCT key, bucket FROM hits WHERE bucket IS NOT NULL ORDER BY key NULLS FIRST, bucket

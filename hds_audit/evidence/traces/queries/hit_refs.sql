-- per key of hits, the first $max_refs by (time, file, record): what a finding references
SELECT key, file, record FROM (
    SELECT key, file, record, row_number() OVER (PARTITION BY key ORDER BY time_us, file, record) AS rank
    FROM hits
) AS ranked
WHERE rank <= $max_refs
ORDER BY key NULLS FIRST, rank

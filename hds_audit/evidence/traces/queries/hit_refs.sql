-- per key of hits, the first $max_refs traces by (time, file, record): what a finding references. Only the rows of
-- a trace (record not NULL) are ranked: the `*_files` queries write out every file that may hold one of the first.
SELECT key, file, record FROM (
    SELECT key, file, record, row_number() OVER (PARTITION BY key ORDER BY time_us, file, record) AS rank
    FROM hits
    WHERE record IS NOT NULL
) AS ranked
WHERE rank <= $max_refs
ORDER BY key NULLS FIRST, rank

-- per point of gap_ends, the trace of its region at that instant (the first by file and record)
SELECT region, at_us, file, record FROM (
    SELECT e.region, e.at_us, t.file, t.record,
           row_number() OVER (PARTITION BY e.region, e.at_us ORDER BY t.file, t.record) AS rank
    FROM gap_ends e JOIN traces t ON t.region = e.region AND t.time_us = e.at_us
) AS ranked
WHERE rank = 1

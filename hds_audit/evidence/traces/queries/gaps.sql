-- Gaps over $limit microseconds per region of gap_regions, the period's bounds counting as traces. Two traces of one
-- bucket ($width long, at most the limit) are less than the limit apart, so a gap over it lies between the last
-- trace of a bucket and the first of the next non-empty one: the same gaps as between consecutive traces.
WITH t AS (
    SELECT region, bucket, lo_us, hi_us FROM gap_points WHERE region IN (SELECT region FROM gap_regions)
    UNION ALL SELECT region, $start // $width AS bucket, $start AS lo_us, $start AS hi_us FROM gap_regions
    UNION ALL SELECT region, $end // $width AS bucket, $end AS lo_us, $end AS hi_us FROM gap_regions
),
b AS (SELECT region, bucket, min(lo_us) AS first_us, max(hi_us) AS last_us FROM t GROUP BY region, bucket),
g AS (SELECT region, lag(last_us) OVER (PARTITION BY region ORDER BY bucket) AS start_us, first_us AS end_us FROM b)
SELECT region, start_us, end_us, end_us - start_us AS micros
FROM g
WHERE start_us IS NOT NULL AND end_us - start_us > $limit
ORDER BY region, start_us

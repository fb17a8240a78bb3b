-- gap_points for a limit under an hour: the period's traces, bucketed by the limit's length ($width microseconds)
SELECT region, time_us // $width AS bucket, time_us AS lo_us, time_us AS hi_us
FROM traces
WHERE time_us >= $start AND time_us < $end

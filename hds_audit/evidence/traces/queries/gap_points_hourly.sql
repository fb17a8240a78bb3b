-- gap_points for a limit of an hour or more: the period's groups, bucketed by their UTC hour
SELECT region, hour AS bucket, lo_us, hi_us FROM period_groups

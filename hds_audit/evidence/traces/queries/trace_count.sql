-- every trace read, every file and instant
SELECT coalesce(sum(n), 0) AS n FROM scan_groups

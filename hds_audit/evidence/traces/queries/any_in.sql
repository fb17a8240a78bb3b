-- whether the period holds a trace: 1 row, 1 when it does, else 0
SELECT count(*) AS found FROM (SELECT 1 AS one FROM period_groups LIMIT 1) AS p

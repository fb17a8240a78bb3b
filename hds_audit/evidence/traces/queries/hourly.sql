-- per region and UTC hour (hours since the epoch): the period's traces of a known region
SELECT region, hour, sum(n) AS n FROM period_groups WHERE region IS NOT NULL GROUP BY region, hour

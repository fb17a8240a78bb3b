-- per region outside the allowed ones (or no region): its number of distinct accounts
SELECT region, count(DISTINCT user_name) AS accounts
FROM period_groups
WHERE region IS NULL OR region NOT IN (SELECT region FROM allowed)
GROUP BY region
ORDER BY region NULLS FIRST

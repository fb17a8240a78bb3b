-- the distinct services named per region outside the allowed ones (or no region)
SELECT DISTINCT region, service_type
FROM period_groups
WHERE (region IS NULL OR region NOT IN (SELECT region FROM allowed)) AND service_type IS NOT NULL
ORDER BY region NULLS FIRST, service_type

-- per key of hits (NULL first): how many, the first and last instant
SELECT key, count(*) AS n, min(time_us) AS first_us, max(time_us) AS last_us
FROM hits
GROUP BY key
ORDER BY key NULLS FIRST

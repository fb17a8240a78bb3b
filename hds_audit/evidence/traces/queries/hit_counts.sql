-- per key of hits (NULL first): how many, the first and last instant (a row of a trace or of a group of n)
SELECT key, sum(n) AS n, min(time_us) AS first_us, max(hi_us) AS last_us
FROM hits
GROUP BY key
ORDER BY key NULLS FIRST

-- The files to read trace by trace: those with a group of the period of an account that no single span holds
-- whole (spans are disjoint: a span holding the group's first instant is the only one that may hold it all).
SELECT DISTINCT p.reading
FROM period_groups p
LEFT JOIN cover_spans s
    ON s.user_name = p.user_name AND s.start_us <= p.lo_us AND (s.stop_us IS NULL OR p.hi_us < s.stop_us)
WHERE p.user_name IS NOT NULL AND s.user_name IS NULL

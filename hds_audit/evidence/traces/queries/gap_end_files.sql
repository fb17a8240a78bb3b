-- the files to read trace by trace: those whose groups hold an instant of gap_ends
SELECT DISTINCT p.reading
FROM scan_groups p JOIN gap_ends e ON p.region = e.region AND p.lo_us <= e.at_us AND e.at_us <= p.hi_us

-- the files to read trace by trace: those with traces of the period outside the allowed regions
SELECT DISTINCT reading FROM period_groups WHERE region IS NULL OR region NOT IN (SELECT region FROM allowed)

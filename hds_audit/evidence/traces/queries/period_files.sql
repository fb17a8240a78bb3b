-- the files to read trace by trace: every file with traces of the period
SELECT DISTINCT reading FROM period_groups

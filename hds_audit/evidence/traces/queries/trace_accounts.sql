-- every account name of the traces, to key in Python
SELECT DISTINCT user_name FROM scan_groups WHERE user_name IS NOT NULL ORDER BY user_name

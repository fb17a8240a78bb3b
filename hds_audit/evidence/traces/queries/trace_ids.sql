-- the trace id of each (file, record) of ref_points
SELECT d.file, d.record, d.trace_id
FROM details d JOIN ref_points p ON p.file = d.file AND p.record = d.record

-- traces creating or deleting a resource (by name: create*, delete*, any case), of every file; which of them act
-- on a part of a resource only (deleteBucketPolicy...) the deletion checks decide
SELECT resource_id,
       CASE WHEN lower(trace_name) LIKE 'create%' THEN 'create' ELSE 'delete' END AS action,
       lower(coalesce(trace_rating, '')) AS rating, lower(coalesce(resource_type, '')) AS resource_type,
       lower(coalesce(service_type, '')) AS service, resource_name, trace_id, trace_name, time_us, file, record
FROM details
WHERE resource_id IS NOT NULL AND resource_id <> ''
  AND (lower(trace_name) LIKE 'create%' OR lower(trace_name) LIKE 'delete%')
ORDER BY time_us NULLS LAST, file, record

DROP TABLE suspensions;
DROP TABLE audit_log;
DROP FUNCTION audit_partition_for(timestamptz);
DROP FUNCTION audit_log_append_only();

-- The audit trail, written only by the `audit` consumer group (parley-audit): one row per
-- applied command, never its message text or secrets. `at` is when the worker applied it
-- (the ledger's `applied_at`), so replaying the commands topic writes the same key and
-- `ON CONFLICT DO NOTHING` keeps a rebuild idempotent per request_id. Partitioned by
-- month; the consumer creates each month's partition through `audit_partition_for`.
CREATE TABLE audit_log (
    at timestamptz NOT NULL,
    request_id uuid NOT NULL,
    issued_at timestamptz NOT NULL,
    actor_id uuid,
    session_id uuid,
    operator text,
    gateway_id text NOT NULL,
    kind text NOT NULL,
    subject jsonb NOT NULL,
    status smallint NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (at, request_id)
) PARTITION BY RANGE (at);

CREATE INDEX audit_log_actor ON audit_log (actor_id, at DESC);
-- The account a command acted on when that is not its actor (moderation).
CREATE INDEX audit_log_subject_user ON audit_log ((subject ->> 'user_id'), at DESC);

-- Append-only: rows are never changed or deleted (old months go by dropping partitions).
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Creates the month's partition holding `t` when it is missing; safe to call from
-- several consumers at once (an advisory lock serialises them).
CREATE FUNCTION audit_partition_for(t timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    first timestamptz := date_trunc('month', t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    name text := 'audit_log_' || to_char(first AT TIME ZONE 'UTC', 'YYYY_MM');
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('audit_partition_for'));
    EXECUTE format(
        'CREATE TABLE IF NOT EXISTS %I PARTITION OF audit_log FOR VALUES FROM (%L) TO (%L)',
        name, first, first + interval '1 month');
END
$$;

-- Accounts an operator suspended (parley-admin): they cannot sign in until reinstated.
CREATE TABLE suspensions (
    user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    operator text NOT NULL,
    reason text NOT NULL,
    suspended_at timestamptz NOT NULL
);

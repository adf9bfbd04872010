-- Accounts that resist abuse (#12).

-- The confusable skeleton (UTS #39) of the nickname, after NFKC and lower-casing: names
-- that look alike share it, so only one of them can exist. NULL once the account is
-- deleted; accounts made before this column get it from the worker at start-up.
ALTER TABLE users ADD COLUMN username_skeleton text UNIQUE;

-- What a user sees of their sessions (devices), and what idle expiry counts from.
-- last_seen_at moves at most every few minutes (the gateway publishes a touch).
ALTER TABLE sessions
    ADD COLUMN user_agent text NOT NULL DEFAULT '',
    ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();

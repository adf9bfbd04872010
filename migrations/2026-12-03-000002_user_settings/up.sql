-- A user's settings (#13 and on); no row means every default.
CREATE TABLE user_settings (
    user_id             uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- Whether I appear in "seen by" lists (GET .../messages/{id}/seen).
    share_read_receipts boolean NOT NULL DEFAULT true
);

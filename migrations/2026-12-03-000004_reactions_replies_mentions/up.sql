-- Reactions, replies and mentions (#13).
--
-- A reply names the message it quotes (in the same room; the preview is read with it).
-- A message's mentions are the members its `@nickname`s named when it was applied; the
-- partial index serves "unread messages that mention me" without reading the others.
ALTER TABLE messages
    ADD COLUMN reply_to uuid REFERENCES messages (id) ON DELETE SET NULL,
    ADD COLUMN mentions uuid[] NOT NULL DEFAULT '{}';

CREATE INDEX messages_mentioning ON messages (room_id, seq)
    WHERE cardinality(mentions) > 0;

-- One row per (message, emoji, user): a reaction is idempotent, any number per user.
CREATE TABLE reactions (
    message_id  uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    emoji       text NOT NULL,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, emoji, user_id)
);

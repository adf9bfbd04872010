-- Blocking, invitations and the presence setting (#14).
--
-- A block is one-way: `blocker` blocks `blocked`. Gateways keep every block in memory
-- (seeded from here, then moved by `block` events) to filter typing, presence and the
-- `from_blocked` flag.
CREATE TABLE blocks (
    blocker_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX blocks_by_blocked ON blocks (blocked_id);

-- A pending invitation into a room, for someone who does not have the inviter as a
-- friend. Accepting or declining deletes it; one per (room, invitee).
CREATE TABLE invitations (
    id          uuid PRIMARY KEY,
    room_id     uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    inviter_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    invitee_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (room_id, invitee_id)
);
CREATE INDEX invitations_by_invitee ON invitations (invitee_id, created_at);

-- Whether others see my presence (off: I always look offline).
ALTER TABLE user_settings
    ADD COLUMN share_presence boolean NOT NULL DEFAULT true;

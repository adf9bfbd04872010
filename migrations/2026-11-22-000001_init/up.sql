-- Parley's first schema: accounts, sessions, rooms, memberships, messages, friends,
-- saved messages, and the ledger that makes re-applied commands no-ops.

CREATE TABLE users (
    id              uuid PRIMARY KEY,
    username        text NOT NULL,
    -- NFC + lowercase of username; NULL once the account is deleted (frees the name).
    username_key    text UNIQUE,
    display_name    text NOT NULL,
    status_message  text NOT NULL DEFAULT '',
    password_hash   text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);

CREATE TABLE sessions (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- hex SHA-256 of the bearer token; the token itself is never stored.
    token_hash  text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE rooms (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    visibility  text NOT NULL CHECK (visibility IN ('public', 'private')),
    owner_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- the seq of the newest message; the next message gets last_seq + 1.
    last_seq    bigint NOT NULL DEFAULT 0
);
CREATE INDEX rooms_public ON rooms (created_at) WHERE visibility = 'public';

CREATE TABLE memberships (
    room_id        uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at      timestamptz NOT NULL DEFAULT now(),
    last_read_seq  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX memberships_user_id ON memberships (user_id);

CREATE TABLE messages (
    id          uuid PRIMARY KEY,
    room_id     uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seq         bigint NOT NULL,
    author_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    body        text NOT NULL,
    client_id   text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (room_id, seq),
    UNIQUE (author_id, client_id)
);

CREATE TABLE friendships (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    friend_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, friend_id)
);
CREATE INDEX friendships_friend_id ON friendships (friend_id);

CREATE TABLE saved_messages (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message_id  uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    saved_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, message_id)
);

-- One row per applied command: a command consumed again (after a worker crash between
-- the database commit and the Kafka commit) finds its row and re-emits the stored
-- events instead of applying twice.
CREATE TABLE applied_commands (
    request_id  uuid PRIMARY KEY,
    status      smallint NOT NULL,
    events      jsonb NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

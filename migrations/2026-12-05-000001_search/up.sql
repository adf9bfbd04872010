-- The search index of messages, written only by the `indexer` (its own consumer group on
-- the events topic) and rebuilt from `messages` by `indexer --rebuild`. A message's row
-- goes when the message is deleted. `grams` are the folded body's characters and
-- character pairs (parley_schema::search): a GIN index on them finds the candidates of
-- any one- or two-syllable query.
CREATE TABLE search_messages (
    message_id uuid PRIMARY KEY,
    room_id uuid NOT NULL,
    author_id uuid,
    folded text NOT NULL,
    grams text[] NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE INDEX search_messages_grams ON search_messages USING gin (grams);
CREATE INDEX search_messages_room_time ON search_messages (room_id, created_at DESC);
-- Newest first: a common word is found by walking back from the newest message until a
-- page is full, instead of sorting all of its many matches (measured: 380 -> 22 ms over a
-- million messages, docs/benchmarks.md); the planner still takes the grams for rare ones.
CREATE INDEX search_messages_time ON search_messages (created_at DESC, message_id DESC);

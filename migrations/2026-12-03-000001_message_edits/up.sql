-- Edited and deleted messages (#13). A deleted message keeps its row and seq (seqs have
-- no gaps) as a tombstone: its body is emptied, so the text is gone from storage.
ALTER TABLE messages
    ADD COLUMN edited_at timestamptz,
    ADD COLUMN deleted_at timestamptz;

ALTER TABLE messages DROP COLUMN deleted_at, DROP COLUMN edited_at;

DROP TABLE reactions;
DROP INDEX messages_mentioning;
ALTER TABLE messages DROP COLUMN mentions, DROP COLUMN reply_to;

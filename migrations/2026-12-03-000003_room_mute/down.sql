ALTER TABLE memberships DROP COLUMN muted;

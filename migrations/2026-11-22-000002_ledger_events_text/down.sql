ALTER TABLE applied_commands ALTER COLUMN events TYPE jsonb USING events::jsonb;

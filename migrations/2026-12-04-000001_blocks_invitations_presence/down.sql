ALTER TABLE user_settings DROP COLUMN share_presence;
DROP TABLE invitations;
DROP TABLE blocks;

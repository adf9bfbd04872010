-- Muting a room silences its unread badge in the client, never its mentions (#13).
ALTER TABLE memberships ADD COLUMN muted boolean NOT NULL DEFAULT false;

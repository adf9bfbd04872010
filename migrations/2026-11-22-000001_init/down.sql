DROP TABLE applied_commands;
DROP TABLE saved_messages;
DROP TABLE friendships;
DROP TABLE messages;
DROP TABLE memberships;
DROP TABLE rooms;
DROP TABLE sessions;
DROP TABLE users;

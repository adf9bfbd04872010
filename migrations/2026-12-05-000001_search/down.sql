DROP TABLE search_messages;

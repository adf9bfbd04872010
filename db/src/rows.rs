//! Table structs: what a row holds, and the forms used to insert one.

use crate::schema::{memberships, messages, rooms, sessions, users};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use parley_schema::{MessageId, RoomId, SessionId, UserId};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub username_key: Option<String>,
    pub display_name: String,
    pub status_message: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// The nickname's confusable skeleton (unique): look-alike names share it.
    pub username_skeleton: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
pub struct SessionRow {
    pub id: SessionId,
    pub user_id: UserId,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub user_agent: String,
    pub last_seen_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rooms, check_for_backend(diesel::pg::Pg))]
pub struct RoomRow {
    pub id: RoomId,
    pub name: String,
    pub visibility: String,
    pub owner_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub last_seq: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = memberships, check_for_backend(diesel::pg::Pg))]
pub struct MembershipRow {
    pub room_id: RoomId,
    pub user_id: UserId,
    pub joined_at: DateTime<Utc>,
    pub last_read_seq: i64,
    /// The member muted the room: the client shows no unread badge for it.
    pub muted: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = messages, check_for_backend(diesel::pg::Pg))]
pub struct MessageRow {
    pub id: MessageId,
    pub room_id: RoomId,
    pub seq: i64,
    pub author_id: Option<UserId>,
    pub body: String,
    pub client_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    /// Set on a tombstone, whose body is empty.
    pub deleted_at: Option<DateTime<Utc>>,
    /// The message of the same room this one replies to.
    pub reply_to: Option<MessageId>,
    /// The members its `@nickname`s named.
    pub mentions: Vec<Option<UserId>>,
}

/// The author columns joined onto a message (all NULL when the author row is gone).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct AuthorRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub deleted_at: Option<DateTime<Utc>>,
}

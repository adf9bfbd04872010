//! `views`: rows as they go out on the wire. Pure conversions, so no database here.

use chrono::Utc;
use parley_db::rows::{AuthorRow, MessageRow, RoomRow, UserRow};
use parley_db::views;
use parley_schema::model::Visibility;
use parley_schema::{MessageId, RoomId, UserId};

fn author(deleted: bool) -> AuthorRow {
    AuthorRow {
        id: UserId::new(),
        username: "Alice".into(),
        display_name: "Queen A".into(),
        deleted_at: deleted.then(Utc::now),
    }
}

fn message_row() -> MessageRow {
    MessageRow {
        id: MessageId::new(),
        room_id: RoomId::new(),
        seq: 7,
        author_id: None,
        body: "hi".into(),
        client_id: Some("c1".into()),
        created_at: Utc::now(),
        edited_at: None,
        deleted_at: None,
        reply_to: None,
        mentions: Vec::new(),
    }
}

#[test]
fn user_shows_the_profile_but_not_the_secrets() {
    let row = UserRow {
        id: UserId::new(),
        username: "Alice".into(),
        username_key: Some("alice".into()),
        display_name: "Queen A".into(),
        status_message: "away".into(),
        password_hash: "hash".into(),
        created_at: Utc::now(),
        deleted_at: None,
        username_skeleton: None,
    };

    let user = views::user(&row);

    assert_eq!(user.id, row.id);
    assert_eq!(
        (user.username.as_str(), user.display_name.as_str()),
        ("Alice", "Queen A")
    );
    assert_eq!(user.status_message, "away");
    assert_eq!(user.created_at, row.created_at);
}

#[test]
fn room_parses_the_visibility_and_carries_the_member_count() {
    let row = RoomRow {
        id: RoomId::new(),
        name: "lobby".into(),
        visibility: "public".into(),
        owner_id: Some(UserId::new()),
        created_at: Utc::now(),
        last_seq: 3,
    };

    let room = views::room(&row, 4);

    assert_eq!((room.id, room.name.as_str()), (row.id, "lobby"));
    assert_eq!(room.visibility, Visibility::Public);
    assert_eq!((room.owner_id, room.member_count), (row.owner_id, 4));
}

#[test]
fn message_shows_an_active_author_and_hides_a_deleted_or_missing_one() {
    let active = author(false);

    let shown = views::message(message_row(), Some(active.clone()));
    let deleted = views::message(message_row(), Some(author(true)));
    let missing = views::message(message_row(), None);

    let shown_author = shown.author.map(|a| (a.id, a.username, a.display_name));
    assert_eq!(
        shown_author,
        Some((active.id, active.username, active.display_name))
    );
    assert_eq!((shown.seq, shown.body.as_str()), (7, "hi"));
    assert!(deleted.author.is_none());
    assert!(missing.author.is_none());
}

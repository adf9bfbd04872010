//! `users`: lookups see only active accounts, profile updates touch only the given fields,
//! and a nickname key is unique.

use crate::support::{user, with_db};
use anyhow::Context;
use diesel::prelude::*;
use parley_db::error::is_unique_violation;
use parley_db::rows::UserRow;
use parley_db::{schema, users};
use parley_schema::UserId;

fn ids(rows: &[UserRow]) -> Vec<UserId> {
    let mut ids: Vec<UserId> = rows.iter().map(|r| r.id).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn find_active_returns_a_user_until_it_is_soft_deleted() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;

        let before = users::find_active(conn, alice.id)?;
        users::soft_delete(conn, alice.id)?;
        let after = users::find_active(conn, alice.id)?;

        assert_eq!(before.map(|u| u.username), Some("Alice".to_owned()));
        assert!(after.is_none(), "a deleted user is not active");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn find_by_key_matches_the_key_of_active_users_only() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let bob = user(conn, "Bob")?;
        users::soft_delete(conn, bob.id)?;

        let found = users::find_by_key(conn, "alice")?;
        let by_name = users::find_by_key(conn, "Alice")?;
        let deleted = users::find_by_key(conn, "bob")?;

        assert_eq!(found.map(|u| u.id), Some(alice.id));
        assert!(by_name.is_none(), "the key is lowercase, not the username");
        assert!(deleted.is_none());
        Ok(())
    })
    .await
}

#[tokio::test]
async fn find_by_keys_leaves_out_deleted_and_unknown_users() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let bob = user(conn, "Bob")?;
        let carol = user(conn, "Carol")?;
        users::soft_delete(conn, carol.id)?;
        let keys = ["alice", "bob", "carol", "nobody"].map(String::from);

        let by_keys = users::find_by_keys(conn, &keys)?;

        let mut want = vec![alice.id, bob.id];
        want.sort();
        assert_eq!(ids(&by_keys), want);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn update_profile_changes_only_the_fields_given() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;

        let renamed = users::update_profile(conn, alice.id, Some("Queen A"), None)?;
        let restated = users::update_profile(conn, alice.id, None, Some("away"))?;
        let stored = users::find_active(conn, alice.id)?.context("alice is gone")?;

        assert_eq!(renamed.display_name, "Queen A");
        assert_eq!(renamed.status_message, alice.status_message);
        assert_eq!(restated.display_name, "Queen A");
        assert_eq!(restated.status_message, "away");
        assert_eq!(stored.username, alice.username);
        assert_eq!(stored.status_message, "away");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_second_user_with_the_same_key_is_a_unique_violation() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let twin = UserRow {
            id: UserId::new(),
            username: "ALICE".into(),
            ..alice
        };

        let err = users::insert(conn, &twin)
            .err()
            .context("the twin was inserted")?;

        assert!(is_unique_violation(&err), "unexpected error: {err}");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn soft_delete_keeps_the_row_but_frees_the_key_and_forgets_the_secrets() -> anyhow::Result<()>
{
    with_db(|conn| {
        let alice = user(conn, "Alice")?;

        users::soft_delete(conn, alice.id)?;
        let newcomer = user(conn, "alice").context("the freed key could not be taken")?;

        let row: UserRow = schema::users::table
            .find(alice.id)
            .select(UserRow::as_select())
            .first(conn)?;
        assert!(row.deleted_at.is_some());
        assert_eq!(row.username_key, None);
        assert_eq!(
            (row.password_hash.as_str(), row.status_message.as_str()),
            ("", "")
        );
        let holder = users::find_by_key(conn, "alice")?.map(|u| u.id);
        assert_eq!(holder, Some(newcomer.id));
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_look_alike_nickname_is_a_unique_violation() -> anyhow::Result<()> {
    with_db(|conn| {
        let admin = user(conn, "admin")?;
        let fake = UserRow {
            id: UserId::new(),
            username: "аdmin".into(), // Cyrillic а
            username_key: Some("аdmin".into()),
            ..admin
        };

        let err = users::insert(conn, &fake)
            .err()
            .context("the look-alike was inserted")?;

        assert!(is_unique_violation(&err), "unexpected error: {err}");
        let found =
            users::find_by_skeleton(conn, &parley_schema::text::nickname_skeleton("аdmin"))?;
        assert_eq!(found.map(|u| u.username), Some("admin".to_owned()));
        Ok(())
    })
    .await
}

//! `rooms`: the seq counter, row locks, member counts, the public directory and owners.

use crate::support::{impatient_connection, post, room, user, with_db, with_db_url};
use anyhow::Context;
use diesel::Connection;
use parley_db::{members, rooms};
use parley_schema::RoomId;

#[tokio::test]
async fn find_returns_the_inserted_room_and_delete_removes_it() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let inserted = room(conn, "private", Some(alice.id), 0)?;

        let found = rooms::find(conn, inserted.id)?.context("room not found")?;
        let deleted = rooms::delete(conn, inserted.id)?;
        let deleted_again = rooms::delete(conn, inserted.id)?;

        assert_eq!(found.name, inserted.name);
        assert_eq!(found.visibility, "private");
        assert_eq!(found.owner_id, Some(alice.id));
        assert_eq!((deleted, deleted_again), (1, 0));
        assert!(rooms::find(conn, inserted.id)?.is_none());
        Ok(())
    })
    .await
}

#[tokio::test]
async fn find_for_update_holds_the_row_lock_until_the_transaction_ends() -> anyhow::Result<()> {
    with_db_url(|conn, url| {
        let target = room(conn, "public", None, 0)?;
        let mut other = impatient_connection(url)?;

        conn.transaction(|conn| -> anyhow::Result<()> {
            let locked = rooms::find_for_update(conn, target.id)?;
            assert_eq!(locked.map(|r| r.id), Some(target.id));
            let blocked = other.transaction(|o| rooms::find_for_update(o, target.id));
            assert!(blocked.is_err(), "a second locker got the row");
            assert!(rooms::find_for_update(conn, RoomId::new())?.is_none());
            Ok(())
        })?;
        let after = other.transaction(|o| rooms::find_for_update(o, target.id))?;

        assert_eq!(after.map(|r| r.id), Some(target.id));
        Ok(())
    })
    .await
}

#[tokio::test]
async fn member_count_and_member_counts_count_the_memberships() -> anyhow::Result<()> {
    with_db(|conn| {
        let (alice, bob) = (user(conn, "Alice")?, user(conn, "Bob")?);
        let (two, one, none) = (
            room(conn, "public", None, 0)?,
            room(conn, "public", None, 0)?,
            room(conn, "public", None, 0)?,
        );
        members::add(conn, two.id, alice.id)?;
        members::add(conn, two.id, bob.id)?;
        members::add(conn, one.id, bob.id)?;

        let single = rooms::member_count(conn, two.id)?;
        let empty = rooms::member_count(conn, none.id)?;
        let counts = rooms::member_counts(conn, &[two.id, one.id, none.id])?;

        assert_eq!((single, empty), (2, 0));
        assert_eq!(counts.get(&two.id), Some(&2));
        assert_eq!(counts.get(&one.id), Some(&1));
        assert_eq!(counts.get(&none.id).copied().unwrap_or(0), 0);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn list_public_not_joined_skips_my_rooms_and_private_ones_newest_first() -> anyhow::Result<()>
{
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let oldest = room(conn, "public", None, 300)?;
        let older = room(conn, "public", None, 200)?;
        let mine = room(conn, "public", None, 100)?;
        let newest = room(conn, "public", None, 50)?;
        room(conn, "private", None, 10)?;
        members::add(conn, mine.id, alice.id)?;

        let all = rooms::list_public_not_joined(conn, alice.id, 10)?;
        let two = rooms::list_public_not_joined(conn, alice.id, 2)?;

        let ids = |rows: Vec<parley_db::rows::RoomRow>| -> Vec<RoomId> {
            rows.into_iter().map(|r| r.id).collect()
        };
        assert_eq!(ids(all), vec![newest.id, older.id, oldest.id]);
        assert_eq!(ids(two), vec![newest.id, older.id]);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn set_owner_changes_what_owned_by_returns() -> anyhow::Result<()> {
    with_db(|conn| {
        let (alice, bob) = (user(conn, "Alice")?, user(conn, "Bob")?);
        let first = room(conn, "public", Some(alice.id), 0)?;
        let second = room(conn, "private", Some(alice.id), 0)?;

        rooms::set_owner(conn, first.id, Some(bob.id))?;
        rooms::set_owner(conn, second.id, None)?;

        assert!(rooms::owned_by(conn, alice.id)?.is_empty());
        assert_eq!(rooms::owned_by(conn, bob.id)?, vec![first.id]);
        let owner = rooms::find(conn, second.id)?.map(|r| r.owner_id);
        assert_eq!(owner, Some(None));
        Ok(())
    })
    .await
}

#[tokio::test]
async fn deleting_a_room_takes_its_members_and_messages_with_it() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let doomed = room(conn, "public", None, 0)?;
        members::add(conn, doomed.id, alice.id)?;
        let posted = post(conn, doomed.id, alice.id, 2)?;

        rooms::delete(conn, doomed.id)?;

        assert!(!members::is_member(conn, doomed.id, alice.id)?);
        let first = posted.first().context("nothing posted")?;
        assert!(parley_db::messages::find(conn, first.id)?.is_none());
        Ok(())
    })
    .await
}

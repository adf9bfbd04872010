//! `memberships`: joining and leaving, member lists in joining order, the rooms of a user
//! by activity, and read markers that only ever move forward.

use crate::support::{room, user, with_db};
use anyhow::Context;
use parley_db::{members, sends, users};
use parley_schema::{RoomId, UserId};

#[tokio::test]
async fn add_is_true_for_a_new_member_and_false_for_a_duplicate() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let lobby = room(conn, "public", None, 0)?;

        let first = members::add(conn, lobby.id, alice.id)?;
        let again = members::add(conn, lobby.id, alice.id)?;

        assert_eq!((first, again), (true, false));
        assert!(members::is_member(conn, lobby.id, alice.id)?);
        let row = members::find(conn, lobby.id, alice.id)?.context("no membership")?;
        assert_eq!(row.last_read_seq, 0);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn remove_is_true_for_a_member_and_false_otherwise() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let lobby = room(conn, "public", None, 0)?;
        members::add(conn, lobby.id, alice.id)?;

        let removed = members::remove(conn, lobby.id, alice.id)?;
        let again = members::remove(conn, lobby.id, alice.id)?;

        assert_eq!((removed, again), (true, false));
        assert!(!members::is_member(conn, lobby.id, alice.id)?);
        assert!(members::find(conn, lobby.id, alice.id)?.is_none());
        Ok(())
    })
    .await
}

#[tokio::test]
async fn members_lists_active_users_in_joining_order() -> anyhow::Result<()> {
    with_db(|conn| {
        let lobby = room(conn, "public", None, 0)?;
        let (carol, alice, bob) = (
            user(conn, "Carol")?,
            user(conn, "Alice")?,
            user(conn, "Bob")?,
        );
        for u in [&bob, &carol, &alice] {
            members::add(conn, lobby.id, u.id)?;
        }
        users::soft_delete(conn, carol.id)?;

        let listed: Vec<UserId> = members::members(conn, lobby.id)?
            .into_iter()
            .map(|u| u.id)
            .collect();
        let mut ids = members::member_ids(conn, lobby.id)?;

        assert_eq!(listed, vec![bob.id, alice.id]);
        ids.sort();
        let mut all = vec![alice.id, bob.id, carol.id];
        all.sort();
        assert_eq!(ids, all, "member_ids does not filter deleted users");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn longest_standing_is_the_first_member_still_in_the_room() -> anyhow::Result<()> {
    with_db(|conn| {
        let lobby = room(conn, "public", None, 0)?;
        let (alice, bob) = (user(conn, "Alice")?, user(conn, "Bob")?);
        let nobody = members::longest_standing(conn, lobby.id)?;
        members::add(conn, lobby.id, bob.id)?;
        members::add(conn, lobby.id, alice.id)?;

        let first = members::longest_standing(conn, lobby.id)?;
        members::remove(conn, lobby.id, bob.id)?;
        let next = members::longest_standing(conn, lobby.id)?;

        assert_eq!((nobody, first, next), (None, Some(bob.id), Some(alice.id)));
        Ok(())
    })
    .await
}

#[tokio::test]
async fn rooms_of_lists_a_users_rooms_most_active_first() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let quiet = room(conn, "public", None, 0)?;
        let busy = room(conn, "public", None, 0)?;
        let middling = room(conn, "private", None, 0)?;
        room(conn, "public", None, 0)?;
        for r in [&quiet, &busy, &middling] {
            members::add(conn, r.id, alice.id)?;
        }
        sends::store(
            conn,
            &[(busy.id, 9), (middling.id, 4), (quiet.id, 1)],
            &[],
            &[],
        )?;

        let listed = members::rooms_of(conn, alice.id)?;

        let order: Vec<(RoomId, i64)> = listed.iter().map(|(r, _)| (r.id, r.last_seq)).collect();
        assert_eq!(order, vec![(busy.id, 9), (middling.id, 4), (quiet.id, 1)]);
        assert!(listed
            .iter()
            .all(|(r, m)| m.room_id == r.id && m.user_id == alice.id));
        Ok(())
    })
    .await
}

#[tokio::test]
async fn mark_read_never_moves_a_marker_backwards() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let lobby = room(conn, "public", None, 0)?;
        members::add(conn, lobby.id, alice.id)?;

        let forward = members::mark_read(conn, lobby.id, alice.id, 5)?;
        let backward = members::mark_read(conn, lobby.id, alice.id, 3)?;
        let further = members::mark_read(conn, lobby.id, alice.id, 8)?;

        assert_eq!((forward, backward, further), (5, 5, 8));
        let stored = members::find(conn, lobby.id, alice.id)?.map(|m| m.last_read_seq);
        assert_eq!(stored, Some(8));
        Ok(())
    })
    .await
}

#[tokio::test]
async fn remove_all_of_user_returns_the_rooms_left() -> anyhow::Result<()> {
    with_db(|conn| {
        let (alice, bob) = (user(conn, "Alice")?, user(conn, "Bob")?);
        let (a, b) = (
            room(conn, "public", None, 0)?,
            room(conn, "private", None, 0)?,
        );
        for (r, u) in [(a.id, alice.id), (b.id, alice.id), (a.id, bob.id)] {
            members::add(conn, r, u)?;
        }

        let mut left = members::remove_all_of_user(conn, alice.id)?;

        left.sort();
        let mut want = vec![a.id, b.id];
        want.sort();
        assert_eq!(left, want);
        assert!(members::rooms_of(conn, alice.id)?.is_empty());
        assert!(
            members::is_member(conn, a.id, bob.id)?,
            "bob was removed too"
        );
        Ok(())
    })
    .await
}

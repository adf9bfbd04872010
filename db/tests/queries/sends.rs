//! The two statements of a batch of sends: lock the rooms with their members and authors,
//! then store every room's last seq, the messages and the read markers at once.

use crate::support::{impatient_connection, message, room, user, with_db, with_db_url};
use diesel::Connection;
use parley_db::{members, messages, rooms, sends, users};
use parley_schema::{RoomId, UserId};

#[tokio::test]
async fn locking_returns_the_authors_that_are_members_and_blocks_others() -> anyhow::Result<()> {
    with_db_url(|conn, url| {
        let (alice, bob, carol) = (
            user(conn, "Alice")?,
            user(conn, "Bob")?,
            user(conn, "Carol")?,
        );
        let (a, empty) = (
            room(conn, "public", None, 0)?,
            room(conn, "private", None, 0)?,
        );
        for u in [alice.id, bob.id, carol.id] {
            members::add(conn, a.id, u)?;
        }
        sends::store(conn, &[(a.id, 4)], &[], &[])?;
        users::soft_delete(conn, carol.id)?;
        let mut other = impatient_connection(url)?;

        conn.transaction(|conn| -> anyhow::Result<()> {
            let rows = sends::lock_rooms_with_authors(
                conn,
                &[empty.id, RoomId::new(), a.id],
                &[alice.id, carol.id, UserId::new()],
            )?;
            let mut ids: Vec<RoomId> = rows.iter().map(|r| r.room_id).collect();
            ids.dedup();
            let mut want = vec![a.id, empty.id];
            want.sort();
            assert_eq!(ids, want, "the rooms that exist, in id order");
            let of_a: Vec<_> = rows.iter().filter(|r| r.room_id == a.id).collect();
            assert_eq!(of_a.len(), 2, "a row per author that is a member, not Bob");
            assert!(of_a.iter().all(|r| r.last_seq == 4));
            let named: Vec<(Option<UserId>, Option<&str>)> = of_a
                .iter()
                .filter(|r| r.username.is_some())
                .map(|r| (r.user_id, r.username.as_deref()))
                .collect();
            assert_eq!(
                named,
                vec![(Some(alice.id), Some("Alice"))],
                "Carol is deleted"
            );
            let lone: Vec<_> = rows.iter().filter(|r| r.room_id == empty.id).collect();
            assert_eq!(lone.len(), 1);
            assert_eq!(
                lone[0].user_id, None,
                "a room without members is still there"
            );
            let blocked = other.transaction(|o| sends::lock_rooms_with_authors(o, &[a.id], &[]));
            assert!(blocked.is_err(), "a second locker got the row");
            Ok(())
        })
    })
    .await
}

#[tokio::test]
async fn store_sets_last_seqs_inserts_and_moves_markers_forward_only() -> anyhow::Result<()> {
    with_db(|conn| {
        let (alice, bob) = (user(conn, "Alice")?, user(conn, "Bob")?);
        let (a, b) = (
            room(conn, "public", None, 0)?,
            room(conn, "public", None, 0)?,
        );
        for (r, u) in [(a.id, alice.id), (a.id, bob.id), (b.id, alice.id)] {
            members::add(conn, r, u)?;
        }
        members::mark_read(conn, a.id, bob.id, 10)?;
        let rows = [
            message(a.id, 1, Some(alice.id), "c1"),
            message(a.id, 2, Some(bob.id), "c1"),
            message(b.id, 1, Some(alice.id), "c2"),
        ];

        sends::store(
            conn,
            &[(a.id, 2), (b.id, 1)],
            &rows,
            &[
                (a.id, alice.id, 1),
                (a.id, bob.id, 2),
                (b.id, alice.id, 1),
                (b.id, bob.id, 9),
            ],
        )?;

        let last = |conn: &mut _, id| -> anyhow::Result<Option<i64>> {
            Ok(rooms::find(conn, id)?.map(|r| r.last_seq))
        };
        assert_eq!((last(conn, a.id)?, last(conn, b.id)?), (Some(2), Some(1)));
        let page = messages::page(conn, a.id, None, None, 10)?;
        let seqs: Vec<i64> = page.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, vec![1, 2]);
        let marker = |conn: &mut _, r, u| -> anyhow::Result<Option<i64>> {
            Ok(members::find(conn, r, u)?.map(|m| m.last_read_seq))
        };
        assert_eq!(marker(conn, a.id, alice.id)?, Some(1));
        assert_eq!(
            marker(conn, a.id, bob.id)?,
            Some(10),
            "moved back from 10 to 2"
        );
        assert_eq!(marker(conn, b.id, alice.id)?, Some(1));
        assert_eq!(
            marker(conn, b.id, bob.id)?,
            None,
            "a non-member got a marker"
        );
        Ok(())
    })
    .await
}

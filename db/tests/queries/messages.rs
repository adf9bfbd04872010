//! `messages`: pages of history, the newest message per room, duplicate detection by
//! `(author, client_id)`, and authors hidden once their account is deleted.

use crate::support::{message, post, room, user, with_db};
use anyhow::Context;
use parley_db::error::is_unique_violation;
use parley_db::{messages, sends, users};
use parley_schema::model::Message;
use parley_schema::MessageId;

fn seqs(page: &[Message]) -> Vec<i64> {
    page.iter().map(|m| m.seq).collect()
}

#[tokio::test]
async fn page_without_after_is_the_newest_before_before_in_ascending_order() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let (lobby, other) = (
            room(conn, "public", None, 0)?,
            room(conn, "public", None, 0)?,
        );
        post(conn, lobby.id, alice.id, 10)?;
        post(conn, other.id, alice.id, 12)?;

        let tail = messages::page(conn, lobby.id, None, None, 3)?;
        let earlier = messages::page(conn, lobby.id, None, Some(8), 3)?;
        let start = messages::page(conn, lobby.id, None, Some(3), 5)?;

        assert_eq!(seqs(&tail), vec![8, 9, 10]);
        assert_eq!(seqs(&earlier), vec![5, 6, 7]);
        assert_eq!(seqs(&start), vec![1, 2]);
        assert!(tail.iter().all(|m| m.room_id == lobby.id));
        Ok(())
    })
    .await
}

#[tokio::test]
async fn page_with_after_is_the_oldest_after_it_in_ascending_order() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let lobby = room(conn, "public", None, 0)?;
        post(conn, lobby.id, alice.id, 10)?;

        let next = messages::page(conn, lobby.id, Some(4), None, 3)?;
        let window = messages::page(conn, lobby.id, Some(4), Some(7), 10)?;
        let caught_up = messages::page(conn, lobby.id, Some(10), None, 3)?;

        assert_eq!(seqs(&next), vec![5, 6, 7]);
        assert_eq!(seqs(&window), vec![5, 6]);
        assert!(caught_up.is_empty());
        Ok(())
    })
    .await
}

#[tokio::test]
async fn find_returns_the_message_with_its_author() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let lobby = room(conn, "public", None, 0)?;
        let posted = post(conn, lobby.id, alice.id, 1)?;
        let row = posted.first().context("nothing posted")?;

        let found = messages::find(conn, row.id)?.context("message not found")?;
        let unknown = messages::find(conn, MessageId::new())?;

        assert_eq!((found.id, found.room_id, found.seq), (row.id, lobby.id, 1));
        assert_eq!(found.body, row.body);
        assert_eq!(found.client_id, row.client_id);
        let author = found.author.context("no author")?;
        assert_eq!((author.id, author.username.as_str()), (alice.id, "Alice"));
        assert!(unknown.is_none());
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_author_is_none_once_the_account_is_soft_deleted() -> anyhow::Result<()> {
    with_db(|conn| {
        let (alice, bob) = (user(conn, "Alice")?, user(conn, "Bob")?);
        let lobby = room(conn, "public", None, 0)?;
        let by_alice = post(conn, lobby.id, alice.id, 1)?;
        post(conn, lobby.id, bob.id, 1)?;
        let id = by_alice.first().context("nothing posted")?.id;

        users::soft_delete(conn, alice.id)?;
        let found = messages::find(conn, id)?.context("message not found")?;
        let page = messages::page(conn, lobby.id, None, None, 10)?;

        assert!(found.author.is_none(), "a deleted author is still shown");
        let authors: Vec<_> = page
            .iter()
            .map(|m| m.author.as_ref().map(|a| a.id))
            .collect();
        assert_eq!(authors, vec![None, Some(bob.id)]);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn last_of_rooms_returns_the_newest_message_of_each_room() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let (a, b) = (
            room(conn, "public", None, 0)?,
            room(conn, "public", None, 0)?,
        );
        let (empty, unasked) = (
            room(conn, "public", None, 0)?,
            room(conn, "public", None, 0)?,
        );
        post(conn, a.id, alice.id, 3)?;
        post(conn, b.id, alice.id, 1)?;
        post(conn, unasked.id, alice.id, 2)?;

        let mut last = messages::last_of_rooms(conn, &[a.id, b.id, empty.id])?;

        last.sort_by_key(|m| m.seq);
        let got: Vec<_> = last.iter().map(|m| (m.room_id, m.seq)).collect();
        assert_eq!(got, vec![(b.id, 1), (a.id, 3)]);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn find_by_client_ids_matches_author_and_client_id_pairs_only() -> anyhow::Result<()> {
    with_db(|conn| {
        let (alice, bob) = (user(conn, "Alice")?, user(conn, "Bob")?);
        let lobby = room(conn, "public", None, 0)?;
        let mine = message(lobby.id, 1, Some(alice.id), "c1");
        let also_mine = message(lobby.id, 2, Some(alice.id), "c2");
        let bobs = message(lobby.id, 3, Some(bob.id), "c1");
        let rows = [mine.clone(), also_mine.clone(), bobs];
        sends::store(conn, &[(lobby.id, 3)], &rows, &[])?;

        let found = messages::find_by_client_ids(
            conn,
            &[
                (alice.id, "c1".into()),
                (bob.id, "c2".into()),
                (alice.id, "zz".into()),
            ],
        )?;
        let none = messages::find_by_client_ids(conn, &[])?;

        let ids: Vec<MessageId> = found.iter().map(|m| m.id).collect();
        assert_eq!(
            ids,
            vec![mine.id],
            "bob's c1 and nobody's (bob, c2) must not match"
        );
        assert!(none.is_empty());
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_second_message_with_the_same_author_and_client_id_is_a_unique_violation(
) -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let lobby = room(conn, "public", None, 0)?;
        let first = [message(lobby.id, 1, Some(alice.id), "c1")];
        sends::store(conn, &[(lobby.id, 1)], &first, &[])?;

        let again = [message(lobby.id, 2, Some(alice.id), "c1")];
        let dup = sends::store(conn, &[(lobby.id, 2)], &again, &[]);

        let err = dup.err().context("the duplicate was stored")?;
        assert!(is_unique_violation(&err), "unexpected error: {err}");
        Ok(())
    })
    .await
}

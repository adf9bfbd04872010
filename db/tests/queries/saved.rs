//! `saved_messages`: a user's drawer of saved messages, newest saved first.

use crate::support::{post, room, user, with_db};
use diesel::PgConnection;
use parley_db::{saved, users};
use parley_schema::{MessageId, UserId};

fn drawer(conn: &mut PgConnection, of: UserId, limit: i64) -> anyhow::Result<Vec<MessageId>> {
    Ok(saved::list(conn, of, limit)?
        .into_iter()
        .map(|m| m.id)
        .collect())
}

/// Alice and three messages of hers in one room.
fn three_messages(conn: &mut PgConnection) -> anyhow::Result<(UserId, [MessageId; 3])> {
    let alice = user(conn, "Alice")?;
    let lobby = room(conn, "public", None, 0)?;
    let rows = post(conn, lobby.id, alice.id, 3)?;
    let ids: Vec<MessageId> = rows.iter().map(|r| r.id).collect();
    let ids: [MessageId; 3] = ids
        .try_into()
        .map_err(|_| anyhow::anyhow!("not three messages"))?;
    Ok((alice.id, ids))
}

#[tokio::test]
async fn add_is_idempotent() -> anyhow::Result<()> {
    with_db(|conn| {
        let (alice, [m1, ..]) = three_messages(conn)?;

        saved::add(conn, alice, m1)?;
        saved::add(conn, alice, m1)?;

        assert_eq!(drawer(conn, alice, 10)?, vec![m1]);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn list_is_newest_saved_first_up_to_the_limit() -> anyhow::Result<()> {
    with_db(|conn| {
        let (alice, [m1, m2, m3]) = three_messages(conn)?;
        let bob = user(conn, "Bob")?;
        for m in [m2, m3, m1] {
            saved::add(conn, alice, m)?;
        }
        saved::add(conn, bob.id, m2)?;

        let all = drawer(conn, alice, 10)?;
        let two = drawer(conn, alice, 2)?;

        assert_eq!(all, vec![m1, m3, m2]);
        assert_eq!(two, vec![m1, m3]);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_saved_message_whose_author_is_deleted_shows_no_author() -> anyhow::Result<()> {
    with_db(|conn| {
        let (alice, [m1, ..]) = three_messages(conn)?;
        let bob = user(conn, "Bob")?;
        saved::add(conn, bob.id, m1)?;

        users::soft_delete(conn, alice)?;
        let list = saved::list(conn, bob.id, 10)?;

        let shown: Vec<_> = list.iter().map(|m| (m.id, m.author.is_some())).collect();
        assert_eq!(shown, vec![(m1, false)]);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn remove_is_true_for_a_saved_message_and_false_otherwise() -> anyhow::Result<()> {
    with_db(|conn| {
        let (alice, [m1, m2, _]) = three_messages(conn)?;
        saved::add(conn, alice, m1)?;
        saved::add(conn, alice, m2)?;

        let removed = saved::remove(conn, alice, m1)?;
        let again = saved::remove(conn, alice, m1)?;

        assert_eq!((removed, again), (true, false));
        assert_eq!(drawer(conn, alice, 10)?, vec![m2]);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn remove_all_of_user_empties_only_that_users_drawer() -> anyhow::Result<()> {
    with_db(|conn| {
        let (alice, [m1, m2, _]) = three_messages(conn)?;
        let bob = user(conn, "Bob")?;
        saved::add(conn, alice, m1)?;
        saved::add(conn, alice, m2)?;
        saved::add(conn, bob.id, m1)?;

        let removed = saved::remove_all_of_user(conn, alice)?;

        assert_eq!(removed, 2);
        assert!(drawer(conn, alice, 10)?.is_empty());
        assert_eq!(drawer(conn, bob.id, 10)?, vec![m1]);
        Ok(())
    })
    .await
}

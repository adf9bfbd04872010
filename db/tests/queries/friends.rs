//! `friendships`: a one-way list per user, in the order added, of active accounts only.

use crate::support::{user, with_db};
use diesel::PgConnection;
use parley_db::{friends, users};
use parley_schema::UserId;

fn listed(conn: &mut PgConnection, of: UserId) -> anyhow::Result<Vec<UserId>> {
    Ok(friends::list(conn, of)?.into_iter().map(|u| u.id).collect())
}

#[tokio::test]
async fn add_is_true_once_and_the_list_is_one_way() -> anyhow::Result<()> {
    with_db(|conn| {
        let (alice, bob) = (user(conn, "Alice")?, user(conn, "Bob")?);

        let first = friends::add(conn, alice.id, bob.id)?;
        let again = friends::add(conn, alice.id, bob.id)?;

        assert_eq!((first, again), (true, false));
        assert_eq!(listed(conn, alice.id)?, vec![bob.id]);
        assert!(listed(conn, bob.id)?.is_empty(), "friendship is one-way");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn remove_is_true_for_a_friend_and_false_otherwise() -> anyhow::Result<()> {
    with_db(|conn| {
        let (alice, bob) = (user(conn, "Alice")?, user(conn, "Bob")?);
        friends::add(conn, alice.id, bob.id)?;

        let wrong_way = friends::remove(conn, bob.id, alice.id)?;
        let removed = friends::remove(conn, alice.id, bob.id)?;
        let again = friends::remove(conn, alice.id, bob.id)?;

        assert_eq!((wrong_way, removed, again), (false, true, false));
        assert!(listed(conn, alice.id)?.is_empty());
        Ok(())
    })
    .await
}

#[tokio::test]
async fn list_is_in_the_order_added_and_leaves_out_deleted_accounts() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let (bob, carol, dave) = (
            user(conn, "Bob")?,
            user(conn, "Carol")?,
            user(conn, "Dave")?,
        );
        for friend in [&dave, &bob, &carol] {
            friends::add(conn, alice.id, friend.id)?;
        }

        users::soft_delete(conn, bob.id)?;
        let list = listed(conn, alice.id)?;

        assert_eq!(list, vec![dave.id, carol.id]);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn remove_all_of_user_removes_both_ways_and_returns_who_had_the_user() -> anyhow::Result<()> {
    with_db(|conn| {
        let (alice, bob) = (user(conn, "Alice")?, user(conn, "Bob")?);
        let (carol, dave) = (user(conn, "Carol")?, user(conn, "Dave")?);
        friends::add(conn, alice.id, bob.id)?;
        friends::add(conn, bob.id, alice.id)?;
        friends::add(conn, carol.id, alice.id)?;
        friends::add(conn, dave.id, bob.id)?;

        let mut had_alice = friends::remove_all_of_user(conn, alice.id)?;

        had_alice.sort();
        let mut want = vec![bob.id, carol.id];
        want.sort();
        assert_eq!(had_alice, want);
        assert!(listed(conn, alice.id)?.is_empty());
        assert!(listed(conn, bob.id)?.is_empty());
        assert!(listed(conn, carol.id)?.is_empty());
        assert_eq!(
            listed(conn, dave.id)?,
            vec![bob.id],
            "an unrelated friendship went"
        );
        Ok(())
    })
    .await
}

//! `sessions`: found by token hash together with an active user, listed, touched, deleted
//! one by one (only by their user), all but one, or all of a user's at once.

use crate::support::{user, with_db};
use chrono::Utc;
use diesel::PgConnection;
use parley_db::rows::SessionRow;
use parley_db::{sessions, users};
use parley_schema::{SessionId, UserId};

fn session(conn: &mut PgConnection, user: UserId, hash: &str) -> anyhow::Result<SessionRow> {
    let row = SessionRow {
        id: SessionId::new(),
        user_id: user,
        token_hash: hash.into(),
        created_at: Utc::now(),
        user_agent: "test agent".into(),
        last_seen_at: Utc::now(),
    };
    sessions::insert(conn, &row)?;
    Ok(row)
}

#[tokio::test]
async fn find_by_token_hash_returns_the_session_and_its_user() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let inserted = session(conn, alice.id, "hash-a")?;

        let found = sessions::find_by_token_hash(conn, "hash-a")?;
        let unknown = sessions::find_by_token_hash(conn, "hash-x")?;

        let (s, u) = found.ok_or_else(|| anyhow::anyhow!("no session for hash-a"))?;
        assert_eq!((s.id, s.user_id, u.id), (inserted.id, alice.id, alice.id));
        assert_eq!(s.token_hash, "hash-a");
        assert!(unknown.is_none());
        Ok(())
    })
    .await
}

#[tokio::test]
async fn find_by_token_hash_finds_nothing_for_a_deleted_user() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        session(conn, alice.id, "hash-a")?;

        users::soft_delete(conn, alice.id)?;
        let found = sessions::find_by_token_hash(conn, "hash-a")?;

        assert!(found.is_none(), "a deleted user's token still works");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn delete_removes_one_session_and_reports_how_many() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let first = session(conn, alice.id, "hash-1")?;
        session(conn, alice.id, "hash-2")?;

        let mallory = user(conn, "Mallory")?;
        let not_theirs = sessions::delete(conn, mallory.id, first.id)?;
        let deleted = sessions::delete(conn, alice.id, first.id)?;
        let again = sessions::delete(conn, alice.id, first.id)?;

        assert_eq!((not_theirs, deleted, again), (0, 1, 0));
        assert!(sessions::find_by_token_hash(conn, "hash-1")?.is_none());
        assert!(sessions::find_by_token_hash(conn, "hash-2")?.is_some());
        Ok(())
    })
    .await
}

#[tokio::test]
async fn delete_others_keeps_one_session_and_other_users_sessions() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let bob = user(conn, "Bob")?;
        let keep = session(conn, alice.id, "hash-1")?;
        let other = session(conn, alice.id, "hash-2")?;
        session(conn, bob.id, "hash-3")?;

        let gone = sessions::delete_others(conn, alice.id, keep.id)?;

        assert_eq!(gone, vec![other.id]);
        let left: Vec<_> = sessions::of_user(conn, alice.id)?
            .iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(left, vec![keep.id]);
        assert_eq!(sessions::of_user(conn, bob.id)?.len(), 1);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn touch_only_moves_last_seen_forward() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let s = session(conn, alice.id, "hash-1")?;
        let later = s.last_seen_at + chrono::Duration::minutes(5);

        let moved = sessions::touch(conn, s.id, later)?;
        let back = sessions::touch(conn, s.id, s.last_seen_at)?;

        assert_eq!((moved, back), (1, 0));
        let seen = sessions::of_user(conn, alice.id)?
            .first()
            .map(|s| s.last_seen_at);
        assert_eq!(
            seen.map(|t| t.timestamp_micros()),
            Some(later.timestamp_micros())
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn delete_for_user_removes_every_session_of_that_user_only() -> anyhow::Result<()> {
    with_db(|conn| {
        let alice = user(conn, "Alice")?;
        let bob = user(conn, "Bob")?;
        session(conn, alice.id, "hash-a1")?;
        session(conn, alice.id, "hash-a2")?;
        session(conn, bob.id, "hash-b")?;

        let deleted = sessions::delete_for_user(conn, alice.id)?;

        assert_eq!(deleted.len(), 2);
        assert!(sessions::find_by_token_hash(conn, "hash-a1")?.is_none());
        assert!(sessions::find_by_token_hash(conn, "hash-a2")?.is_none());
        assert!(sessions::find_by_token_hash(conn, "hash-b")?.is_some());
        Ok(())
    })
    .await
}

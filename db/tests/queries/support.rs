//! What every query test needs: a fresh migrated database per test ([`with_db`]) and rows
//! to arrange with ([`user`], [`room`], [`message`]).
//!
//! A database per test rather than per file: tests run in parallel threads, and the test
//! harness has no "after the last test" hook where a shared database could be dropped.

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use diesel::{Connection, PgConnection, RunQueryDsl};
use parley_db::rows::{MessageRow, RoomRow, UserRow};
use parley_db::{migrate, rooms, sends, users};
use parley_kit::{FreshDatabase, RunName, Services};
use parley_schema::{MessageId, RoomId, UserId};

/// Runs `body` on a connection to a fresh, migrated database, then drops the database,
/// whether `body` passed, failed or panicked (the panic is raised again afterwards).
///
/// The name comes from [`RunName`] (`parley_test_<secs>_<hex>`), so a database left behind
/// by a killed run is dropped by the kit's stale sweep an hour later.
pub async fn with_db<F>(body: F) -> anyhow::Result<()>
where
    F: FnOnce(&mut PgConnection) -> anyhow::Result<()> + Send + 'static,
{
    with_db_url(|conn, _| body(conn)).await
}

/// [`with_db`], also giving the database's URL (for a second connection, to see locks).
pub async fn with_db_url<F>(body: F) -> anyhow::Result<()>
where
    F: FnOnce(&mut PgConnection, &str) -> anyhow::Result<()> + Send + 'static,
{
    let services = Services::from_env();
    let db = FreshDatabase::create(&services.database_url, &RunName::fresh().database())
        .await
        .context("creating the test database")?;
    let url = db.url.clone();
    // Diesel is synchronous: the whole test body runs on a blocking thread.
    let outcome = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut conn = PgConnection::establish(&url).context("connecting")?;
        migrate::run_pending(&mut conn).context("migrating")?;
        body(&mut conn, &url)
    })
    .await;
    db.drop_database()
        .await
        .context("dropping the test database")?;
    match outcome {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(e.into()),
    }
}

/// A second connection to `url` that gives up waiting for a row lock after 200 ms.
pub fn impatient_connection(url: &str) -> anyhow::Result<PgConnection> {
    let mut conn = PgConnection::establish(url).context("connecting again")?;
    diesel::sql_query("SET lock_timeout = '200ms'").execute(&mut conn)?;
    Ok(conn)
}

/// Inserts an active user named `name` (its key is the lowercase name).
pub fn user(conn: &mut PgConnection, name: &str) -> anyhow::Result<UserRow> {
    let row = UserRow {
        id: UserId::new(),
        username: name.to_owned(),
        username_key: Some(name.to_lowercase()),
        display_name: format!("{name} display"),
        status_message: format!("{name} status"),
        password_hash: "hash".into(),
        created_at: Utc::now(),
        deleted_at: None,
        username_skeleton: Some(parley_schema::text::nickname_skeleton(name)),
    };
    users::insert(conn, &row).context("inserting a user")?;
    Ok(row)
}

/// Inserts a room of `visibility` owned by `owner`, created `age_secs` seconds ago.
pub fn room(
    conn: &mut PgConnection,
    visibility: &str,
    owner: Option<UserId>,
    age_secs: i64,
) -> anyhow::Result<RoomRow> {
    let row = RoomRow {
        id: RoomId::new(),
        name: format!("{visibility} room"),
        visibility: visibility.into(),
        owner_id: owner,
        created_at: ago(age_secs),
        last_seq: 0,
    };
    rooms::insert(conn, &row).context("inserting a room")?;
    Ok(row)
}

/// A message row (not inserted) of `room` at `seq`.
pub fn message(room: RoomId, seq: i64, author: Option<UserId>, client_id: &str) -> MessageRow {
    MessageRow {
        id: MessageId::new(),
        room_id: room,
        seq,
        author_id: author,
        body: format!("message {seq}"),
        client_id: Some(client_id.to_owned()),
        created_at: Utc::now(),
        edited_at: None,
        deleted_at: None,
        reply_to: None,
        mentions: Vec::new(),
    }
}

/// Posts `n` messages by `author` to `room` the way the worker does: after the room's last
/// seq, in one `sends::store`. Returns the rows, oldest first.
pub fn post(
    conn: &mut PgConnection,
    room: RoomId,
    author: UserId,
    n: i64,
) -> anyhow::Result<Vec<MessageRow>> {
    let last = rooms::find(conn, room)?.context("no such room")?.last_seq;
    let rows: Vec<MessageRow> = (last + 1..=last + n)
        .map(|seq| message(room, seq, Some(author), &format!("c-{room}-{seq}")))
        .collect();
    sends::store(conn, &[(room, last + n)], &rows, &[])?;
    Ok(rows)
}

pub fn ago(secs: i64) -> DateTime<Utc> {
    Utc::now() - Duration::seconds(secs)
}

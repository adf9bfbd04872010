//! A user's settings (`user_settings`; no row means every default), and the read receipts
//! they govern: who of a room has seen a message, derived from the read markers.

use crate::schema::user_settings::dsl as us;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
use parley_schema::model::{Author, Settings};
use parley_schema::{RoomId, UserId};

/// `user`'s settings, defaults for those never set.
pub fn get(conn: &mut PgConnection, user: UserId) -> QueryResult<Settings> {
    let set: Option<(bool, bool)> = us::user_settings
        .filter(us::user_id.eq(user))
        .select((us::share_read_receipts, us::share_presence))
        .first(conn)
        .optional()?;
    let (share_read_receipts, share_presence) = set.unwrap_or((true, true));
    Ok(Settings {
        share_read_receipts,
        share_presence,
    })
}

/// Changes the settings given (`Some`) of `user`; the others stay.
pub fn update(
    conn: &mut PgConnection,
    user: UserId,
    share_read_receipts: Option<bool>,
    share_presence: Option<bool>,
) -> QueryResult<()> {
    let now = get(conn, user)?;
    let receipts = share_read_receipts.unwrap_or(now.share_read_receipts);
    let presence = share_presence.unwrap_or(now.share_presence);
    diesel::insert_into(us::user_settings)
        .values((
            us::user_id.eq(user),
            us::share_read_receipts.eq(receipts),
            us::share_presence.eq(presence),
        ))
        .on_conflict(us::user_id)
        .do_update()
        .set((
            us::share_read_receipts.eq(receipts),
            us::share_presence.eq(presence),
        ))
        .execute(conn)
        .map(drop)
}

/// Every user who hides their presence (for gateways, at start).
pub fn presence_hidden(conn: &mut PgConnection) -> QueryResult<Vec<UserId>> {
    us::user_settings
        .filter(us::share_presence.eq(false))
        .select(us::user_id)
        .load(conn)
}

#[derive(QueryableByName)]
struct Seer {
    #[diesel(sql_type = SqlUuid)]
    id: UserId,
    #[diesel(sql_type = Text)]
    username: String,
    #[diesel(sql_type = Text)]
    display_name: String,
}

/// The members of `room` whose read marker is at or past `seq`, but the message's author
/// and those who do not share read receipts; by name.
pub fn seen_by(
    conn: &mut PgConnection,
    room: RoomId,
    seq: i64,
    author: Option<UserId>,
) -> QueryResult<Vec<Author>> {
    let seers: Vec<Seer> = diesel::sql_query(
        "SELECT u.id, u.username, u.display_name FROM memberships m \
         JOIN users u ON u.id = m.user_id \
         LEFT JOIN user_settings s ON s.user_id = m.user_id \
         WHERE m.room_id = $1 AND m.last_read_seq >= $2 \
           AND m.user_id IS DISTINCT FROM $3 AND COALESCE(s.share_read_receipts, true) \
         ORDER BY u.username",
    )
    .bind::<SqlUuid, _>(room)
    .bind::<BigInt, _>(seq)
    .bind::<Nullable<SqlUuid>, _>(author)
    .load(conn)?;
    Ok(seers
        .into_iter()
        .map(|s| Author {
            id: s.id,
            username: s.username,
            display_name: s.display_name,
        })
        .collect())
}

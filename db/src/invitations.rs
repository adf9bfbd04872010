//! Queries on `invitations`: pending invitations into rooms, one per (room, invitee).

use crate::schema::invitations::dsl as i;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use parley_schema::model::{Author, Visibility};
use parley_schema::social::{Invitation, InvitedRoom};
use parley_schema::{InvitationId, RoomId, UserId};

/// An invitation's row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::schema::invitations, check_for_backend(diesel::pg::Pg))]
pub struct InvitationRow {
    pub id: InvitationId,
    pub room_id: RoomId,
    pub inviter_id: UserId,
    pub invitee_id: UserId,
    pub created_at: DateTime<Utc>,
}

/// Invites `invitee` into `room`; the pending invitation's id, a new one or the one
/// already there.
pub fn invite(
    conn: &mut PgConnection,
    id: InvitationId,
    room: RoomId,
    inviter: UserId,
    invitee: UserId,
) -> QueryResult<InvitationId> {
    diesel::insert_into(i::invitations)
        .values((
            i::id.eq(id),
            i::room_id.eq(room),
            i::inviter_id.eq(inviter),
            i::invitee_id.eq(invitee),
            i::created_at.eq(Utc::now()),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    i::invitations
        .filter(i::room_id.eq(room).and(i::invitee_id.eq(invitee)))
        .select(i::id)
        .first(conn)
}

/// `invitee`'s invitation `id`, locked until the transaction ends.
pub fn find_for_invitee(
    conn: &mut PgConnection,
    id: InvitationId,
    invitee: UserId,
) -> QueryResult<Option<InvitationRow>> {
    i::invitations
        .filter(i::id.eq(id).and(i::invitee_id.eq(invitee)))
        .select(InvitationRow::as_select())
        .for_update()
        .first(conn)
        .optional()
}

/// Deletes invitation `id`.
pub fn delete(conn: &mut PgConnection, id: InvitationId) -> QueryResult<()> {
    diesel::delete(i::invitations.filter(i::id.eq(id)))
        .execute(conn)
        .map(drop)
}

/// Deletes what `inviter` sent `invitee` (a block); returns the invitations gone.
pub fn delete_between(
    conn: &mut PgConnection,
    inviter: UserId,
    invitee: UserId,
) -> QueryResult<Vec<Invitation>> {
    let found: Vec<Joined> = diesel::sql_query(format!(
        "{SELECT} WHERE i.inviter_id = $1 AND i.invitee_id = $2"
    ))
    .bind::<SqlUuid, _>(inviter)
    .bind::<SqlUuid, _>(invitee)
    .load(conn)?;
    diesel::delete(i::invitations.filter(i::inviter_id.eq(inviter).and(i::invitee_id.eq(invitee))))
        .execute(conn)?;
    Ok(found.into_iter().map(view).collect())
}

/// Deletes `invitee`'s invitation into `room`, if any (they joined another way).
pub fn delete_for(conn: &mut PgConnection, room: RoomId, invitee: UserId) -> QueryResult<()> {
    diesel::delete(i::invitations.filter(i::room_id.eq(room).and(i::invitee_id.eq(invitee))))
        .execute(conn)
        .map(drop)
}

#[derive(QueryableByName)]
struct Joined {
    #[diesel(sql_type = SqlUuid)]
    id: InvitationId,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = SqlUuid)]
    room_id: RoomId,
    #[diesel(sql_type = Text)]
    room_name: String,
    #[diesel(sql_type = Text)]
    visibility: String,
    #[diesel(sql_type = SqlUuid)]
    inviter_id: UserId,
    #[diesel(sql_type = Text)]
    username: String,
    #[diesel(sql_type = Text)]
    display_name: String,
}

const SELECT: &str = "SELECT i.id, i.created_at, r.id AS room_id, r.name AS room_name, \
     r.visibility, u.id AS inviter_id, u.username, u.display_name \
     FROM invitations i JOIN rooms r ON r.id = i.room_id JOIN users u ON u.id = i.inviter_id";

fn view(j: Joined) -> Invitation {
    Invitation {
        id: j.id,
        room: InvitedRoom {
            id: j.room_id,
            name: j.room_name,
            visibility: j.visibility.parse().unwrap_or(Visibility::Private),
        },
        inviter: Author {
            id: j.inviter_id,
            username: j.username,
            display_name: j.display_name,
        },
        created_at: j.created_at,
    }
}

/// Invitation `id` as its invitee sees it.
pub fn get(conn: &mut PgConnection, id: InvitationId) -> QueryResult<Option<Invitation>> {
    let found: Vec<Joined> = diesel::sql_query(format!("{SELECT} WHERE i.id = $1"))
        .bind::<SqlUuid, _>(id)
        .load(conn)?;
    Ok(found.into_iter().next().map(view))
}

/// `invitee`'s pending invitations, newest first (at most 200).
pub fn list(conn: &mut PgConnection, invitee: UserId) -> QueryResult<Vec<Invitation>> {
    let found: Vec<Joined> = diesel::sql_query(format!(
        "{SELECT} WHERE i.invitee_id = $1 AND u.deleted_at IS NULL \
         ORDER BY i.created_at DESC LIMIT 200"
    ))
    .bind::<SqlUuid, _>(invitee)
    .load(conn)?;
    Ok(found.into_iter().map(view).collect())
}

/// The room of `invitee`'s invitation `id`, if there is one.
pub fn room_for_invitee(
    conn: &mut PgConnection,
    id: InvitationId,
    invitee: UserId,
) -> QueryResult<Option<RoomId>> {
    i::invitations
        .filter(i::id.eq(id).and(i::invitee_id.eq(invitee)))
        .select(i::room_id)
        .first(conn)
        .optional()
}

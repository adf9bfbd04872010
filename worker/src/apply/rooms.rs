//! Rooms: create (with members), join and add, leave and remove, delete.

use super::{invitations, named_user, reject, Applied, ApplyError, ApplyResult};
use chrono::Utc;
use diesel::prelude::*;
use parley_db::rows::RoomRow;
use parley_db::{blocks, friends, members, rooms, users, views};
use parley_schema::event::{Event, MemberChange, MemberEvent, RoomChange, RoomEvent};
use parley_schema::model::{Room, Visibility};
use parley_schema::validate::username_key;
use parley_schema::{ErrorCode, Outcome, RequestId, Resource, RoomId, UserId};

pub fn create(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    room_id: RoomId,
    name: &str,
    visibility: Visibility,
    member_names: &[String],
) -> ApplyResult {
    let keys: Vec<String> = member_names.iter().map(|n| username_key(n)).collect();
    let found = users::find_by_keys(conn, &keys)?;
    let mut blocking = Vec::new();
    for user in &found {
        if blocks::blocks(conn, user.id, actor)? {
            blocking.extend(user.username_key.clone());
        }
    }
    // Someone who blocks me gets the answer of an unknown name.
    let is_found = |key: &String| {
        found.iter().any(|u| u.username_key.as_ref() == Some(key)) && !blocking.contains(key)
    };
    if let Some((missing, _)) = member_names.iter().zip(&keys).find(|(_, k)| !is_found(k)) {
        return Err(reject(
            ErrorCode::NotFound,
            format!("no user named {missing:?}"),
        ));
    }
    let row = RoomRow {
        id: room_id,
        name: name.to_owned(),
        visibility: <&str>::from(visibility).to_owned(),
        owner_id: Some(actor),
        created_at: Utc::now(),
        last_seq: 0,
    };
    rooms::insert(conn, &row)?;
    members::add(conn, room_id, actor)?;
    // Those who have me as a friend join; the others are invited.
    let mut invited = Vec::new();
    for user in found.iter().filter(|u| u.id != actor) {
        if friends::has(conn, user.id, actor)? {
            members::add(conn, room_id, user.id)?;
        } else {
            invited.push(user);
        }
    }
    let count = rooms::member_count(conn, room_id)?;
    let room = views::room(&row, count);
    let audience = members::member_ids(conn, room_id)?;
    let mut applied = Applied::new(rid, Outcome::Created(Resource::Room(room.clone()))).emit(
        audience,
        Event::Room(RoomEvent {
            change: RoomChange::Created,
            room,
        }),
    );
    for user in invited {
        applied = invitations::invite(conn, applied, &row, actor, user)?.0;
    }
    Ok(applied)
}

pub(super) fn locked_room(conn: &mut PgConnection, room_id: RoomId) -> Result<RoomRow, ApplyError> {
    rooms::find_for_update(conn, room_id)?
        .ok_or_else(|| reject(ErrorCode::NotFound, "no such room"))
}

/// Refuses anyone but the owner: `forbidden` for a member, `not_a_member` for others.
fn owner_only(
    conn: &mut PgConnection,
    room: &RoomRow,
    actor: UserId,
    message: &str,
) -> Result<(), ApplyError> {
    if room.owner_id == Some(actor) {
        return Ok(());
    }
    let code = if members::is_member(conn, room.id, actor)? {
        ErrorCode::Forbidden
    } else {
        ErrorCode::NotAMember
    };
    Err(reject(code, message))
}

pub(super) fn room_view(conn: &mut PgConnection, row: &RoomRow) -> QueryResult<Room> {
    let count = rooms::member_count(conn, row.id)?;
    Ok(views::room(row, count))
}

/// One's own name joins a public room; a member adds someone else.
pub fn add_member(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    room_id: RoomId,
    username: &str,
) -> ApplyResult {
    let room = locked_room(conn, room_id)?;
    let user = named_user(conn, username)?;
    let actor_is_member = members::is_member(conn, room.id, actor)?;
    if user.id == actor {
        if actor_is_member {
            return Err(reject(ErrorCode::AlreadyMember, "you are already a member"));
        }
        if room.visibility != "public" {
            return Err(reject(
                ErrorCode::Forbidden,
                "a private room is joined by invitation only",
            ));
        }
    } else if blocks::blocks(conn, user.id, actor)? {
        // They block me: the answer of an unknown name.
        return Err(reject(
            ErrorCode::NotFound,
            format!("no user named {username:?}"),
        ));
    } else if !actor_is_member {
        return Err(reject(
            ErrorCode::NotAMember,
            "you are not a member of this room",
        ));
    } else if room.visibility != "public"
        && !members::is_member(conn, room.id, user.id)?
        && !friends::has(conn, user.id, actor)?
    {
        // A private room takes someone who does not call me a friend only if they accept.
        let applied = Applied::new(rid, Outcome::Done);
        let (applied, invitation) = invitations::invite(conn, applied, &room, actor, &user)?;
        let outcome = Outcome::Created(Resource::Invitation(invitation));
        return Ok(Applied { outcome, ..applied });
    }
    if !members::add(conn, room.id, user.id)? {
        return Err(reject(
            ErrorCode::AlreadyMember,
            format!("{username:?} is already a member"),
        ));
    }
    parley_db::invitations::delete_for(conn, room.id, user.id)?;
    let view = room_view(conn, &room)?;
    let joined = MemberEvent {
        change: MemberChange::Joined,
        room_id,
        user: views::user(&user),
    };
    let applied = Applied::new(rid, Outcome::Created(Resource::Room(view.clone())));
    Ok(member_and_room(applied, joined, view))
}

/// Leave (oneself) or remove someone (the owner only).
pub fn remove_member(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    room_id: RoomId,
    username: &str,
) -> ApplyResult {
    let room = locked_room(conn, room_id)?;
    let user = named_user(conn, username)?;
    let leaving = user.id == actor;
    if !leaving {
        owner_only(conn, &room, actor, "only the room's owner removes members")?;
    }
    if !members::remove(conn, room.id, user.id)? {
        let code = match leaving {
            true => ErrorCode::NotAMember,
            false => ErrorCode::NotFound,
        };
        return Err(reject(
            code,
            format!("{username:?} is not a member of this room"),
        ));
    }
    if leaving && room.owner_id == Some(actor) {
        let heir = members::longest_standing(conn, room.id)?;
        rooms::set_owner(conn, room.id, heir)?;
    }
    if members::longest_standing(conn, room.id)?.is_none() {
        // Nobody is left to see, own or delete it.
        rooms::delete(conn, room.id)?;
    }
    let change = if leaving {
        MemberChange::Left
    } else {
        MemberChange::Removed
    };
    let me = views::user(&user);
    let applied = Applied::new(rid, Outcome::Done).emit(
        vec![user.id],
        Event::Member(MemberEvent {
            change,
            room_id,
            user: me.clone(),
        }),
    );
    announce_departure(conn, applied, room.id, &me, change)
}

/// Tells a room's remaining members that `user` left or was removed, with the updated room.
pub fn announce_departure(
    conn: &mut PgConnection,
    applied: Applied,
    room: RoomId,
    user: &parley_schema::model::User,
    change: MemberChange,
) -> ApplyResult {
    let Some(row) = rooms::find(conn, room)? else {
        return Ok(applied);
    };
    let view = room_view(conn, &row)?;
    let event = MemberEvent {
        change,
        room_id: room,
        user: user.clone(),
    };
    Ok(member_and_room(applied, event, view))
}

/// A `member` event and the room as it is after it, for everyone in the room now: both
/// name the room, and gateways apply the change to the members they keep for it.
pub(super) fn member_and_room(applied: Applied, event: MemberEvent, room: Room) -> Applied {
    let id = event.room_id;
    let updated = RoomEvent {
        change: RoomChange::Updated,
        room,
    };
    applied
        .emit_to_room(id, Event::Member(event))
        .emit_to_room(id, Event::Room(updated))
}

/// Deletes a room, the owner only; every member hears `room` deleted.
pub fn delete(
    conn: &mut PgConnection,
    rid: RequestId,
    actor: UserId,
    room_id: RoomId,
) -> ApplyResult {
    let room = locked_room(conn, room_id)?;
    owner_only(conn, &room, actor, "only the room's owner deletes it")?;
    remove(conn, rid, &room)
}

/// Deletes a room and tells its members (an owner's `delete_room`, an operator's
/// `close_room`).
pub(super) fn remove(conn: &mut PgConnection, rid: RequestId, room: &RoomRow) -> ApplyResult {
    let view = room_view(conn, room)?;
    rooms::delete(conn, room.id)?;
    Ok(Applied::new(rid, Outcome::Done).emit_to_room(
        room.id,
        Event::Room(RoomEvent {
            change: RoomChange::Deleted,
            room: view,
        }),
    ))
}

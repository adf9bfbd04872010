//! The hub routing a room's events by reference: to the members as of each event.

use super::tests::{attach, drain, envelope, hub, Live};
use crate::events::cursor::Cursor;
use parley_schema::event::RawEventEnvelope;
use parley_schema::{RoomId, UserId};

/// A `message` event with data `{"n": n}` for the members of `room`.
fn room_message(id: &str, n: u32, room: RoomId) -> RawEventEnvelope {
    envelope(&format!(
        r#"{{"id":"{id}","request_id":null,"audience":[],"room":"{room}",
            "event":{{"event":"message","data":{{"n":{n}}}}}}}"#
    ))
}

/// A `member` event: `user` joined or left `room`, for the room's members.
fn member(id: &str, change: &str, room: RoomId, user: UserId) -> RawEventEnvelope {
    envelope(&format!(
        r#"{{"id":"{id}","request_id":null,"audience":[],"room":"{room}",
            "event":{{"event":"member","data":{{"change":"{change}","room_id":"{room}","user":{{"id":"{user}"}}}}}}}}"#
    ))
}

/// The `room` deleted event, for the room's members.
fn deleted(id: &str, room: RoomId) -> RawEventEnvelope {
    envelope(&format!(
        r#"{{"id":"{id}","request_id":null,"audience":[],"room":"{room}",
            "event":{{"event":"room","data":{{"change":"deleted","room":{{"id":"{room}"}}}}}}}}"#
    ))
}

#[test]
fn a_room_message_reaches_the_members_as_of_that_message_and_nobody_else() {
    let hub = hub(10, 10);
    let (room, ann, bob, eve) = (RoomId::new(), UserId::new(), UserId::new(), UserId::new());
    hub.start_at(&[0], vec![(room, ann)], Default::default());
    hub.set_caught_up();
    let (mut a, mut b, mut e) = (
        attach(&hub, ann, None),
        attach(&hub, bob, None),
        attach(&hub, eve, None),
    );
    let count = |l: &mut Live| {
        drain(&mut l.rx)
            .iter()
            .filter(|e| e.contains("message"))
            .count()
    };

    hub.route(0, 0, room_message("m/0", 1, room));
    hub.route(0, 1, member("j/0", "joined", room, bob));
    hub.route(0, 2, room_message("m/1", 2, room));
    hub.route(0, 3, member("l/0", "left", room, ann));
    hub.route(0, 4, room_message("m/2", 3, room));
    hub.route(0, 5, deleted("d/0", room));
    hub.route(0, 6, room_message("m/3", 4, room));

    assert_eq!(count(&mut a), 2, "Ann: before she left");
    assert_eq!(
        count(&mut b),
        2,
        "Bob: after he joined, until the room was deleted"
    );
    assert_eq!(count(&mut e), 0, "Eve was never a member");
    let resumed = attach(&hub, ann, Some(&Cursor(vec![0]).encode()));
    assert_eq!(
        resumed
            .replay
            .iter()
            .filter(|e| format!("{e:?}").contains("message"))
            .count(),
        2
    );
}

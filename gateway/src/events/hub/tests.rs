//! The hub without Kafka: events are fed as the router would feed them, and streams are
//! read from their channels.

use super::{Attached, Hub, Refused};
use crate::events::replay::Start;
use crate::metrics::Metrics;
use actix_web_lab::sse;
use parley_schema::event::RawEventEnvelope;
use parley_schema::{SessionId, UserId};
use std::sync::Arc;
use tokio::sync::mpsc;

/// A hub over one partition, keeping `replay` events, with streams of `buffer` events.
pub(super) fn hub(replay: usize, buffer: usize) -> Hub {
    Hub::new(1, replay, buffer, Arc::new(Metrics::default()))
}

/// A `message` event with data `{"n": n}` for `audience`.
fn message(id: &str, n: u32, audience: &[UserId]) -> RawEventEnvelope {
    let audience = serde_json::to_string(audience).unwrap_or_default();
    envelope(&format!(
        r#"{{"id":"{id}","request_id":null,"audience":{audience},
            "event":{{"event":"message","data":{{"n":{n}}}}}}}"#
    ))
}

pub(super) fn envelope(json: &str) -> RawEventEnvelope {
    match serde_json::from_str(json) {
        Ok(env) => env,
        Err(e) => panic!("{e}: {json}"),
    }
}

/// What a stream should receive for the message `n` whose cursor is `id`.
fn expected(n: u32, id: &str) -> String {
    let data = format!(r#"{{"n":{n}}}"#);
    format!(
        "{:?}",
        sse::Event::from(sse::Data::new(data).event("message").id(id.to_owned()))
    )
}

fn shown(events: &[sse::Event]) -> Vec<String> {
    events.iter().map(|e| format!("{e:?}")).collect()
}

pub(super) fn drain(rx: &mut mpsc::Receiver<sse::Event>) -> Vec<String> {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        out.push(format!("{e:?}"));
    }
    out
}

pub(super) struct Live {
    pub rx: mpsc::Receiver<sse::Event>,
    pub replay: Vec<sse::Event>,
    resumed: bool,
    reset: Option<String>,
}

pub(super) fn attach(hub: &Hub, user: UserId, cursor: Option<&str>) -> Live {
    let Attached { rx, start, .. } = match hub.attach(user, SessionId::new(), cursor) {
        Ok(attached) => attached,
        Err(refused) => panic!("{refused:?}"),
    };
    let (replay, resumed, reset) = match start {
        Start::Fresh => (Vec::new(), false, None),
        Start::Replay(events) => (events, true, None),
        Start::Reset(id) => (Vec::new(), false, Some(id.to_string())),
    };
    Live {
        rx,
        replay,
        resumed,
        reset,
    }
}

#[test]
fn an_event_reaches_the_streams_of_its_audience_only() {
    let hub = hub(10, 10);
    let (alice, bob) = (UserId::new(), UserId::new());
    let (mut a1, mut a2, mut b) = (
        attach(&hub, alice, None),
        attach(&hub, alice, None),
        attach(&hub, bob, None),
    );

    hub.route(0, 0, message("r1/0", 1, &[alice]));

    assert_eq!(drain(&mut a1.rx), [expected(1, "1")]);
    assert_eq!(drain(&mut a2.rx), [expected(1, "1")]);
    assert!(drain(&mut b.rx).is_empty());
}

#[test]
fn an_offset_read_again_is_not_routed_twice() {
    let hub = hub(10, 10);
    let alice = UserId::new();
    let mut a = attach(&hub, alice, None);

    hub.route(0, 0, message("r1/0", 1, &[alice]));
    hub.route(0, 0, message("r1/0", 1, &[alice]));

    assert_eq!(drain(&mut a.rx), [expected(1, "1")]);
}

#[test]
fn an_event_id_published_twice_is_routed_once() {
    let hub = hub(10, 10);
    let alice = UserId::new();
    let mut a = attach(&hub, alice, None);

    hub.route(0, 0, message("r1/0", 1, &[alice]));
    hub.route(0, 1, message("r1/0", 1, &[alice]));
    hub.route(0, 2, message("r2/0", 2, &[alice]));

    assert_eq!(drain(&mut a.rx), [expected(1, "1"), expected(2, "3")]);
}

#[test]
fn a_stream_resumes_with_what_it_missed_after_its_cursor() {
    let hub = hub(10, 10);
    let (alice, bob) = (UserId::new(), UserId::new());
    hub.route(0, 0, message("r1/0", 1, &[alice]));
    hub.route(0, 1, message("r2/0", 2, &[bob]));
    hub.route(0, 2, message("r3/0", 3, &[alice, bob]));

    let a = attach(&hub, alice, Some("1"));

    assert!(a.resumed);
    assert_eq!(a.reset, None);
    assert_eq!(shown(&a.replay), [expected(3, "3")]);
}

#[test]
fn a_stream_then_gets_live_events_after_its_replay() {
    let hub = hub(10, 10);
    let alice = UserId::new();
    hub.route(0, 0, message("r1/0", 1, &[alice]));
    let mut a = attach(&hub, alice, Some("0"));

    hub.route(0, 1, message("r2/0", 2, &[alice]));

    assert_eq!(shown(&a.replay), [expected(1, "1")]);
    assert_eq!(drain(&mut a.rx), [expected(2, "2")]);
}

#[test]
fn a_cursor_ahead_of_this_gateway_waits() {
    let hub = hub(10, 10);
    hub.route(0, 0, message("r1/0", 1, &[UserId::new()]));

    let attached = hub.attach(UserId::new(), SessionId::new(), Some("5"));

    assert!(matches!(attached, Err(Refused::Ahead)));
}

#[test]
fn a_cursor_older_than_the_replay_buffer_gets_reset() {
    let hub = hub(2, 10);
    let alice = UserId::new();
    for n in 0..4 {
        hub.route(0, i64::from(n), message(&format!("r{n}/0"), n, &[alice]));
    }

    let a = attach(&hub, alice, Some("1"));

    assert!(!a.resumed);
    assert_eq!(a.reset.as_deref(), Some("4"));
    assert!(a.replay.is_empty());
}

#[test]
fn a_cursor_not_understood_gets_reset() {
    let hub = hub(10, 10);

    let a = attach(&hub, UserId::new(), Some("1.2"));

    assert_eq!(a.reset.as_deref(), Some("0"));
}

#[test]
fn a_stream_whose_buffer_is_full_is_closed() {
    let hub = hub(10, 2);
    let alice = UserId::new();
    let mut slow = attach(&hub, alice, None);

    for n in 0..3 {
        hub.route(0, i64::from(n), message(&format!("r{n}/0"), n, &[alice]));
    }

    assert_eq!(drain(&mut slow.rx), [expected(0, "1"), expected(1, "2")]);
    assert!(slow.rx.is_closed(), "the slow stream should be closed");
    let mut fresh = attach(&hub, alice, Some("2"));
    assert_eq!(shown(&fresh.replay), [expected(2, "3")]);
    assert!(drain(&mut fresh.rx).is_empty());
}

#[test]
fn a_closed_session_ends_its_streams_only() {
    let hub = hub(10, 10);
    let alice = UserId::new();
    let (s1, s2) = (SessionId::new(), SessionId::new());
    let (Ok(Attached { rx: mut r1, .. }), Ok(Attached { rx: mut r2, .. })) =
        (hub.attach(alice, s1, None), hub.attach(alice, s2, None))
    else {
        panic!("not attached");
    };
    let json = format!(
        r#"{{"id":"c/0","request_id":null,"audience":["{}"],
            "event":{{"event":"session_closed","data":{{"session_id":"{}"}}}}}}"#,
        alice.0, s1.0
    );

    hub.route(0, 0, envelope(&json));
    hub.route(0, 1, message("r1/0", 1, &[alice]));

    assert!(drain(&mut r1).is_empty() && r1.is_closed());
    assert_eq!(drain(&mut r2), [expected(1, "2")]);
}

#[test]
fn after_close_all_no_stream_attaches() {
    let hub = hub(10, 10);
    hub.close_all();

    let attached = hub.attach(UserId::new(), SessionId::new(), None);

    assert!(matches!(attached, Err(Refused::Closed)));
}

#[tokio::test]
async fn a_waiting_stream_wakes_when_the_position_moves() {
    let hub = Arc::new(hub(10, 10));
    let progress = hub.progress();
    let router = Arc::clone(&hub);

    tokio::spawn(async move { router.route(0, 0, message("r1/0", 1, &[UserId::new()])) });

    let woke = tokio::time::timeout(std::time::Duration::from_secs(5), progress).await;
    assert!(woke.is_ok());
}

//! Typing and presence (#14) across two gateways of one system (same database and
//! topics, each with its own streams), over HTTP against the real services: who gets a
//! signal, who never does (non-members, blockers, the blocked), and what the lists show.

use parley_tests::{second_gateway, test_env, unique, Api, EventStream, Session, SseEvent};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

fn gateways() -> (Api, Api) {
    (Api::new(&test_env().base_url), Api::new(second_gateway()))
}

async fn stream(who: &Session) -> EventStream {
    let mut s = who.events(None).await;
    assert!(s.next_named("ready", WAIT).await.is_some(), "ready");
    s
}

/// The next `name` event whose data has `field` equal to `value`.
async fn next_where(s: &mut EventStream, name: &str, field: &str, value: &str) -> Option<Value> {
    next_within(s, name, field, value, WAIT).await
}

async fn next_within(
    s: &mut EventStream,
    name: &str,
    field: &str,
    value: &str,
    within: Duration,
) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let ev = s.next_named(name, left).await?;
        let data = ev.json();
        if data.pointer(field).and_then(Value::as_str) == Some(value) {
            return Some(data);
        }
    }
}

/// The next `presence` event of `user` in `state` (earlier ones, such as a retelling of
/// an older state, are skipped).
async fn presence(s: &mut EventStream, user: &Session, state: &str) -> Option<Value> {
    // A closed stream is noticed at the gateway's next keep-alive (10 s) at the latest.
    let deadline = tokio::time::Instant::now() + 2 * WAIT;
    let id = user.user.id.to_string();
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let data = next_within(s, "presence", "/user_id", &id, left).await?;
        if data["state"] == state {
            return Some(data);
        }
    }
}

fn named<'a>(events: &'a [SseEvent], name: &str) -> Vec<&'a SseEvent> {
    events.iter().filter(|e| e.event == name).collect()
}

async fn block(who: &Session, whom: &Session) {
    let path = format!("/api/blocks/{}", whom.user.username);
    let (status, body) = who.write(Method::PUT, &path, None).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn typing_crosses_gateways_to_members_only_and_a_send_stops_it() {
    let (a, b) = gateways();
    let alice = a.signup(&unique("typer")).await;
    let bob = b.signup(&unique("reader")).await;
    let carol = b.signup(&unique("blocker")).await;
    let dave = b.signup(&unique("outsider")).await;
    let (mut bob_s, mut carol_s, mut dave_s) = (
        stream(&bob).await,
        stream(&carol).await,
        stream(&dave).await,
    );
    let room = alice
        .create_room("typing", "private", &[&bob, &carol])
        .await;
    // Gateway B knows the room once its members' streams heard of it.
    assert!(bob_s.next_named("room", WAIT).await.is_some());
    assert!(carol_s.next_named("room", WAIT).await.is_some());
    block(&carol, &alice).await;
    assert!(carol_s.next_named("block", WAIT).await.is_some());

    let typing = format!("/api/rooms/{room}/typing");
    let (status, _) = alice.write(Method::POST, &typing, None).await;
    assert_eq!(status, 204);
    let seen = next_where(&mut bob_s, "typing", "/user/id", &alice.user.id.to_string()).await;
    let seen = seen.unwrap_or_default();
    println!("bob got typing {seen}");
    assert_eq!(seen["room_id"], room.as_str());
    assert_eq!(seen["user"]["username"], alice.user.username.as_str());
    let until: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(seen["until"].clone()).unwrap_or_default();
    assert!(until > chrono::Utc::now(), "typing for a while: {until}");

    // Past the rate: 204, and nothing more goes out.
    let (status, _) = alice.write(Method::POST, &typing, None).await;
    assert_eq!(status, 204, "silently limited");
    let (status, _) = alice.send_message(&room, "done typing").await;
    assert_eq!(status, 201);
    let stopped = next_where(&mut bob_s, "typing", "/user/id", &alice.user.id.to_string()).await;
    let stopped = stopped.unwrap_or_default();
    let until: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(stopped["until"].clone()).unwrap_or_default();
    assert!(until <= chrono::Utc::now(), "a send stops it: {stopped}");

    // A non-member cannot signal; neither the blocker nor the outsider heard anything.
    let (status, body) = dave.write(Method::POST, &typing, None).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (403, json!("not_a_member"))
    );
    let carol_saw = carol_s.drain(Duration::from_secs(1)).await;
    let dave_saw = dave_s.drain(Duration::from_millis(200)).await;
    assert!(
        named(&carol_saw, "typing").is_empty(),
        "the blocker: {carol_saw:?}"
    );
    assert!(
        named(&dave_saw, "typing").is_empty(),
        "the outsider: {dave_saw:?}"
    );
    assert!(
        carol_saw.iter().filter(|e| e.event == "message").count() == 1,
        "carol still gets the message: {carol_saw:?}"
    );
}

#[tokio::test]
async fn presence_follows_streams_and_away_across_gateways() {
    let (a, b) = gateways();
    let alice = a.signup(&unique("present")).await;
    let bob = b.signup(&unique("friendly")).await;
    bob.befriend(&alice).await;
    let mut bob_s = stream(&bob).await;
    let alice_s = stream(&alice).await;
    let online = presence(&mut bob_s, &alice, "online").await;
    let online = online.unwrap_or_default();
    println!("bob got {online}");
    assert_eq!(online["state"], "online");
    assert_eq!(online["username"], alice.user.username.as_str());
    let (_, friends) = bob.get("/api/friends").await;
    assert_eq!(friends["friends"][0]["presence"], "online", "{friends}");

    let (status, _) = alice
        .write(
            Method::PUT,
            "/api/me/presence",
            Some(json!({"state": "away"})),
        )
        .await;
    assert_eq!(status, 204);
    let away = presence(&mut bob_s, &alice, "away").await;
    assert_eq!(away.unwrap_or_default()["state"], "away");
    let (_, profile) = bob
        .get(&format!("/api/users/{}", alice.user.username))
        .await;
    assert_eq!(profile["presence"], "away", "{profile}");
    let (status, body) = alice
        .write(
            Method::PUT,
            "/api/me/presence",
            Some(json!({"state": "offline"})),
        )
        .await;
    assert_eq!(status, 400, "only online or away: {body}");

    drop(alice_s);
    let gone = presence(&mut bob_s, &alice, "offline").await;
    assert_eq!(gone.unwrap_or_default()["state"], "offline");
    let (_, friends) = bob.get("/api/friends").await;
    assert_eq!(friends["friends"][0]["presence"], "offline");
}

#[tokio::test]
async fn blocked_or_hidden_people_look_offline_and_room_mates_see_presence() {
    let (a, b) = gateways();
    let alice = a.signup(&unique("hider")).await;
    let bob = b.signup(&unique("mate")).await;
    let carol = b.signup(&unique("shunned")).await;
    let room = alice.create_room("mates", "private", &[&bob, &carol]).await;
    let (mut bob_s, mut carol_s) = (stream(&bob).await, stream(&carol).await);
    let alice_id = alice.user.id.to_string();
    block(&alice, &carol).await;

    let _alice_s = stream(&alice).await;
    let seen = presence(&mut bob_s, &alice, "online").await;
    assert_eq!(
        seen.unwrap_or_default()["state"],
        "online",
        "a room-mate sees it"
    );
    let (_, detail) = carol.get(&format!("/api/rooms/{room}")).await;
    let members = detail["members"].as_array().cloned().unwrap_or_default();
    let shown = members.iter().find(|m| m["id"] == alice_id.as_str());
    assert_eq!(
        shown.map(|m| m["presence"].clone()),
        Some(json!("offline")),
        "blocked: {detail}"
    );
    let (_, detail) = bob.get(&format!("/api/rooms/{room}")).await;
    assert!(detail.to_string().contains("\"online\""), "{detail}");

    let hide = json!({"share_presence": false});
    let (status, settings) = alice
        .write(Method::PUT, "/api/me/settings", Some(hide))
        .await;
    assert_eq!(
        (status, settings["share_presence"].clone()),
        (200, json!(false))
    );
    let hidden = presence(&mut bob_s, &alice, "offline").await;
    assert_eq!(hidden.unwrap_or_default()["state"], "offline", "hidden");
    let (_, profile) = bob
        .get(&format!("/api/users/{}", alice.user.username))
        .await;
    assert_eq!(profile["presence"], "offline");
    let (_, mine) = alice.get("/api/me/settings").await;
    assert_eq!(mine["share_presence"], false);

    let carol_saw = carol_s.drain(Duration::from_millis(500)).await;
    let told: Vec<Value> = named(&carol_saw, "presence")
        .iter()
        .map(|e| e.json())
        .filter(|p| p["user_id"] == alice_id.as_str())
        .collect();
    assert!(
        told.iter().all(|p| p["state"] == "offline"),
        "the blocked one never sees alice present: {told:?}"
    );
}

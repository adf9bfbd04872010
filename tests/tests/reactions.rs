//! Reactions, replies and mentions (#13), over HTTP against the real services: what
//! members' streams get, what history shows, the errors, and resuming a stream after
//! edits, deletes and reactions happened while it was away.

use parley_tests::{test_env, unique, Api, Session};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);
const THUMBS: &str = "%F0%9F%91%8D";

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

async fn pair(tag: &str) -> (Api, Session, Session, String) {
    let api = Api::new(&test_env().base_url);
    let alice = api.signup(&unique(&format!("{tag}_a"))).await;
    let bob = api.signup(&unique(&format!("{tag}_b"))).await;
    let room = alice.create_room(tag, "private", &[&bob]).await;
    (api, alice, bob, room)
}

/// The message `id` as `who` reads it in history.
async fn in_history(who: &Session, room: &str, message: &str) -> Value {
    let (_, page) = who.get(&format!("/api/rooms/{room}/messages")).await;
    let all = page["messages"].as_array().cloned().unwrap_or_default();
    all.into_iter()
        .find(|m| m["id"] == message)
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn reactions_are_counted_per_emoji_and_reach_every_member() {
    let (api, alice, bob, room) = pair("react").await;
    let mut bob_stream = bob.events(None).await;
    assert!(bob_stream.next_named("ready", WAIT).await.is_some());
    let (_, m) = alice.send_message(&room, "react to me").await;
    let path = |e: &str| format!("/api/rooms/{room}/messages/{}/reactions/{e}", id(&m));

    assert_eq!(alice.write(Method::PUT, &path(THUMBS), None).await.0, 204);
    let event = bob_stream
        .next_named("reaction", WAIT)
        .await
        .map(|e| e.json());
    let event = event.unwrap_or(Value::Null);
    assert_eq!(
        (
            &event["emoji"],
            &event["count"],
            &event["on"],
            &event["user_id"]
        ),
        (&json!("👍"), &json!(1), &json!(true), &json!(alice.user.id)),
        "{event}"
    );
    // Twice is once; another user and another emoji count apart. `❤` and `❤️` are one.
    assert_eq!(alice.write(Method::PUT, &path(THUMBS), None).await.0, 204);
    assert_eq!(bob.write(Method::PUT, &path(THUMBS), None).await.0, 204);
    assert_eq!(
        bob.write(Method::PUT, &path("%E2%9D%A4"), None).await.0,
        204
    );
    assert_eq!(
        bob.write(Method::PUT, &path("%E2%9D%A4%EF%B8%8F"), None)
            .await
            .0,
        204
    );
    let shown = in_history(&alice, &room, &id(&m)).await;
    assert_eq!(
        shown["reactions"],
        json!([
            {"emoji": "👍", "count": 2, "me": true},
            {"emoji": "❤️", "count": 1, "me": false},
        ]),
        "{shown}"
    );
    assert_eq!(
        in_history(&bob, &room, &id(&m)).await["reactions"][1]["me"],
        true
    );

    // Taking back: the count falls, and taking back what is not there changes nothing.
    assert_eq!(
        alice.write(Method::DELETE, &path(THUMBS), None).await.0,
        204
    );
    assert_eq!(
        alice.write(Method::DELETE, &path(THUMBS), None).await.0,
        204
    );
    let taken = bob_stream.drain(Duration::from_millis(500)).await;
    let last = taken
        .iter()
        .filter(|e| e.event == "reaction")
        .map(|e| e.json())
        .next_back()
        .unwrap_or(Value::Null);
    assert_eq!((&last["on"], &last["count"]), (&json!(false), &json!(1)));

    // Bad input and outsiders.
    for bad in ["a", "%F0%9F%91%8D%F0%9F%91%8D", "ok", "%3A%2B1%3A"] {
        let (status, body) = alice.write(Method::PUT, &path(bad), None).await;
        assert_eq!(
            (status, &body["error"]["code"], &body["error"]["field"]),
            (400, &json!("validation_failed"), &json!("emoji")),
            "{bad}: {body}"
        );
    }
    let stranger = api.signup(&unique("react_x")).await;
    let (status, body) = stranger.write(Method::PUT, &path(THUMBS), None).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (403, &json!("not_a_member"))
    );
    let unknown = format!(
        "/api/rooms/{room}/messages/{}/reactions/{THUMBS}",
        uuid::Uuid::new_v4()
    );
    assert_eq!(alice.write(Method::PUT, &unknown, None).await.0, 404);

    // A deleted message loses its reactions and takes no more.
    let message = format!("/api/rooms/{room}/messages/{}", id(&m));
    assert_eq!(alice.write(Method::DELETE, &message, None).await.0, 200);
    assert_eq!(
        in_history(&bob, &room, &id(&m)).await["reactions"],
        json!([])
    );
    assert_eq!(bob.write(Method::PUT, &path(THUMBS), None).await.0, 404);
}

#[tokio::test]
async fn a_message_holds_at_most_twenty_different_emoji() {
    let (_, alice, _bob, room) = pair("many").await;
    let (_, m) = alice.send_message(&room, "so many feelings").await;
    let faces: Vec<char> = ('😀'..='😘').collect();
    for face in &faces[..20] {
        let path = format!(
            "/api/rooms/{room}/messages/{}/reactions/{}",
            id(&m),
            urlencoding(*face)
        );
        assert_eq!(alice.write(Method::PUT, &path, None).await.0, 204, "{face}");
    }
    let path = |face: char| {
        format!(
            "/api/rooms/{room}/messages/{}/reactions/{}",
            id(&m),
            urlencoding(face)
        )
    };
    let (status, body) = alice.write(Method::PUT, &path(faces[20]), None).await;
    assert_eq!(
        (status, &body["error"]["code"], &body["error"]["field"]),
        (400, &json!("validation_failed"), &json!("emoji")),
        "{body}"
    );
    // One already there still takes more reactions.
    assert_eq!(alice.write(Method::PUT, &path(faces[0]), None).await.0, 204);
}

fn urlencoding(c: char) -> String {
    let mut buf = [0u8; 4];
    c.encode_utf8(&mut buf)
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect()
}

#[tokio::test]
async fn a_reply_quotes_its_message_in_the_event_and_in_history() {
    let (api, alice, bob, room) = pair("reply").await;
    let mut bob_stream = bob.events(None).await;
    assert!(bob_stream.next_named("ready", WAIT).await.is_some());
    let long = "가".repeat(200);
    let (_, original) = alice.send_message(&room, &long).await;
    let reply = json!({"body": "좋아요", "reply_to": id(&original)});
    let (status, sent) = bob
        .write(
            Method::POST,
            &format!("/api/rooms/{room}/messages"),
            Some(reply),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    let quote = &sent["reply_to"];
    assert_eq!(quote["id"], id(&original).as_str());
    assert_eq!(quote["author"]["username"], alice.user.username.as_str());
    assert_eq!(
        quote["excerpt"].as_str().map(|e| e.chars().count()),
        Some(140)
    );
    assert_eq!(quote["deleted"], false);

    let event = loop {
        match bob_stream.next_named("message", WAIT).await {
            Some(e) if e.json()["id"] == sent["id"] => break e.json(),
            Some(_) => continue,
            None => break Value::Null,
        }
    };
    assert_eq!(event["reply_to"], *quote, "the event quotes it too");
    assert_eq!(
        in_history(&alice, &room, &id(&sent)).await["reply_to"],
        *quote
    );

    // Deleting the original leaves the reply quoting a deleted message.
    let original_path = format!("/api/rooms/{room}/messages/{}", id(&original));
    assert_eq!(
        alice.write(Method::DELETE, &original_path, None).await.0,
        200
    );
    let quote = in_history(&alice, &room, &id(&sent)).await["reply_to"].clone();
    assert_eq!(
        (&quote["deleted"], &quote["excerpt"]),
        (&json!(true), &json!(""))
    );

    // Unknown, or of another room: validation_failed on reply_to, nothing stored.
    let other = alice.create_room("elsewhere", "private", &[]).await;
    let (_, elsewhere) = alice.send_message(&other, "over here").await;
    for target in [id(&elsewhere), uuid::Uuid::new_v4().to_string()] {
        let bad = json!({"body": "lost", "reply_to": target});
        let (status, body) = alice
            .write(
                Method::POST,
                &format!("/api/rooms/{room}/messages"),
                Some(bad),
            )
            .await;
        assert_eq!(
            (status, &body["error"]["code"], &body["error"]["field"]),
            (400, &json!("validation_failed"), &json!("reply_to")),
            "{body}"
        );
    }
    let (status, body) = alice
        .write(
            Method::POST,
            &format!("/api/rooms/{room}/messages"),
            Some(json!({"body": "x", "reply_to": "not-a-uuid"})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (_, page) = alice.get(&format!("/api/rooms/{room}/messages")).await;
    assert_eq!(page["messages"].as_array().map(Vec::len), Some(2));
    drop(api);
}

#[tokio::test]
async fn mentions_name_members_and_are_counted_until_read_even_when_muted() {
    let api = Api::new(&test_env().base_url);
    let alice = api.signup(&unique("men_a")).await;
    let korean = format!("김{}", &unique("m")[..6]);
    let bob = api.signup(&korean).await;
    let outsider = api.signup(&unique("men_x")).await;
    let room = alice.create_room("mentions", "private", &[&bob]).await;
    let rooms_path = format!("/api/rooms/{room}/settings");
    assert_eq!(
        bob.write(Method::PUT, &rooms_path, Some(json!({"muted": true})))
            .await
            .0,
        200
    );
    let mut bob_stream = bob.events(None).await;
    assert!(bob_stream.next_named("ready", WAIT).await.is_some());
    let text = format!(
        "hey @{} and @{}, also @{} who is not here",
        bob.user.username.to_uppercase(),
        alice.user.username,
        outsider.user.username
    );
    let (_, m) = alice.send_message(&room, &text).await;
    assert_eq!(m["mentions"], json!([bob.user.id, alice.user.id]), "{m}");
    let event = bob_stream
        .next_named("message", WAIT)
        .await
        .map(|e| e.json());
    assert_eq!(
        event.map(|e| e["mentions"].clone()),
        Some(m["mentions"].clone())
    );
    alice.send_message(&room, "no mention here").await;
    alice
        .send_message(&room, &format!("@{} again", bob.user.username))
        .await;

    let summary = |list: Value| {
        let rooms = list["rooms"].as_array().cloned().unwrap_or_default();
        rooms
            .into_iter()
            .find(|r| r["id"] == room.as_str())
            .map(|r| {
                (
                    r["unread_count"].clone(),
                    r["mention_count"].clone(),
                    r["muted"].clone(),
                )
            })
    };
    assert_eq!(
        summary(bob.get("/api/rooms").await.1),
        Some((json!(3), json!(2), json!(true))),
        "muted, and still counted"
    );
    assert_eq!(
        summary(alice.get("/api/rooms").await.1).map(|s| s.1),
        Some(json!(0)),
        "one's own messages are read"
    );
    let read = Some(json!({"seq": 2}));
    bob.write(Method::PUT, &format!("/api/rooms/{room}/read"), read)
        .await;
    assert_eq!(
        summary(bob.get("/api/rooms").await.1).map(|s| s.1),
        Some(json!(1))
    );
}

#[tokio::test]
async fn a_resumed_stream_gets_the_edits_deletes_and_reactions_it_missed() {
    let (_, alice, bob, room) = pair("resume").await;
    let mut stream = bob.events(None).await;
    assert!(stream.next_named("ready", WAIT).await.is_some());
    let (_, a) = alice.send_message(&room, "first").await;
    let (_, b) = alice.send_message(&room, "second").await;
    assert!(stream.next_named("message", WAIT).await.is_some());
    assert!(stream.next_named("message", WAIT).await.is_some());
    let resume_from = stream.last_id.clone();
    drop(stream);

    let message = |m: &Value| format!("/api/rooms/{room}/messages/{}", id(m));
    let edit = Some(json!({"body": "first, edited"}));
    assert_eq!(alice.write(Method::PATCH, &message(&a), edit).await.0, 200);
    assert_eq!(alice.write(Method::DELETE, &message(&b), None).await.0, 200);
    let react = format!("{}/reactions/{THUMBS}", message(&a));
    assert_eq!(alice.write(Method::PUT, &react, None).await.0, 204);

    let mut resumed = bob.events(resume_from.as_deref()).await;
    let got = resumed.drain(Duration::from_secs(3)).await;
    let seen: Vec<(String, Value)> = got
        .iter()
        .filter(|e| ["message_updated", "reaction"].contains(&e.event.as_str()))
        .map(|e| {
            let j = e.json();
            let what = if e.event == "reaction" {
                j["emoji"].clone()
            } else {
                json!([j["body"], j["deleted"]])
            };
            (e.event.clone(), what)
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "message_updated".to_owned(),
                json!(["first, edited", false])
            ),
            ("message_updated".to_owned(), json!(["", true])),
            ("reaction".to_owned(), json!("👍")),
        ],
        "{got:?}"
    );
}

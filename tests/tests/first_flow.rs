//! The first flow through Kafka both ways: register, log in, create a room, send, receive
//! on another member's stream, read history; and the errors of API.md on the way.

use parley_tests::{test_env, unique, Api};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

fn api() -> Api {
    Api::new(&test_env().base_url)
}

#[tokio::test]
async fn a_message_reaches_the_other_members_stream_with_seq_1() {
    let api = api();
    let alice = api.signup(&unique("alice")).await;
    let bob = api.signup(&unique("bob")).await;
    let mut bob_stream = bob.events(None).await;
    let ready = bob_stream
        .next(WAIT)
        .await
        .map(|e| (e.event.clone(), e.json()));
    let gateway = ready.as_ref().map(|(_, r)| r["gateway"].clone());
    assert!(gateway
        .as_ref()
        .and_then(Value::as_str)
        .is_some_and(|g| !g.is_empty()));
    assert_eq!(
        ready,
        Some((
            "ready".into(),
            json!({"user_id": bob.user.id, "resumed": false, "keepalive_secs": 10,
                   "gateway": gateway})
        ))
    );

    let room = alice.create_room("lunch", "private", &[&bob]).await;
    let created = bob_stream.next_named("room", WAIT).await.map(|e| e.json());
    assert_eq!(
        created.as_ref().map(|c| c["change"].clone()),
        Some(json!("created"))
    );
    assert_eq!(
        created.map(|c| c["room"]["member_count"].clone()),
        Some(json!(2))
    );

    let (status, sent) = alice.send_message(&room, "hello bob").await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(sent["seq"], 1);

    let msg = bob_stream.next_named("message", WAIT).await;
    let msg = msg.map(|e| (e.id.is_some(), e.json()));
    let (has_id, data) = msg.unwrap_or_default();
    assert!(has_id, "message events carry an id");
    assert_eq!(data["seq"], 1);
    assert_eq!(data["body"], "hello bob");
    assert_eq!(data["room_id"], room.as_str());
    assert_eq!(data["author"]["username"], alice.user.username.as_str());

    let (status, history) = bob.get(&format!("/api/rooms/{room}/messages")).await;
    assert_eq!(status, 200);
    assert_eq!(history["messages"].as_array().map(Vec::len), Some(1));
    assert_eq!(history["messages"][0]["id"], data["id"]);
}

#[tokio::test]
async fn a_write_without_prefer_is_accepted_and_its_result_arrives_on_the_stream() {
    let api = api();
    let carol = api.signup(&unique("carol")).await;
    let mut stream = carol.events(None).await;
    stream.next_named("ready", WAIT).await;
    let (status, body) = parley_tests::client::send(
        carol
            .request(Method::POST, "/api/rooms")
            .json(&json!({"name": "solo", "visibility": "public"})),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let request_id = body["request_id"].as_str().unwrap_or_default().to_owned();
    assert!(!request_id.is_empty());
    let result = stream.next_named("result", WAIT).await.map(|e| e.json());
    let result = result.unwrap_or_default();
    assert_eq!(result["request_id"], request_id.as_str());
    assert_eq!(result["status"], 201);
    assert_eq!(result["body"]["name"], "solo");
}

#[tokio::test]
async fn a_nickname_taken_in_another_case_is_409_username_taken() {
    let api = api();
    let name = unique("Dave");
    api.signup(&name).await;
    let r = api.register(&name.to_uppercase(), "another password").await;
    let (status, body) = match r {
        Ok(r) => (
            r.status().as_u16(),
            r.json::<serde_json::Value>().await.unwrap_or_default(),
        ),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "username_taken");
    assert_eq!(body["error"]["field"], "username");
}

#[tokio::test]
async fn a_wrong_password_is_401_invalid_credentials() {
    let api = api();
    let name = unique("erin");
    api.signup(&name).await;
    for (user, pass) in [
        (name.as_str(), "wrong password!"),
        ("nobody_at_all", "whatever123"),
    ] {
        let r = api.login(user, pass).await;
        let (status, body) = match r {
            Ok(r) => (
                r.status().as_u16(),
                r.json::<serde_json::Value>().await.unwrap_or_default(),
            ),
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (401, json!("invalid_credentials"))
        );
    }
}

#[tokio::test]
async fn a_non_member_send_is_403_not_a_member_and_nothing_is_stored() {
    let api = api();
    let owner = api.signup(&unique("frank")).await;
    let outsider = api.signup(&unique("grace")).await;
    let room = owner.create_room("private club", "private", &[]).await;
    let (status, body) = outsider.send_message(&room, "let me in").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "not_a_member");
    let (_, history) = owner.get(&format!("/api/rooms/{room}/messages")).await;
    assert_eq!(history["messages"], json!([]));
    let (status, body) = outsider.get(&format!("/api/rooms/{room}/messages")).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (403, json!("not_a_member"))
    );
}

#[tokio::test]
async fn a_korean_nickname_registers_logs_in_and_is_found() {
    let api = api();
    let name = unique("김민준");
    let me = api.signup(&name).await;
    assert_eq!(me.user.username, name);
    let (status, body) = me.get("/api/me").await;
    assert_eq!((status, body["username"].clone()), (200, json!(name)));
    let (status, body) = me.get(&format!("/api/users/{name}")).await;
    assert_eq!((status, body["id"].clone()), (200, json!(me.user.id)));
    let r = api.register(&name, "another password").await;
    assert_eq!(r.map(|r| r.status().as_u16()).ok(), Some(409));
}

#[tokio::test]
async fn bad_input_gets_the_api_error_codes_and_stores_nothing() {
    let api = api();
    let me = api.signup(&unique("heidi")).await;
    let room = me.create_room("inputs", "public", &[]).await;
    let path = format!("/api/rooms/{room}/messages");
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (
            me.request(Method::POST, &path)
                .header("content-type", "application/json")
                .body("{not json"),
            400,
            "invalid_json",
        ),
        (
            me.request(Method::POST, &path)
                .json(&json!({"text": "no body field"})),
            400,
            "validation_failed",
        ),
        (
            me.request(Method::POST, &path)
                .json(&json!({"body": "   "})),
            400,
            "validation_failed",
        ),
        (
            me.request(Method::POST, &path)
                .json(&json!({"body": "x".repeat(4001)})),
            400,
            "validation_failed",
        ),
        (
            me.request(Method::POST, &path)
                .json(&json!({"body": "x".repeat(70_000)})),
            413,
            "payload_too_large",
        ),
        (
            me.request(Method::POST, "/api/rooms/not-a-uuid/messages")
                .json(&json!({"body": "hi"})),
            404,
            "not_found",
        ),
        (
            api.request(Method::POST, &path)
                .json(&json!({"body": "no token"})),
            401,
            "unauthenticated",
        ),
        (
            api.request(Method::POST, "/api/users")
                .json(&json!({"username": "ab", "password": "long enough"})),
            400,
            "validation_failed",
        ),
        (
            api.request(Method::POST, "/api/users")
                .json(&json!({"username": unique("ivan"), "password": "short"})),
            400,
            "validation_failed",
        ),
        (
            me.request(Method::POST, "/api/rooms")
                .json(&json!({"name": "x", "visibility": "secret"})),
            400,
            "validation_failed",
        ),
        (me.request(Method::GET, "/api/nope"), 404, "not_found"),
    ];
    for (i, (req, status, code)) in cases.into_iter().enumerate() {
        let (got, body) = parley_tests::client::send(req).await;
        assert_eq!(
            (got, body["error"]["code"].clone()),
            (status, json!(code)),
            "case {i}: {body}"
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "case {i}"
        );
    }
    let unknown = uuid::Uuid::now_v7();
    let (status, body) = me.send_message(&unknown.to_string(), "into the void").await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (404, json!("not_found"))
    );
    let (_, history) = me.get(&path).await;
    assert_eq!(history["messages"], json!([]), "nothing partial was stored");
}

#[tokio::test]
async fn a_stream_resumes_from_last_event_id_without_gaps_or_repeats() {
    let api = api();
    let a = api.signup(&unique("judy")).await;
    let b = api.signup(&unique("ken")).await;
    let room = a.create_room("resume", "private", &[&b]).await;
    let mut stream = b.events(None).await;
    stream.next_named("ready", WAIT).await;
    a.send_message(&room, "one").await;
    let first = stream
        .next_named("message", WAIT)
        .await
        .map(|e| e.json()["seq"].clone());
    assert_eq!(first, Some(json!(1)));
    let cursor = stream.last_id.clone();
    drop(stream);
    for text in ["two", "three"] {
        let (status, _) = a.send_message(&room, text).await;
        assert_eq!(status, 201);
    }
    let mut resumed = b.events(cursor.as_deref()).await;
    let ready = resumed.next(WAIT).await.map(|e| e.json());
    assert_eq!(ready.map(|r| r["resumed"].clone()), Some(json!(true)));
    let mut seqs = Vec::new();
    while seqs.len() < 2 {
        match resumed.next_named("message", WAIT).await {
            Some(e) => seqs.push(e.json()["seq"].clone()),
            None => break,
        }
    }
    assert_eq!(seqs, vec![json!(2), json!(3)]);
    let more = resumed.drain(Duration::from_millis(300)).await;
    assert!(
        more.iter().all(|e| e.event != "message"),
        "no repeats: {more:?}"
    );

    let mut stale = b.events(Some("0.0")).await;
    let events: Vec<String> = vec![
        stale.next(WAIT).await.map(|e| e.event).unwrap_or_default(),
        stale.next(WAIT).await.map(|e| e.event).unwrap_or_default(),
    ];
    assert_eq!(events, vec!["ready".to_owned(), "reset".to_owned()]);
}

#[tokio::test]
async fn logout_ends_the_sessions_streams_and_the_token() {
    let api = api();
    let me = api.signup(&unique("leo")).await;
    let mut stream = me.events(None).await;
    stream.next_named("ready", WAIT).await;
    let (status, _) =
        parley_tests::client::send(me.request(Method::DELETE, "/api/sessions/current")).await;
    assert_eq!(status, 204);
    assert!(stream.ended(WAIT).await, "the stream closed");
    let (status, body) = me.get("/api/me").await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (401, json!("unauthenticated"))
    );
}

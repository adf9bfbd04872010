//! Rooms and messages against the real system: history pages, client_id idempotency,
//! read markers and unread counts, saved messages, leaving, rate limiting.

use parley_tests::client::send;
use parley_tests::{test_env, unique, Api};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

fn api() -> Api {
    Api::new(&test_env().base_url)
}

fn seqs(page: &Value) -> Vec<i64> {
    page["messages"]
        .as_array()
        .map(|ms| ms.iter().filter_map(|m| m["seq"].as_i64()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn history_pages_forwards_and_backwards_and_rejects_bad_limits() {
    let api = api();
    let me = api.signup(&unique("hist")).await;
    let room = me.create_room("history", "private", &[]).await;
    for k in 1..=12 {
        let (status, body) = me.send_message(&room, &format!("m{k}")).await;
        assert_eq!(status, 201, "{body}");
    }
    let path = format!("/api/rooms/{room}/messages");
    let (_, latest) = me.get(&format!("{path}?limit=5")).await;
    assert_eq!(
        seqs(&latest),
        vec![8, 9, 10, 11, 12],
        "the newest page, ascending"
    );
    let (_, older) = me.get(&format!("{path}?before=8&limit=5")).await;
    assert_eq!(seqs(&older), vec![3, 4, 5, 6, 7]);
    let (_, polled) = me.get(&format!("{path}?after=10")).await;
    assert_eq!(
        seqs(&polled),
        vec![11, 12],
        "what a polling client asks for"
    );
    let (_, window) = me.get(&format!("{path}?after=2&before=6")).await;
    assert_eq!(seqs(&window), vec![3, 4, 5]);
    let (_, nothing) = me.get(&format!("{path}?after=12")).await;
    assert_eq!(nothing["messages"], json!([]));
    for bad in ["limit=0", "limit=201", "after=-1", "limit=abc"] {
        let (status, body) = me.get(&format!("{path}?{bad}")).await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (400, json!("validation_failed")),
            "{bad}"
        );
    }
    let (_, all) = me.get(&format!("{path}?limit=200")).await;
    assert_eq!(seqs(&all), (1..=12).collect::<Vec<_>>(), "no gaps");
}

#[tokio::test]
async fn the_same_client_id_never_makes_a_second_message() {
    let api = api();
    let me = api.signup(&unique("idem")).await;
    let room = me.create_room("idempotent", "private", &[]).await;
    let path = format!("/api/rooms/{room}/messages");
    let body = json!({"body": "only once", "client_id": "c-42"});
    // Fired together, so the worker may see both in one batch; then once more.
    let (a, b) = tokio::join!(
        me.write(Method::POST, &path, Some(body.clone())),
        me.write(Method::POST, &path, Some(body.clone()))
    );
    let c = me.write(Method::POST, &path, Some(body)).await;
    for (status, m) in [&a, &b, &c] {
        assert_eq!(*status, 201, "{m}");
    }
    assert_eq!(a.1["id"], b.1["id"]);
    assert_eq!(a.1["id"], c.1["id"]);
    for (_, m) in [&a, &b, &c] {
        assert_eq!(m["seq"], 1, "every answer is the stored message: {m}");
    }
    let (_, page) = me.get(&path).await;
    assert_eq!(seqs(&page), vec![1], "stored once");
    let (status, resp) = me
        .write(
            Method::POST,
            &path,
            Some(json!({"body": "x", "client_id": ""})),
        )
        .await;
    assert_eq!(
        (status, resp["error"]["field"].clone()),
        (400, json!("client_id"))
    );
}

#[tokio::test]
async fn read_markers_move_forward_only_and_follow_to_other_devices() {
    let api = api();
    let reader_name = unique("reader");
    let writer = api.signup(&unique("writer")).await;
    let reader = api.signup(&reader_name).await;
    let room = writer.create_room("unread", "private", &[&reader]).await;
    for k in 1..=5 {
        writer.send_message(&room, &format!("u{k}")).await;
    }
    let (_, rooms) = reader.get("/api/rooms").await;
    let entry = rooms["rooms"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["id"] == room.as_str()).cloned());
    let entry = entry.unwrap_or_default();
    assert_eq!(
        (
            entry["unread_count"].clone(),
            entry["last_read_seq"].clone()
        ),
        (json!(5), json!(0))
    );
    assert_eq!(entry["last_message"]["body"], "u5");
    let (_, writer_rooms) = writer.get("/api/rooms").await;
    assert_eq!(
        writer_rooms["rooms"][0]["unread_count"], 0,
        "one's own messages are read"
    );

    let token = {
        let r = api
            .login(&reader_name, parley_tests::client::PASSWORD)
            .await;
        let b: Value = match r {
            Ok(r) => r.json().await.unwrap_or_default(),
            Err(e) => panic!("{e}"),
        };
        b["token"].as_str().unwrap_or_default().to_owned()
    };
    let other_device = parley_tests::Session {
        api: api.clone(),
        token,
        user: reader.user.clone(),
    };
    let mut stream = other_device.events(None).await;
    stream.next_named("ready", WAIT).await;
    let read = format!("/api/rooms/{room}/read");
    let (status, marker) = reader
        .write(Method::PUT, &read, Some(json!({"seq": 3})))
        .await;
    assert_eq!(
        (
            status,
            marker["last_read_seq"].clone(),
            marker["unread_count"].clone()
        ),
        (200, json!(3), json!(2))
    );
    let followed = stream.next_named("read", WAIT).await.map(|e| e.json());
    assert_eq!(followed.map(|m| m["last_read_seq"].clone()), Some(json!(3)));
    let (_, marker) = reader
        .write(Method::PUT, &read, Some(json!({"seq": 1})))
        .await;
    assert_eq!(marker["last_read_seq"], 3, "never backwards");
    let (_, marker) = reader
        .write(Method::PUT, &read, Some(json!({"seq": 99})))
        .await;
    assert_eq!(
        (
            marker["last_read_seq"].clone(),
            marker["unread_count"].clone()
        ),
        (json!(5), json!(0)),
        "capped at the last seq"
    );
    let (status, body) = reader
        .write(Method::PUT, &read, Some(json!({"seq": -1})))
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (400, json!("validation_failed"))
    );
}

#[tokio::test]
async fn saved_messages_are_listed_newest_first_and_can_be_removed() {
    let api = api();
    let me = api.signup(&unique("saver")).await;
    let stranger = api.signup(&unique("stranger")).await;
    let room = me.create_room("keep", "private", &[]).await;
    let (_, first) = me.send_message(&room, "first").await;
    let (_, second) = me.send_message(&room, "second").await;
    let id = |m: &Value| m["id"].as_str().unwrap_or_default().to_owned();
    for m in [&first, &second] {
        let (status, _) = me
            .write(Method::PUT, &format!("/api/saved/{}", id(m)), None)
            .await;
        assert_eq!(status, 204);
    }
    let (_, saved) = me.get("/api/saved").await;
    let bodies: Vec<&str> = saved["saved"]
        .as_array()
        .map(|s| s.iter().filter_map(|m| m["body"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(bodies, vec!["second", "first"]);
    let (status, _) = me
        .write(Method::DELETE, &format!("/api/saved/{}", id(&second)), None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = me
        .write(Method::DELETE, &format!("/api/saved/{}", id(&second)), None)
        .await;
    assert_eq!(status, 204, "removing twice is fine");
    let (_, saved) = me.get("/api/saved").await;
    assert_eq!(saved["saved"].as_array().map(Vec::len), Some(1));
    let (status, body) = stranger
        .write(Method::PUT, &format!("/api/saved/{}", id(&first)), None)
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (403, json!("not_a_member"))
    );
    let (status, body) = me
        .write(
            Method::PUT,
            &format!("/api/saved/{}", uuid::Uuid::now_v7()),
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (404, json!("not_found"))
    );
}

#[tokio::test]
async fn the_owner_leaving_hands_the_room_to_the_longest_standing_member() {
    let api = api();
    let owner = api.signup(&unique("founder")).await;
    let heir_name = unique("heir");
    let heir = api.signup(&heir_name).await;
    let room = owner.create_room("succession", "public", &[&heir]).await;
    let mut stream = heir.events(None).await;
    stream.next_named("ready", WAIT).await;
    let (status, _) = owner
        .write(
            Method::DELETE,
            &format!("/api/rooms/{room}/members/{}", owner.user.username),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let left = stream.next_named("member", WAIT).await.map(|e| e.json());
    assert_eq!(left.map(|e| e["change"].clone()), Some(json!("left")));
    let (_, detail) = heir.get(&format!("/api/rooms/{room}")).await;
    assert_eq!(
        (detail["owner_id"].clone(), detail["member_count"].clone()),
        (json!(heir.user.id), json!(1))
    );
    let (status, body) = owner
        .write(
            Method::DELETE,
            &format!("/api/rooms/{room}/members/{}", owner.user.username),
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (403, json!("not_a_member"))
    );
    let (status, _) = heir
        .write(Method::DELETE, &format!("/api/rooms/{room}"), None)
        .await;
    assert_eq!(status, 204, "the heir owns it now");
}

#[tokio::test]
async fn sending_too_fast_is_answered_with_429_and_retry_after() {
    let api = api();
    let me = api.signup(&unique("chatty")).await;
    let room = me.create_room("flood", "private", &[]).await;
    let path = format!("/api/rooms/{room}/messages");
    // The test gateway allows 20 a second with a burst of 20.
    let sends = (0..40).map(|k| {
        me.request(Method::POST, &path)
            .json(&json!({"body": format!("f{k}")}))
            .send()
    });
    let responses = futures_util::future::join_all(sends).await;
    let mut limited = 0;
    for r in responses.into_iter().flatten() {
        if r.status().as_u16() == 429 {
            limited += 1;
            assert!(
                r.headers().get("retry-after").is_some(),
                "Retry-After is set"
            );
            let body: Value = r.json().await.unwrap_or_default();
            assert_eq!(body["error"]["code"], "rate_limited");
        }
    }
    assert!(limited > 0, "some of 40 instant sends were limited");
    let (status, _) = send(api.request(Method::GET, "/healthz")).await;
    assert_eq!(status, 200);
}

//! Accounts against the real system: profiles, friends, account deletion, health.

use parley_tests::client::send;
use parley_tests::{test_env, unique, Api};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

fn api() -> Api {
    Api::new(&test_env().base_url)
}

#[tokio::test]
async fn a_profile_change_is_returned_and_reaches_every_device() {
    let api = api();
    let name = unique("mia");
    let phone = api.signup(&name).await;
    let laptop = {
        let r = api.login(&name, parley_tests::client::PASSWORD).await;
        let body: serde_json::Value = match r {
            Ok(r) => r.json().await.unwrap_or_default(),
            Err(e) => panic!("{e}"),
        };
        parley_tests::Session {
            api: api.clone(),
            token: body["token"].as_str().unwrap_or_default().into(),
            user: phone.user.clone(),
        }
    };
    let mut laptop_stream = laptop.events(None).await;
    laptop_stream.next_named("ready", WAIT).await;
    let (status, body) = phone
        .write(
            Method::PATCH,
            "/api/me",
            Some(json!({"display_name": "미아 🌸", "status_message": "커피 중"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["display_name"], "미아 🌸");
    let event = laptop_stream
        .next_named("profile", WAIT)
        .await
        .map(|e| e.json());
    assert_eq!(
        event.map(|e| e["status_message"].clone()),
        Some(json!("커피 중"))
    );
    let (_, me) = laptop.get("/api/me").await;
    assert_eq!(me["display_name"], "미아 🌸");
    let (_, public) = laptop.get(&format!("/api/users/{name}")).await;
    assert_eq!(public["status_message"], "커피 중");
}

#[tokio::test]
async fn profile_changes_are_validated() {
    let api = api();
    let me = api.signup(&unique("nina")).await;
    for (body, field) in [
        (json!({}), "body"),
        (json!({"display_name": ""}), "display_name"),
        (json!({"display_name": "x".repeat(65)}), "display_name"),
        (json!({"status_message": "s".repeat(141)}), "status_message"),
    ] {
        let (status, resp) = me.write(Method::PATCH, "/api/me", Some(body)).await;
        assert_eq!(
            (
                status,
                resp["error"]["code"].clone(),
                resp["error"]["field"].clone()
            ),
            (400, json!("validation_failed"), json!(field))
        );
    }
    let (_, unchanged) = me.get("/api/me").await;
    assert_eq!(unchanged["display_name"], me.user.display_name.as_str());
}

#[tokio::test]
async fn friends_are_added_listed_and_removed_with_events() {
    let api = api();
    let me = api.signup(&unique("oscar")).await;
    let pal = api.signup(&unique("pia")).await;
    let mut stream = me.events(None).await;
    stream.next_named("ready", WAIT).await;
    let add = json!({"username": pal.user.username});
    let (status, body) = me
        .write(Method::POST, "/api/friends", Some(add.clone()))
        .await;
    assert_eq!((status, body["id"].clone()), (201, json!(pal.user.id)));
    let ev = stream.next_named("friend", WAIT).await.map(|e| e.json());
    assert_eq!(ev.map(|e| e["change"].clone()), Some(json!("added")));
    let (status, body) = me.write(Method::POST, "/api/friends", Some(add)).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (409, json!("already_friends"))
    );
    let (status, body) = me
        .write(
            Method::POST,
            "/api/friends",
            Some(json!({"username": me.user.username})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (403, json!("forbidden")),
        "befriending oneself"
    );
    let (status, body) = me
        .write(
            Method::POST,
            "/api/friends",
            Some(json!({"username": unique("ghost")})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (404, json!("not_found"))
    );
    let (_, list) = me.get("/api/friends").await;
    assert_eq!(list["friends"][0]["username"], pal.user.username.as_str());
    let path = format!("/api/friends/{}", pal.user.username);
    let (status, _) = me.write(Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    let ev = stream.next_named("friend", WAIT).await.map(|e| e.json());
    assert_eq!(ev.map(|e| e["change"].clone()), Some(json!("removed")));
    let (status, _) = me.write(Method::DELETE, &path, None).await;
    assert_eq!(status, 404);
    let (_, list) = me.get("/api/friends").await;
    assert_eq!(list["friends"], json!([]));
}

#[tokio::test]
async fn a_deleted_account_leaves_its_messages_authorless_and_frees_its_name() {
    let api = api();
    let name = unique("quinn");
    let gone = api.signup(&name).await;
    let stays = api.signup(&unique("rosa")).await;
    let room = stays.create_room("memories", "private", &[&gone]).await;
    let (_, msg) = gone.send_message(&room, "remember me").await;
    stays
        .write(
            Method::POST,
            "/api/friends",
            Some(json!({"username": name})),
        )
        .await;
    gone.write(
        Method::PUT,
        &format!("/api/saved/{}", msg["id"].as_str().unwrap_or_default()),
        None,
    )
    .await;
    let mut gone_stream = gone.events(None).await;
    gone_stream.next_named("ready", WAIT).await;
    let mut stays_stream = stays.events(None).await;
    stays_stream.next_named("ready", WAIT).await;

    let (status, body) = gone.write(Method::DELETE, "/api/me", None).await;
    assert_eq!(status, 204, "{body}");
    assert!(
        gone_stream.ended(WAIT).await,
        "the deleted account's streams close"
    );
    let left = stays_stream
        .next_named("member", WAIT)
        .await
        .map(|e| e.json());
    assert_eq!(left.map(|e| e["change"].clone()), Some(json!("left")));

    let (_, history) = stays.get(&format!("/api/rooms/{room}/messages")).await;
    assert_eq!(history["messages"][0]["body"], "remember me");
    assert_eq!(history["messages"][0]["author"], json!(null));
    let (_, detail) = stays.get(&format!("/api/rooms/{room}")).await;
    assert_eq!(detail["member_count"], 1);
    let (_, friends) = stays.get("/api/friends").await;
    assert_eq!(friends["friends"], json!([]));
    let (status, _) = gone.get("/api/me").await;
    assert_eq!(status, 401);
    let (status, _) = stays.get(&format!("/api/users/{name}")).await;
    assert_eq!(status, 404);
    let again = api.signup(&name).await;
    assert_ne!(again.user.id, gone.user.id, "the nickname is free again");
}

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let api = api();
    api.signup(&unique("metrics")).await;
    let (status, _) = send(api.request(Method::GET, "/healthz")).await;
    assert_eq!(status, 200);
    let (status, body) = send(api.request(Method::GET, "/readyz")).await;
    assert_eq!(
        (status, body["postgres"].clone(), body["kafka"].clone()),
        (200, json!(true), json!(true))
    );
    let text = match api.request(Method::GET, "/metrics").send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(e) => panic!("{e}"),
    };
    let worker = match api.http.get(&test_env().worker_metrics_url).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(e) => panic!("worker metrics: {e}"),
    };
    for series in [
        "parley_worker_batch_size_bucket",
        "parley_worker_batch_size_count",
        "parley_worker_lag",
        "parley_worker_command_age_seconds_count",
    ] {
        assert!(
            worker.contains(series),
            "{series} missing from the worker's metrics"
        );
    }
    let batches = worker
        .lines()
        .find_map(|l| l.strip_prefix("parley_worker_batch_size_count "))
        .and_then(|v| v.trim().parse::<u64>().ok());
    assert!(
        batches.is_some_and(|n| n > 0),
        "the worker counted its batches: {worker}"
    );
    for series in [
        "parley_http_requests_total",
        "parley_commands_in_flight",
        "parley_streams_open",
        "parley_events_delivered_total",
    ] {
        assert!(text.contains(series), "{series} missing from /metrics");
    }
    // The sign-up above went gateway -> worker -> gateway: each hop timed one record.
    let count = |text: &str, name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    assert!(
        count(&worker, "parley_worker_command_age_seconds_count ").is_some_and(|n| n > 0),
        "the worker timed the commands it polled: {worker}"
    );
    assert!(
        count(&text, "parley_event_age_seconds_count ").is_some_and(|n| n > 0),
        "the gateway timed the events it consumed: {text}"
    );
}

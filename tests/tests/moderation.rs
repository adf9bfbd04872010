//! Operator moderation (#16) against the real services, through the `parley-admin`
//! binary: each command goes through the commands topic and the worker, acts on streams,
//! history and sign-in, and is in the audit trail with its operator and reason.

use parley_kit::paths::debug_bins;
use parley_tests::client::{send, PASSWORD};
use parley_tests::env::start_audit;
use parley_tests::{test_env, unique, Api, Session};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);

/// Runs `parley-admin ARGS` on the test system as operator `test-op`; returns its exit
/// status and what it printed.
async fn admin(args: &[&str]) -> (bool, String) {
    let env = test_env();
    let out = tokio::process::Command::new(debug_bins().join("parley-admin"))
        .args(args)
        .env("DATABASE_URL", &env.database_url)
        .env(
            "KAFKA_BOOTSTRAP_SERVERS",
            &env.kafka.kafka_bootstrap_servers,
        )
        .env("PARLEY_TOPIC_PREFIX", &env.kafka.topic_prefix)
        .env("PARLEY_PARTITIONS", env.kafka.partitions.to_string())
        .env("PARLEY_OPERATOR", "test-op")
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap_or_else(|e| panic!("running parley-admin (cargo build --bins first): {e}"));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

async fn login(api: &Api, name: &str) -> (u16, Value) {
    let req = (api.request(Method::POST, "/api/sessions"))
        .json(&json!({"username": name, "password": PASSWORD}));
    send(req).await
}

/// `who`'s audit rows as `parley-admin audit --json` prints them, once `kinds` are there.
async fn audited(who: &Session, kinds: &[&str]) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let name = who.user.username.clone();
        let (ok, out) = admin(&["audit", "--user", &name, "--since", "1h", "--json"]).await;
        assert!(ok, "{out}");
        let rows: Vec<Value> = out
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let has = |k: &&str| rows.iter().any(|r| r["kind"] == **k);
        if kinds.iter().all(has) || Instant::now() > deadline {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn an_operator_removes_a_message_suspends_reinstates_and_closes_a_room() {
    start_audit();
    let api = Api::new(&test_env().base_url);
    let alice = api.signup(&unique("mod-a")).await;
    let bob = api.signup(&unique("mod-b")).await;
    let room = alice.create_room("moderated", "private", &[&bob]).await;
    let mut alice_events = alice.events(None).await;
    let mut bob_events = bob.events(None).await;
    assert!(alice_events.next_named("ready", WAIT).await.is_some());
    assert!(bob_events.next_named("ready", WAIT).await.is_some());
    let (status, sent) = bob.send_message(&room, "something abusive").await;
    assert_eq!(status, 201);
    let message = sent["id"].as_str().unwrap_or_default().to_owned();

    let (ok, out) = admin(&["remove-message", &message, "--reason", "abuse"]).await;
    assert!(ok, "{out}");
    assert!(out.contains("remove_message: done"), "{out}");
    let updated = alice_events.next_named("message_updated", WAIT).await;
    let updated = updated.map(|e| e.json()).unwrap_or_default();
    assert_eq!(
        (updated["id"].as_str(), updated["deleted"].as_bool()),
        (Some(message.as_str()), Some(true))
    );
    let (_, history) = alice.get(&format!("/api/rooms/{room}/messages")).await;
    assert_eq!(history["messages"][0]["deleted"], true, "{history}");

    let (ok, out) = admin(&["suspend", &bob.user.username, "--reason", "spam"]).await;
    assert!(ok, "{out}");
    assert!(
        bob_events.ended(WAIT).await,
        "the suspended user's stream stays open"
    );
    assert_eq!(bob.get("/api/me").await.0, 401);
    let (status, body) = login(&api, &bob.user.username).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "account_suspended");
    let (status, body) = (api.request(Method::POST, "/api/sessions"))
        .json(&json!({"username": bob.user.username, "password": "a wrong password"}))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_or((0, String::new()), |s| (s, String::new()));
    assert_eq!(
        status, 401,
        "a wrong password tells nothing of the suspension {body}"
    );

    let (ok, out) = admin(&["reinstate", &bob.user.username]).await;
    assert!(ok, "{out}");
    let (status, body) = login(&api, &bob.user.username).await;
    assert_eq!(status, 201, "{body}");
    let bob = Session {
        api: api.clone(),
        token: body["token"].as_str().unwrap_or_default().into(),
        user: bob.user.clone(),
    };
    let (ok, out) = admin(&["reinstate", &bob.user.username]).await;
    assert!(!ok && out.contains("not found"), "reinstating twice: {out}");

    let (ok, out) = admin(&["close-room", &room, "--reason", "illegal content"]).await;
    assert!(ok, "{out}");
    let gone = alice_events
        .next_named("room", WAIT)
        .await
        .map(|e| e.json());
    let gone = gone.unwrap_or_default();
    assert_eq!(
        (gone["change"].as_str(), gone["room"]["id"].as_str()),
        (Some("deleted"), Some(room.as_str())),
        "{gone}"
    );
    let (_, rooms) = bob.get("/api/rooms").await;
    assert!(!rooms.to_string().contains(&room), "{rooms}");

    let (ok, out) = admin(&["suspend", "nobody-by-this-name", "--reason", "x"]).await;
    assert!(!ok && out.contains("no user named"), "{out}");

    let rows = audited(&bob, &["suspend_user", "reinstate_user"]).await;
    let row = |kind: &str| {
        rows.iter()
            .find(|r| r["kind"] == kind)
            .cloned()
            .unwrap_or_default()
    };
    let suspend = row("suspend_user");
    assert_eq!(suspend["who"], "operator:test-op", "{rows:#?}");
    assert_eq!(suspend["subject"]["reason"], "spam");
    assert_eq!(suspend["status"], 204);
    let refused: Vec<&Value> = (rows.iter())
        .filter(|r| r["kind"] == "open_session" && r["status"] == 403)
        .collect();
    assert_eq!(refused.len(), 1, "the refused sign-in: {rows:#?}");
    let (ok, out) = admin(&[
        "audit",
        "--since",
        "1h",
        "--kind",
        "remove_message",
        "--kind",
        "close_room",
    ])
    .await;
    assert!(ok, "{out}");
    assert!(
        out.contains("operator:test-op")
            && out.contains("remove_message")
            && out.contains("close_room"),
        "{out}"
    );
    assert!(!out.contains("something abusive"), "{out}");

    let (_, activity) = bob.get("/api/me/activity").await;
    let kinds: Vec<&str> = (activity["items"].as_array().into_iter().flatten())
        .filter_map(|i| i["kind"].as_str())
        .collect();
    assert_eq!(
        kinds.get(..4),
        Some(&["sign_in", "reinstated", "sign_in", "suspended"][..]),
        "{activity}"
    );
}

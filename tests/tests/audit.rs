//! The audit trail (#16) against the real services: the `audit` consumer group reads the
//! commands topic, joins each command with the worker's ledger and appends a row per
//! command. A scripted sequence gives its rows in order, with who, the session, the ids
//! and the status, never a message text or secret; reading the topic again writes nothing
//! new; the table refuses changes; `GET /api/me/activity` shows my security events.

use diesel::{Connection, PgConnection, RunQueryDsl};
use parley_bus::batches::Record;
use parley_db::audit::{AuditRow, Filter};
use parley_schema::UserId;
use parley_tests::client::{send, PASSWORD};
use parley_tests::env::start_audit;
use parley_tests::{test_env, unique, Api, Session};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn api() -> Api {
    start_audit();
    Api::new(&test_env().base_url)
}

fn conn() -> PgConnection {
    PgConnection::establish(&test_env().database_url).unwrap_or_else(|e| panic!("db: {e}"))
}

fn rows_of(user: UserId) -> Vec<AuditRow> {
    let filter = Filter {
        user: Some(user),
        limit: 1000,
        ..Filter::default()
    };
    let mut rows = parley_db::audit::find(&mut conn(), &filter).unwrap_or_else(|e| panic!("{e}"));
    rows.reverse();
    rows
}

/// `user`'s rows, oldest first, once there are `n` (the consumer is a moment behind).
async fn rows_once(user: UserId, n: usize) -> Vec<AuditRow> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let rows = tokio::task::spawn_blocking(move || rows_of(user))
            .await
            .unwrap_or_default();
        if rows.len() >= n || Instant::now() > deadline {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_scripted_sequence_gives_one_row_per_command_with_ids_and_no_text() {
    let api = api();
    let alice = api.signup(&unique("aud-a")).await;
    let bob = api.signup(&unique("aud-b")).await;
    let room = alice.create_room("audit room", "private", &[&bob]).await;
    let (status, sent) = alice.send_message(&room, "SECRET-TEXT one").await;
    assert_eq!(status, 201);
    let message = sent["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/rooms/{room}/messages/{message}");
    let edit = json!({"body": "SECRET-TEXT edited"});
    assert_eq!(alice.write(Method::PATCH, &path, Some(edit)).await.0, 200);
    let (status, _) = alice.write(Method::DELETE, &path, None).await;
    assert!(status == 200 || status == 204, "{status}");
    alice.befriend(&bob).await;
    let profile = json!({"status_message": "SECRET-TEXT status"});
    assert_eq!(
        alice.write(Method::PATCH, "/api/me", Some(profile)).await.0,
        200
    );
    let bobs = bob.create_room("bob only", "private", &[]).await;
    let (status, _) = alice.send_message(&bobs, "SECRET-TEXT refused").await;
    assert_eq!(status, 403, "not a member");
    // Without waiting: the 202 names the request id the row carries.
    let req = alice
        .request(Method::PUT, &format!("/api/rooms/{room}/read"))
        .json(&json!({"seq": 1}));
    let (status, accepted) = send(req).await;
    assert_eq!(status, 202, "{accepted}");
    let (status, _) = alice
        .write(Method::DELETE, "/api/sessions/current", None)
        .await;
    assert_eq!(status, 204);

    let rows = rows_once(alice.user.id, 11).await;
    let kinds: Vec<(&str, i16)> = rows.iter().map(|r| (r.kind.as_str(), r.status)).collect();
    assert_eq!(
        kinds,
        [
            ("register", 201),
            ("open_session", 201),
            ("create_room", 201),
            ("send_message", 201),
            ("edit_message", 200),
            ("delete_message", 200),
            ("add_friend", 201),
            ("update_profile", 200),
            ("send_message", 403),
            ("mark_read", 200),
            ("close_session", 204),
        ],
        "{rows:#?}"
    );
    let session = rows[1].subject["session_id"].as_str().map(str::to_owned);
    for r in &rows[2..] {
        assert_eq!(r.actor_id, Some(alice.user.id), "{r:?}");
        assert_eq!(r.session_id.map(|s| s.to_string()), session, "{r:?}");
        assert!(r.at >= r.issued_at, "{r:?}");
        let text = r.subject.to_string();
        assert!(
            !text.contains("SECRET") && !text.contains(PASSWORD),
            "{text}"
        );
    }
    assert_eq!(rows[0].subject["user_id"], alice.user.id.to_string());
    assert_eq!(rows[3].subject["room_id"], room);
    assert_eq!(rows[3].subject["message_id"], message);
    assert_eq!(rows[6].subject["username"], bob.user.username);
    assert_eq!(rows[7].subject, json!({"changed": ["status_message"]}));
    assert_eq!(
        rows[9].request_id.to_string(),
        accepted["request_id"].as_str().unwrap_or_default()
    );
    assert_eq!(
        rows[10].subject["session_id"].as_str().map(str::to_owned),
        session
    );
}

/// Every record of the commands topic so far, as the audit consumer reads them.
fn commands_topic() -> Vec<Record> {
    let env = test_env();
    let topic = env.kafka.topics().commands;
    let consumer: BaseConsumer =
        parley_bus::client::consumer(&env.kafka, "audit-replay", &unique("audit-replay"))
            .create()
            .unwrap_or_else(|e| panic!("{e}"));
    let meta = consumer
        .fetch_metadata(Some(&topic), Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut list = TopicPartitionList::new();
    let mut left = 0;
    for p in meta.topics().iter().flat_map(|t| t.partitions()) {
        let (low, high) = (consumer.fetch_watermarks(&topic, p.id(), Duration::from_secs(10)))
            .unwrap_or_else(|e| panic!("{e}"));
        left += high - low;
        let _ = list.add_partition_offset(&topic, p.id(), Offset::Offset(low));
    }
    consumer.assign(&list).unwrap_or_else(|e| panic!("{e}"));
    let mut records = Vec::new();
    while left > 0 {
        match consumer.poll(Duration::from_secs(10)) {
            Some(Ok(m)) => records.push(Record {
                partition: m.partition(),
                offset: m.offset(),
                payload: m.payload().map(<[u8]>::to_vec),
            }),
            other => panic!("reading {topic}: {other:?}"),
        }
        left -= 1;
    }
    records
}

#[tokio::test]
async fn reading_the_commands_again_writes_nothing_new_and_rows_never_change() {
    let api = api();
    let carol = api.signup(&unique("aud-c")).await;
    let room = carol.create_room("replay", "public", &[]).await;
    assert_eq!(carol.send_message(&room, "hello").await.0, 201);
    let before = rows_once(carol.user.id, 4).await;
    assert_eq!(before.len(), 4, "{before:#?}");

    let (new, after, refused) = tokio::task::spawn_blocking(move || {
        let records = commands_topic();
        let mut c = conn();
        let new = parley_audit::consume::record(&mut c, &records, &|| false)
            .unwrap_or_else(|e| panic!("replay: {e:#}"));
        let refused = diesel::sql_query("UPDATE audit_log SET status = 500").execute(&mut c);
        let deleted = diesel::sql_query("DELETE FROM audit_log").execute(&mut c);
        assert!(deleted.is_err(), "a delete went through");
        (new, rows_of(carol.user.id), refused)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(new, 0, "rows written twice");
    assert_eq!(after, before);
    let refused = refused.map_err(|e| e.to_string());
    assert!(
        matches!(&refused, Err(e) if e.contains("append-only")),
        "{refused:?}"
    );
}

/// My activity's kinds, newest first, once there are `n`.
async fn activity_once(who: &Session, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = who.get("/api/me/activity").await;
        assert_eq!(status, 200, "{body}");
        let items = body["items"].as_array().cloned().unwrap_or_default();
        if items.len() >= n || Instant::now() > deadline {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn login_as(api: &Api, who: &Session, agent: &str, password: &str) -> Session {
    let req = api
        .request(Method::POST, "/api/sessions")
        .header("User-Agent", agent)
        .json(&json!({"username": who.user.username, "password": password}));
    let (status, body) = send(req).await;
    assert_eq!(status, 201, "login: {body}");
    Session {
        api: api.clone(),
        token: body["token"].as_str().unwrap_or_default().into(),
        user: who.user.clone(),
    }
}

#[tokio::test]
async fn my_activity_lists_sign_ins_revocations_and_password_changes() {
    let api = api();
    let dana = api.signup(&unique("aud-d")).await;
    let phone = login_as(&api, &dana, "Phone/2.0", PASSWORD).await;
    let tablet = login_as(&api, &dana, "Tablet/3.0", PASSWORD).await;
    let (_, sessions) = dana.get("/api/sessions").await;
    let tablet_id = (sessions["sessions"].as_array().into_iter().flatten())
        .find(|s| s["user_agent"] == "Tablet/3.0")
        .and_then(|s| s["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let path = format!("/api/sessions/{tablet_id}");
    assert_eq!(dana.write(Method::DELETE, &path, None).await.0, 204);
    assert_eq!(tablet.get("/api/me").await.0, 401);
    let change = json!({"current_password": PASSWORD, "new_password": "another secret 2"});
    let (status, body) = dana
        .write(Method::PUT, "/api/me/password", Some(change))
        .await;
    assert!(status == 200 || status == 204, "{status} {body}");
    assert_eq!(phone.get("/api/me").await.0, 401, "ended by the change");

    let items = activity_once(&dana, 6).await;
    let kinds: Vec<&str> = items.iter().filter_map(|i| i["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        [
            "password_changed",
            "session_revoked",
            "sign_in",
            "sign_in",
            "sign_in",
            "account_created"
        ],
        "{items:#?}"
    );
    assert_eq!(items[1]["session_id"], tablet_id.as_str());
    assert_eq!(items[2]["user_agent"], "Tablet/3.0");
    assert_eq!(items[2]["ip"], "127.0.0.1");
    assert_eq!(items[3]["user_agent"], "Phone/2.0");
    let this: Vec<&str> = (items.iter())
        .filter(|i| i["this_session"] == true)
        .filter_map(|i| i["kind"].as_str())
        .collect();
    assert_eq!(this, ["password_changed", "sign_in"], "{items:#?}");
    assert!(items
        .iter()
        .all(|i| i["by_operator"] == false && i["status"].as_u64() < Some(300)));

    let (status, first) = dana.get("/api/me/activity?limit=4").await;
    assert_eq!(status, 200);
    let before = first["next_before"].as_str().unwrap_or_default().to_owned();
    let (_, second) = dana
        .get(&format!("/api/me/activity?limit=4&before={before}"))
        .await;
    let second = second["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(second, items[4..].to_vec());
    for bad in ["limit=0", "limit=101", "before=x", "before=1.abc"] {
        let (status, body) = dana.get(&format!("/api/me/activity?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "validation_failed");
    }
    let (status, _) = send(api.request(Method::GET, "/api/me/activity")).await;
    assert_eq!(status, 401);
}

//! Delivery guarantees and horizontal scale, through real crashes: real gateway and worker
//! processes on an isolated Postgres and three-broker Kafka, killed with `kill -9`.
//!
//! Slow and disruptive (they stop Postgres and Kafka brokers), so they are `#[ignore]`d in
//! the plain `cargo test` run and run one at a time by `scripts/crash-test`, which
//! `scripts/test` and CI call. Each test prints what it did and counted.

use futures_util::future::join_all;
use parley_tests::check::{self, collect, Tally};
use parley_tests::procs::System;
use parley_tests::{unique, Api, EventStream, Session};
use reqwest::Method;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const WAIT: Duration = Duration::from_secs(30);

/// One crash test at a time: they share the isolated services and stop them.
static SERIAL: Mutex<()> = Mutex::const_new(());

async fn signup_on(system: &System, gateway: usize, prefix: &str) -> Session {
    Api::new(&system.url(gateway)).signup(&unique(prefix)).await
}

async fn stream_on(
    system: &System,
    gateway: usize,
    s: &Session,
    cursor: Option<&str>,
) -> EventStream {
    let mut stream = EventStream::open(&Api::new(&system.url(gateway)), &s.token, cursor).await;
    let ready = stream.next_named("ready", WAIT).await;
    assert!(ready.is_some(), "stream on gateway {gateway} sent no ready");
    stream
}

/// Posts a message without waiting; its body when the gateway acknowledged it (202).
async fn post(s: &Session, room: &str, body: String) -> Option<String> {
    let r = s
        .request(Method::POST, &format!("/api/rooms/{room}/messages"))
        .json(&json!({ "body": body }))
        .send()
        .await
        .ok()?;
    (r.status().as_u16() == 202).then_some(body)
}

async fn stored(system: &System) -> std::collections::HashMap<String, Vec<String>> {
    let mut conn = system.db().unwrap_or_else(|e| panic!("database: {e}"));
    check::stored_messages(&mut conn).unwrap_or_else(|e| panic!("stored messages: {e}"))
}

/// Waits until the database holds at least `n` messages.
async fn wait_stored(system: &System, n: usize, within: Duration) {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if stored(system).await.values().map(Vec::len).sum::<usize>() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
#[ignore = "crash suite: run by scripts/crash-test (scripts/test and CI call it)"]
async fn every_member_gets_every_message_once_in_order_across_two_gateways() {
    let _serial = SERIAL.lock().await;
    let mut system = System::start("fanout", 2, 2, &[])
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    // 20 users, each writing through one gateway and streaming from the other.
    let users: Vec<Session> = join_all((0..20).map(|i| signup_on(&system, i % 2, "fan"))).await;
    // 5 rooms of 8: user i is in rooms i%5 and (i+1)%5.
    let mut rooms = Vec::new();
    for r in 0..5 {
        let names: Vec<&str> = (0..20)
            .filter(|i| i % 5 == r || (i + 1) % 5 == r)
            .filter(|i| *i != r)
            .map(|i| users[i].user.username.as_str())
            .collect();
        rooms.push(
            users[r]
                .create_room(&format!("room{r}"), "private", &names)
                .await,
        );
    }
    let mut streams = Vec::new();
    for (i, u) in users.iter().enumerate() {
        streams.push(stream_on(&system, (i + 1) % 2, u, None).await);
    }
    let started = Instant::now();
    // 2,000 messages: each user sends 100, alternating its two rooms; every tenth waits for
    // its outcome on the gateway it was sent to while the sender's stream is on the other.
    let sends = users.iter().enumerate().map(|(i, u)| {
        let my_rooms = [rooms[i % 5].clone(), rooms[(i + 1) % 5].clone()];
        async move {
            let (mut acked, mut waited_ok) = (Vec::new(), 0);
            for k in 0..100 {
                let room = &my_rooms[k % 2];
                let body = format!("m-{i}-{k}");
                if k % 10 == 0 {
                    let (status, _) = u
                        .write(
                            Method::POST,
                            &format!("/api/rooms/{room}/messages"),
                            Some(json!({"body": body})),
                        )
                        .await;
                    if status == 201 {
                        waited_ok += 1;
                        acked.push(body);
                    }
                } else if let Some(b) = post(u, room, body).await {
                    acked.push(b);
                }
            }
            (acked, waited_ok)
        }
    });
    let results = join_all(sends).await;
    let acknowledged: Vec<String> = results.iter().flat_map(|(a, _)| a.clone()).collect();
    let waited: usize = results.iter().map(|(_, w)| w).sum();
    let mut tally = Tally {
        sent: 2000,
        acknowledged: acknowledged.len(),
        ..Default::default()
    };
    let collected = join_all(
        streams
            .into_iter()
            .map(|s| collect(s, 800, Duration::from_secs(20))),
    )
    .await;
    let stored = stored(&system).await;
    check::check_storage(&mut tally, &acknowledged, &stored);
    for (got, _) in &collected {
        tally.add_stream(check::check_stream(got, &stored));
    }
    println!(
        "two gateways, 20 users, 5 rooms: {tally} waited_201={waited} elapsed={:?}",
        started.elapsed()
    );
    system.stop().await;
    assert_eq!(
        waited, 200,
        "every Prefer: wait send completed on the other gateway"
    );
    assert_eq!(tally.acknowledged, 2000);
    assert_eq!(
        tally.delivered, 16_000,
        "every member got every message of their rooms"
    );
    assert!(tally.is_clean(), "{tally}");
}

#[tokio::test]
#[ignore = "crash suite: run by scripts/crash-test (scripts/test and CI call it)"]
async fn a_stream_resumes_on_any_gateway_even_after_its_gateway_was_killed() {
    let _serial = SERIAL.lock().await;
    let mut system = System::start("resume", 2, 1, &[("PARLEY_REPLAY_PER_PARTITION", "40")])
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let alice = signup_on(&system, 1, "alice").await;
    let bob = signup_on(&system, 1, "bob").await;
    let room = alice
        .create_room("resume", "private", &[bob.user.username.as_str()])
        .await;
    let stream = stream_on(&system, 0, &bob, None).await;
    for k in 1..=3 {
        alice.send_message(&room, &format!("r{k}")).await;
    }
    let (first, cursor) = collect(stream, 3, WAIT).await;
    assert_eq!(first.len(), 3);

    system.gateways[0].kill9().await;
    for k in 4..=6 {
        alice.send_message(&room, &format!("r{k}")).await;
    }
    let mut elsewhere =
        EventStream::open(&Api::new(&system.url(1)), &bob.token, cursor.as_deref()).await;
    let ready = elsewhere
        .next(WAIT)
        .await
        .map(|e| e.json()["resumed"].clone());
    let (missed, _) = collect(elsewhere, 3, Duration::from_secs(5)).await;
    let seqs: Vec<i64> = missed.iter().map(|d| d.seq).collect();
    println!("after kill -9 of its gateway, resumed on the other: resumed={ready:?} seqs={seqs:?}");
    assert_eq!(ready, Some(json!(true)));
    assert_eq!(seqs, vec![4, 5, 6], "exactly the missed events, in order");

    system
        .restart_gateway(0)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    for k in 7..=8 {
        alice.send_message(&room, &format!("r{k}")).await;
    }
    let back = EventStream::open(&Api::new(&system.url(0)), &bob.token, cursor.as_deref()).await;
    let (replayed, _) = collect(back, 10, Duration::from_secs(3)).await;
    let seqs: Vec<i64> = replayed.iter().map(|d| d.seq).collect();
    println!("resumed on the restarted gateway: seqs={seqs:?}");
    assert_eq!(seqs, (4..=8).collect::<Vec<_>>());

    // 40 events per partition are kept: 30 more messages (60 events in the room's
    // partition) push the old cursor out of reach, so it gets `reset`.
    for k in 9..=38 {
        alice.send_message(&room, &format!("r{k}")).await;
    }
    let mut stale =
        EventStream::open(&Api::new(&system.url(1)), &bob.token, cursor.as_deref()).await;
    let names = vec![
        stale.next(WAIT).await.map(|e| e.event).unwrap_or_default(),
        stale.next(WAIT).await.map(|e| e.event).unwrap_or_default(),
    ];
    println!("a cursor older than the replay buffer: {names:?}");
    system.stop().await;
    assert_eq!(names, vec!["ready".to_owned(), "reset".to_owned()]);
}

#[tokio::test]
#[ignore = "crash suite: run by scripts/crash-test (scripts/test and CI call it)"]
async fn killing_workers_repeatedly_loses_and_duplicates_nothing() {
    let _serial = SERIAL.lock().await;
    let system = System::start("worker_kills", 2, 2, &[])
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let users: Vec<Session> = join_all((0..10).map(|i| signup_on(&system, i % 2, "wk"))).await;
    let names = |range: std::ops::Range<usize>| -> Vec<String> {
        range.map(|i| users[i].user.username.clone()).collect()
    };
    let (a, b) = (names(1..5), names(6..10));
    let rooms = [
        users[0]
            .create_room(
                "wk-a",
                "private",
                &a.iter().map(String::as_str).collect::<Vec<_>>(),
            )
            .await,
        users[5]
            .create_room(
                "wk-b",
                "private",
                &b.iter().map(String::as_str).collect::<Vec<_>>(),
            )
            .await,
    ];
    let watchers = vec![
        stream_on(&system, 0, &users[1], None).await,
        stream_on(&system, 1, &users[6], None).await,
    ];
    let system = Arc::new(Mutex::new(system));
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let killer = {
        let (system, done) = (Arc::clone(&system), Arc::clone(&done));
        tokio::spawn(async move {
            let mut kills = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(1200)).await;
                let mut s = system.lock().await;
                let i = kills % 2;
                s.workers[i].kill9().await;
                kills += 1;
                drop(s);
                tokio::time::sleep(Duration::from_millis(300)).await;
                let mut s = system.lock().await;
                s.restart_worker(i)
                    .await
                    .unwrap_or_else(|e| panic!("{e:#}"));
            }
            kills
        })
    };
    let started = Instant::now();
    // 5,000 messages from the ten users, 500 each, into their room.
    let sends = users.iter().enumerate().map(|(i, u)| {
        let room = rooms[i / 5].clone();
        async move {
            let mut acked = Vec::new();
            for k in 0..500 {
                if let Some(b) = post(u, &room, format!("k-{i}-{k}")).await {
                    acked.push(b);
                }
            }
            acked
        }
    });
    let acknowledged: Vec<String> = join_all(sends).await.into_iter().flatten().collect();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let kills = killer.await.unwrap_or(0);
    let mut system = Arc::try_unwrap(system)
        .unwrap_or_else(|_| panic!("system still shared"))
        .into_inner();
    wait_stored(&system, acknowledged.len(), Duration::from_secs(120)).await;
    let collected = join_all(
        watchers
            .into_iter()
            .map(|w| collect(w, 2500, Duration::from_secs(30))),
    )
    .await;
    let stored = stored(&system).await;
    let mut tally = Tally {
        sent: 5000,
        acknowledged: acknowledged.len(),
        ..Default::default()
    };
    check::check_storage(&mut tally, &acknowledged, &stored);
    for (got, _) in &collected {
        tally.add_stream(check::check_stream(got, &stored));
    }
    println!(
        "5,000 messages with {kills} kill -9s of workers: {tally} elapsed={:?}",
        started.elapsed()
    );
    system.stop().await;
    assert!(
        kills >= 3,
        "the workers were killed during the run ({kills})"
    );
    assert_eq!(tally.acknowledged, 5000, "{tally}");
    assert_eq!(tally.stored, 5000, "{tally}");
    assert_eq!(tally.delivered, 5000, "{tally}");
    assert!(tally.is_clean(), "{tally}");
}

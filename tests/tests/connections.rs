//! Connections (#15) against the real services: `GET /api/sync` and its cursor, resuming
//! with `?cursor=`, `keepalive` events announced in `ready`, a gateway at its stream
//! capacity, a stopping gateway ending its streams spread out, and HTTPS with HTTP/2.

use parley_tests::env::{gateway_config, run_gateway, start_gateway};
use parley_tests::{test_env, unique, Api, EventStream, Session, SseEvent};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(15);

async fn signup(api: &Api, who: &str) -> Session {
    api.signup(&unique(who)).await
}

/// The `seq`s of the `message` events among `events`, in arrival order.
fn seqs(events: &[SseEvent]) -> Vec<i64> {
    let messages = events.iter().filter(|e| e.event == "message");
    messages.filter_map(|e| e.json()["seq"].as_i64()).collect()
}

#[tokio::test]
async fn sync_gives_the_state_and_a_cursor_that_continues_it() {
    let api = Api::new(&test_env().base_url);
    let (alice, bob) = (signup(&api, "sync-a").await, signup(&api, "sync-b").await);
    let room = alice.create_room("sync", "private", &[&bob]).await;
    for i in 1..=3 {
        assert_eq!(alice.send_message(&room, &format!("m{i}")).await.0, 201);
    }
    let (status, sync) = bob.get("/api/sync?rooms=5&messages=2").await;
    assert_eq!(status, 200, "{sync}");
    assert_eq!(sync["me"]["id"], json!(bob.user.id));
    let mine = sync["rooms"].as_array().cloned().unwrap_or_default();
    let summary = mine.iter().find(|r| r["id"] == room).cloned();
    let summary = summary.unwrap_or_else(|| panic!("room in {sync}"));
    assert_eq!(summary["unread_count"], 3);
    assert_eq!(summary["last_read_seq"], 0);
    assert_eq!(
        sync["friends"][0]["id"],
        json!(alice.user.id),
        "bob has alice"
    );
    assert_eq!(sync["invitations"], json!([]));
    let latest = &sync["messages"][0];
    assert_eq!(latest["room_id"], room);
    let bodies: Vec<&str> = (latest["messages"].as_array().into_iter().flatten())
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(bodies, ["m2", "m3"], "the last 2, ascending");
    assert_eq!(latest["has_more"], true);
    let cursor = sync["cursor"].as_str().unwrap_or_default().to_owned();
    assert!(!cursor.is_empty(), "{sync}");

    // What happens after the reads arrives on a stream opened from the cursor.
    assert_eq!(alice.send_message(&room, "m4").await.0, 201);
    let path = format!("/api/events?cursor={cursor}");
    let mut stream = EventStream::open_at(&bob.api, &bob.token, &path, None).await;
    let ready = stream.next(WAIT).await.map(|e| e.json());
    assert_eq!(
        ready.as_ref().map(|r| r["resumed"].clone()),
        Some(json!(true))
    );
    let mut got = Vec::new();
    while !seqs(&got).contains(&4) {
        got.push(
            stream
                .next(WAIT)
                .await
                .unwrap_or_else(|| panic!("m4 on the stream")),
        );
    }
    let mut seen = seqs(&got);
    seen.dedup();
    assert_eq!(seen.len(), seqs(&got).len(), "none twice: {seen:?}");

    for (query, field) in [("rooms=51", "rooms"), ("messages=-1", "messages")] {
        let (status, body) = bob.get(&format!("/api/sync?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["code"], "validation_failed");
        assert_eq!(body["error"]["field"], field);
    }
    let anonymous = api.request(Method::GET, "/api/sync").send().await;
    assert_eq!(anonymous.map(|r| r.status().as_u16()).ok(), Some(401));
}

#[tokio::test]
async fn a_cursor_in_the_query_resumes_and_last_event_id_wins_over_it() {
    let api = Api::new(&test_env().base_url);
    let (alice, bob) = (signup(&api, "cur-a").await, signup(&api, "cur-b").await);
    let room = alice.create_room("cursor", "private", &[&bob]).await;
    let mut live = bob.events(None).await;
    assert_eq!(alice.send_message(&room, "one").await.0, 201);
    let first = live
        .next_named("message", WAIT)
        .await
        .unwrap_or_else(|| panic!("one"));
    assert_eq!(alice.send_message(&room, "two").await.0, 201);
    let second = live
        .next_named("message", WAIT)
        .await
        .unwrap_or_else(|| panic!("two"));
    let (first_id, second_id) = (first.id.unwrap_or_default(), second.id.unwrap_or_default());

    let path = format!("/api/events?cursor={first_id}");
    let mut from_query = EventStream::open_at(&bob.api, &bob.token, &path, None).await;
    let replayed = from_query.drain(Duration::from_secs(2)).await;
    assert_eq!(replayed[0].json()["resumed"], true);
    assert_eq!(seqs(&replayed), [2], "only what came after the cursor");

    let mut both = EventStream::open_at(&bob.api, &bob.token, &path, Some(&second_id)).await;
    let replayed = both.drain(Duration::from_secs(2)).await;
    assert_eq!(replayed[0].json()["resumed"], true);
    assert_eq!(
        seqs(&replayed),
        Vec::<i64>::new(),
        "the header's later cursor wins"
    );
}

#[tokio::test]
async fn ready_announces_the_keepalive_interval_and_keepalive_events_follow_it() {
    let env = test_env();
    let stop = env.shutdown.child_token();
    let fast = |c: &mut parley_gateway::GatewayConfig| c.keep_alive_secs = 1;
    let base = start_gateway(&env.database_url, &env.kafka, fast, &stop).await;
    let api = Api::new(&base.unwrap_or_else(|e| panic!("gateway: {e:?}")));
    let carol = signup(&api, "keepalive").await;
    let mut stream = carol.events(None).await;
    let ready = stream.next(WAIT).await.unwrap_or_else(|| panic!("ready"));
    let data = ready.json();
    assert_eq!(
        (ready.event.as_str(), &data["keepalive_secs"]),
        ("ready", &json!(1))
    );
    assert!(
        data["gateway"].as_str().is_some_and(|g| !g.is_empty()),
        "{data}"
    );
    let started = Instant::now();
    let pings = stream.drain(Duration::from_millis(3500)).await;
    let pings: Vec<_> = pings.iter().filter(|e| e.event == "keepalive").collect();
    assert!(
        pings.len() >= 2,
        "one a second: {pings:?} in {:?}",
        started.elapsed()
    );
    assert!(pings
        .iter()
        .all(|p| p.id.is_none() && p.json() == json!({})));
    stop.cancel();
}

/// The `parley_streams_refused_full_total` of the gateway at `base`.
async fn refused_full(base: &str) -> Option<u64> {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("parley_streams_refused_full_total "));
    line.and_then(|n| n.trim().parse().ok())
}

#[tokio::test]
async fn a_full_gateway_answers_503_with_retry_after_and_evicts_no_stream() {
    let env = test_env();
    let stop = env.shutdown.child_token();
    // A client that goes away is noticed at the second keep-alive write after: 1 s here.
    let two = |c: &mut parley_gateway::GatewayConfig| (c.max_streams, c.keep_alive_secs) = (2, 1);
    let base = start_gateway(&env.database_url, &env.kafka, two, &stop)
        .await
        .unwrap_or_else(|e| panic!("gateway: {e:?}"));
    let api = Api::new(&base);
    let (dan, eve) = (signup(&api, "full-d").await, signup(&api, "full-e").await);
    let room = dan.create_room("full", "private", &[&eve]).await;
    let mut held = [dan.events(None).await, eve.events(None).await];
    for s in &mut held {
        assert!(s.next_named("ready", WAIT).await.is_some());
    }
    let third = dan
        .request(Method::GET, "/api/events")
        .send()
        .await
        .unwrap_or_else(|e| panic!("answered: {e:?}"));
    assert_eq!(third.status().as_u16(), 503);
    let retry = third
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok());
    let retry: u64 = retry
        .and_then(|r| r.parse().ok())
        .unwrap_or_else(|| panic!("Retry-After"));
    assert!((1..=5).contains(&retry), "{retry}");
    let body: Value = third.json().await.unwrap_or_default();
    assert_eq!(body["error"]["code"], "unavailable");
    assert_eq!(refused_full(&base).await, Some(1));

    // The two held streams are still live.
    assert_eq!(dan.send_message(&room, "still here").await.0, 201);
    for s in &mut held {
        let got = s
            .next_named("message", WAIT)
            .await
            .map(|e| e.json()["body"].clone());
        assert_eq!(got, Some(json!("still here")));
    }
    // A place freed is a place taken.
    let [first, _] = held;
    drop(first);
    let deadline = Instant::now() + WAIT;
    let mut status = 0;
    while Instant::now() < deadline {
        let mut next = dan.events(None).await;
        status = next.status;
        if status == 200 && next.next_named("ready", WAIT).await.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(status, 200, "a stream opens again once one closed");
    stop.cancel();
}

#[tokio::test]
async fn a_stopping_gateway_ends_its_streams_spread_over_the_window_each_told_to_reconnect() {
    let env = test_env();
    let stop = env.shutdown.child_token();
    let window = |c: &mut parley_gateway::GatewayConfig| c.drain_secs = 2;
    let base = start_gateway(&env.database_url, &env.kafka, window, &stop)
        .await
        .unwrap_or_else(|e| panic!("gw: {e:?}"));
    let api = Api::new(&base);
    let fred = signup(&api, "drain").await;
    let mut streams = Vec::new();
    for _ in 0..10 {
        let mut s = fred.events(None).await;
        assert!(s.next_named("ready", WAIT).await.is_some());
        streams.push(s);
    }
    let started = Instant::now();
    stop.cancel();
    let watchers = streams.into_iter().map(|mut s| {
        tokio::spawn(async move {
            let last = s.next_named("reconnect", WAIT).await.map(|e| e.json());
            let ended = s.ended(WAIT).await;
            (last, ended, started.elapsed())
        })
    });
    let watchers: Vec<_> = watchers.collect();
    // While draining, new streams are refused and /readyz says so.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused = fred.request(Method::GET, "/api/events").send().await;
    assert_eq!(refused.map(|r| r.status().as_u16()).ok(), Some(503));
    let (_, ready) = fred.get("/readyz").await;
    assert_eq!(ready["accepting_streams"], false, "{ready}");
    let mut ended_at = Vec::new();
    for watcher in watchers {
        let (last, ended, at) = watcher.await.unwrap_or_else(|e| panic!("watcher: {e:?}"));
        let last = last.unwrap_or_else(|| panic!("a reconnect event"));
        assert!(
            last["after_ms"].as_u64().is_some_and(|ms| ms <= 500),
            "{last}"
        );
        assert!(ended, "then the stream ends");
        ended_at.push(at);
    }
    ended_at.sort();
    println!("10 streams ended at {ended_at:?} over a 2 s window");
    assert!(ended_at[0] < Duration::from_millis(700), "{ended_at:?}");
    assert!(ended_at[9] >= Duration::from_millis(1500), "{ended_at:?}");
}

/// A self-signed certificate for `localhost`, written to a fresh folder: (cert, key) paths
/// and the certificate's PEM.
fn certificate() -> (std::path::PathBuf, std::path::PathBuf, String) {
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let key =
        rcgen::generate_simple_self_signed(names).unwrap_or_else(|e| panic!("certificate: {e:?}"));
    let dir = std::env::temp_dir().join(unique("parley-tls"));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("folder: {e:?}"));
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    let pem = key.cert.pem();
    std::fs::write(&cert_path, &pem).unwrap_or_else(|e| panic!("cert: {e:?}"));
    std::fs::write(&key_path, key.key_pair.serialize_pem())
        .unwrap_or_else(|e| panic!("key: {e:?}"));
    (cert_path, key_path, pem)
}

#[tokio::test]
async fn the_gateway_serves_https_with_http2_streams_included() {
    let env = test_env();
    let (cert, key, pem) = certificate();
    let mut config = gateway_config(&env.database_url, &env.kafka);
    (config.tls_cert, config.tls_key) = (Some(cert.clone()), Some(key));
    let stop = env.shutdown.child_token();
    let port = run_gateway(config, &stop)
        .await
        .unwrap_or_else(|e| panic!("gateway: {e:?}"));
    let root =
        reqwest::Certificate::from_pem(pem.as_bytes()).unwrap_or_else(|e| panic!("pem: {e:?}"));
    let http = reqwest::Client::builder()
        .add_root_certificate(root)
        .build()
        .unwrap_or_else(|e| panic!("client: {e:?}"));
    let base = format!("https://localhost:{port}");
    let deadline = Instant::now() + WAIT;
    let ready = loop {
        let r = http.get(format!("{base}/readyz")).send().await;
        match r {
            Ok(r) if r.status().is_success() => break r,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(200)).await,
            other => panic!("not ready over TLS: {other:?}"),
        }
    };
    assert_eq!(ready.version(), reqwest::Version::HTTP_2, "ALPN h2");

    let api = Api { http, base };
    let gina = signup(&api, "tls").await;
    let mut stream = gina.events(None).await;
    assert_eq!(stream.status, 200);
    assert!(
        stream.next_named("ready", WAIT).await.is_some(),
        "a stream over HTTP/2"
    );
    let (status, me) = gina.get("/api/me").await;
    assert_eq!(
        (status, &me["id"]),
        (200, &json!(gina.user.id)),
        "beside the stream"
    );

    // curl --http2, as the README shows it.
    let out = tokio::process::Command::new("curl")
        .args([
            "--http2",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_version} %{http_code}",
        ])
        .arg("--cacert")
        .arg(&cert)
        .arg(format!("https://localhost:{port}/healthz"))
        .output()
        .await
        .unwrap_or_else(|e| panic!("curl runs: {e:?}"));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(printed, "2 200", "{}", String::from_utf8_lossy(&out.stderr));
    stop.cancel();
}

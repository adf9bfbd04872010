//! Limits against the real system (#12), on a gateway of its own with small limits: sign-
//! ins per address and per account, the bounded hashing queue, writes per user, and open
//! streams per session, user and address. Each client binds its own loopback address
//! (127.0.0.N), so the per-address limits can be told apart.

use futures_util::future::join_all;
use parley_tests::client::{send, streams_open, PASSWORD};
use parley_tests::{spawn_env_with, unique, Api, Services, Session};
use reqwest::Method;
use serde_json::json;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

/// A client whose requests come from 127.0.0.`n`.
fn from(base: &str, n: u8) -> Api {
    let http = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    Api {
        http,
        base: base.to_owned(),
    }
}

async fn login_status(api: &Api, name: &str, password: &str) -> (u16, Option<String>) {
    let r = api
        .login(name, password)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let retry = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (r.status().as_u16(), retry)
}

#[tokio::test]
async fn limits_hold_and_answer_with_retry_after() -> anyhow::Result<()> {
    let env = spawn_env_with(&Services::from_env(), |c| {
        let l = &mut c.limits;
        (l.auth_addr_rate, l.auth_addr_burst) = (0.01, 6);
        (l.auth_account_rate, l.auth_account_burst) = (0.01, 3);
        (l.write_rate, l.write_burst) = (0.01, 3);
        l.hash_queue = 0;
        (
            l.streams_per_session,
            l.streams_per_user,
            l.streams_per_address,
        ) = (2, 3, 4);
        c.metrics_token = Some("metrics s3cret".to_owned().into());
    })
    .await?;
    // A failed assertion must still stop the in-process system, or the runtime waits on it.
    let _stop_on_panic = env.shutdown.clone().drop_guard();
    eprintln!("-- a_client_that_goes_away_is_noticed_within_30_s");
    a_client_that_goes_away_is_noticed_within_30_s(&env.base_url).await?;
    eprintln!("-- metrics_need_a_loopback_caller_or_the_token");
    metrics_need_a_loopback_caller_or_the_token(&env.base_url).await;
    eprintln!("-- sign_ins_are_limited_per_address_and_per_account");
    sign_ins_are_limited_per_address_and_per_account(&env.base_url).await;
    eprintln!("-- a_flood_of_sign_ins_is_refused_at_once_past_the_hashing_queue");
    a_flood_of_sign_ins_is_refused_at_once_past_the_hashing_queue(&env.base_url).await;
    eprintln!("-- writes_are_limited_per_user");
    writes_are_limited_per_user(&env.base_url).await;
    eprintln!("-- streams_are_capped_per_session_user_and_address");
    streams_are_capped_per_session_user_and_address(&env.base_url).await;
    env.stop().await
}

async fn sign_ins_are_limited_per_address_and_per_account(base: &str) {
    let (home, attacker, elsewhere) = (from(base, 2), from(base, 3), from(base, 4));
    let victim = unique("victim");
    home.signup(&victim).await; // the account's first login of its 3
    for _ in 0..2 {
        assert_eq!(login_status(&attacker, &victim, "guess guess").await.0, 401);
    }
    let (status, retry) = login_status(&attacker, &victim, "guess guess").await;
    assert_eq!(status, 429, "a 4th login on one account");
    assert!(retry.is_some_and(|s| s.parse::<u64>().is_ok_and(|n| n >= 1)));
    // The account's limit binds the right password too, from anywhere, for a while.
    assert_eq!(login_status(&elsewhere, &victim, PASSWORD).await.0, 429);
    // 127.0.0.3 has used 3 of 6: three more sign-ins elsewhere, then its own limit.
    for n in 0..3 {
        let r = attacker.register(&unique("burst"), PASSWORD).await;
        assert_eq!(
            r.map(|r| r.status().as_u16()).ok(),
            Some(201),
            "registration {n}"
        );
    }
    let r = attacker.register(&unique("burst"), PASSWORD).await;
    let r = r.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 429, "the 7th sign-in from one address");
    assert!(r.headers().contains_key("retry-after"));
    // Another address is not held back by it.
    assert_eq!(
        login_status(&elsewhere, "nobody_here", "guess guess")
            .await
            .0,
        401
    );
}

async fn a_flood_of_sign_ins_is_refused_at_once_past_the_hashing_queue(base: &str) {
    // 20 addresses, each within its own limit; two hashes run at once and none may wait.
    let logins = (10..30).map(|n| {
        let api = from(base, n);
        async move { login_status(&api, &unique("flood"), "guess guess").await }
    });
    let answers = join_all(logins).await;
    let busy: Vec<_> = answers.iter().filter(|(s, _)| *s == 503).collect();
    assert!(!busy.is_empty(), "no 503 among {answers:?}");
    assert!(busy.iter().all(|(_, retry)| retry.is_some()), "{busy:?}");
    assert!(
        answers.iter().all(|(s, _)| matches!(s, 401 | 503)),
        "{answers:?}"
    );
    let ready = send(from(base, 9).request(Method::GET, "/readyz")).await;
    assert_eq!(ready.0, 200, "{}", ready.1);
}

async fn writes_are_limited_per_user(base: &str) {
    let me = from(base, 40).signup(&unique("writer")).await;
    for n in 0..3 {
        let (status, body) = me
            .write(
                Method::PATCH,
                "/api/me",
                Some(json!({"status_message": format!("{n}")})),
            )
            .await;
        assert_eq!(status, 200, "write {n}: {body}");
    }
    let r = me
        .request(Method::POST, "/api/friends")
        .json(&json!({"username": "someone"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 429, "a 4th write of another kind");
    assert!(r.headers().contains_key("retry-after"));
    // Logging out is never limited.
    let (status, _) = me
        .write(Method::DELETE, "/api/sessions/current", None)
        .await;
    assert_eq!(status, 204);
}

async fn streams_are_capped_per_session_user_and_address(base: &str) {
    let api = from(base, 50);
    let name = unique("tabs");
    let one: Session = api.signup(&name).await;
    let mut first = one.events(None).await;
    assert!(first.next_named("ready", WAIT).await.is_some());
    let mut second = one.events(None).await;
    assert!(second.next_named("ready", WAIT).await.is_some());
    // A third stream of the session: the oldest goes, told why; the new one is served.
    let mut third = one.events(None).await;
    assert!(third.next_named("ready", WAIT).await.is_some());
    let closed = first.next_named("stream_closed", WAIT).await;
    assert!(closed.is_some_and(|e| e.json()["reason"]
        .as_str()
        .is_some_and(|r| r.contains("session"))));
    assert!(first.ended(WAIT).await);
    // Another session of the user: two more streams make four, one past the user's three.
    let r = api
        .login(&name, PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let body: serde_json::Value = r.json().await.unwrap_or_default();
    let two = Session {
        api: api.clone(),
        token: body["token"].as_str().unwrap_or_default().into(),
        user: one.user.clone(),
    };
    let mut fourth = two.events(None).await;
    assert!(fourth.next_named("ready", WAIT).await.is_some());
    let mut fifth = two.events(None).await;
    assert!(fifth.next_named("ready", WAIT).await.is_some());
    let closed = second.next_named("stream_closed", WAIT).await;
    let reason = closed.map(|e| e.json()["reason"].as_str().unwrap_or_default().to_owned());
    assert!(
        reason.as_deref().is_some_and(|r| r.contains("user")),
        "{reason:?}"
    );
    assert!(second.ended(WAIT).await);
    // The address has three open (third, fourth, fifth): a stranger's is the fourth, and
    // the fifth is refused, since it may not evict anyone.
    let stranger = api.signup(&unique("strngr")).await;
    let mut s1 = stranger.events(None).await;
    assert!(s1.next_named("ready", WAIT).await.is_some());
    let refused = stranger.events(None).await;
    assert_eq!(refused.status, 429, "the address cap is 4");
    let seen = third.drain(Duration::from_millis(300)).await;
    let evicted = seen.iter().any(|e| e.event == "stream_closed");
    assert!(!evicted, "nobody is evicted for a stranger: {seen:?}");
    drop((third, fourth, fifth, s1));
}

async fn a_client_that_goes_away_is_noticed_within_30_s(base: &str) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let me = from(base, 60).signup(&unique("gone")).await;
    let addr: std::net::SocketAddr = base.trim_start_matches("http://").parse()?;
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind("127.0.0.60:0".parse()?)?;
    let mut tcp = socket.connect(addr).await?;
    let request = format!(
        "GET /api/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\r\n",
        me.token
    );
    tcp.write_all(request.as_bytes()).await?;
    let mut got = Vec::new();
    while !String::from_utf8_lossy(&got).contains("event: ready") {
        let mut buf = [0u8; 4096];
        let n = tokio::time::timeout(WAIT, tcp.read(&mut buf)).await??;
        anyhow::ensure!(n > 0, "the stream ended: {}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    let open = streams_open(base).await;
    drop(tcp); // the client goes, without a word
    let gone = tokio::time::Instant::now();
    while streams_open(base).await >= open {
        anyhow::ensure!(
            gone.elapsed() < Duration::from_secs(30),
            "still open after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    eprintln!("noticed after {:?}", gone.elapsed());
    Ok(())
}

async fn metrics_need_a_loopback_caller_or_the_token(base: &str) {
    let api = from(base, 70);
    // Through a proxy that is not trusted, a loopback peer is not a loopback caller.
    let proxied = || {
        api.request(Method::GET, "/metrics")
            .header("X-Forwarded-For", "198.51.100.4")
    };
    assert_eq!(send(proxied()).await.0, 403);
    assert_eq!(send(proxied().bearer_auth("a wrong one")).await.0, 403);
    let (status, _) = send(proxied().bearer_auth("metrics s3cret")).await;
    assert_eq!(status, 200, "the metrics token");
}

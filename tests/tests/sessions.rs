//! Sessions as a real service keeps them (#12): my devices listed, one revoked or all
//! others, a password change, expiry when idle and after a maximum age, the cookie's
//! Max-Age. A revoked session's stream closes at once.

use parley_tests::client::{send, PASSWORD};
use parley_tests::{spawn_env_with, test_env, unique, Api, Services, Session};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

fn api() -> Api {
    Api::new(&test_env().base_url)
}

/// Logs `name` in again from a device called `agent`.
async fn login(api: &Api, name: &str, agent: &str, user: &Session) -> Session {
    let req = api
        .request(Method::POST, "/api/sessions")
        .header("User-Agent", agent)
        .json(&json!({"username": name, "password": PASSWORD}));
    let (status, body) = send(req).await;
    assert_eq!(status, 201, "login: {body}");
    Session {
        api: api.clone(),
        token: body["token"].as_str().unwrap_or_default().into(),
        user: user.user.clone(),
    }
}

async fn status_of(s: &Session) -> u16 {
    s.get("/api/me").await.0
}

#[tokio::test]
async fn my_sessions_are_listed_and_another_device_is_revoked_with_its_stream() {
    let api = api();
    let name = unique("dev");
    let phone = api.signup(&name).await;
    let laptop = login(&api, &name, "Laptop/1.0", &phone).await;
    let mut laptop_stream = laptop.events(None).await;
    assert!(laptop_stream.next_named("ready", WAIT).await.is_some());

    let (status, list) = phone.get("/api/sessions").await;
    assert_eq!(status, 200, "{list}");
    let sessions = list["sessions"].as_array().cloned().unwrap_or_default();
    assert_eq!(sessions.len(), 2, "{list}");
    let current: Vec<&Value> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    let other = sessions
        .iter()
        .find(|s| s["current"] == false)
        .cloned()
        .unwrap_or_default();
    assert_eq!(other["user_agent"], "Laptop/1.0");

    let stranger = api.signup(&unique("str")).await;
    let path = format!("/api/sessions/{}", other["id"].as_str().unwrap_or_default());
    let (status, _) = stranger.write(Method::DELETE, &path, None).await;
    assert_eq!(status, 404, "someone else's session");
    assert_eq!(status_of(&laptop).await, 200);

    let (status, body) = phone.write(Method::DELETE, &path, None).await;
    assert_eq!(status, 204, "{body}");
    assert!(
        laptop_stream.ended(WAIT).await,
        "the revoked session's stream stays open"
    );
    assert_eq!(status_of(&laptop).await, 401);
    assert_eq!(status_of(&phone).await, 200);
}

#[tokio::test]
async fn logging_out_everywhere_else_keeps_only_this_session() {
    let api = api();
    let name = unique("all");
    let me = api.signup(&name).await;
    let a = login(&api, &name, "A", &me).await;
    let b = login(&api, &name, "B", &me).await;
    let (status, body) = me.write(Method::DELETE, "/api/sessions", None).await;
    assert_eq!(status, 204, "{body}");
    assert_eq!((status_of(&a).await, status_of(&b).await), (401, 401));
    assert_eq!(status_of(&me).await, 200);
    let (_, list) = me.get("/api/sessions").await;
    assert_eq!(list["sessions"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_password_change_needs_the_current_one_and_ends_the_other_sessions() {
    let api = api();
    let name = unique("pwd");
    let me = api.signup(&name).await;
    let other = login(&api, &name, "other", &me).await;
    let change =
        |current: &str| json!({"current_password": current, "new_password": "a new secret 1"});
    let (status, body) = me
        .write(Method::PUT, "/api/me/password", Some(change("wrong one!")))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("invalid_credentials"))
    );
    assert_eq!(status_of(&other).await, 200);

    let (status, body) = me
        .write(Method::PUT, "/api/me/password", Some(change(PASSWORD)))
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(status_of(&other).await, 401);
    assert_eq!(status_of(&me).await, 200);
    let old = api
        .login(&name, PASSWORD)
        .await
        .map(|r| r.status().as_u16());
    let new = api
        .login(&name, "a new secret 1")
        .await
        .map(|r| r.status().as_u16());
    assert_eq!((old.ok(), new.ok()), (Some(401), Some(201)));
}

#[tokio::test]
async fn the_session_cookie_has_a_max_age() {
    let api = api();
    let name = unique("cookie");
    api.signup(&name).await;
    let r = api
        .login(&name, PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(cookie.contains("Max-Age=7776000"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

#[tokio::test]
async fn sessions_end_when_idle_and_after_their_maximum_age() -> anyhow::Result<()> {
    let metrics = format!("127.0.0.1:{}", parley_kit::free_port()?);
    let listen = metrics.clone();
    let env = spawn_env_with(&Services::from_env(), move |c| {
        c.session_idle_secs = 3;
        c.session_max_secs = 7;
        c.metrics_listen = Some(listen);
    })
    .await?;
    let _stop_on_panic = env.shutdown.clone().drop_guard();
    // (This gateway also serves its metrics on a listener of their own.)
    let on_main = send(Api::new(&env.base_url).request(Method::GET, "/metrics")).await;
    assert_eq!(on_main.0, 404, "/metrics on the main listener");
    let own = reqwest::get(format!("http://{metrics}/metrics")).await?;
    assert_eq!(own.status().as_u16(), 200);
    assert!(own.text().await?.contains("parley_streams_open"));
    let api = Api::new(&env.base_url);
    let name = unique("exp");
    let busy = api.signup(&name).await;
    let idle = login(&api, &name, "idle", &busy).await;
    // `busy` is used every second: the touches keep it alive past the idle limit.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(status_of(&busy).await, 200);
    }
    assert_eq!(
        status_of(&idle).await,
        401,
        "4+ s unused with a 3 s idle limit"
    );
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        status_of(&busy).await;
    }
    assert_eq!(status_of(&busy).await, 401, "9+ s old with a 7 s maximum");
    env.stop().await
}

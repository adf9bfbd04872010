//! A hostile client against the real system (#12): headers that once panicked, text that
//! once reached Postgres, look-alike nicknames, forged cookie writes, unknown methods,
//! the security headers and who may read `/metrics`.

use parley_tests::client::send;
use parley_tests::{test_env, unique, Api};
use reqwest::Method;
use serde_json::{json, Value};

fn api() -> Api {
    Api::new(&test_env().base_url)
}

#[tokio::test]
async fn a_huge_or_odd_prefer_wait_is_capped_never_a_dropped_connection() {
    let me = api().signup(&unique("pw")).await;
    for prefer in [
        "wait=1e20",
        "wait=1e308",
        "wait=-1",
        "wait=NaN",
        "wait=\u{0}",
    ] {
        let req = me
            .request(Method::POST, "/api/rooms")
            .header("Prefer", prefer.replace('\u{0}', ""))
            .json(&json!({"name": "p", "visibility": "public"}));
        let (status, body) = send(req).await;
        assert!(matches!(status, 201 | 202), "{prefer}: {status} {body}");
    }
}

#[tokio::test]
async fn control_characters_in_any_text_field_are_a_validation_error_naming_it() {
    let me = api().signup(&unique("nul")).await;
    let room = me.create_room("clean", "public", &[]).await;
    let cases: [(Method, String, Value, &str); 6] = [
        (
            Method::POST,
            format!("/api/rooms/{room}/messages"),
            json!({"body": "a\u{0}b"}),
            "body",
        ),
        (
            Method::POST,
            format!("/api/rooms/{room}/messages"),
            json!({"body": "x", "client_id": "c\u{0}"}),
            "client_id",
        ),
        (
            Method::POST,
            format!("/api/rooms/{room}/messages"),
            json!({"body": "evil\u{202E}txt.exe"}),
            "body",
        ),
        (
            Method::PATCH,
            "/api/me".into(),
            json!({"display_name": "bell\u{7}"}),
            "display_name",
        ),
        (
            Method::PATCH,
            "/api/me".into(),
            json!({"status_message": "\u{1b}[31mred"}),
            "status_message",
        ),
        (
            Method::POST,
            "/api/rooms".into(),
            json!({"name": "a\u{0}", "visibility": "public"}),
            "name",
        ),
    ];
    for (method, path, body, field) in cases {
        let (status, answer) = me.write(method, &path, Some(body.clone())).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], "validation_failed", "{body}");
        assert_eq!(answer["error"]["field"], field, "{body}");
    }
    let (status, _) = me.send_message(&room, "two\nlines\tand a tab").await;
    assert_eq!(status, 201, "newline and tab stay allowed in a body");
}

#[tokio::test]
async fn look_alikes_of_a_taken_nickname_are_taken_and_invisible_ones_invalid() {
    let api = api();
    let base = unique("admin").replace('_', "x");
    let _real = api.signup(&base).await;
    let cyrillic = base.replacen('a', "а", 1);
    // Its lower-case letters moved to the alphabet starting at `a`.
    let letters_from = |a: u32| -> String {
        let shift = |c: char| char::from_u32(c as u32 - 'a' as u32 + a).unwrap_or(c);
        let each = |c: char| if c.is_ascii_lowercase() { shift(c) } else { c };
        base.chars().map(each).collect()
    };
    let fullwidth = letters_from(0xFF41);
    let dotless = base.replacen('i', "ı", 1);
    let bold = letters_from(0x1D41A); // mathematical bold
    let upper = base.to_uppercase();
    for fake in [&cyrillic, &fullwidth, &bold, &dotless, &upper] {
        assert_ne!(fake, &base);
        let r = api.register(fake, parley_tests::client::PASSWORD).await;
        let (status, body) = match r {
            Ok(r) => (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or_default(),
            ),
            Err(e) => panic!("{e}"),
        };
        assert_eq!(status, 409, "{fake:?}: {body}");
        assert_eq!(body["error"]["code"], "username_taken", "{fake:?}");
    }
    for invisible in [format!("{base}\u{3164}"), format!("a\u{200B}{base}")] {
        let r = api
            .register(&invisible, parley_tests::client::PASSWORD)
            .await;
        let status = r.map(|r| r.status().as_u16()).unwrap_or(0);
        assert_eq!(status, 400, "{invisible:?}");
    }
    let korean = format!("철수{}", &unique("k")[..6]);
    api.signup(&korean).await;
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let api = api();
    for path in ["/", "/api/me", "/healthz", "/api/nothing"] {
        let r = api.request(Method::GET, path).send().await;
        let r = r.unwrap_or_else(|e| panic!("{path}: {e}"));
        let h = r.headers();
        let csp = h
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok());
        assert!(
            csp.is_some_and(|c| c.contains("frame-ancestors 'none'")),
            "{path}: {csp:?}"
        );
        assert_eq!(
            h.get("x-content-type-options").map(|v| v.as_bytes()),
            Some(&b"nosniff"[..])
        );
        assert!(h.contains_key("referrer-policy"), "{path}");
        assert_eq!(
            h.get("x-frame-options").map(|v| v.as_bytes()),
            Some(&b"DENY"[..])
        );
    }
}

#[tokio::test]
async fn cookie_writes_need_a_same_origin_proof_and_a_json_body() {
    let api = api();
    let me = api.signup(&unique("csrf")).await;
    let cookie = format!("{}={}", parley_gateway::auth::COOKIE, me.token);
    let host = api.base.trim_start_matches("http://").to_owned();
    let post = || {
        api.request(Method::POST, "/api/rooms")
            .header("Cookie", &cookie)
            .header("Prefer", "wait=10")
    };
    let room = json!({"name": "forged", "visibility": "public"});
    let no_origin = send(post().json(&room)).await;
    assert_eq!(no_origin.0, 403, "no Origin: {}", no_origin.1);
    let evil = send(post().header("Origin", "http://evil.example").json(&room)).await;
    assert_eq!(evil.0, 403);
    let forwarded = post()
        .header("Origin", "http://evil.example")
        .header("X-Forwarded-Host", "evil.example")
        .json(&room);
    assert_eq!(
        send(forwarded).await.0,
        403,
        "X-Forwarded-Host from a stranger"
    );
    let text_plain = post()
        .header("Origin", format!("http://{host}"))
        .header("Content-Type", "text/plain")
        .body(room.to_string());
    let (status, body) = send(text_plain).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );
    let same_origin = send(
        post()
            .header("Origin", format!("http://{host}"))
            .json(&room),
    )
    .await;
    assert_eq!(same_origin.0, 201, "{}", same_origin.1);
    let fetch_site = send(post().header("Sec-Fetch-Site", "same-origin").json(&room)).await;
    assert_eq!(fetch_site.0, 201, "{}", fetch_site.1);
}

#[tokio::test]
async fn an_unknown_method_on_a_known_path_is_405_with_allow() {
    let api = api();
    for (method, path, allow) in [
        (Method::PUT, "/api/me", "DELETE, GET, PATCH"),
        (Method::TRACE, "/api/events", "GET"),
        (Method::POST, "/healthz", "GET"),
    ] {
        let r = api.request(method.clone(), path).send().await;
        let r = r.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert_eq!(r.status().as_u16(), 405, "{method} {path}");
        let got = r
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        assert_eq!(got.as_deref(), Some(allow), "{method} {path}");
        let body: Value = r.json().await.unwrap_or_default();
        assert_eq!(body["error"]["code"], "method_not_allowed");
    }
    let (status, _) = send(api.request(Method::GET, "/api/nothing/here")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn metrics_are_for_loopback_callers_not_through_a_proxy() {
    let api = api();
    let (status, _) = send(api.request(Method::GET, "/metrics")).await;
    assert_eq!(status, 200, "a loopback caller");
    let proxied = api
        .request(Method::GET, "/metrics")
        .header("X-Forwarded-For", "203.0.113.7");
    assert_eq!(
        send(proxied).await.0,
        403,
        "through an untrusted proxy on loopback"
    );
}

#[tokio::test]
async fn a_nul_in_a_username_to_look_up_is_an_answer_not_a_500() {
    let api = api();
    let r = api.login("ad\u{0}min", "whatever it is").await;
    let status = r.map(|r| r.status().as_u16()).unwrap_or(0);
    assert_eq!(status, 401, "login");
    let me = api.signup(&unique("look")).await;
    let (status, _) = me.get("/api/users/ad%00min").await;
    assert!(matches!(status, 400 | 404), "profile: {status}");
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_refused_even_where_every_field_is_optional() {
    let me = api().signup(&unique("arr")).await;
    for body in [json!([]), json!([true]), json!("x"), json!(1)] {
        let req = me.request(Method::PUT, "/api/me/settings").json(&body);
        let (status, got) = send(req).await;
        assert_eq!(
            (status, &got["error"]["code"], &got["error"]["field"]),
            (400, &json!("validation_failed"), &json!("body")),
            "{body}: {got}"
        );
    }
    let ok = me
        .request(Method::PUT, "/api/me/settings")
        .header("Prefer", "wait=10")
        .json(&json!({}));
    assert_eq!(send(ok).await.0, 200);
}

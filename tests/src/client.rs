//! A small HTTP client of the public API, as curl or a browser would use it.

use crate::sse::EventStream;
use parley_schema::model::User;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{json, Value};

pub const PASSWORD: &str = "correct horse battery";

#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
}

/// A logged-in user.
#[derive(Clone)]
pub struct Session {
    pub api: Api,
    pub token: String,
    pub user: User,
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, self.url(path))
    }

    pub async fn register(&self, username: &str, password: &str) -> reqwest::Result<Response> {
        self.request(Method::POST, "/api/users")
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Result<Response> {
        self.request(Method::POST, "/api/sessions")
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
    }

    /// [`Api::signup`] with a unique name starting with `prefix`.
    pub async fn signup_unique(&self, prefix: &str) -> Session {
        self.signup(&parley_kit::unique(prefix)).await
    }

    /// Registers `username` and logs in; panics with the response body on failure.
    pub async fn signup(&self, username: &str) -> Session {
        let r = self
            .register(username, PASSWORD)
            .await
            .map_err(|e| e.to_string());
        let status = r.as_ref().map(|r| r.status().as_u16());
        assert_eq!(status, Ok(201), "register {username}");
        let r = self
            .login(username, PASSWORD)
            .await
            .map_err(|e| e.to_string());
        let body: Value = match r {
            Ok(r) => r.json().await.unwrap_or_default(),
            Err(e) => panic!("login {username}: {e}"),
        };
        let token = body["token"].as_str().unwrap_or_default().to_owned();
        assert!(!token.is_empty(), "login {username}: {body}");
        let user: Option<User> = serde_json::from_value(body["user"].clone()).ok();
        Session {
            api: self.clone(),
            token,
            user: user.unwrap_or_else(|| panic!("login {username}: no user in {body}")),
        }
    }
}

impl Session {
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.api.request(method, path).bearer_auth(&self.token)
    }

    /// A write that waits for its outcome (`Prefer: wait=10`); returns status and body.
    pub async fn write(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.request(method, path).header("Prefer", "wait=10");
        if let Some(b) = body {
            req = req.json(&b);
        }
        send(req).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        send(self.request(Method::GET, path)).await
    }

    pub async fn events(&self, last_event_id: Option<&str>) -> EventStream {
        EventStream::open(&self.api, &self.token, last_event_id).await
    }

    /// Adds `friend` to my friend list (waiting); already there is fine.
    pub async fn befriend(&self, friend: &Session) {
        let body = json!({"username": friend.user.username});
        let (status, body) = self.write(Method::POST, "/api/friends", Some(body)).await;
        assert!(status == 201 || status == 409, "befriend: {status} {body}");
    }

    /// Creates a room (waiting) with `members` in it, and returns its id. Each member
    /// first puts me on their friend list, so that they join rather than being invited.
    pub async fn create_room(&self, name: &str, visibility: &str, members: &[&Session]) -> String {
        futures_util::future::join_all(members.iter().map(|m| m.befriend(self))).await;
        let members: Vec<&str> = members.iter().map(|m| m.user.username.as_str()).collect();
        let (status, body) = self
            .write(
                Method::POST,
                "/api/rooms",
                Some(json!({"name": name, "visibility": visibility, "members": members})),
            )
            .await;
        assert_eq!(status, 201, "create room: {body}");
        body["id"].as_str().unwrap_or_default().to_owned()
    }

    /// Sends a message (waiting) and returns status and body.
    pub async fn send_message(&self, room: &str, text: &str) -> (u16, Value) {
        self.write(
            Method::POST,
            &format!("/api/rooms/{room}/messages"),
            Some(json!({"body": text})),
        )
        .await
    }
}

/// Sends a request; the status and the JSON body (`null` when empty or not JSON).
pub async fn send(req: RequestBuilder) -> (u16, Value) {
    match req.send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            let text = r.text().await.unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        }
        Err(e) => panic!("request failed: {e}"),
    }
}

/// `parley_streams_open` on the gateway at `base` (`/metrics`, asked from loopback), or
/// -1 when it cannot be read.
pub async fn streams_open(base: &str) -> i64 {
    let text = match reqwest::get(format!("{base}/metrics")).await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    text.lines()
        .find_map(|l| l.strip_prefix("parley_streams_open "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(-1)
}

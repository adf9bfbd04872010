//! The HTTP side of Parley's public API, as the benchmark uses it: register, log in,
//! create rooms and add members (waiting for the outcome with `Prefer: wait`), send
//! messages (`202`, no wait), read history, open `GET /api/events`, read `/metrics`.
//! Nothing here knows the server's internals; errors carry the status and the API's error
//! body.

use anyhow::{bail, Context};
use serde::Deserialize;
use serde_json::json;
use std::net::IpAddr;
use std::time::Duration;

/// How long a setup request may take (registration hashes a password; room creation
/// waits for the worker).
const SETUP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a message send may take before it counts as an error.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// `Prefer: wait` for setup writes, in seconds.
const PREFER_WAIT: &str = "wait=10";

/// A client for one gateway.
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    /// The local address streams are opened from (the HTTP client's too).
    local: Option<IpAddr>,
}

/// A logged-in user on one gateway.
#[derive(Debug, Clone)]
pub struct Session {
    pub api: Api,
    pub username: String,
    pub token: String,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct Token {
    token: String,
}

#[derive(Deserialize)]
struct SeqOnly {
    seq: i64,
}

#[derive(Deserialize)]
struct MessagePage {
    messages: Vec<SeqOnly>,
}

/// How long an idle pooled connection is kept: under the gateway's keep-alive (actix's
/// default, 5 s), so that a send never reuses a connection the server is closing at that
/// instant (a POST on it fails at the transport, and is not retried).
const POOL_IDLE: Duration = Duration::from_secs(4);

/// Builds the HTTP client: HTTP/1.1 (the only protocol built in), no overall timeout
/// (streams last the whole run), optionally bound to a local address.
pub fn http_client(local: Option<IpAddr>) -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .tcp_nodelay(true)
        .pool_idle_timeout(POOL_IDLE)
        .local_address(local)
        .build()
        .context("building the HTTP client")
}

impl Api {
    pub fn new(http: reqwest::Client, base: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            local: None,
        }
    }

    /// A client whose connections, streams included, all leave from `local`.
    pub fn bound(local: IpAddr, base: &str) -> anyhow::Result<Self> {
        Ok(Self {
            local: Some(local),
            ..Self::new(http_client(Some(local))?, base)
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET /readyz` answers 200.
    pub async fn ready(&self) -> anyhow::Result<()> {
        self.probe("/readyz").await
    }

    /// `GET <path>` (a health endpoint) answers 200.
    pub async fn probe(&self, path: &str) -> anyhow::Result<()> {
        let resp = self
            .http
            .get(self.url(path))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .with_context(|| format!("connecting to {}", self.base))?;
        check(resp, &format!("GET {path}")).await.map(drop)
    }

    /// `POST /api/users`; an existing name (`409`) is fine: a retried registration may have
    /// succeeded the first time.
    pub async fn register(&self, username: &str, password: &str) -> anyhow::Result<()> {
        let resp = self
            .http
            .post(self.url("/api/users"))
            .timeout(SETUP_TIMEOUT)
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await?;
        if resp.status() == reqwest::StatusCode::CONFLICT {
            return Ok(());
        }
        check(resp, "POST /api/users").await.map(drop)
    }

    /// `POST /api/sessions`, for its status only (a sign-in flood).
    pub async fn login_status(&self, username: &str, password: &str) -> Option<u16> {
        self.http
            .post(self.url("/api/sessions"))
            .timeout(SETUP_TIMEOUT)
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .ok()
            .map(|r| r.status().as_u16())
    }

    /// `POST /api/sessions`: a new session's bearer token.
    pub async fn login(&self, username: &str, password: &str) -> anyhow::Result<String> {
        let resp = self
            .http
            .post(self.url("/api/sessions"))
            .timeout(SETUP_TIMEOUT)
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await?;
        let t: Token = check(resp, "POST /api/sessions").await?.json().await?;
        Ok(t.token)
    }

    /// `POST /api/rooms` (private, with `members`), waiting for the room: its id.
    pub async fn create_room(
        &self,
        token: &str,
        name: &str,
        members: &[String],
    ) -> anyhow::Result<String> {
        let resp = self
            .http
            .post(self.url("/api/rooms"))
            .timeout(SETUP_TIMEOUT)
            .bearer_auth(token)
            .header("Prefer", PREFER_WAIT)
            .json(&json!({ "name": name, "visibility": "private", "members": members }))
            .send()
            .await?;
        let resp = check_created(resp, "POST /api/rooms").await?;
        Ok(resp.json::<Created>().await?.id)
    }

    /// `POST /api/friends`, waiting for the outcome; `409` (already a friend) is fine.
    pub async fn add_friend(&self, token: &str, username: &str) -> anyhow::Result<()> {
        let resp = self
            .http
            .post(self.url("/api/friends"))
            .timeout(SETUP_TIMEOUT)
            .bearer_auth(token)
            .header("Prefer", PREFER_WAIT)
            .json(&json!({ "username": username }))
            .send()
            .await?;
        if resp.status() == reqwest::StatusCode::CONFLICT {
            return Ok(());
        }
        check_created(resp, "POST /api/friends").await.map(drop)
    }

    /// `POST /api/rooms/{id}/members`, waiting for the outcome; `409` (already a member)
    /// is fine.
    pub async fn add_member(&self, token: &str, room: &str, username: &str) -> anyhow::Result<()> {
        let resp = self
            .http
            .post(self.url(&format!("/api/rooms/{room}/members")))
            .timeout(SETUP_TIMEOUT)
            .bearer_auth(token)
            .header("Prefer", PREFER_WAIT)
            .json(&json!({ "username": username }))
            .send()
            .await?;
        // A retried add may have succeeded the first time.
        if resp.status() == reqwest::StatusCode::CONFLICT {
            return Ok(());
        }
        check_created(resp, "POST /api/rooms/{id}/members")
            .await
            .map(drop)
    }

    /// `POST /api/rooms/{id}/messages` without waiting: the status (`202` when accepted).
    pub async fn send(
        &self,
        token: &str,
        room: &str,
        body: &str,
        client_id: &str,
    ) -> reqwest::Result<u16> {
        let resp = self
            .http
            .post(self.url(&format!("/api/rooms/{room}/messages")))
            .timeout(SEND_TIMEOUT)
            .bearer_auth(token)
            .json(&json!({ "body": body, "client_id": client_id }))
            .send()
            .await?;
        let status = resp.status().as_u16();
        // Read the (small) body so the connection goes back to the pool.
        let _ = resp.bytes().await;
        Ok(status)
    }

    /// The `seq` of the newest message in a room (0 when it has none): with `seq` gap-free
    /// from 1, the number of messages Postgres holds for it.
    pub async fn latest_seq(&self, token: &str, room: &str) -> anyhow::Result<i64> {
        let resp = self
            .http
            .get(self.url(&format!("/api/rooms/{room}/messages?limit=1")))
            .timeout(SETUP_TIMEOUT)
            .bearer_auth(token)
            .send()
            .await?;
        let page: MessagePage = check(resp, "GET /api/rooms/{id}/messages")
            .await?
            .json()
            .await?;
        Ok(page.messages.last().map_or(0, |m| m.seq))
    }

    /// `POST /api/rooms/{id}/typing`: `204` expected.
    pub async fn typing(&self, token: &str, room: &str) -> anyhow::Result<()> {
        let resp = self
            .http
            .post(self.url(&format!("/api/rooms/{room}/typing")))
            .timeout(Duration::from_secs(5))
            .bearer_auth(token)
            .send()
            .await?;
        check(resp, "POST /api/rooms/{id}/typing").await.map(drop)
    }

    /// `GET /api/events`: the open stream's body (status checked), read over a bare
    /// connection ([`crate::wire`]).
    pub async fn events(
        &self,
        token: &str,
        last_event_id: Option<&str>,
    ) -> anyhow::Result<crate::wire::EventBody> {
        crate::wire::open(&self.base, self.local, token, last_event_id).await
    }

    /// `GET /metrics` as text.
    pub async fn metrics(&self) -> anyhow::Result<String> {
        let resp = self
            .http
            .get(self.url("/metrics"))
            .timeout(Duration::from_secs(5))
            .send()
            .await?;
        Ok(check(resp, "GET /metrics").await?.text().await?)
    }
}

/// The value of an unlabelled series in Prometheus text.
pub fn metric_value(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

async fn check(resp: reqwest::Response, what: &str) -> anyhow::Result<reqwest::Response> {
    if resp.status().is_success() {
        return Ok(resp);
    }
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    bail!(
        "{what}: {status}: {}",
        body.chars().take(300).collect::<String>()
    )
}

/// Like `check`, but a `202` (the wait ran out) is an error too.
async fn check_created(resp: reqwest::Response, what: &str) -> anyhow::Result<reqwest::Response> {
    if resp.status() == reqwest::StatusCode::ACCEPTED {
        bail!("{what}: the outcome did not come within the Prefer: wait time (202)");
    }
    check(resp, what).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_unlabelled_metric() {
        let text = "# HELP parley_streams_open Open SSE streams.\n\
                    # TYPE parley_streams_open gauge\n\
                    parley_streams_open 123\n\
                    parley_streams_open_total 9\n";
        assert_eq!(metric_value(text, "parley_streams_open"), Some(123.0));
        assert_eq!(metric_value(text, "parley_missing"), None);
    }
}

//! A Server-Sent Events client: reads `GET /api/events` and parses frames as EventSource
//! does (`id:`, `event:`, `data:`, comments ignored).

use crate::client::Api;
use futures_util::StreamExt;
use serde_json::Value;
use std::time::Duration;
use tokio::sync::mpsc;

#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: String,
    pub data: String,
}

impl SseEvent {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or(Value::Null)
    }
}

pub struct EventStream {
    rx: mpsc::UnboundedReceiver<SseEvent>,
    pub status: u16,
    /// The id of the last event received, for resuming.
    pub last_id: Option<String>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl EventStream {
    pub async fn open(api: &Api, token: &str, last_event_id: Option<&str>) -> Self {
        Self::open_at(api, token, "/api/events", last_event_id).await
    }

    /// [`EventStream::open`] on `path` (with a query such as `?cursor=`).
    pub async fn open_at(api: &Api, token: &str, path: &str, last_event_id: Option<&str>) -> Self {
        let mut req = api
            .http
            .get(api.url(path))
            .bearer_auth(token)
            .header("Accept", "text/event-stream");
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id);
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let resp = req.send().await;
        let status = resp.as_ref().map(|r| r.status().as_u16()).unwrap_or(0);
        let task = tokio::spawn(async move {
            let Ok(resp) = resp else { return };
            let mut body = resp.bytes_stream();
            let mut buf = String::new();
            while let Some(Ok(chunk)) = body.next().await {
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buf.find("\n\n") {
                    let frame: String = buf.drain(..end + 2).collect();
                    if let Some(ev) = parse_frame(&frame) {
                        if tx.send(ev).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Self {
            rx,
            status,
            last_id: last_event_id.map(str::to_owned),
            task,
        }
    }

    /// The next event, or `None` when the stream ended or `timeout` passed.
    pub async fn next(&mut self, timeout: Duration) -> Option<SseEvent> {
        let ev = tokio::time::timeout(timeout, self.rx.recv()).await.ok()??;
        if ev.id.is_some() {
            self.last_id.clone_from(&ev.id);
        }
        Some(ev)
    }

    /// The next event named `name`, skipping others.
    pub async fn next_named(&mut self, name: &str, timeout: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let ev = self.next(left).await?;
            if ev.event == name {
                return Some(ev);
            }
        }
    }

    /// Every event that arrives within `window`.
    pub async fn drain(&mut self, window: Duration) -> Vec<SseEvent> {
        let deadline = tokio::time::Instant::now() + window;
        let mut out = Vec::new();
        while let Some(ev) = self
            .next(deadline.saturating_duration_since(tokio::time::Instant::now()))
            .await
        {
            out.push(ev);
        }
        out
    }

    /// Whether the server ended the stream (within `timeout`).
    pub async fn ended(&mut self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(None) => return true,
                Ok(Some(_)) => continue,
                Err(_) => return false,
            }
        }
    }
}

/// Parses one SSE frame; comment-only frames give `None`.
pub fn parse_frame(frame: &str) -> Option<SseEvent> {
    let (mut id, mut event, mut data) = (None, None, Vec::new());
    for line in frame.lines() {
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "id" => id = Some(value.to_owned()),
            "event" => event = Some(value.to_owned()),
            "data" => data.push(value.to_owned()),
            _ => {}
        }
    }
    if event.is_none() && data.is_empty() {
        return None;
    }
    Some(SseEvent {
        id,
        event: event.unwrap_or_else(|| "message".into()),
        data: data.join("\n"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_parse_like_eventsource() {
        let ev = parse_frame("id: 1.2\nevent: message\ndata: {\"a\":1}\n\n");
        assert_eq!(
            ev,
            Some(SseEvent {
                id: Some("1.2".into()),
                event: "message".into(),
                data: "{\"a\":1}".into()
            })
        );
        assert_eq!(parse_frame(": keep-alive\n\n"), None);
    }
}

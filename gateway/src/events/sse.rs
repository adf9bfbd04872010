//! The `text/event-stream` response of a stream: its first events, then live ones with a
//! `keepalive` event every interval, a jittered `retry:`, and headers that keep proxies
//! and compression away from it.

use actix_web::Responder;
use actix_web_lab::sse;
use futures_util::stream::{self, Stream, StreamExt};
use parley_schema::event::KeepaliveEvent;
use rand::Rng;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{interval_at, Instant, MissedTickBehavior};

/// The `retry:` a client is told: spread over this range, so that the streams of a
/// gateway that went away do not all come back in the same instant.
pub const RETRY_MS: std::ops::Range<u64> = 1_500..4_500;

/// One named event whose data is `data` as JSON.
pub fn json_event(name: &'static str, data: &impl serde::Serialize) -> sse::Data {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "{}".into());
    sse::Data::new(json).event(name)
}

/// `first`, then every event of `rx` until it closes, with a `keepalive` event whenever
/// `keepalive` passes (it carries no id, so it moves no cursor).
pub fn events(
    first: Vec<sse::Event>,
    rx: mpsc::Receiver<sse::Event>,
    keepalive: Duration,
) -> impl Stream<Item = sse::Event> {
    let period = keepalive.max(Duration::from_secs(1));
    let mut tick = interval_at(Instant::now() + period, period);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let live = stream::unfold((rx, tick), |(mut rx, mut tick)| async move {
        tokio::select! {
            biased;
            event = rx.recv() => event.map(|e| (e, (rx, tick))),
            _ = tick.tick() => {
                let ping = json_event("keepalive", &KeepaliveEvent {}).into();
                Some((ping, (rx, tick)))
            }
        }
    });
    stream::iter(first).chain(live)
}

/// The response for `body`: never buffered by proxies (`X-Accel-Buffering: no`), never
/// cached, and never compressed (`Content-Encoding: identity` makes actix's `Compress`
/// and most proxies leave it alone: a compressor would hold events back to fill blocks).
pub fn response<S>(body: S) -> impl Responder
where
    S: Stream<Item = sse::Event> + 'static,
{
    let retry = rand::thread_rng().gen_range(RETRY_MS);
    let body = body.map(Ok::<_, Infallible>);
    sse::Sse::from_stream(body)
        .with_retry_duration(Duration::from_millis(retry))
        .customize()
        .insert_header(("Cache-Control", "no-cache, no-transform"))
        .insert_header(("X-Accel-Buffering", "no"))
        .insert_header(("Content-Encoding", "identity"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::middleware::Compress;
    use actix_web::test::{call_service, init_service, read_body, TestRequest};
    use actix_web::{web, App, HttpResponse};

    async fn one_event() -> impl Responder {
        let (tx, rx) = mpsc::channel(4);
        let big = "x".repeat(4000);
        tx.try_send(sse::Data::new(big).event("message").into())
            .unwrap_or_else(|e| panic!("room for one: {e:?}"));
        drop(tx);
        response(events(Vec::new(), rx, Duration::from_secs(10)))
    }

    async fn json() -> HttpResponse {
        HttpResponse::Ok().json(serde_json::json!({ "body": "x".repeat(4000) }))
    }

    /// If actix's compression is ever enabled, it must leave the stream alone; the JSON
    /// route shows that the same middleware does compress what it may.
    #[actix_web::test]
    async fn compression_never_touches_the_event_stream() {
        let app = init_service(
            App::new()
                .wrap(Compress::default())
                .route("/events", web::get().to(one_event))
                .route("/json", web::get().to(json)),
        )
        .await;
        let get = |uri| {
            TestRequest::get()
                .uri(uri)
                .insert_header(("Accept-Encoding", "gzip"))
                .to_request()
        };
        let resp = call_service(&app, get("/json")).await;
        assert_eq!(
            resp.headers().get("content-encoding").map(|v| v.as_bytes()),
            Some(&b"gzip"[..])
        );

        let resp = call_service(&app, get("/events")).await;
        let headers = resp.headers().clone();
        assert_eq!(
            headers.get("content-encoding").map(|v| v.as_bytes()),
            Some(&b"identity"[..])
        );
        assert_eq!(
            headers.get("content-type").map(|v| v.as_bytes()),
            Some(&b"text/event-stream"[..])
        );
        assert_eq!(
            headers.get("x-accel-buffering").map(|v| v.as_bytes()),
            Some(&b"no"[..])
        );
        let body = String::from_utf8(read_body(resp).await.to_vec())
            .unwrap_or_else(|e| panic!("plain text: {e:?}"));
        assert!(body.starts_with("retry: "), "{body:.40}");
        assert!(body.contains("event: message\ndata: xxxx"), "{body:.80}");
    }
}

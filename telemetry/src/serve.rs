//! A listener of its own that serves only `GET /metrics` (a one-thread actix-web server,
//! the HTTP stack both binaries already use); any other path is a 404.

use actix_web::{web, App, HttpResponse, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Serves `render(&metrics)` at `GET /metrics` on `listener` until `shutdown` fires, then
/// stops the server and returns once it has. `who` names the process in the log.
pub async fn metrics<M: Send + Sync + 'static>(
    listener: TcpListener,
    metrics: Arc<M>,
    render: fn(&M) -> String,
    who: &'static str,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    tracing::info!(addr = %listener.local_addr()?, "{who} metrics listening");
    let metrics = web::Data::from(metrics);
    let server = HttpServer::new(move || {
        let get = move |m: web::Data<M>| async move {
            HttpResponse::Ok()
                .content_type(crate::CONTENT_TYPE)
                .body(render(&m))
        };
        App::new()
            .app_data(metrics.clone())
            .route("/metrics", web::get().to(get))
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)?
    .run();
    let handle = server.handle();
    let stop = async move {
        shutdown.cancelled().await;
        handle.stop(true).await;
    };
    let (served, ()) = tokio::join!(server, stop);
    served
}

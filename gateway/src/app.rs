//! `Application`: builds the gateway (topics, pools, consumer, HTTP server) and runs it
//! until the shutdown token fires. Tests build it on port 0 and talk to it over a socket.
//! The handlers and the events router share one `AppState`.

use crate::authcache::AuthCache;
use crate::config::GatewayConfig;
use crate::events::registry::StreamCaps;
use crate::events::router::{self, Router};
use crate::events::Hub;
use crate::hashing::Hashing;
use crate::limits::Limiters;
use crate::metrics::Metrics;
use crate::places::PerAddress;
use crate::publisher::Publisher;
use crate::state::AppState;
use crate::{json, layers, password, readiness, routes};
use actix_web::dev::{Server, Service};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use futures_util::FutureExt;
use parley_db::pool::build_pool;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::{spawn_blocking, JoinHandle};
use tokio_util::sync::CancellationToken;

pub struct Application {
    port: u16,
    server: Server,
    router: JoinHandle<anyhow::Result<()>>,
    /// Stops the router once the streams are drained (they get live events until then).
    router_stop: CancellationToken,
    /// The ephemeral topic's reader and this gateway's presence announcer.
    signals: [JoinHandle<()>; 2],
    metrics_server: Option<JoinHandle<std::io::Result<()>>>,
    readiness: JoinHandle<()>,
    state: Arc<AppState>,
    shutdown: CancellationToken,
}

impl Application {
    /// Builds every part in order, one function each: topics, the shared state, the
    /// events router, and the HTTP server on `config.listen` (port 0 picks a free one).
    pub async fn build(config: GatewayConfig, shutdown: CancellationToken) -> anyhow::Result<Self> {
        parley_bus::admin::ensure_topics(&config.kafka)
            .await
            .context("creating topics")?;
        let state = Arc::new(shared_state(config).await?);
        let router = events_router(&state).await?;
        let (server, port) = http_server(Arc::clone(&state))?;
        let router_stop = CancellationToken::new();
        let router = tokio::spawn(router.run(router_stop.clone()));
        let signals = signal_tasks(&state, &shutdown).await?;
        let metrics_server = metrics_server(&state, &shutdown)?;
        let readiness = tokio::spawn(readiness::watch(Arc::clone(&state), shutdown.clone()));
        tracing::info!(port, "gateway listening");
        Ok(Self {
            port,
            server,
            router,
            router_stop,
            signals,
            metrics_server,
            readiness,
            state,
            shutdown,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the shutdown token fires; then ends the streams spread over
    /// `PARLEY_DRAIN_SECS` (clients resume on another gateway), stops accepting, lets
    /// requests in flight finish, and joins the events consumer.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let handle = self.server.handle();
        let (state, token) = (Arc::clone(&self.state), self.shutdown.clone());
        let router_stop = self.router_stop.clone();
        let stopper = tokio::spawn(async move {
            token.cancelled().await;
            let window = Duration::from_secs(state.config.drain_secs);
            let ended = crate::events::drain::drain(&state.hub, window).await;
            tracing::info!(streams = ended, "streams drained");
            state.hub.close_all();
            router_stop.cancel();
            handle.stop(true).await;
        });
        let served = self.server.await;
        self.shutdown.cancel();
        let _ = stopper.await;
        self.router_stop.cancel();
        self.router.await.context("router task")??;
        for task in self.signals {
            task.await.context("signals task")?;
        }
        self.readiness.await.context("readiness task")?;
        if let Some(metrics) = self.metrics_server {
            metrics.await?.context("serving metrics")?;
        }
        tracing::info!("gateway stopped");
        Ok(served?)
    }
}

/// What the handlers and the events router share: the read-only database pool, the
/// command publisher, the hub sized to the events topic, the caches and limits.
async fn shared_state(config: GatewayConfig) -> anyhow::Result<AppState> {
    let gateway_id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    let metrics = Arc::new(Metrics::default());
    let kafka = config.kafka.clone();
    let partitions = spawn_blocking(move || router::partition_count(&kafka)).await??;
    let (replay, buffer) = (config.replay_per_partition, config.stream_buffer);
    Ok(AppState {
        db: build_pool(
            &config.database_url,
            config.db_pool_size,
            Duration::from_secs(3),
        )?,
        publisher: Publisher::new(&config.kafka, &gateway_id)?,
        hub: Arc::new(
            Hub::new(partitions, replay, buffer, Arc::clone(&metrics)).with_stream_caps(
                StreamCaps {
                    per_session: config.limits.streams_per_session,
                    per_user: config.limits.streams_per_user,
                    max_streams: config.max_streams,
                },
            ),
        ),
        addr_streams: PerAddress::new(config.limits.streams_per_address),
        dependencies: Default::default(),
        waiters: Arc::default(),
        auth_cache: AuthCache::new(Duration::from_secs(config.auth_cache_secs)),
        metrics,
        dummy_hash: spawn_blocking(password::dummy_hash).await?,
        signals: crate::signals::Signals::new(
            &config.kafka,
            &gateway_id,
            Duration::from_secs(config.presence_heartbeat_secs.max(1)),
        )?,
        limits: Limiters::new(&config.limits),
        hashing: Hashing::new(config.limits.hash_queue, config.limits.hash_per_address),
        gateway_id,
        config: Arc::new(config),
    })
}

/// The events router: its consumer assigned; the replay fills from Kafka as it runs.
async fn events_router(state: &Arc<AppState>) -> anyhow::Result<Router> {
    let state = Arc::clone(state);
    spawn_blocking(move || Router::new(state)).await?
}

/// The ephemeral topic's reader (assigned before anything is announced, so this gateway
/// hears its own first announcement) and the presence announcer.
async fn signal_tasks(
    state: &Arc<AppState>,
    shutdown: &CancellationToken,
) -> anyhow::Result<[JoinHandle<()>; 2]> {
    let s = Arc::clone(state);
    let consumer = spawn_blocking(move || crate::signals::listen::consumer(&s)).await??;
    let listen = crate::signals::listen::run(consumer, Arc::clone(state), shutdown.clone());
    let announce = crate::signals::announce::run(Arc::clone(state), shutdown.clone());
    Ok([tokio::spawn(listen), tokio::spawn(announce)])
}

/// `/metrics` on `PARLEY_METRICS_LISTEN`, when set, until `shutdown` fires.
fn metrics_server(
    state: &AppState,
    shutdown: &CancellationToken,
) -> anyhow::Result<Option<JoinHandle<std::io::Result<()>>>> {
    let Some(addr) = &state.config.metrics_listen else {
        return Ok(None);
    };
    let listener = TcpListener::bind(addr).with_context(|| format!("binding {addr}"))?;
    let served = routes::metrics::serve(listener, Arc::clone(&state.metrics), shutdown.clone());
    Ok(Some(tokio::spawn(served)))
}

/// The HTTP server on `config.listen`, and its port: the routes, the static web client,
/// response counts.
fn http_server(state: Arc<AppState>) -> anyhow::Result<(Server, u16)> {
    let listen = &state.config.listen;
    let listener = TcpListener::bind(listen).with_context(|| format!("binding {listen}"))?;
    let port = listener.local_addr()?.port();
    let static_dir = state.config.static_dir.clone();
    let workers = state.config.http_workers;
    let tls = (state.config.tls_cert.clone(), state.config.tls_key.clone());
    let mut server = HttpServer::new(move || {
        let metrics = Arc::clone(&state.metrics);
        App::new()
            .app_data(web::Data::from(Arc::clone(&state)))
            .app_data(json::json_config())
            .app_data(json::path_config())
            .app_data(json::query_config())
            .wrap(actix_web::middleware::from_fn(layers::catch_panics))
            .wrap(layers::security_headers(state.config.cookie_secure))
            .wrap_fn(move |req, srv| {
                let metrics = Arc::clone(&metrics);
                srv.call(req).inspect(move |res| {
                    if let Ok(r) = res {
                        metrics.count_response(r.status().as_u16());
                    }
                })
            })
            .configure(routes::configure)
            .service(actix_files::Files::new("/", &static_dir).index_file("index.html"))
    })
    .on_connect(layers::on_connect)
    .disable_signals()
    .shutdown_timeout(5);
    server = match (&tls.0, &tls.1) {
        (Some(cert), Some(key)) => {
            // Accepted sockets inherit it; on_connect only sees the TLS stream.
            layers::limit_unacked(&socket2::SockRef::from(&listener));
            server.listen_rustls_0_23(listener, crate::tls::server_config(cert, key)?)?
        }
        _ => server.listen(listener)?,
    };
    if let Some(n) = workers {
        server = server.workers(n.max(1));
    }
    Ok((server.run(), port))
}

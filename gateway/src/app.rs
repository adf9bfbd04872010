//! `Application`: builds the gateway (topics, pools, consumer, HTTP server) and runs it
//! until the shutdown token fires. Tests build it on port 0 and talk to it over a socket.
//! Each subsystem is built by its own function below; `build` only orders them.

use crate::authcache::AuthCache;
use crate::config::GatewayConfig;
use crate::events::router::{self, Router};
use crate::events::Hub;
use crate::metrics::Metrics;
use crate::publisher::Publisher;
use crate::ratelimit::RateLimiter;
use crate::state::AppState;
use crate::waiters::Waiters;
use crate::{json, password, routes};
use actix_web::dev::{Server, Service};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use futures_util::FutureExt;
use parley_db::PgPool;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub struct Application {
    port: u16,
    server: Server,
    router: JoinHandle<anyhow::Result<()>>,
    hub: Arc<Hub>,
    shutdown: CancellationToken,
}

impl Application {
    /// Builds every part in order: topics, the database pool, the events router and its
    /// hub (consumer assigned, replay loaded from Kafka as it runs), the command publisher,
    /// and the HTTP server on `config.listen` (port 0 picks a free one).
    pub async fn build(config: GatewayConfig, shutdown: CancellationToken) -> anyhow::Result<Self> {
        parley_bus::admin::ensure_topics(&config.kafka)
            .await
            .context("creating topics")?;
        let db = database(&config)?;
        let gateway_id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        let metrics = Arc::new(Metrics::default());
        let waiters = Arc::new(Waiters::default());
        let auth_cache = Arc::new(AuthCache::new(Duration::from_secs(config.auth_cache_secs)));
        let parts = router::Parts {
            hub: events_hub(&config, Arc::clone(&metrics)).await?,
            waiters: Arc::clone(&waiters),
            auth_cache: Arc::clone(&auth_cache),
            metrics: Arc::clone(&metrics),
        };
        let hub = Arc::clone(&parts.hub);
        let router = events_router(&config, &gateway_id, parts).await?;
        let publisher = Publisher::new(&config.kafka, &gateway_id)?;
        let dummy_hash = tokio::task::spawn_blocking(password::dummy_hash).await?;
        let listener = TcpListener::bind(&config.listen)
            .with_context(|| format!("binding {}", config.listen))?;
        let port = listener.local_addr()?.port();
        let send_limiter = RateLimiter::new(config.send_rate, config.send_burst);
        let state = web::Data::new(AppState {
            config: Arc::new(config),
            gateway_id,
            db,
            publisher,
            hub: Arc::clone(&hub),
            waiters,
            auth_cache,
            metrics,
            dummy_hash,
            send_limiter,
        });
        let server = http_server(state, listener)?;
        let router = tokio::spawn(router.run(shutdown.clone()));
        tracing::info!(port, "gateway listening");
        Ok(Self {
            port,
            server,
            router,
            hub,
            shutdown,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the shutdown token fires; then ends every stream (clients resume on
    /// another gateway), stops accepting, lets requests in flight finish, and joins the
    /// events consumer.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let handle = self.server.handle();
        let (hub, token) = (Arc::clone(&self.hub), self.shutdown.clone());
        let stopper = tokio::spawn(async move {
            token.cancelled().await;
            hub.close_all();
            handle.stop(true).await;
        });
        let served = self.server.await;
        self.shutdown.cancel();
        let _ = stopper.await;
        self.router.await.context("router task")??;
        tracing::info!("gateway stopped");
        Ok(served?)
    }
}

/// The read-only Postgres pool (queries and authentication).
fn database(config: &GatewayConfig) -> anyhow::Result<PgPool> {
    let pool = parley_db::pool::build_pool(
        &config.database_url,
        config.db_pool_size,
        Duration::from_secs(3),
    )?;
    Ok(pool)
}

/// The hub, sized to the events topic's partitions.
async fn events_hub(config: &GatewayConfig, metrics: Arc<Metrics>) -> anyhow::Result<Arc<Hub>> {
    let kafka = config.kafka.clone();
    let partitions = tokio::task::spawn_blocking(move || router::partition_count(&kafka)).await??;
    Ok(Arc::new(Hub::new(
        partitions,
        config.replay_per_partition,
        config.stream_buffer,
        metrics,
    )))
}

/// The events router, assigned to every partition from `replay_per_partition` back.
async fn events_router(
    config: &GatewayConfig,
    gateway_id: &str,
    parts: router::Parts,
) -> anyhow::Result<Router> {
    let (kafka, id) = (config.kafka.clone(), gateway_id.to_owned());
    let replay = config.replay_per_partition;
    tokio::task::spawn_blocking(move || Router::new(&kafka, &id, parts, replay)).await?
}

/// The HTTP server on `listener`: the routes, the static web client, response counts.
fn http_server(state: web::Data<AppState>, listener: TcpListener) -> anyhow::Result<Server> {
    let static_dir = state.config.static_dir.clone();
    let workers = state.config.http_workers;
    let mut server = HttpServer::new(move || {
        let metrics = Arc::clone(&state.metrics);
        App::new()
            .app_data(state.clone())
            .app_data(json::json_config())
            .app_data(json::path_config())
            .app_data(json::query_config())
            .wrap_fn(move |req, srv| {
                let metrics = Arc::clone(&metrics);
                srv.call(req).map(move |res| {
                    if let Ok(r) = &res {
                        metrics.count_response(r.status().as_u16());
                    }
                    res
                })
            })
            .configure(routes::configure)
            .service(actix_files::Files::new("/", &static_dir).index_file("index.html"))
    })
    .listen(listener)?
    .disable_signals()
    .shutdown_timeout(5);
    if let Some(n) = workers {
        server = server.workers(n.max(1));
    }
    Ok(server.run())
}

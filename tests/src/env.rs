//! Starting the system under test in this process: a worker (`parley_worker::run`) and a
//! gateway (`parley_gateway::Application`) on a fresh database and topic prefix. The fresh
//! database and prefix, the wait for `/readyz` and the teardown come from `parley-kit`, the
//! same as for the process-based suites.

use clap::Parser;
use diesel::{Connection, PgConnection};
use parley_bus::KafkaArgs;
use parley_gateway::{Application, GatewayConfig};
use parley_kit::{free_port, paths, Fresh, Services};
use parley_worker::WorkerConfig;
use std::sync::OnceLock;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A running system: one gateway and one worker on a fresh database and topic prefix.
pub struct TestEnv {
    pub base_url: String,
    /// The worker's Prometheus endpoint.
    pub worker_metrics_url: String,
    pub database_url: String,
    pub kafka: KafkaArgs,
    pub shutdown: CancellationToken,
    fresh: Fresh,
}

impl TestEnv {
    /// Stops the gateway and the worker and drops the database. The shared [`test_env`]
    /// is never stopped: its database goes with a later run's sweep of stale ones.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        Ok(self.fresh.drop_all().await?)
    }
}

/// The shared system of this test binary, started on first use on a runtime of its own
/// (so it outlives any one test's runtime).
pub fn test_env() -> &'static TestEnv {
    static ENV: OnceLock<TestEnv> = OnceLock::new();
    ENV.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(anyhow::anyhow!(e)));
                    return;
                }
            };
            rt.block_on(async move {
                let started = spawn_env(&Services::from_env()).await;
                let token = started.as_ref().map(|e| e.shutdown.clone()).ok();
                let _ = tx.send(started);
                if let Some(token) = token {
                    token.cancelled().await;
                }
            });
        });
        match rx.recv() {
            Ok(Ok(env)) => env,
            Ok(Err(e)) => {
                panic!("could not start the test system (is `scripts/services up` running?): {e:#}")
            }
            Err(e) => panic!("test system thread died: {e}"),
        }
    })
}

/// Creates a fresh database and topic prefix and starts a worker and a gateway on them.
pub async fn spawn_env(services: &Services) -> anyhow::Result<TestEnv> {
    spawn_env_with(services, |_| {}).await
}

/// [`spawn_env`], with the gateway's configuration changed by `tweak` (the tests' own
/// generous limits are already set: put the defaults back to test the limits).
pub async fn spawn_env_with(
    services: &Services,
    tweak: impl FnOnce(&mut GatewayConfig),
) -> anyhow::Result<TestEnv> {
    let fresh = Fresh::create(services).await?;
    let database_url = fresh.database_url().to_owned();
    let kafka = KafkaArgs {
        kafka_bootstrap_servers: services.kafka.clone(),
        topic_prefix: fresh.topic_prefix(),
        partitions: 4,
        replication: 1,
        linger_ms: 0,
        fetch_wait_ms: 5,
    };
    {
        let url = database_url.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut conn = PgConnection::establish(&url)?;
            parley_db::migrate::run_pending(&mut conn)?;
            Ok(())
        })
        .await??;
    }
    let shutdown = CancellationToken::new();
    let worker_metrics_port = free_port()?;
    let worker = WorkerConfig {
        database_url: database_url.clone().into(),
        kafka: kafka.clone(),
        batch_max: 500,
        batch_linger_ms: 10,
        db_pool_size: 2,
        metrics_listen: Some(format!("127.0.0.1:{worker_metrics_port}")),
        worker_id: None,
    };
    let token = shutdown.clone();
    tokio::spawn(async move {
        if let Err(e) = parley_worker::run(worker, token).await {
            eprintln!("worker failed: {e:#}");
        }
    });
    let base_url = start_gateway(&database_url, &kafka, tweak, &shutdown).await?;
    Ok(TestEnv {
        base_url,
        worker_metrics_url: format!("http://127.0.0.1:{worker_metrics_port}/metrics"),
        database_url,
        kafka,
        shutdown,
        fresh,
    })
}

/// The second gateway of this test binary's shared system ([`test_env`]): same database
/// and topics, its own streams; started on first use on a runtime of its own.
pub fn second_gateway() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let env = test_env();
        let (db, kafka, shutdown) = (
            env.database_url.clone(),
            env.kafka.clone(),
            env.shutdown.clone(),
        );
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build();
            let Ok(rt) = rt else {
                let _ = tx.send(Err(anyhow::anyhow!("no runtime")));
                return;
            };
            rt.block_on(async move {
                let _ = tx.send(start_gateway(&db, &kafka, |_| {}, &shutdown).await);
                shutdown.cancelled().await;
            });
        });
        match rx.recv() {
            Ok(Ok(url)) => url,
            Ok(Err(e)) => panic!("could not start the second gateway: {e:#}"),
            Err(e) => panic!("second gateway thread died: {e}"),
        }
    })
}

/// Starts a gateway on `database_url` and `kafka` (the tests' generous limits, then
/// `tweak`) until `shutdown`; returns its base URL once it is ready.
pub async fn start_gateway(
    database_url: &str,
    kafka: &KafkaArgs,
    tweak: impl FnOnce(&mut GatewayConfig),
    shutdown: &CancellationToken,
) -> anyhow::Result<String> {
    let mut gateway = gateway_config(database_url, kafka);
    tweak(&mut gateway);
    let port = run_gateway(gateway, shutdown).await?;
    let base_url = format!("http://127.0.0.1:{port}");
    parley_kit::wait_ready(&base_url, Duration::from_secs(30), &mut []).await?;
    Ok(base_url)
}

/// A gateway's configuration for tests: any free port, the tests' generous limits.
pub fn gateway_config(database_url: &str, kafka: &KafkaArgs) -> GatewayConfig {
    let mut gateway = GatewayConfig::parse_from([
        "gateway",
        "--database-url",
        database_url,
        "--kafka-bootstrap-servers",
        &kafka.kafka_bootstrap_servers,
    ]);
    gateway.kafka = kafka.clone();
    gateway.listen = "127.0.0.1:0".into();
    gateway.static_dir = paths::static_dir().display().to_string();
    gateway.wait_timeout_secs = 15;
    gateway.stream_buffer = 256;
    gateway.http_workers = Some(2);
    // Tests register and log in hundreds of users from one address, and write fast.
    let limits = &mut gateway.limits;
    (limits.send_rate, limits.send_burst) = (20.0, 20);
    (limits.write_rate, limits.write_burst) = (1000.0, 1000);
    (limits.auth_addr_rate, limits.auth_addr_burst) = (1000.0, 1000);
    (limits.auth_account_rate, limits.auth_account_burst) = (1000.0, 1000);
    (limits.hash_queue, limits.hash_per_address) = (1000, 1000);
    gateway
}

/// Builds a gateway from `config` and runs it on this runtime until `shutdown`; returns
/// its port (it may not be ready yet).
pub async fn run_gateway(
    config: GatewayConfig,
    shutdown: &CancellationToken,
) -> anyhow::Result<u16> {
    let app = Application::build(config, shutdown.clone()).await?;
    let port = app.port();
    tokio::spawn(async move {
        if let Err(e) = app.run_until_stopped().await {
            eprintln!("gateway failed: {e:#}");
        }
    });
    Ok(port)
}

/// Starts an indexer (`parley_indexer::run`) on this test binary's shared system, once,
/// on a runtime of its own; it runs until the system stops.
pub fn start_indexer() {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        let env = test_env();
        let mut config = parley_indexer::IndexerConfig::parse_from([
            "indexer",
            "--database-url",
            &env.database_url,
        ]);
        config.kafka = env.kafka.clone();
        on_own_runtime("indexer", parley_indexer::run(config, env.shutdown.clone()));
    });
}

/// Starts an audit consumer (`parley_audit::run`) on this test binary's shared system,
/// once, on a runtime of its own; it runs until the system stops.
pub fn start_audit() {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        let env = test_env();
        let mut config =
            parley_audit::AuditConfig::parse_from(["audit", "--database-url", &env.database_url]);
        config.kafka = env.kafka.clone();
        on_own_runtime("audit", parley_audit::run(config, env.shutdown.clone()));
    });
}

/// Runs `task` on a thread with a one-thread runtime of its own.
fn on_own_runtime(
    name: &'static str,
    task: impl std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
) {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build();
        let Ok(rt) = rt else {
            eprintln!("{name}: no runtime");
            return;
        };
        if let Err(e) = rt.block_on(task) {
            eprintln!("{name} failed: {e:#}");
        }
    });
}

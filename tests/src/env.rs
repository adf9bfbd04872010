//! Starting the system under test in this process: a worker (`parley_worker::run`) and a
//! gateway (`parley_gateway::Application`) on a fresh database and topic prefix. The fresh
//! database and prefix, the wait for `/readyz` and the teardown come from `parley-kit`, the
//! same as for the process-based suites.

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
    let gateway = GatewayConfig {
        database_url: database_url.clone().into(),
        kafka: kafka.clone(),
        listen: "127.0.0.1:0".into(),
        static_dir: paths::static_dir().display().to_string(),
        db_pool_size: 8,
        wait_timeout_secs: 15,
        replay_per_partition: 5000,
        stream_buffer: 256,
        keep_alive_secs: 15,
        cookie_secure: false,
        auth_cache_secs: 60,
        send_rate: 20.0,
        send_burst: 20,
        http_workers: Some(2),
    };
    let app = Application::build(gateway, shutdown.clone()).await?;
    let base_url = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(async move {
        if let Err(e) = app.run_until_stopped().await {
            eprintln!("gateway failed: {e:#}");
        }
    });
    parley_kit::wait_ready(&base_url, Duration::from_secs(30), &mut []).await?;
    Ok(TestEnv {
        base_url,
        worker_metrics_url: format!("http://127.0.0.1:{worker_metrics_port}/metrics"),
        database_url,
        kafka,
        shutdown,
        fresh,
    })
}

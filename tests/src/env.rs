//! Starting the system under test: a fresh database, fresh topics, a worker and a gateway.

use anyhow::Context;
use diesel::{Connection, PgConnection, RunQueryDsl};
use parley_bus::KafkaArgs;
use parley_gateway::{Application, GatewayConfig};
use parley_worker::WorkerConfig;
use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::client::DefaultClientContext;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio_util::sync::CancellationToken;

/// Where the local services are (`scripts/services up` exports these).
#[derive(Debug, Clone)]
pub struct Services {
    pub database_url: String,
    pub kafka: String,
}

impl Services {
    pub fn from_env() -> Self {
        Self {
            database_url: std::env::var("DATABASE_URL")
                .unwrap_or_else(|_| "postgres://parley:parley@127.0.0.1:5432/parley".into()),
            kafka: std::env::var("KAFKA_BOOTSTRAP_SERVERS")
                .unwrap_or_else(|_| "127.0.0.1:9092".into()),
        }
    }
}

/// A running system: one gateway and one worker on a fresh database and topic prefix.
pub struct TestEnv {
    pub base_url: String,
    /// The worker's Prometheus endpoint.
    pub worker_metrics_url: String,
    pub database_url: String,
    pub kafka: KafkaArgs,
    pub shutdown: CancellationToken,
}

pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
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
    let stamp = now_secs();
    let suffix = crate::unique("");
    let db_name = format!("parley_test_{stamp}_{suffix}");
    let database_url = create_database(&services.database_url, &db_name)?;
    let kafka = KafkaArgs {
        kafka_bootstrap_servers: services.kafka.clone(),
        topic_prefix: format!("test_{stamp}_{suffix}"),
        partitions: 4,
        replication: 1,
        linger_ms: 0,
        fetch_wait_ms: 5,
    };
    drop_old_topics(&kafka, stamp).await;
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
    let worker_metrics_port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let worker = WorkerConfig {
        database_url: database_url.clone(),
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
        database_url: database_url.clone(),
        kafka: kafka.clone(),
        listen: "127.0.0.1:0".into(),
        static_dir: concat!(env!("CARGO_MANIFEST_DIR"), "/../static").into(),
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
    wait_ready(&base_url).await?;
    Ok(TestEnv {
        base_url,
        worker_metrics_url: format!("http://127.0.0.1:{worker_metrics_port}/metrics"),
        database_url,
        kafka,
        shutdown,
    })
}

/// Creates `name` next to the database of `admin_url` and returns its URL. Test databases
/// of runs older than an hour are dropped on the way.
pub(crate) fn create_database(admin_url: &str, name: &str) -> anyhow::Result<String> {
    let mut admin = PgConnection::establish(admin_url).context("connecting to Postgres")?;
    #[derive(diesel::QueryableByName)]
    struct Db {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let old: Vec<Db> =
        diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE 'parley_test_%'")
            .load(&mut admin)?;
    let cutoff = now_secs().saturating_sub(3600);
    for db in old {
        let stamp = db
            .datname
            .split('_')
            .nth(2)
            .and_then(|s| s.parse::<u64>().ok());
        if stamp.is_some_and(|s| s < cutoff) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                db.datname
            ))
            .execute(&mut admin);
        }
    }
    diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut admin)?;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .context("DATABASE_URL has no database name")?;
    Ok(format!("{base}/{name}"))
}

/// Deletes test topics of runs older than an hour, so a developer's broker stays small.
async fn drop_old_topics(kafka: &KafkaArgs, now: u64) {
    let Ok(admin) = parley_bus::client::producer(kafka, "parley-test-admin")
        .create::<AdminClient<DefaultClientContext>>()
    else {
        return;
    };
    let Ok(md) = admin.inner().fetch_metadata(None, Duration::from_secs(5)) else {
        return;
    };
    let cutoff = now.saturating_sub(3600);
    let old: Vec<String> = md
        .topics()
        .iter()
        .map(|t| t.name().to_owned())
        .filter(|n| {
            n.strip_prefix("test_")
                .and_then(|r| r.split('_').next())
                .and_then(|s| s.parse::<u64>().ok())
                .is_some_and(|s| s < cutoff)
        })
        .collect();
    if !old.is_empty() {
        let names: Vec<&str> = old.iter().map(String::as_str).collect();
        let _ = admin.delete_topics(&names, &AdminOptions::new()).await;
    }
}

async fn wait_ready(base_url: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{base_url}/readyz")).send().await {
            if r.status().is_success() {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("gateway at {base_url} never became ready")
}

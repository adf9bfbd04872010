//! A fresh database and topic prefix per run. The database is created next to the one
//! `DATABASE_URL` names and dropped (`WITH (FORCE)`) when the run stops, unless
//! `PARLEY_KEEP_TEST_DB` is set; databases and topics of aborted runs older than an hour
//! are dropped on the way in, so a crashed test leaves nothing behind for long.
//! The worker runs the migrations at start-up, so a fresh database starts empty.

use crate::names::{self, RunName, DATABASE_PREFIX};
use crate::{KitError, Services};
use diesel::{Connection, PgConnection, RunQueryDsl};

/// One run's database and topic prefix on `services`.
#[derive(Debug)]
pub struct Fresh {
    pub run: RunName,
    pub database: FreshDatabase,
    pub services: Services,
}

impl Fresh {
    pub async fn create(services: &Services) -> Result<Self, KitError> {
        let run = RunName::fresh();
        crate::topics::drop_stale(&services.kafka).await;
        let database = FreshDatabase::create(&services.database_url, &run.database()).await?;
        Ok(Self {
            run,
            database,
            services: services.clone(),
        })
    }

    pub fn topic_prefix(&self) -> String {
        self.run.topic_prefix()
    }

    pub fn database_url(&self) -> &str {
        &self.database.url
    }

    /// What a `worker` or `gateway` process needs to run on this database and prefix.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("DATABASE_URL".into(), self.database.url.clone()),
            (
                "KAFKA_BOOTSTRAP_SERVERS".into(),
                self.services.kafka.clone(),
            ),
            ("PARLEY_TOPIC_PREFIX".into(), self.topic_prefix()),
        ]
    }

    /// Drops the database (the run's topics go with the next run's stale sweep).
    pub async fn drop_all(self) -> Result<(), KitError> {
        self.database.drop_database().await
    }
}

/// A database created for one run.
#[derive(Debug)]
pub struct FreshDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl FreshDatabase {
    /// Creates `name` next to the database of `admin_url`, dropping stale ones first.
    pub async fn create(admin_url: &str, name: &str) -> Result<Self, KitError> {
        let (admin_url, name) = (admin_url.to_owned(), name.to_owned());
        tokio::task::spawn_blocking(move || {
            let mut admin = PgConnection::establish(&admin_url).map_err(KitError::Connect)?;
            drop_stale(&mut admin)?;
            diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut admin)?;
            let url = sibling_url(&admin_url, &name)?;
            Ok(Self {
                admin_url,
                name,
                url,
            })
        })
        .await?
    }

    /// `DROP DATABASE ... WITH (FORCE)`, unless `PARLEY_KEEP_TEST_DB` asks to keep it.
    pub async fn drop_database(self) -> Result<(), KitError> {
        if std::env::var_os("PARLEY_KEEP_TEST_DB").is_some() {
            eprintln!("kept the database {} (PARLEY_KEEP_TEST_DB)", self.name);
            return Ok(());
        }
        tokio::task::spawn_blocking(move || {
            let mut admin = PgConnection::establish(&self.admin_url).map_err(KitError::Connect)?;
            drop_named(&mut admin, &self.name)
        })
        .await?
    }
}

fn drop_named(admin: &mut PgConnection, name: &str) -> Result<(), KitError> {
    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(admin)?;
    Ok(())
}

fn drop_stale(admin: &mut PgConnection) -> Result<(), KitError> {
    #[derive(diesel::QueryableByName)]
    struct Db {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let all: Vec<Db> = diesel::sql_query(format!(
        "SELECT datname FROM pg_database WHERE datname LIKE '{DATABASE_PREFIX}%'"
    ))
    .load(admin)?;
    let now = names::now_secs();
    for db in all {
        if names::is_stale(&db.datname, DATABASE_PREFIX, now) {
            // Best effort: another run may be dropping the same one.
            let _ = drop_named(admin, &db.datname);
        }
    }
    Ok(())
}

/// `admin_url` with its database name replaced by `name` (query parameters kept).
fn sibling_url(admin_url: &str, name: &str) -> Result<String, KitError> {
    let (url, query) = match admin_url.split_once('?') {
        Some((url, query)) => (url, Some(query)),
        None => (admin_url, None),
    };
    let (base, _) = url.rsplit_once('/').ok_or(KitError::NoDatabaseName)?;
    if base.ends_with('/') {
        return Err(KitError::NoDatabaseName);
    }
    Ok(match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fresh_database_sits_next_to_the_admin_one() {
        let url = sibling_url("postgres://p:p@127.0.0.1:5432/parley", "x").ok();
        assert_eq!(url.as_deref(), Some("postgres://p:p@127.0.0.1:5432/x"));
        let url = sibling_url("postgres://h/parley?sslmode=disable", "x").ok();
        assert_eq!(url.as_deref(), Some("postgres://h/x?sslmode=disable"));
        assert!(sibling_url("postgres://h", "x").is_err());
    }
}

//! `db/src/schema.rs` is what `diesel print-schema` makes of the migrations: run them on a
//! fresh database, print its schema, and compare. Needs the `diesel` binary (diesel_cli
//! with the postgres feature): `$DIESEL`, else `.local/tools/bin/diesel`, else `PATH`;
//! `scripts/test` installs it there when it is missing.

use anyhow::{ensure, Context};
use diesel::{Connection, PgConnection};
use parley_kit::fresh::FreshDatabase;
use parley_kit::{unique, Services};
use std::path::{Path, PathBuf};
use std::process::Command;

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn diesel_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("DIESEL") {
        return path.into();
    }
    let local = Path::new(REPO).join(".local/tools/bin/diesel");
    if local.exists() {
        return local;
    }
    PathBuf::from("diesel")
}

#[tokio::test]
async fn schema_rs_is_what_diesel_prints_for_the_migrations() -> anyhow::Result<()> {
    let services = Services::from_env();
    let db = FreshDatabase::create(&services.database_url, &unique("parley_schema")).await?;
    let mut conn = PgConnection::establish(&db.url).context("connecting")?;
    parley_db::migrate::run_pending(&mut conn)?;

    let diesel = diesel_binary();
    let printed = Command::new(&diesel)
        .args(["print-schema", "--database-url", &db.url])
        .current_dir(REPO)
        .output()
        .with_context(|| {
            format!(
                "running {} (install diesel_cli: cargo install diesel_cli \
                 --no-default-features --features postgres --root .local/tools)",
                diesel.display()
            )
        })?;
    drop(conn);
    db.drop_database().await?;
    ensure!(
        printed.status.success(),
        "diesel print-schema failed: {}",
        String::from_utf8_lossy(&printed.stderr)
    );
    let printed = String::from_utf8(printed.stdout)?;
    let kept = std::fs::read_to_string(Path::new(REPO).join("db/src/schema.rs"))?;
    assert!(
        printed == kept,
        "db/src/schema.rs has drifted from the migrations: run `diesel print-schema` \
         on a migrated database. It prints:\n{printed}"
    );
    Ok(())
}

//! The `parley-admin` binary: prints the audit trail and moderates (see
//! `parley_audit::admin`).

use anyhow::Context;
use clap::Parser;
use parley_audit::admin::{moderate, print, AdminArgs, AdminCommand};
use parley_db::audit::Filter;
use parley_schema::moderation::Moderation;
use parley_schema::{MessageId, RoomId, UserId};
use std::time::Duration;

#[tokio::main]
async fn main() {
    parley_telemetry::process::init_tracing_at("warn");
    match run(AdminArgs::parse()).await {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("parley-admin: {e:#}");
            std::process::exit(1);
        }
    }
}

/// Runs the command; its exit code is 1 when a moderation command was refused.
async fn run(args: AdminArgs) -> anyhow::Result<i32> {
    let url = args
        .database_url
        .clone()
        .context("DATABASE_URL is not set")?;
    let pool = parley_db::pool::build_pool(&url, 1, Duration::from_secs(5))?;
    let operator = (args.operator.clone())
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "operator".into());
    let (action, reason) = match args.command {
        AdminCommand::Audit {
            user,
            since,
            kind,
            limit,
            json,
        } => {
            let user = match user {
                Some(u) => Some(match u.parse::<uuid::Uuid>() {
                    Ok(id) => UserId::from(id),
                    Err(_) => moderate::user_named(&pool, &u)?,
                }),
                None => None,
            };
            let filter = Filter {
                user,
                since: Some(chrono::Utc::now() - since),
                kinds: kind,
                before: None,
                limit: limit.clamp(1, 100_000),
            };
            let mut conn = pool.get().context("connecting to Postgres")?;
            let (rows, names) = print::load(&mut conn, &filter)?;
            let out = if json {
                print::json_lines(&rows, &names)
            } else {
                print::table(&rows, &names)
            };
            println!("{out}");
            return Ok(0);
        }
        AdminCommand::RemoveMessage { message_id, reason } => {
            let message_id = MessageId::from(message_id);
            let room_id = moderate::room_of(&pool, message_id)?;
            let action = Moderation::RemoveMessage {
                room_id,
                message_id,
            };
            (action, reason)
        }
        AdminCommand::Suspend { username, reason } => {
            let user_id = moderate::user_named(&pool, &username)?;
            (Moderation::SuspendUser { user_id }, reason)
        }
        AdminCommand::Reinstate { username, reason } => {
            let user_id = moderate::user_named(&pool, &username)?;
            (Moderation::ReinstateUser { user_id }, reason)
        }
        AdminCommand::CloseRoom { room_id, reason } => {
            let room_id = RoomId::from(room_id);
            (Moderation::CloseRoom { room_id }, reason)
        }
    };
    let kind = action.kind();
    let status = moderate::run(&args.kafka, &pool, &operator, &reason, action).await?;
    println!("{kind}: {} ({status})", moderate::describe(status));
    Ok(i32::from(status >= 300))
}

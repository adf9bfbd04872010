//! The worker's batch function driven directly on a fresh, migrated Postgres (no Kafka):
//! commands as the gateway publishes them, and the events a batch prepares, as JSON.

use anyhow::{bail, Context};
use chrono::Utc;
use diesel::{Connection, PgConnection};
use parley_kit::fresh::FreshDatabase;
use parley_kit::{unique, Services};
use parley_schema::command::{Command, CommandEnvelope};
use parley_schema::model::Visibility;
use parley_schema::{MessageId, RequestId, RoomId, UserId};
use parley_worker::batch::{apply_batch, Prepared};
use parley_worker::poison::Input;
use serde_json::Value;

/// `command` from `actor`, as a record of the commands topic.
pub fn envelope(actor: Option<UserId>, command: Command) -> Input {
    let env = CommandEnvelope {
        result_wanted: true,
        request_id: RequestId::new(),
        actor,
        session_id: None,
        gateway_id: "test".into(),
        issued_at: Utc::now(),
        command,
    };
    Input {
        key: Some(env.key().into_bytes()),
        payload: serde_json::to_vec(&env).unwrap_or_default(),
    }
}

pub fn send(actor: UserId, room_id: RoomId, body: &str) -> (MessageId, Input) {
    let message_id = MessageId::new();
    let command = Command::SendMessage {
        room_id,
        message_id,
        body: body.into(),
        client_id: None,
        reply_to: None,
    };
    (message_id, envelope(Some(actor), command))
}

/// The same command, sent by nobody waiting for its `result`.
pub fn unwanted_result(input: Input) -> Input {
    let mut env: CommandEnvelope =
        serde_json::from_slice(&input.payload).unwrap_or_else(|e| panic!("{e}"));
    env.result_wanted = false;
    Input {
        payload: serde_json::to_vec(&env).unwrap_or_default(),
        ..input
    }
}

/// The events of a prepared batch, as JSON.
pub fn events(prepared: &Prepared) -> Vec<Value> {
    let decode = |o: &parley_worker::record::Output| serde_json::from_slice(&o.payload).ok();
    prepared.events.iter().filter_map(decode).collect()
}

pub fn event_of<'a>(events: &'a [Value], name: &str, id: &str) -> Option<&'a Value> {
    events.iter().find(|e| {
        e["event"]["event"] == name
            && (e["event"]["data"]["id"] == id || e["event"]["data"]["request_id"] == id)
    })
}

/// A fresh, migrated database with one user in one room.
pub struct Fixture {
    pub db: FreshDatabase,
    pub conn: PgConnection,
    pub user: UserId,
    pub room: RoomId,
}

pub async fn fixture() -> anyhow::Result<Fixture> {
    let services = Services::from_env();
    let db = FreshDatabase::create(&services.database_url, &unique("parley_apply")).await?;
    let mut conn = PgConnection::establish(&db.url).context("connecting")?;
    parley_db::migrate::run_pending(&mut conn)?;
    let (user, room) = (UserId::new(), RoomId::new());
    let name = unique("pin");
    let register = Command::Register {
        user_id: user,
        username: name.clone(),
        username_key: name.clone(),
        password_hash: "not-a-real-hash".into(),
        display_name: name,
    };
    let create = Command::CreateRoom {
        room_id: room,
        name: "pinned".into(),
        visibility: Visibility::Private,
        members: vec![],
    };
    let setup = [envelope(None, register), envelope(Some(user), create)];
    let prepared = apply_batch(&mut conn, &setup)?;
    if prepared.applied != 2 {
        bail!("set-up applied {} of 2 commands", prepared.applied);
    }
    Ok(Fixture {
        db,
        conn,
        user,
        room,
    })
}

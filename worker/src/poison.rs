//! Command records the worker cannot decode: each goes to the dead-letter topic as it
//! came, and its sender, when the record names one, gets an `invalid_json` result.

use crate::record::Output;
use parley_schema::event::{Event, EventEnvelope, Reply};
use parley_schema::{ErrorCode, Outcome, RequestId, UserId};
use serde::Deserialize;

/// A consumed command record.
#[derive(Debug, Clone)]
pub struct Input {
    pub key: Option<Vec<u8>>,
    pub payload: Vec<u8>,
}

/// Just enough of a command to answer it when the rest does not decode.
#[derive(Deserialize)]
struct Partial {
    request_id: RequestId,
    actor: Option<UserId>,
}

/// The dead letter for an undecodable record, and the error result for its sender.
pub fn poison(input: &Input, reason: &serde_json::Error) -> (Output, Option<Output>) {
    tracing::warn!(%reason, "undecodable command sent to the dead-letter topic");
    let key = input
        .key
        .as_deref()
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .unwrap_or_default();
    let partial = serde_json::from_slice::<Partial>(&input.payload).ok();
    let dead = Output {
        key: key.clone(),
        request_id: partial.as_ref().map(|p| p.request_id),
        payload: input.payload.clone(),
    };
    let answer = partial.and_then(|p| {
        let actor = p.actor?;
        let outcome = Outcome::refused(
            ErrorCode::InvalidJson,
            "the command could not be decoded by the worker",
        );
        let env = EventEnvelope {
            id: Some(format!("{}/poison", p.request_id)),
            request_id: Some(p.request_id),
            audience: vec![actor],
            room: None,
            author: None,
            event: Event::Result(Reply::new(p.request_id, outcome)),
        };
        let payload = serde_json::to_vec(&env).ok()?;
        Some(Output {
            key,
            request_id: Some(p.request_id),
            payload,
        })
    });
    (dead, answer)
}

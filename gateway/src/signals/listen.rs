//! Reading the ephemeral topic: every partition from its end (nothing is replayed), each
//! signal handed to the hub. Also forgets, once a second, the gateways that went silent.

use super::Signal;
use crate::state::AppState;
use anyhow::Context;
use bytestring::ByteString;
use parley_bus::context::LogContext;
use parley_schema::social::TypingEvent;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::{Message, Offset, TopicPartitionList};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The consumer, assigned to the end of every partition of the ephemeral topic.
pub fn consumer(state: &AppState) -> anyhow::Result<StreamConsumer<LogContext>> {
    let args = &state.config.kafka;
    let client_id = format!("gateway-{}-signals", state.gateway_id);
    let mut config = parley_bus::client::consumer(args, &client_id, &client_id);
    config.set("auto.offset.reset", "latest");
    let consumer: StreamConsumer<LogContext> = config
        .create_with_context(LogContext::default())
        .context("creating the ephemeral consumer")?;
    let topic = args.topics().ephemeral;
    let md = consumer
        .fetch_metadata(Some(&topic), Duration::from_secs(10))
        .context("reading the ephemeral topic's metadata")?;
    let partitions = md
        .topics()
        .iter()
        .find(|t| t.name() == topic)
        .map_or(1, |t| t.partitions().len().max(1));
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(&topic, i32::try_from(p)?, Offset::End)?;
    }
    consumer
        .assign(&tpl)
        .context("assigning the ephemeral topic")?;
    Ok(consumer)
}

/// Hands signals to the hub until `shutdown`.
pub async fn run(
    consumer: StreamConsumer<LogContext>,
    state: Arc<AppState>,
    shutdown: CancellationToken,
) {
    let mut sweep = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = sweep.tick() => state.hub.expire_presence(state.signals.ttl()),
            m = consumer.recv() => match m {
                Ok(m) => handle(&state, m.payload().unwrap_or_default()),
                Err(e) => {
                    tracing::warn!(error = %e, "ephemeral consumer error");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
}

fn handle(state: &AppState, payload: &[u8]) {
    let signal: Signal = match serde_json::from_slice(payload) {
        Ok(s) => s,
        Err(e) => {
            tracing::debug!(error = %e, "undecodable signal skipped");
            return;
        }
    };
    let hub = &state.hub;
    match signal {
        Signal::Typing {
            room_id,
            user,
            until,
        } => {
            let typist = user.id;
            let event = TypingEvent {
                room_id,
                user,
                until,
            };
            let data = || ByteString::from(serde_json::to_string(&event).unwrap_or_default());
            let reached = hub.typing(room_id, typist, data);
            state.metrics.signals_delivered.inc_by(reached);
        }
        Signal::Presence {
            gateway,
            users,
            full,
        } => hub.announced(&gateway, &users, full),
        Signal::Status {
            user,
            session,
            state: said,
        } => hub.set_presence(user, session, said),
        Signal::Hello { gateway } if gateway != state.gateway_id => {
            state.signals.hello.notify_one();
        }
        Signal::Hello { .. } => {}
        Signal::Bye { gateway } => hub.forget_gateway(&gateway),
    }
    state.metrics.signals_consumed.inc();
}

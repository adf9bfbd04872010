//! Client configurations. Every option that matters for durability or latency is set
//! here deliberately rather than left to librdkafka's defaults.

use crate::config::KafkaArgs;
use rdkafka::ClientConfig;

fn base(args: &KafkaArgs, client_id: &str) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &args.kafka_bootstrap_servers)
        .set("client.id", client_id)
        // Loopback brokers answer in microseconds; fail over quickly when one dies.
        .set("socket.connection.setup.timeout.ms", "5000")
        .set("reconnect.backoff.ms", "50")
        .set("reconnect.backoff.max.ms", "1000");
    // librdkafka's own debug contexts (e.g. "eos,msg"), for diagnosing client behaviour.
    if let Ok(contexts) = std::env::var("PARLEY_KAFKA_DEBUG") {
        c.set("debug", contexts);
    }
    c
}

/// A producer whose delivery report means "durable": acks from all in-sync replicas,
/// idempotent so retries never duplicate or reorder within a partition.
pub fn producer(args: &KafkaArgs, client_id: &str) -> ClientConfig {
    let mut c = base(args, client_id);
    c.set("acks", "all")
        .set("enable.idempotence", "true")
        .set("linger.ms", args.linger_ms.to_string())
        .set("compression.type", "none")
        // A write that cannot reach Kafka fails within 3 s as a 503 instead of hanging.
        .set("message.timeout.ms", "3000");
    c
}

/// The worker's event producer: idempotent, and its records never time out, so through a
/// broker outage it retries until it is back, and within a partition what is acknowledged
/// is always a prefix of what was produced, in order (no gap a later record could pass).
pub fn event_producer(args: &KafkaArgs, client_id: &str) -> ClientConfig {
    let mut c = producer(args, client_id);
    c.set("message.timeout.ms", "0")
        // Loopback brokers: retry a failed request after a few milliseconds, not 100.
        .set("retry.backoff.ms", "5")
        .set("retry.backoff.max.ms", "100");
    c
}

/// The gateways' producer of typing and presence: fire and forget (the leader's ack,
/// no idempotence, no linger), since a lost signal is repeated within seconds.
pub fn ephemeral_producer(args: &KafkaArgs, client_id: &str) -> ClientConfig {
    let mut c = base(args, client_id);
    c.set("acks", "1")
        .set("enable.idempotence", "false")
        .set("linger.ms", "0")
        .set("compression.type", "none")
        .set("message.timeout.ms", "2000");
    c
}

/// A consumer with offsets committed by hand.
pub fn consumer(args: &KafkaArgs, client_id: &str, group: &str) -> ClientConfig {
    let mut c = base(args, client_id);
    c.set("group.id", group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("fetch.wait.max.ms", args.fetch_wait_ms.to_string())
        .set("fetch.error.backoff.ms", "50")
        .set("session.timeout.ms", "10000")
        // A subscription that found no partitions (a topic not yet known everywhere)
        // looks again within 10 s rather than librdkafka's 5 minutes.
        .set("topic.metadata.refresh.interval.ms", "10000")
        .set("heartbeat.interval.ms", "1000")
        .set("partition.assignment.strategy", "cooperative-sticky");
    c
}

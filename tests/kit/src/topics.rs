//! The stale-topic sweep: topics of test runs older than an hour are deleted, so a
//! developer's broker stays small. Best effort: a broker that does not answer is skipped.

use crate::names::{self, TOPIC_PREFIX};
use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::client::DefaultClientContext;
use rdkafka::ClientConfig;
use std::time::Duration;

pub(crate) async fn drop_stale(bootstrap: &str) {
    let Ok(admin) = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create::<AdminClient<DefaultClientContext>>()
    else {
        return;
    };
    // A blocking call of at most 5 s, once per run.
    let Ok(md) = admin.inner().fetch_metadata(None, Duration::from_secs(5)) else {
        return;
    };
    let now = names::now_secs();
    let stale: Vec<String> = md
        .topics()
        .iter()
        .map(|t| t.name().to_owned())
        .filter(|n| names::is_stale(n, TOPIC_PREFIX, now))
        .collect();
    if !stale.is_empty() {
        let stale: Vec<&str> = stale.iter().map(String::as_str).collect();
        let _ = admin.delete_topics(&stale, &AdminOptions::new()).await;
    }
}

//! Topic names: every topic Parley uses is named here and nowhere else.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    /// Commands from gateways to workers, keyed by room or user id.
    pub commands: String,
    /// Outcomes from workers to every gateway, keyed like the command they answer.
    pub events: String,
    /// Commands that could not be decoded or applied, for a human to look at.
    pub dlq: String,
    /// Typing and presence between gateways: short-lived, never replayed.
    pub ephemeral: String,
}

impl Topics {
    pub fn new(prefix: &str) -> Self {
        Self {
            commands: format!("{prefix}.commands"),
            events: format!("{prefix}.events"),
            dlq: format!("{prefix}.commands.dlq"),
            ephemeral: format!("{prefix}.ephemeral"),
        }
    }
}

/// The consumer group the workers share.
pub fn worker_group(prefix: &str) -> String {
    format!("{prefix}.workers")
}

#[cfg(test)]
mod tests {
    #[test]
    fn topics_follow_the_prefix() {
        let t = super::Topics::new("p1");
        assert_eq!(
            (t.commands.as_str(), t.events.as_str(), t.dlq.as_str()),
            ("p1.commands", "p1.events", "p1.commands.dlq")
        );
    }
}

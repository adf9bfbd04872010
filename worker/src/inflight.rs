//! Batches applied to Postgres whose events are still on their way to Kafka, oldest first.
//!
//! A batch's consumer offsets may be committed only once every one of its events is
//! acknowledged, and only after every older batch's: so the committed offset of a
//! partition never passes an event that is not in Kafka. When a delivery fails, every
//! batch in flight is consumed again from its start (the ledger turns that into a replay
//! of the same events under the same ids).

use crate::delivery::Ticket;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// Per partition of the commands topic: the first offset of a batch and the next after it.
pub type Ranges = BTreeMap<i32, (i64, i64)>;

/// A delivery failed: the batches in flight must be consumed again from these offsets.
#[derive(Debug, PartialEq, Eq)]
pub struct Failed {
    pub rewind_to: BTreeMap<i32, i64>,
}

#[derive(Default)]
pub struct InFlight {
    queue: VecDeque<(Arc<Ticket>, Ranges)>,
}

impl InFlight {
    pub fn push(&mut self, ticket: Arc<Ticket>, ranges: Ranges) {
        self.queue.push_back((ticket, ranges));
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// The oldest batch not yet settled.
    pub fn oldest(&self) -> Option<&Arc<Ticket>> {
        self.queue.front().map(|(t, _)| t)
    }

    /// Removes the leading batches that are delivered and returns the offsets that now
    /// mark them consumed (per partition, the next offset to consume). A failed batch
    /// anywhere fails them all: the queue is emptied and `Failed` says where to rewind.
    pub fn settle(&mut self) -> Result<BTreeMap<i32, i64>, Failed> {
        if self.queue.iter().any(|(t, _)| t.has_failed()) {
            let mut rewind_to = BTreeMap::new();
            for (_, ranges) in self.queue.drain(..) {
                for (partition, (first, _)) in ranges {
                    rewind_to.entry(partition).or_insert(first);
                }
            }
            return Err(Failed { rewind_to });
        }
        let mut commit = BTreeMap::new();
        while let Some((ticket, _)) = self.queue.front() {
            if !ticket.is_settled() {
                break;
            }
            if let Some((_, ranges)) = self.queue.pop_front() {
                for (partition, (_, next)) in ranges {
                    commit.insert(partition, next);
                }
            }
        }
        Ok(commit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(spans: &[(i32, i64, i64)]) -> Ranges {
        spans.iter().map(|&(p, a, b)| (p, (a, b))).collect()
    }

    fn pending(records: usize) -> Arc<Ticket> {
        let t = Arc::new(Ticket::default());
        for _ in 0..records {
            t.sending();
        }
        t
    }

    #[test]
    fn offsets_are_committed_in_order_only_once_delivered() {
        let mut q = InFlight::default();
        let (a, b) = (pending(1), pending(0));
        q.push(Arc::clone(&a), ranges(&[(0, 10, 12), (1, 5, 6)]));
        q.push(Arc::clone(&b), ranges(&[(0, 12, 15)]));
        assert_eq!(q.settle(), Ok(BTreeMap::new()), "b is delivered, a is not");
        assert_eq!(q.len(), 2);
        a.reported(true);
        assert_eq!(q.settle(), Ok([(0, 15), (1, 6)].into()));
        assert!(q.is_empty());
    }

    #[test]
    fn a_failed_delivery_rewinds_every_batch_in_flight() {
        let mut q = InFlight::default();
        let (a, b) = (pending(0), pending(1));
        q.push(a, ranges(&[(0, 10, 12)]));
        q.push(Arc::clone(&b), ranges(&[(0, 12, 15), (3, 7, 9)]));
        b.reported(false);
        let expected = Failed {
            rewind_to: [(0, 10), (3, 7)].into(),
        };
        assert_eq!(q.settle(), Err(expected));
        assert!(q.is_empty());
    }
}

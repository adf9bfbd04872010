//! The SSE `id:` cursor: for each partition of the events topic, the offset of the next
//! event the stream has not seen. Encoded as the offsets joined by `.` (`"12.0.7.3"`):
//! compact, and any gateway can decode it, so a stream can resume anywhere.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(pub Vec<i64>);

impl Cursor {
    pub fn encode(&self) -> String {
        let offsets: Vec<String> = self.0.iter().map(i64::to_string).collect();
        offsets.join(".")
    }

    /// Decodes a cursor for a topic of `partitions` partitions.
    pub fn decode(s: &str, partitions: usize) -> Option<Self> {
        let offsets: Vec<i64> = s
            .trim()
            .split('.')
            .map(|p| p.parse::<i64>().ok().filter(|o| *o >= 0))
            .collect::<Option<_>>()?;
        (offsets.len() == partitions).then_some(Self(offsets))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let c = Cursor(vec![12, 0, 7, 3]);
        assert_eq!(c.encode(), "12.0.7.3");
        assert_eq!(Cursor::decode("12.0.7.3", 4), Some(c));
    }

    #[test]
    fn malformed_cursors_are_rejected() {
        assert_eq!(Cursor::decode("1.2", 4), None);
        assert_eq!(Cursor::decode("a.b.c.d", 4), None);
        assert_eq!(Cursor::decode("-1.0.0.0", 4), None);
        assert_eq!(Cursor::decode("", 1), None);
    }

    proptest::proptest! {
        #[test]
        fn any_last_event_id_decodes_without_panicking(s in "\\PC*", n in 0usize..64) {
            let _ = Cursor::decode(&s, n);
        }

        #[test]
        fn every_cursor_round_trips(offsets in proptest::collection::vec(0i64..i64::MAX, 1..64)) {
            let c = Cursor(offsets);
            proptest::prop_assert_eq!(Cursor::decode(&c.encode(), c.0.len()), Some(c));
        }
    }
}

//! An incremental `text/event-stream` parser (the WHATWG rules that matter here): bytes
//! arrive in arbitrary chunks, lines end in `\n`, `\r\n` or `\r`, comment lines start with
//! `:`, `data` lines join with `\n`, and an event is dispatched at a blank line when it has
//! data. The last `id:` seen is kept for `Last-Event-ID` on reconnect.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The `event:` field, or `message` when there was none.
    pub name: String,
    pub data: String,
}

#[derive(Debug, Default)]
pub struct Parser {
    line: Vec<u8>,
    /// The previous byte was `\r`: a following `\n` belongs to the same line end.
    after_cr: bool,
    name: Option<String>,
    data: String,
    has_data: bool,
    last_id: Option<String>,
}

impl Parser {
    pub fn new() -> Self {
        Self::default()
    }

    /// The last `id:` field seen, for `Last-Event-ID`.
    pub fn last_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// Feeds a chunk; returns the events it completed, in order.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<Event> {
        let mut out = Vec::new();
        for &b in chunk {
            match b {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' | b'\r' => {
                    self.after_cr = b == b'\r';
                    let line = std::mem::take(&mut self.line);
                    if let Some(ev) = self.end_line(&line) {
                        out.push(ev);
                    }
                }
                _ => {
                    self.after_cr = false;
                    self.line.push(b);
                }
            }
        }
        out
    }

    fn end_line(&mut self, line: &[u8]) -> Option<Event> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line.first() == Some(&b':') {
            return None;
        }
        let text = String::from_utf8_lossy(line);
        let (field, value) = match text.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (text.as_ref(), ""),
        };
        match field {
            "event" => self.name = Some(value.to_owned()),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            // An id containing NUL is ignored, as the spec says.
            "id" if !value.contains('\0') => self.last_id = Some(value.to_owned()),
            _ => {} // `retry` and unknown fields
        }
        None
    }

    fn dispatch(&mut self) -> Option<Event> {
        let name = self.name.take();
        if !self.has_data {
            return None;
        }
        self.has_data = false;
        Some(Event {
            name: name.unwrap_or_else(|| "message".to_owned()),
            data: std::mem::take(&mut self.data),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(events: &[Event]) -> Vec<&str> {
        events.iter().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn parses_a_named_event_with_id() {
        let mut p = Parser::new();
        let evs = p.feed(b"id: 3-4\nevent: message\ndata: {\"a\":1}\n\n");
        assert_eq!(
            evs,
            vec![Event {
                name: "message".into(),
                data: "{\"a\":1}".into()
            }]
        );
        assert_eq!(p.last_id(), Some("3-4"));
    }

    #[test]
    fn events_split_across_chunks_at_any_byte() {
        let text =
            b"retry: 2000\n\nevent: ready\ndata: {}\n\n: keep-alive\n\nevent: room\ndata: x\n\n";
        for cut in 0..text.len() {
            let mut p = Parser::new();
            let mut evs = p.feed(&text[..cut]);
            evs.extend(p.feed(&text[cut..]));
            assert_eq!(names(&evs), vec!["ready", "room"], "cut at {cut}");
        }
    }

    #[test]
    fn comments_and_data_less_blocks_dispatch_nothing() {
        let mut p = Parser::new();
        assert!(p
            .feed(b": keep-alive\n\nretry: 10\n\nevent: x\n\n")
            .is_empty());
        // The name of an undispatched block does not leak into the next event.
        let evs = p.feed(b"data: y\n\n");
        assert_eq!(names(&evs), vec!["message"]);
    }

    #[test]
    fn crlf_and_cr_line_ends_work() {
        let mut p = Parser::new();
        let evs = p.feed(b"event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\r");
        assert_eq!(names(&evs), vec!["a", "b"]);
        assert_eq!(evs[1].data, "2");
    }

    #[test]
    fn multi_line_data_joins_with_newline_and_keeps_inner_spaces() {
        let mut p = Parser::new();
        let evs = p.feed(b"data:one\ndata:  two\n\n");
        assert_eq!(evs[0].data, "one\n two");
    }

    #[test]
    fn id_survives_events_without_id() {
        let mut p = Parser::new();
        p.feed(b"id: 7\ndata: a\n\ndata: b\n\n");
        assert_eq!(p.last_id(), Some("7"));
    }
}

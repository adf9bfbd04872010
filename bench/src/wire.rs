//! `GET /api/events` over a bare HTTP/1.1 connection: the request written by hand, the
//! response head checked, and the body (chunked, sized or until close) handed on as it
//! arrives.
//!
//! Why not reqwest, as for every other request: its body passes each chunk from hyper's
//! connection task to the reader's task through a channel, two task wake-ups and several
//! allocations per event. With 1,000 streams on the machine under test that was the
//! generator's largest cost per delivery, taken from the two cores the server runs on
//! (docs/benchmarks.md, "A cheaper generator"). Here a delivery is one `read` and a copy.

use anyhow::{bail, Context};
use bytes::Bytes;
use std::net::{IpAddr, SocketAddr};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// The largest response head read before giving up.
const MAX_HEAD: usize = 16 * 1024;
const READ_SIZE: usize = 16 * 1024;

/// An open event stream's body.
pub struct EventBody {
    conn: TcpStream,
    /// Read but not yet decoded.
    pending: Vec<u8>,
    framing: Framing,
}

#[derive(Debug)]
enum Framing {
    Chunked(Chunked),
    Sized(u64),
    UntilClose,
}

/// Opens `GET /api/events` on `base` (`http://host:port`), from `local` when given.
pub async fn open(
    base: &str,
    local: Option<IpAddr>,
    token: &str,
    last_event_id: Option<&str>,
) -> anyhow::Result<EventBody> {
    let host = base
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .filter(|h| !h.is_empty())
        .with_context(|| format!("{base}: not an http:// URL"))?;
    let addr = resolve(host).await?;
    let mut conn = connect(addr, local)
        .await
        .with_context(|| format!("connecting to {base}"))?;
    conn.set_nodelay(true)?;
    let mut request = format!(
        "GET /api/events HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Accept: text/event-stream\r\n"
    );
    if let Some(id) = last_event_id {
        request.push_str(&format!("Last-Event-ID: {id}\r\n"));
    }
    request.push_str("\r\n");
    conn.write_all(request.as_bytes()).await?;
    let (head, rest) = read_head(&mut conn).await?;
    let head = Head::parse(&head)?;
    let mut body = EventBody {
        conn,
        pending: rest,
        framing: head.framing(),
    };
    if !(200..300).contains(&head.status) {
        let text = body.read_to_end(300).await;
        bail!("GET /api/events: {}: {text}", head.status);
    }
    Ok(body)
}

async fn resolve(host: &str) -> anyhow::Result<SocketAddr> {
    let mut addrs = tokio::net::lookup_host(host)
        .await
        .with_context(|| format!("resolving {host}"))?;
    addrs.next().with_context(|| format!("{host}: no address"))
}

async fn connect(addr: SocketAddr, local: Option<IpAddr>) -> std::io::Result<TcpStream> {
    let Some(local) = local else {
        return TcpStream::connect(addr).await;
    };
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.bind(SocketAddr::new(local, 0))?;
    socket.connect(addr).await
}

/// Reads up to the blank line ending the head: the head, and what came after it.
async fn read_head(conn: &mut TcpStream) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::with_capacity(1024);
    loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Ok((buf, rest));
        }
        if buf.len() > MAX_HEAD {
            bail!("GET /api/events: a response head over {MAX_HEAD} bytes");
        }
        let mut chunk = [0u8; 4096];
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            bail!("GET /api/events: the connection closed before a response");
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A response head: the status and how the body is framed.
#[derive(Debug, PartialEq, Eq)]
struct Head {
    status: u16,
    chunked: bool,
    length: Option<u64>,
}

impl Head {
    fn parse(head: &[u8]) -> anyhow::Result<Self> {
        let text = std::str::from_utf8(head).context("a response head that is not UTF-8")?;
        let mut lines = text.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("a bad status line: {status_line:?}"))?;
        let mut parsed = Head {
            status,
            chunked: false,
            length: None,
        };
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("transfer-encoding") {
                parsed.chunked = value.to_ascii_lowercase().contains("chunked");
            } else if name.eq_ignore_ascii_case("content-length") {
                parsed.length = value.parse().ok();
            }
        }
        Ok(parsed)
    }

    fn framing(&self) -> Framing {
        match (self.chunked, self.length) {
            (true, _) => Framing::Chunked(Chunked::default()),
            (false, Some(n)) => Framing::Sized(n),
            (false, None) => Framing::UntilClose,
        }
    }
}

impl EventBody {
    /// The next part of the body as it arrived; `None` at its end (or the connection's).
    pub async fn next(&mut self) -> Option<anyhow::Result<Bytes>> {
        loop {
            let mut out = Vec::new();
            if let Err(e) = self.decode(&mut out) {
                return Some(Err(e));
            }
            if !out.is_empty() {
                return Some(Ok(Bytes::from(out)));
            }
            if self.finished() {
                return None;
            }
            self.pending.reserve(READ_SIZE);
            match self.conn.read_buf(&mut self.pending).await {
                Ok(0) if matches!(self.framing, Framing::UntilClose) => return None,
                Ok(0) => return Some(Err(anyhow::anyhow!("the stream closed mid-body"))),
                Ok(_) => {}
                Err(e) => return Some(Err(e.into())),
            }
        }
    }

    fn finished(&self) -> bool {
        match &self.framing {
            Framing::Chunked(c) => c.done,
            Framing::Sized(n) => *n == 0,
            Framing::UntilClose => false,
        }
    }

    /// Moves what `pending` holds of the body's content to `out`.
    fn decode(&mut self, out: &mut Vec<u8>) -> anyhow::Result<()> {
        match &mut self.framing {
            Framing::Chunked(c) => c.decode(&mut self.pending, out)?,
            Framing::Sized(left) => {
                let take = self
                    .pending
                    .len()
                    .min(usize::try_from(*left).unwrap_or(usize::MAX));
                out.extend(self.pending.drain(..take));
                *left -= take as u64;
            }
            Framing::UntilClose => out.append(&mut self.pending),
        }
        Ok(())
    }

    /// The rest of a (short, error) body as text, at most `max` characters.
    async fn read_to_end(&mut self, max: usize) -> String {
        let mut text = Vec::new();
        while let Some(Ok(part)) = self.next().await {
            text.extend_from_slice(&part);
            if text.len() > max * 4 {
                break;
            }
        }
        String::from_utf8_lossy(&text).chars().take(max).collect()
    }
}

/// Decodes `Transfer-Encoding: chunked` incrementally.
#[derive(Debug, Default)]
struct Chunked {
    /// Bytes left in the chunk being read; `None` when a size line comes next.
    left: Option<u64>,
    /// The chunk's data is read; its `\r\n` comes next.
    trailer: bool,
    done: bool,
}

impl Chunked {
    /// Takes what it can decode from the front of `input`, appending the content to
    /// `out`; an incomplete size line or `\r\n` stays in `input` for the next call.
    fn decode(&mut self, input: &mut Vec<u8>, out: &mut Vec<u8>) -> anyhow::Result<()> {
        let mut at = 0;
        while !self.done {
            let rest = &input[at..];
            if self.trailer {
                if rest.len() < 2 {
                    break;
                }
                if &rest[..2] != b"\r\n" {
                    bail!("chunked body: no CRLF after a chunk");
                }
                at += 2;
                self.trailer = false;
            } else if let Some(left) = self.left {
                let take = rest.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                if take == 0 {
                    break;
                }
                out.extend_from_slice(&rest[..take]);
                at += take;
                let left = left - take as u64;
                if left == 0 {
                    self.left = None;
                    self.trailer = true;
                } else {
                    self.left = Some(left);
                }
            } else {
                let Some(end) = find(rest, b"\r\n") else {
                    break;
                };
                let line = std::str::from_utf8(&rest[..end]).unwrap_or("");
                let hex = line.split(';').next().unwrap_or("").trim();
                let size = u64::from_str_radix(hex, 16)
                    .with_context(|| format!("chunked body: a bad size line {line:?}"))?;
                at += end + 2;
                if size == 0 {
                    self.done = true;
                } else {
                    self.left = Some(size);
                }
            }
        }
        input.drain(..at);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(parts: &[&[u8]]) -> (Vec<u8>, bool) {
        let mut c = Chunked::default();
        let mut input = Vec::new();
        let mut out = Vec::new();
        for p in parts {
            input.extend_from_slice(p);
            c.decode(&mut input, &mut out)
                .unwrap_or_else(|e| panic!("decodes: {e}"));
        }
        (out, c.done)
    }

    #[test]
    fn chunks_decode_whatever_the_reads_cut() {
        let body = b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n";
        for cut in 0..body.len() {
            let (out, done) = decode_all(&[&body[..cut], &body[cut..]]);
            assert_eq!(out, b"hello, world", "cut at {cut}");
            assert!(done, "cut at {cut}");
        }
        // One byte at a time.
        let bytes: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(decode_all(&bytes).0, b"hello, world");
    }

    #[test]
    fn a_bad_chunk_is_an_error() {
        let mut c = Chunked::default();
        let mut out = Vec::new();
        assert!(c.decode(&mut b"zz\r\n".to_vec(), &mut out).is_err());
        let mut c = Chunked::default();
        assert!(c.decode(&mut b"2\r\nabXY".to_vec(), &mut out).is_err());
    }

    #[test]
    fn a_head_says_status_and_framing() {
        let head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
                     Transfer-Encoding: chunked\r\n\r\n";
        let parsed = Head::parse(head).unwrap_or_else(|e| panic!("parses: {e}"));
        assert_eq!(parsed.status, 200);
        assert!(parsed.chunked);
        let head = b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 42\r\n\r\n";
        let parsed = Head::parse(head).unwrap_or_else(|e| panic!("parses: {e}"));
        assert_eq!((parsed.status, parsed.length), (401, Some(42)));
        assert!(Head::parse(b"garbage\r\n\r\n").is_err());
    }

    /// Serves one canned response to the first connection, after reading its request.
    async fn serve_once(response: &'static [u8]) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("binds: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("addr: {e}"));
        tokio::spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap_or_else(|e| panic!("{e}"));
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf).await;
            // Split mid-chunk, as a network may.
            let (a, b) = response.split_at(response.len() / 2);
            let _ = conn.write_all(a).await;
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            let _ = conn.write_all(b).await;
        });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn a_refused_stream_is_an_error_with_the_status_and_body() {
        let base = serve_once(
            b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 25\r\n\r\n{\"error\":\"unauthorized\"}",
        )
        .await;
        let err = match open(&base, None, "t", None).await {
            Ok(_) => panic!("a 401 opened"),
            Err(e) => e.to_string(),
        };
        assert_eq!(err, "GET /api/events: 401: {\"error\":\"unauthorized\"}");
    }

    #[tokio::test]
    async fn a_chunked_stream_yields_its_content_then_ends() {
        let base = serve_once(
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n\
              d\r\nevent: ready\n\r\na\r\ndata: {}\n\n\r\n0\r\n\r\n",
        )
        .await;
        let mut body = open(&base, None, "t", Some("3-4"))
            .await
            .unwrap_or_else(|e| panic!("opens: {e}"));
        let mut content = Vec::new();
        while let Some(part) = body.next().await {
            content.extend_from_slice(&part.unwrap_or_else(|e| panic!("reads: {e}")));
        }
        assert_eq!(content, b"event: ready\ndata: {}\n\n");
    }
}

//! The `Prefer: wait=N` request header (RFC 7240), capped at 30 seconds.

use actix_web::HttpRequest;
use std::time::Duration;

pub const MAX_WAIT: Duration = Duration::from_secs(30);

/// The wait the client asked for, if any.
pub fn wait(req: &HttpRequest) -> Option<Duration> {
    req.headers()
        .get_all("prefer")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(parse_one)
}

fn parse_one(pref: &str) -> Option<Duration> {
    let first = pref.split(';').next()?.trim();
    let (name, value) = first.split_once('=')?;
    if !name.trim().eq_ignore_ascii_case("wait") {
        return None;
    }
    let secs: f64 = value.trim().trim_matches('"').parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs).min(MAX_WAIT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wait_among_other_preferences() {
        assert_eq!(parse_one("wait=5"), Some(Duration::from_secs(5)));
        assert_eq!(parse_one(" wait = 2 "), Some(Duration::from_secs(2)));
        assert_eq!(parse_one("respond-async"), None);
        assert_eq!(parse_one("wait=100"), Some(MAX_WAIT));
        assert_eq!(parse_one("wait=-1"), None);
        assert_eq!(parse_one("wait=abc"), None);
    }
}

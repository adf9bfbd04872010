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
    // Clamp before converting: `Duration::from_secs_f64` panics past `u64::MAX` seconds.
    (secs.is_finite() && secs >= 0.0)
        .then(|| Duration::from_secs_f64(secs.min(MAX_WAIT.as_secs_f64())))
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

    #[test]
    fn huge_and_odd_waits_are_capped_not_panics() {
        assert_eq!(parse_one("wait=1e20"), Some(MAX_WAIT));
        assert_eq!(parse_one("wait=1e308"), Some(MAX_WAIT));
        assert_eq!(parse_one("wait=inf"), None);
        assert_eq!(parse_one("wait=NaN"), None);
        assert_eq!(parse_one("wait=-0"), Some(Duration::ZERO));
    }

    proptest::proptest! {
        #[test]
        fn any_header_value_parses_without_panicking(value in "\\PC*") {
            let _ = value.split(',').find_map(parse_one);
        }

        #[test]
        fn any_number_gives_a_wait_within_the_cap(secs in proptest::num::f64::ANY) {
            if let Some(wait) = parse_one(&format!("wait={secs}")) {
                proptest::prop_assert!(wait <= MAX_WAIT);
            }
        }
    }
}

//! `--since` durations: a number and a unit (`s`, `m`, `h`, `d`).

/// Parses `90s`, `15m`, `1h` or `7d`.
pub fn parse(text: &str) -> Result<chrono::Duration, String> {
    let text = text.trim();
    let split = text.len().saturating_sub(1);
    let (number, unit) = (text.get(..split), text.get(split..));
    let n: i64 = number
        .and_then(|n| n.parse().ok())
        .filter(|n| *n >= 0)
        .ok_or_else(|| format!("{text:?} is not a duration like 90s, 15m, 1h or 7d"))?;
    let seconds = match unit {
        Some("s") => 1,
        Some("m") => 60,
        Some("h") => 3600,
        Some("d") => 86_400,
        _ => return Err(format!("{text:?} needs a unit: s, m, h or d")),
    };
    n.checked_mul(seconds)
        .and_then(chrono::Duration::try_seconds)
        .ok_or_else(|| format!("{text:?} is too long"))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn durations_take_a_number_and_a_unit() {
        assert_eq!(parse("90s"), Ok(chrono::Duration::seconds(90)));
        assert_eq!(parse("1h"), Ok(chrono::Duration::hours(1)));
        assert_eq!(parse("7d"), Ok(chrono::Duration::days(7)));
        assert!(parse("1").is_err());
        assert!(parse("h").is_err());
        assert!(parse("-1h").is_err());
        assert!(parse("1w").is_err());
        assert!(parse("한h").is_err());
    }
}

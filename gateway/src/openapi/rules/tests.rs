//! The patterns against the validators they describe.

use super::*;
use parley_schema::validate::{
    ClientId, DisplayName, MessageBody, RoomName, StatusMessage, Username as Name,
};
use proptest::prelude::*;
use proptest::string::string_regex;

/// Whether the validator of `schema.field` accepts `value`.
fn accepts(schema: &str, field: &str, value: &str) -> bool {
    match (schema, field) {
        (_, "display_name") => DisplayName::parse(value).is_ok(),
        (_, "status_message") => StatusMessage::parse(value).is_ok(),
        ("CreateRoomRequest", "name") => RoomName::parse(value).is_ok(),
        (_, "body") => MessageBody::parse(value).is_ok(),
        (_, "client_id") => ClientId::parse(value).is_ok(),
        _ => panic!("no validator for {schema}.{field}"),
    }
}

#[test]
fn the_lengths_of_the_text_rules_are_the_validators() {
    for (schema, field, rule) in TEXT_FIELDS {
        let ok = |s: &str| accepts(schema, field, s);
        assert!(
            ok(&"x".repeat(rule.max)),
            "{field}: {} characters",
            rule.max
        );
        assert!(
            !ok(&"x".repeat(rule.max + 1)),
            "{field}: {} characters",
            rule.max + 1
        );
        let padded = format!(" \t{}\u{3000}", "x".repeat(rule.max));
        assert!(ok(&padded), "{field}: trimmed before counting");
        assert_eq!(ok(""), rule.min == 0, "{field}: empty");
        assert_eq!(ok(" \n "), rule.min == 0, "{field}: only white space");
        assert_eq!(ok("a\nb"), rule.multiline, "{field}: a newline inside");
        assert!(!ok("a\u{7}b") && !ok("a\u{202E}b"), "{field}: controls");
    }
}

/// `pattern` without its anchors, which proptest cannot generate from.
fn generator(pattern: &str) -> impl Strategy<Value = String> {
    let inner = pattern.strip_prefix('^').and_then(|p| p.strip_suffix('$'));
    string_regex(inner.unwrap_or(pattern)).unwrap_or_else(|e| panic!("{pattern}: {e}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_string_a_text_pattern_describes_is_accepted(
        (i, value) in (0..TEXT_FIELDS.len()).prop_flat_map(|i| {
            (Just(i), generator(&TEXT_FIELDS[i].2.pattern()))
        })
    ) {
        let (schema, field, _) = TEXT_FIELDS[i];
        prop_assert!(accepts(schema, field, &value), "{schema}.{field}: {value:?}");
    }

    #[test]
    fn every_string_the_username_pattern_describes_is_a_username(
        value in generator(&USERNAME_PATTERN)
    ) {
        prop_assert!(Name::parse(&value).is_ok(), "{value:?}");
    }
}

/// NFKC turns `c` into several characters, each of which a nickname may hold.
fn expands_to_nickname_characters(c: char) -> bool {
    let form = text::nickname_form(c.encode_utf8(&mut [0; 4]));
    form.chars().count() > 1 && form.chars().all(text::nickname_char)
}

#[test]
fn the_username_class_is_every_character_a_nickname_is_made_of() {
    for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
        let three: String = [c; 3].iter().collect();
        let valid = Name::parse(&three).is_ok();
        let expected = nickname(c) || expands_to_nickname_characters(c);
        assert_eq!(valid, expected, "U+{:04X}", u32::from(c));
    }
}

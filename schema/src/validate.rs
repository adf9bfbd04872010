//! Input rules of API.md, applied at the gateway before anything is published.
//!
//! Each constructor takes raw input and returns a value that is known to be valid, or a
//! [`ValidationError`] naming the field. Lengths count Unicode scalar values, after NFKC
//! normalization for nicknames (so a Korean nickname typed as decomposed jamo is the same
//! nickname as its composed form). Which characters are allowed: [`crate::text`].

use crate::text;
use thiserror::Error;

/// A rule an input broke.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct ValidationError {
    pub field: &'static str,
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> ValidationError {
    ValidationError {
        field,
        message: message.into(),
    }
}

fn check_len(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), ValidationError> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(invalid(
            field,
            format!("{field} must be {min} to {max} characters (got {n})"),
        ));
    }
    Ok(())
}

/// Refuses controls and bidi controls (newline and tab too unless `multiline`).
fn check_chars(field: &'static str, value: &str, multiline: bool) -> Result<(), ValidationError> {
    match text::forbidden_char(value, multiline) {
        Some(bad) => Err(invalid(
            field,
            format!(
                "{field} may not hold the control character U+{:04X}",
                bad as u32
            ),
        )),
        None => Ok(()),
    }
}

/// A nickname: 3-32 Unicode letters, digits, `_`, `.`, `-` (UTS #39 identifier characters
/// only, so nothing invisible), stored in NFKC form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let name = text::nickname_form(raw);
        check_len("username", &name, 3, 32)?;
        if let Some(bad) = name.chars().find(|&c| !text::nickname_char(c)) {
            return Err(invalid(
                "username",
                format!(
                    "username may hold letters, digits, '_', '.' and '-' only, not U+{:04X}",
                    bad as u32
                ),
            ));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The look-up key: names equal without regard to case share it.
    pub fn key(&self) -> String {
        username_key(&self.0)
    }

    /// The uniqueness key: names that look alike share it ([`text::nickname_skeleton`]).
    pub fn skeleton(&self) -> String {
        text::nickname_skeleton(&self.0)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The case-insensitive key of a (possibly unvalidated) nickname, for look-ups.
pub fn username_key(name: &str) -> String {
    text::nickname_key(name)
}

/// A password of 8-128 characters. Never logged, never published.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        check_len("password", raw, 8, 128)?;
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

macro_rules! trimmed_text {
    ($(#[$doc:meta])* $name:ident, $field:literal, $min:expr, $max:expr, $multiline:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, ValidationError> {
                let value = raw.trim();
                check_len($field, value, $min, $max)?;
                check_chars($field, value, $multiline)?;
                Ok(Self(value.to_owned()))
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }
    };
}

trimmed_text!(
    /// A display name: 1-64 characters after trimming.
    DisplayName, "display_name", 1, 64, false
);
trimmed_text!(
    /// A status message: 0-140 characters after trimming.
    StatusMessage, "status_message", 0, 140, false
);
trimmed_text!(
    /// A room name: 1-100 characters after trimming.
    RoomName, "name", 1, 100, false
);
trimmed_text!(
    /// A message body: 1-4000 characters after trimming.
    MessageBody, "body", 1, 4000, true
);
trimmed_text!(
    /// A client-chosen idempotency key for a message: 1-64 characters.
    ClientId, "client_id", 1, 64, false
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn korean_nicknames_are_valid() {
        assert!(Username::parse("김철수").is_ok());
        assert!(Username::parse("별빛_2026").is_ok());
    }

    #[test]
    fn decomposed_and_composed_hangul_share_a_key() {
        let composed = Username::parse("한글이").map(|u| u.key());
        let decomposed: String = "한글이".nfd().collect();
        assert_eq!(composed, Username::parse(&decomposed).map(|u| u.key()));
    }

    #[test]
    fn username_key_ignores_case() {
        assert_eq!(username_key("Alice"), username_key("aLICE"));
    }

    #[test]
    fn username_rejects_spaces_and_symbols() {
        for bad in ["al ice", "bob!", "<script>", "ab", "x@y"] {
            let err = Username::parse(bad).err();
            assert_eq!(err.map(|e| e.field), Some("username"), "{bad}");
        }
    }

    #[test]
    fn look_alike_nicknames_are_stored_in_nfkc_and_share_a_skeleton() {
        let real = Username::parse("admin").map(|u| u.skeleton());
        let wide = Username::parse("ａｄｍｉｎ");
        assert_eq!(wide.as_ref().map(Username::as_str), Ok("admin"));
        assert_eq!(Username::parse("аdmin").map(|u| u.skeleton()), real);
        assert!(Username::parse("admin\u{3164}").is_err(), "Hangul filler");
        assert!(
            Username::parse("ad\u{200B}min").is_err(),
            "zero-width space"
        );
    }

    #[test]
    fn text_fields_refuse_controls_and_bidi_overrides() {
        assert_eq!(
            MessageBody::parse("a\0b").err().map(|e| e.field),
            Some("body")
        );
        assert!(MessageBody::parse("two\nlines\tand a tab").is_ok());
        assert!(DisplayName::parse("two\nlines").is_err());
        assert!(StatusMessage::parse("\u{1b}[31m").is_err());
        assert!(RoomName::parse("x\u{202E}y").is_err());
        assert!(ClientId::parse("id\0").is_err());
    }

    #[test]
    fn message_body_is_trimmed_before_counting() {
        assert!(MessageBody::parse("   ").is_err());
        assert_eq!(
            MessageBody::parse("  hi  ").map(MessageBody::into_inner),
            Ok("hi".to_owned())
        );
    }

    #[test]
    fn password_debug_hides_the_secret() {
        let p = Password::parse("correct horse").map(|p| format!("{p:?}"));
        assert_eq!(p, Ok("Password(..)".to_owned()));
    }

    proptest! {
        #[test]
        fn usernames_of_allowed_chars_and_length_pass(name in "[a-zA-Z0-9_.가-힣-]{3,32}") {
            prop_assert!(Username::parse(&name).is_ok());
        }

        #[test]
        fn usernames_longer_than_32_fail(name in "[a-z가-힣]{33,60}") {
            prop_assert!(Username::parse(&name).is_err());
        }

        #[test]
        fn username_keys_equal_for_case_variants(name in "[a-zA-Z]{3,32}") {
            let upper = Username::parse(&name.to_uppercase()).map(|u| u.key());
            let lower = Username::parse(&name.to_lowercase()).map(|u| u.key());
            prop_assert_eq!(upper, lower);
        }

        #[test]
        fn passwords_follow_the_8_to_128_rule(pw in "\\PC{0,140}") {
            let n = pw.chars().count();
            prop_assert_eq!(Password::parse(&pw).is_ok(), (8..=128).contains(&n));
        }

        #[test]
        fn bodies_follow_the_1_to_4000_rule_after_trim(body in "\\PC{0,50}", pad in " {0,5}") {
            let raw = format!("{pad}{body}{pad}");
            let n = raw.trim().chars().count();
            prop_assert_eq!(MessageBody::parse(&raw).is_ok(), (1..=4000).contains(&n));
        }

        #[test]
        fn status_messages_up_to_140_pass(s in "[a-z가-힣 ]{0,140}") {
            prop_assert!(StatusMessage::parse(&s).is_ok());
        }
    }
}

//! What a message holds beyond its text: the emoji of a reaction (one emoji, in its
//! canonical form), the `@nickname`s a body mentions, and the excerpt a reply quotes.

use crate::text::{nickname_char, nickname_key};
use crate::validate::ValidationError;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// At most this many distinct emoji on one message.
pub const MAX_EMOJI_PER_MESSAGE: usize = 20;

/// How many characters of the message a reply quotes.
pub const EXCERPT_CHARS: usize = 140;

/// Every form a reaction may take, each with the canonical form it is stored as: every
/// emoji of Unicode's list (the `emojis` crate), each skin tone of those that have them,
/// and each also without its variation selectors (`❤` for `❤️`). The OpenAPI document
/// lists exactly these, so the document and the check cannot disagree.
static FORMS: LazyLock<BTreeMap<String, &'static str>> = LazyLock::new(|| {
    let mut forms = BTreeMap::new();
    for base in emojis::iter() {
        let tones = base.skin_tones().into_iter().flatten();
        for e in std::iter::once(base).chain(tones) {
            let canonical = e.as_str();
            forms.insert(canonical.to_owned(), canonical);
            let bare = canonical.replace('\u{FE0F}', "");
            if emojis::get(&bare).is_some_and(|b| b.as_str() == canonical) {
                forms.insert(bare, canonical);
            }
        }
    }
    forms
});

/// Every accepted form of a reaction, in a fixed order.
pub fn reaction_forms() -> impl Iterator<Item = &'static str> {
    FORMS.keys().map(String::as_str)
}

/// A reaction: one emoji (a skin tone or a ZWJ sequence is still one), stored in its
/// canonical form, so that `❤` and `❤️` are the same reaction.
pub fn reaction_emoji(raw: &str) -> Result<String, ValidationError> {
    FORMS
        .get(raw)
        .map(|c| (*c).to_owned())
        .ok_or_else(|| ValidationError {
            field: "emoji",
            message: "a reaction is one emoji".to_owned(),
        })
}

/// The look-up keys ([`nickname_key`]) of the nicknames a body names as `@nickname`,
/// each once, in order. A nickname may end in `.`, `-` or `_`, so for `@kim.` both
/// `kim.` and `kim` are candidates; whichever is a member is the mention.
pub fn mentioned_keys(body: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let mut push = |k: String| {
        if !k.is_empty() && !keys.contains(&k) {
            keys.push(k);
        }
    };
    let mut rest = body;
    while let Some(at) = rest.find('@') {
        let after = &rest[at + 1..];
        // `a@b` is an address, not a mention.
        let glued = rest[..at].chars().next_back().is_some_and(nickname_char);
        let end = after
            .char_indices()
            .find(|&(_, c)| !nickname_char(c))
            .map_or(after.len(), |(i, _)| i);
        let name = &after[..end];
        if !glued && !name.is_empty() {
            push(nickname_key(name));
            push(nickname_key(name.trim_end_matches(['.', '-', '_'])));
        }
        rest = after;
    }
    keys
}

/// The first [`EXCERPT_CHARS`] characters of a body.
pub fn excerpt(body: &str) -> String {
    body.chars().take(EXCERPT_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_emoji_is_a_reaction_and_its_forms_agree() {
        for ok in [
            "👍",
            "👍🏽",
            "🇰🇷",
            "👨\u{200d}👩\u{200d}👧",
            "1\u{fe0f}\u{20e3}",
        ] {
            assert!(reaction_emoji(ok).is_ok(), "{ok}");
        }
        assert_eq!(reaction_emoji("❤"), reaction_emoji("❤\u{fe0f}"));
        for bad in ["", "a", "👍👍", "👍 ", ":+1:", "ㅋ"] {
            assert_eq!(
                reaction_emoji(bad).map_err(|e| e.field),
                Err("emoji"),
                "{bad}"
            );
        }
    }

    #[test]
    fn mentions_are_found_in_any_script_and_case() {
        assert_eq!(
            mentioned_keys("hi @Alice and @김철수, mail bob@example.com"),
            vec!["alice", "김철수"]
        );
        assert_eq!(mentioned_keys("@kim. @kim"), vec!["kim.", "kim"]);
        assert!(mentioned_keys("no one @ all").is_empty());
    }

    #[test]
    fn an_excerpt_counts_characters_not_bytes() {
        let long = "가".repeat(200);
        assert_eq!(excerpt(&long).chars().count(), EXCERPT_CHARS);
        assert_eq!(excerpt("short"), "short");
    }
}

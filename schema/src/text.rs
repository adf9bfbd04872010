//! Which characters text may hold, and when two nicknames are the same name.
//!
//! - No text field holds NUL, another C0 or C1 control (only a message body keeps newline
//!   and tab), or a bidi embedding, override or isolate control, which can make text read
//!   backwards (U+202A-U+202E, U+2066-U+2069).
//! - A nickname holds only `_`, `.`, `-` and letters and digits that Unicode's identifier
//!   profile (UTS #39) allows, so no invisible filler or format character.
//! - Two nicknames are the same name when their confusable skeletons (UTS #39) agree after
//!   NFKC and lower-casing: `аdmin` (Cyrillic а), `ａｄｍｉｎ` and `admın` are all `admin`.

use unicode_normalization::UnicodeNormalization;
use unicode_security::GeneralSecurityProfile;

/// A bidi embedding, override or isolate control.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The first character a text field may not hold; `multiline` keeps newline and tab.
pub fn forbidden_char(s: &str, multiline: bool) -> Option<char> {
    s.chars().find(|&c| {
        let kept = multiline && matches!(c, '\n' | '\t');
        (c.is_control() && !kept) || is_bidi_control(c)
    })
}

/// Whether `c` may appear in a nickname.
pub fn nickname_char(c: char) -> bool {
    matches!(c, '_' | '.' | '-') || (c.is_alphanumeric() && c.identifier_allowed())
}

/// The form a nickname is stored in: NFKC, so that full-width or mathematical letters
/// become the letters they stand for.
pub fn nickname_form(raw: &str) -> String {
    raw.trim().nfkc().collect()
}

/// The case-insensitive look-up key of a nickname.
pub fn nickname_key(raw: &str) -> String {
    nickname_form(raw).to_lowercase()
}

/// The confusable skeleton of a nickname: equal for names that look alike.
pub fn nickname_skeleton(raw: &str) -> String {
    let key = nickname_key(raw);
    unicode_security::skeleton(&key).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_share_a_skeleton() {
        let admin = nickname_skeleton("admin");
        for fake in [
            "аdmin",      // Cyrillic а
            "ａｄｍｉｎ", // full-width
            "𝐚𝐝𝐦𝐢𝐧",      // mathematical bold
            "admın",      // dotless ı
            "ADMIN",
        ] {
            assert_eq!(nickname_skeleton(fake), admin, "{fake}");
        }
        assert_ne!(nickname_skeleton("adnin"), admin);
        assert_ne!(nickname_skeleton("김철수"), nickname_skeleton("김철호"));
    }

    #[test]
    fn invisible_and_format_characters_are_not_nickname_characters() {
        for c in [
            '\u{3164}', '\u{1160}', '\u{200B}', '\u{200D}', '\u{202E}', '\u{00AD}',
        ] {
            assert!(!nickname_char(c), "{c:?}");
        }
        assert!("김철수_a.b-9".chars().all(nickname_char));
    }

    #[test]
    fn controls_and_bidi_overrides_are_forbidden() {
        assert_eq!(forbidden_char("a\0b", true), Some('\0'));
        assert_eq!(forbidden_char("ding\u{7}", true), Some('\u{7}'));
        assert_eq!(forbidden_char("\u{1b}[31mred", true), Some('\u{1b}'));
        assert_eq!(forbidden_char("\u{85}", true), Some('\u{85}'));
        assert_eq!(forbidden_char("abc\u{202E}fdp.exe", true), Some('\u{202E}'));
        assert_eq!(forbidden_char("line\nnext\tcol", true), None);
        assert_eq!(forbidden_char("line\nnext", false), Some('\n'));
        assert_eq!(forbidden_char("안녕 👋🏽 \u{200D}", false), None);
    }
}

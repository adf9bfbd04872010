//! Message search without a word tokenizer: text is folded (NFKC, lower case) and indexed
//! by its characters and character pairs, so that a one- or two-syllable Korean query
//! ("회의", "점심") matches inside any word, as do mixed Korean and Latin text and Latin
//! text whatever its case. The index finds candidates by their grams; a candidate is a
//! match when it holds every term of the query; one that holds the whole query as typed
//! ranks first. The same functions serve the indexer (what to store) and the gateway (what
//! to ask), so the two never disagree.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 100;
/// Most terms (whitespace-separated parts) in a query.
pub const MAX_TERMS: usize = 8;
/// Characters of the body shown around the first match.
const SNIPPET_CHARS: usize = 120;

/// `text` as it is matched: NFKC, then lower case.
pub fn fold(text: &str) -> String {
    text.nfkc().flat_map(char::to_lowercase).collect()
}

/// The grams of a folded text: every character and every pair of adjacent characters
/// within a word, once each.
pub fn grams(folded: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in folded.split_whitespace() {
        let chars: Vec<char> = word.chars().collect();
        out.extend(chars.iter().map(char::to_string));
        out.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A query, ready to ask the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The whole query, folded, its whitespace runs made single spaces: the phrase.
    pub phrase: String,
    /// Its terms, folded.
    pub terms: Vec<String>,
    /// The grams every match must hold: each term's pairs (or its one character).
    pub grams: Vec<String>,
}

/// Why a query cannot be asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    Empty,
    TooLong,
    TooManyTerms,
}

/// What separates the terms of a query: whitespace, control characters and U+FEFF, which
/// is exactly what the ECMAScript class `[\s\u0000-\u001f\u007f-\u009f]` matches (so the
/// OpenAPI pattern of `q` and this function agree).
pub fn is_separator(c: char) -> bool {
    c.is_whitespace() || c.is_control() || c == '\u{feff}'
}

/// The OpenAPI pattern of a query: 1 to [`MAX_TERMS`] terms between separators.
pub const QUERY_PATTERN: &str = "^[\\s\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f]+(?:[\\s\\u0000-\\u001f\\u007f-\\u009f]+[^\\s\\u0000-\\u001f\\u007f-\\u009f]+){0,7}[\\s\\u0000-\\u001f\\u007f-\\u009f]*$";

impl Query {
    pub fn parse(q: &str) -> Result<Self, QueryError> {
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        // Split as typed, then fold each term: folding may turn one character into
        // several (NFKC), even with a space among them, but never into a new term.
        let raw: Vec<&str> = q.split(is_separator).filter(|t| !t.is_empty()).collect();
        if raw.is_empty() {
            return Err(QueryError::Empty);
        }
        if raw.len() > MAX_TERMS {
            return Err(QueryError::TooManyTerms);
        }
        let terms: Vec<String> = raw.iter().map(|t| fold(t)).collect();
        let mut needed: Vec<String> = terms.iter().flat_map(|t| term_grams(t)).collect();
        needed.sort_unstable();
        needed.dedup();
        Ok(Self {
            phrase: terms.join(" "),
            terms,
            grams: needed,
        })
    }
}

/// What a term asks of the index: its pairs, or its one character.
fn term_grams(term: &str) -> Vec<String> {
    let chars: Vec<char> = term.chars().collect();
    match chars.len() {
        0 => Vec::new(),
        1 => vec![term.to_owned()],
        _ => chars.windows(2).map(|w| w.iter().collect()).collect(),
    }
}

/// A piece of a message body around the first match, and where the terms are in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snippet {
    /// At most 120 characters of the body; `…` where it was cut.
    pub text: String,
    /// `[start, end)` of each match in `text`, in characters (Unicode scalar values),
    /// in order, never overlapping.
    pub highlights: Vec<[usize; 2]>,
}

/// The snippet of `body` for `terms` (folded).
pub fn snippet(body: &str, terms: &[String]) -> Snippet {
    let chars: Vec<char> = body.chars().collect();
    // Folded a segment at a time (a character with what combines with it), so that each
    // folded character maps back to the characters of the body it came from.
    let mut folded: Vec<char> = Vec::new();
    let mut origin: Vec<[usize; 2]> = Vec::new();
    for [from, to] in segments(&chars) {
        let piece: String = chars[from..to].iter().collect();
        for f in fold(&piece).chars() {
            folded.push(f);
            origin.push([from, to]);
        }
    }
    let mut spans: Vec<[usize; 2]> = Vec::new();
    for term in terms {
        let t: Vec<char> = term.chars().collect();
        if t.is_empty() || t.len() > folded.len() {
            continue;
        }
        for start in 0..=folded.len() - t.len() {
            if folded[start..start + t.len()] == t[..] {
                spans.push([origin[start][0], origin[start + t.len() - 1][1]]);
            }
        }
    }
    spans.sort_unstable();
    let mut merged: Vec<[usize; 2]> = Vec::new();
    for s in spans {
        match merged.last_mut() {
            Some(last) if s[0] <= last[1] => last[1] = last[1].max(s[1]),
            _ => merged.push(s),
        }
    }
    let first = merged.first().map_or(0, |s| s[0]);
    let from = first.saturating_sub(SNIPPET_CHARS / 4);
    let to = (from + SNIPPET_CHARS).min(chars.len());
    let from = to.saturating_sub(SNIPPET_CHARS).min(from);
    let lead = usize::from(from > 0);
    let mut text: String = if from > 0 {
        "…".into()
    } else {
        String::new()
    };
    text.extend(&chars[from..to]);
    if to < chars.len() {
        text.push('…');
    }
    let highlights = merged
        .into_iter()
        .filter(|s| s[0] >= from && s[1] <= to)
        .map(|s| [s[0] - from + lead, s[1] - from + lead])
        .collect();
    Snippet { text, highlights }
}

/// `[from, to)` of each segment of `chars`: a starter and the characters that may combine
/// with it under NFKC (combining marks; a Hangul syllable's vowel and final jamo).
fn segments(chars: &[char]) -> Vec<[usize; 2]> {
    let joins = |c: char| {
        unicode_normalization::char::canonical_combining_class(c) != 0
            || ('\u{1160}'..='\u{11ff}').contains(&c)
            || ('\u{d7b0}'..='\u{d7ff}').contains(&c)
    };
    let mut out: Vec<[usize; 2]> = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        match out.last_mut() {
            Some(last) if joins(*c) => last[1] = i + 1,
            _ => out.push([i, i + 1]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Query {
        Query::parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    /// Whether the index would offer `body` for `query` and it matches.
    fn matches(body: &str, query: &str) -> bool {
        let folded = fold(body);
        let have = grams(&folded);
        let query = q(query);
        query.grams.iter().all(|g| have.contains(g))
            && query.terms.iter().all(|t| folded.contains(t.as_str()))
    }

    #[test]
    fn one_and_two_syllable_korean_queries_match_inside_words() {
        assert!(matches("내일 오전 회의실 예약했어요", "회의"));
        assert!(matches("점심 뭐 먹을까", "점심"));
        assert!(matches("점심 뭐 먹을까", "점"));
        assert!(!matches("점을 찍다 심심해", "점심"));
        assert!(matches("오늘회의는취소", "회의"));
    }

    #[test]
    fn mixed_scripts_and_latin_case_match() {
        assert!(matches("Sprint 회의 at 3pm", "sprint 회의"));
        assert!(matches("LUNCH with the team", "lunch"));
        assert!(matches("ｌｕｎｃｈ (full width)", "LUNCH"));
        assert!(!matches("lunch", "launch"));
    }

    #[test]
    fn bad_queries_are_refused() {
        assert_eq!(Query::parse("   "), Err(QueryError::Empty));
        assert_eq!(Query::parse(&"a".repeat(101)), Err(QueryError::TooLong));
        assert_eq!(
            Query::parse("a b c d e f g h i"),
            Err(QueryError::TooManyTerms)
        );
    }

    #[test]
    fn a_snippet_marks_what_matched_only_once_folded() {
        let s = snippet("ＳＰＲＩＮＴ review", &q("sprint").terms);
        assert_eq!(s.highlights, [[0, 6]]);
        let s = snippet("ﬁle ligature", &q("file").terms);
        assert_eq!(s.highlights, [[0, 3]]);
        // 회의 decomposed (NFD), as some systems write Korean.
        let s = snippet(
            "\u{1112}\u{116c}\u{110b}\u{1174} only NFD",
            &q("회의").terms,
        );
        assert_eq!(s.highlights, [[0, 4]]);
    }

    #[test]
    fn a_snippet_marks_every_match_in_characters() {
        let s = snippet("Team 회의 moved: 회의실 B", &q("회의").terms);
        assert_eq!(s.text, "Team 회의 moved: 회의실 B");
        assert_eq!(s.highlights, [[5, 7], [15, 17]]);
        let long = format!("{}회의{}", "가".repeat(200), "나".repeat(200));
        let s = snippet(&long, &q("회의").terms);
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        let [a, b] = s.highlights[0];
        let marked: String = s.text.chars().skip(a).take(b - a).collect();
        assert_eq!(marked, "회의");
    }

    proptest::proptest! {
        #[test]
        fn any_text_indexes_and_any_query_parses_without_panicking(body in "\\PC{0,200}", query in "\\PC{0,120}") {
            let _ = grams(&fold(&body));
            if let Ok(query) = Query::parse(&query) {
                let s = snippet(&body, &query.terms);
                let len = s.text.chars().count();
                proptest::prop_assert!(s.highlights.iter().all(|h| h[0] < h[1] && h[1] <= len));
            }
        }
    }
}

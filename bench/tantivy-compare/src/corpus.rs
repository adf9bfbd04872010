//! The corpus and queries of scripts/search-bench, and Parley's folding and query parsing.

use unicode_normalization::UnicodeNormalization;

pub const KO: [&str; 30] = [
    "회의",
    "점심",
    "일정",
    "보고서",
    "프로젝트",
    "배포",
    "리뷰",
    "저녁",
    "내일",
    "오늘",
    "확인",
    "공유",
    "자료",
    "회의실",
    "예약",
    "출장",
    "휴가",
    "마감",
    "디자인",
    "서버",
    "고객",
    "계약",
    "발표",
    "준비",
    "정리",
    "질문",
    "답변",
    "수정",
    "테스트",
    "문서",
];
pub const EN: [&str; 18] = [
    "meeting", "lunch", "deploy", "review", "sprint", "release", "bug", "fix", "design", "server",
    "client", "deadline", "draft", "report", "Friday", "Monday", "coffee", "plan",
];
pub const QUERIES: [&str; 9] = [
    "회",
    "회의",
    "점심",
    "회의실 예약",
    "보고서",
    "zebra",
    "deploy",
    "Sprint 회의",
    "meeting notes",
];

/// One message as the index gets it (the body is not yet folded).
pub struct Message {
    pub id: u64,
    pub room: u64,
    /// Seconds; every message has its own, as in the script.
    pub created_at: i64,
    pub body: String,
}

/// A small seeded generator (splitmix64): Postgres' random() has no seed in the script,
/// so the words differ but their distribution is the same.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `messages` messages in `rooms` rooms, oldest first, as `load()` in scripts/search-bench:
/// six words from KO ++ EN, " zebra" with probability 0.0005, and
/// created_at = now - ((per_room - s) * rooms + n) seconds for room n, sequence s.
pub fn generate(messages: usize, rooms: usize, now: i64) -> Vec<Message> {
    let per_room = messages / rooms;
    let words: Vec<&str> = KO.iter().chain(EN.iter()).copied().collect();
    let mut rng = Rng::new(16);
    let mut out = Vec::with_capacity(per_room * rooms);
    for s in 1..=per_room {
        // Within one s, room n = rooms is the oldest: walk the rooms backwards.
        for n in (1..=rooms).rev() {
            let mut body = String::new();
            for k in 0..6 {
                if k > 0 {
                    body.push(' ');
                }
                body.push_str(words[(rng.next_f64() * words.len() as f64) as usize]);
            }
            if rng.next_f64() < 0.0005 {
                body.push_str(" zebra");
            }
            let created_at = now - (((per_room - s) * rooms + n) as i64);
            out.push(Message {
                id: out.len() as u64 + 1,
                room: n as u64,
                created_at,
                body,
            });
        }
    }
    out
}

/// parley_schema::search::fold: NFKC, then lower case.
pub fn fold(text: &str) -> String {
    text.nfkc().flat_map(char::to_lowercase).collect()
}

/// parley_schema::search::is_separator.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || c.is_control() || c == '\u{feff}'
}

/// A query as Parley parses it: terms split as typed, each folded; the phrase is the
/// terms joined by single spaces.
pub struct Parsed {
    pub phrase: String,
    pub terms: Vec<String>,
}

pub fn parse(q: &str) -> Parsed {
    let terms: Vec<String> = q
        .split(is_separator)
        .filter(|t| !t.is_empty())
        .map(fold)
        .collect();
    Parsed {
        phrase: terms.join(" "),
        terms,
    }
}

/// What Postgres answers, by brute force: whether `folded` holds every term, and whether
/// it holds the phrase.
pub fn matches(folded: &str, q: &Parsed) -> (bool, bool) {
    let all = q.terms.iter().all(|t| folded.contains(t.as_str()));
    (all, all && folded.contains(q.phrase.as_str()))
}

//! Parley's grams as a Tantivy tokenizer, and Parley's two search passes as Tantivy queries.
//!
//! Every character and every pair of adjacent characters within a word, as in
//! parley_schema::search::grams, with positions: a token's position is the index of its
//! first character in the folded text (whitespace keeps its index but gives no token). So
//! the pairs of a term sit at consecutive positions exactly where the term is a substring
//! of one word, and a term is matched by a phrase query over its pairs with no need to
//! check the stored text; a whole query "a b" is matched at the offsets it has as typed.

use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::Term;

use crate::corpus::Parsed;

#[derive(Clone, Default)]
pub struct Grams;

pub struct GramStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for Grams {
    type TokenStream<'a> = GramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GramStream {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut tokens = Vec::with_capacity(chars.len() * 2);
        for (i, &(from, c)) in chars.iter().enumerate() {
            if c.is_whitespace() {
                continue;
            }
            let token = |to: usize| Token {
                offset_from: from,
                offset_to: to,
                position: i,
                text: text[from..to].to_owned(),
                position_length: 1,
            };
            tokens.push(token(from + c.len_utf8()));
            if let Some(&(next, c2)) = chars.get(i + 1) {
                if !c2.is_whitespace() {
                    tokens.push(token(next + c2.len_utf8()));
                }
            }
        }
        GramStream { tokens, next: 0 }
    }
}

impl TokenStream for GramStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// The grams a term asks for, each at its offset from the term's start: its pairs, or its
/// one character.
fn term_grams(term: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = term.chars().collect();
    if chars.len() == 1 {
        return vec![(0, term.to_owned())];
    }
    chars
        .windows(2)
        .enumerate()
        .map(|(i, w)| (i, w.iter().collect()))
        .collect()
}

/// All of `grams` at their offsets: a term query for one, a phrase query for more.
fn at_offsets(field: Field, grams: Vec<(usize, String)>) -> Box<dyn Query> {
    let mut terms: Vec<(usize, Term)> = grams
        .into_iter()
        .map(|(o, g)| (o, Term::from_field_text(field, &g)))
        .collect();
    if terms.len() == 1 {
        let (_, term) = terms.remove(0);
        Box::new(TermQuery::new(term, IndexRecordOption::Basic))
    } else {
        Box::new(PhraseQuery::new_with_offset(terms))
    }
}

/// The whole phrase: each term's grams at the term's offset in the phrase.
fn phrase_query(field: Field, q: &Parsed) -> Box<dyn Query> {
    let mut grams = Vec::new();
    let mut at = 0;
    for term in &q.terms {
        grams.extend(term_grams(term).into_iter().map(|(o, g)| (at + o, g)));
        at += term.chars().count() + 1;
    }
    at_offsets(field, grams)
}

/// The queries of Parley's two passes (db/src/search.rs): the messages in `rooms` holding
/// the phrase, then (with more than one term) those holding every term but not the phrase.
/// `rooms: None` leaves out the membership filter (to see what it costs).
pub fn passes(text: Field, room: Field, rooms: Option<&[u64]>, q: &Parsed) -> Vec<Box<dyn Query>> {
    let member = || -> Vec<(Occur, Box<dyn Query>)> {
        rooms.map_or_else(Vec::new, |rooms| {
            let terms = rooms.iter().map(|&r| Term::from_field_u64(room, r));
            vec![(
                Occur::Must,
                Box::new(TermSetQuery::new(terms)) as Box<dyn Query>,
            )]
        })
    };
    let mut first = member();
    first.push((Occur::Must, phrase_query(text, q)));
    let mut out: Vec<Box<dyn Query>> = vec![Box::new(BooleanQuery::new(first))];
    if q.terms.len() > 1 {
        let mut clauses = member();
        clauses.push((Occur::MustNot, phrase_query(text, q)));
        for term in &q.terms {
            clauses.push((Occur::Must, at_offsets(text, term_grams(term))));
        }
        out.push(Box::new(BooleanQuery::new(clauses)));
    }
    out
}

//! The input rules of `parley_schema::validate` as JSON Schema, so that the document says
//! exactly which strings the gateway takes: [`InputRules`] gives each trimmed text field its
//! `pattern` and every username the `Username` component.
//!
//! The character classes are not written by hand: they are computed from the predicates the
//! validators use (`char::is_whitespace` for what trimming removes, `text::forbidden_char`,
//! `text::nickname_form` and `text::nickname_char`), so they cannot drift from the code.
//! Lengths count after trimming, so they are in the pattern (`minLength`/`maxLength` would
//! count the spaces trimming removes). What a pattern cannot say, and the document says in
//! words: a character that NFKC turns into several (`ﬁ`, `Ⅻ`) is taken in a username and
//! counts as what it becomes, and two characters NFKC composes into one count as one.

use super::edit::{property, schema_object};
use parley_schema::text;
use std::ops::RangeInclusive;
use std::sync::LazyLock;
use utoipa::openapi::schema::{
    AllOfBuilder, AnyOfBuilder, ArrayItems, ObjectBuilder, Schema, Type,
};
use utoipa::openapi::{Components, OpenApi, Ref, RefOr};
use utoipa::{Modify, PartialSchema, ToSchema};

/// Characters as the sorted, disjoint ranges of a regular-expression class.
type Class = Vec<RangeInclusive<char>>;

/// The characters for which `keep` holds, as ranges.
fn class_of(keep: impl Fn(char) -> bool) -> Class {
    let mut ranges: Class = Vec::new();
    for c in (0..=u32::from(char::MAX))
        .filter_map(char::from_u32)
        .filter(|&c| keep(c))
    {
        match ranges.last_mut() {
            Some(r) if u32::from(*r.end()) + 1 == u32::from(c) => *r = *r.start()..=c,
            _ => ranges.push(c..=c),
        }
    }
    ranges
}

/// One character inside `[...]`, readable by ECMA-262 (with `u`), Python `re`, and Rust's
/// `regex` alike: ASCII letters and digits as they are, other BMP characters as `\uXXXX`,
/// the rest literally (none of the three spells an astral escape the same way).
fn escaped(c: char) -> String {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '.' => c.to_string(),
        c if u32::from(c) <= 0xFFFF => format!("\\u{:04X}", u32::from(c)),
        c => c.to_string(),
    }
}

/// `[...]`, or `[^...]` when `negated`.
fn bracket(class: &Class, negated: bool) -> String {
    let mut out = String::from(if negated { "[^" } else { "[" });
    for r in class {
        out.push_str(&escaped(*r.start()));
        if r.end() != r.start() {
            out.push('-');
            out.push_str(&escaped(*r.end()));
        }
    }
    out.push(']');
    out
}

/// What `str::trim` takes off both ends.
fn space(c: char) -> bool {
    c.is_whitespace()
}

/// A character no text field may hold: a control or bidi control (newline and tab are
/// allowed inside a `multiline` one).
fn forbidden(c: char, multiline: bool) -> bool {
    text::forbidden_char(c.encode_utf8(&mut [0; 4]), multiline).is_some()
}

/// Whether NFKC makes `c` one nickname character (`a`, `김`, but also `ａ` and `𝐚`).
fn nickname(c: char) -> bool {
    let form = text::nickname_form(c.encode_utf8(&mut [0; 4]));
    let mut chars = form.chars();
    matches!((chars.next(), chars.next()), (Some(d), None) if text::nickname_char(d))
}

/// A trimmed text field's rule: `min..=max` characters after trimming, none forbidden.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextRule {
    pub min: usize,
    pub max: usize,
    pub multiline: bool,
}

/// The classes the patterns are made of, computed once: what trimming removes, and per
/// `multiline` (index 0: no, 1: yes) the characters a text may start or end with and those
/// it may hold.
struct Classes {
    pad: String,
    edge: [String; 2],
    inner: [String; 2],
}

static CLASSES: LazyLock<Classes> = LazyLock::new(|| {
    let edge = |m| bracket(&class_of(|c| space(c) || forbidden(c, m)), true);
    let inner = |m| bracket(&class_of(|c| forbidden(c, m)), true);
    Classes {
        pad: bracket(&class_of(space), false),
        edge: [edge(false), edge(true)],
        inner: [inner(false), inner(true)],
    }
});

impl TextRule {
    /// The rule as an anchored pattern: spaces, then the trimmed text (starting and ending
    /// with a character that is neither a space nor forbidden), then spaces.
    pub(crate) fn pattern(self) -> String {
        let kind = usize::from(self.multiline);
        let (pad, edge, inner) = (&CLASSES.pad, &CLASSES.edge[kind], &CLASSES.inner[kind]);
        let (lo, hi) = (self.min.saturating_sub(2), self.max.saturating_sub(2));
        let core = match (self.min, self.max) {
            (_, 1) => edge.clone(),
            (0 | 1, _) => format!("{edge}(?:{inner}{{0,{hi}}}{edge})?"),
            _ => format!("{edge}{inner}{{{lo},{hi}}}{edge}"),
        };
        let core = if self.min == 0 {
            format!("(?:{core})?")
        } else {
            core
        };
        format!("^{pad}*{core}{pad}*$")
    }

    fn description(self) -> String {
        let lines = match self.multiline {
            true => "controls other than newline and tab",
            false => "controls (newline and tab included)",
        };
        format!(
            "{}-{} characters after trimming (leading and trailing white space is removed); \
             no {lines} and no bidi controls (U+202A-U+202E, U+2066-U+2069).",
            self.min, self.max
        )
    }
}

/// Every trimmed text field of a request body: (schema, property, rule). The lengths are
/// those of `parley_schema::validate`; a test holds them to it.
pub(crate) const TEXT_FIELDS: [(&str, &str, TextRule); 7] = {
    const fn line(min: usize, max: usize) -> TextRule {
        TextRule {
            min,
            max,
            multiline: false,
        }
    }
    [
        ("RegisterRequest", "display_name", line(1, 64)),
        ("UpdateProfileRequest", "display_name", line(1, 64)),
        ("UpdateProfileRequest", "status_message", line(0, 140)),
        ("CreateRoomRequest", "name", line(1, 100)),
        (
            "SendMessageRequest",
            "body",
            TextRule {
                min: 1,
                max: 4000,
                multiline: true,
            },
        ),
        ("SendMessageRequest", "client_id", line(1, 64)),
        (
            "EditMessageRequest",
            "body",
            TextRule {
                min: 1,
                max: 4000,
                multiline: true,
            },
        ),
    ]
};

/// The `pattern` of a username: 3-32 nickname characters between optional spaces.
pub(crate) static USERNAME_PATTERN: LazyLock<String> = LazyLock::new(|| {
    let pad = &CLASSES.pad;
    format!(
        "^{pad}*{}{{3,32}}{pad}*$",
        bracket(&class_of(nickname), false)
    )
});

/// A username as a request names one (the `Username` component).
pub(crate) struct Username;

impl PartialSchema for Username {
    fn schema() -> RefOr<Schema> {
        let description = "A nickname: after trimming and NFKC normalisation, 3-32 letters \
            or digits that Unicode's identifier profile (UTS #39) allows, `_`, `.` or `-`. \
            The pattern lists the characters NFKC keeps as one such character (`ａ` is `a`); \
            a character NFKC turns into several (`ﬁ`) is taken too and counts as what it \
            becomes. Compared without regard to case; look-alikes of a taken name are taken.";
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(USERNAME_PATTERN.as_str()))
            .description(Some(description))
            .examples(["김철수", "alice_01"])
            .into()
    }
}

impl ToSchema for Username {}

/// Adds the rules above to the request bodies' schemas.
pub(super) struct InputRules;

impl Modify for InputRules {
    fn modify(&self, openapi: &mut OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for (schema, name, rule) in TEXT_FIELDS {
            let Some(field) = property(components, schema, name) else {
                continue;
            };
            if let Some(object) = schema_object(field) {
                object.pattern = Some(rule.pattern());
                object.description = Some(rule.description());
                // Raw lengths would count the white space trimming removes.
                (object.min_length, object.max_length) = (None, None);
            }
        }
        let username = || RefOr::Ref(Ref::from_schema_name(Username::name()));
        for schema in ["RegisterRequest", "UsernameRequest"] {
            if let Some(field) = property(components, schema, "username") {
                *field = username();
            }
        }
        if let Some(RefOr::T(Schema::Array(members))) =
            property(components, "CreateRoomRequest", "members")
        {
            members.items = ArrayItems::RefOrSchema(Box::new(username()));
        }
        some_change(components);
    }
}

/// `PATCH /api/me` must change something: `UpdateProfileRequest` needs at least one of its
/// fields, as a string (`null` is the same as leaving it out).
fn some_change(components: &mut Components) {
    let name = "UpdateProfileRequest";
    let Some(fields) = components.schemas.remove(name) else {
        return;
    };
    let given = |field: &str| {
        let string = ObjectBuilder::new().schema_type(Type::String);
        ObjectBuilder::new().property(field, string).required(field)
    };
    let either = AnyOfBuilder::new()
        .item(given("display_name"))
        .item(given("status_message"));
    let description = "`display_name`, `status_message` or both; a field left out (or `null`) \
        stays as it is.";
    let schema = AllOfBuilder::new()
        .item(fields)
        .item(either)
        .description(Some(description));
    components.schemas.insert(name.into(), schema.into());
}

#[cfg(test)]
mod tests;

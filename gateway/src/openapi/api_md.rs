//! `docs/api.md` held to the OpenAPI document: every endpoint, status and error code in
//! one appears in the other.
//!
//! The reference is read as it is written: an endpoint is a heading that starts with
//! `` `METHOD /path` `` followed by a `| status | body |` table, or a table row whose first
//! cell is `` `METHOD /path` `` and whose second cell lists statuses; the error codes are the
//! backticked codes in those rows. Its conventions are applied as it states them: every
//! authenticated endpoint may also answer `401 unauthenticated` and `503 unavailable`;
//! every write (any method but GET) `403 forbidden` and `415 unsupported_media_type`;
//! every authenticated write but ending a session `429 rate_limited`. `500 internal` (any
//! endpoint) and `405 method_not_allowed` (any method a path does not serve) are in neither.

use super::document;
use super::shared::UNLIMITED_WRITES;
use parley_schema::ErrorCode;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// `(method, path)`, the method in upper case.
type Endpoint = (String, String);

/// What one side says an endpoint answers.
#[derive(Debug, Default, PartialEq, Eq)]
struct Answers {
    statuses: BTreeSet<u16>,
    codes: BTreeSet<String>,
}

fn api_md() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/api.md");
    std::fs::read_to_string(&path).unwrap_or_default()
}

fn openapi() -> serde_json::Value {
    serde_json::from_str(document()).unwrap_or_default()
}

/// Every error code of the OpenAPI document's `ErrorCode` enum.
fn error_codes(doc: &serde_json::Value) -> BTreeSet<String> {
    doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str().map(str::to_owned))
        .collect()
}

/// The backticked words of `text` that are error codes.
fn codes_in(text: &str, codes: &BTreeSet<String>) -> BTreeSet<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| codes.contains(*t))
        .map(str::to_owned)
        .collect()
}

/// `` `GET /api/me` `` at the start of `text` as an endpoint.
fn endpoint_at(text: &str) -> Option<Endpoint> {
    let inner = text.trim().strip_prefix('`')?.split('`').next()?;
    let (method, path) = inner.split_once(' ')?;
    let known = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    (known.contains(&method) && path.starts_with('/')).then(|| (method.into(), path.into()))
}

fn statuses_in(text: &str) -> impl Iterator<Item = u16> + '_ {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|t| t.len() == 3)
        .filter_map(|t| t.parse().ok())
}

fn rest_of(cells: &[&str], from: usize) -> String {
    cells.get(from..).unwrap_or_default().join("|")
}

/// The endpoints of `docs/api.md` with their statuses and codes, as written.
fn documented_in_md(md: &str, codes: &BTreeSet<String>) -> BTreeMap<Endpoint, Answers> {
    let mut out: BTreeMap<Endpoint, Answers> = BTreeMap::new();
    let mut current: Option<Endpoint> = None;
    let mut in_code = false;
    for line in md.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if in_code {
            continue;
        }
        if let Some(heading) = line.strip_prefix('#') {
            current = endpoint_at(heading.trim_start_matches('#'));
            if let Some(e) = &current {
                out.entry(e.clone()).or_default();
            }
            continue;
        }
        let Some(row) = line.strip_prefix('|') else {
            continue;
        };
        let cells: Vec<&str> = row.split('|').collect();
        let (endpoint, status_cell, rest) = match endpoint_at(cells[0]) {
            Some(e) => (
                Some(e),
                cells.get(1).copied().unwrap_or(""),
                rest_of(&cells, 2),
            ),
            None => (current.clone(), cells[0], rest_of(&cells, 1)),
        };
        let Some(endpoint) = endpoint else { continue };
        if !status_cell
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit())
        {
            continue;
        }
        let answers = out.entry(endpoint).or_default();
        answers.statuses.extend(statuses_in(status_cell));
        answers.codes.extend(codes_in(&rest, codes));
    }
    out
}

/// The operations of the OpenAPI document, with what `docs/api.md` leaves to its
/// conventions added, and whether each needs authentication.
fn documented_in_openapi(doc: &serde_json::Value) -> BTreeMap<Endpoint, (Answers, bool)> {
    let codes = error_codes(doc);
    let mut out = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let mut answers = Answers::default();
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                answers.statuses.extend(status.parse::<u16>().ok());
                let text = response["description"].as_str().unwrap_or("");
                answers.codes.extend(codes_in(text, &codes));
            }
            let authenticated = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let endpoint = (method.to_uppercase(), path.clone());
            out.insert(endpoint, (answers, authenticated));
        }
    }
    out
}

/// `md` with the conventions it states applied.
fn with_conventions(mut md: Answers, (method, path): &Endpoint, authenticated: bool) -> Answers {
    let mut add = |status: u16, code: &str| {
        md.statuses.insert(status);
        md.codes.insert(code.into());
    };
    let write = method != "GET";
    if authenticated {
        add(401, "unauthenticated");
        add(503, "unavailable");
    }
    if write {
        add(403, "forbidden");
        add(415, "unsupported_media_type");
    }
    let method = method.to_lowercase();
    if write && authenticated && !UNLIMITED_WRITES.contains(&(method.as_str(), path.as_str())) {
        add(429, "rate_limited");
    }
    md
}

#[test]
fn every_endpoint_of_the_openapi_document_is_in_api_md_and_back() {
    let doc = openapi();
    let md = documented_in_md(&api_md(), &error_codes(&doc));
    let oa = documented_in_openapi(&doc);

    let only_md: Vec<_> = md.keys().filter(|e| !oa.contains_key(*e)).collect();
    let only_oa: Vec<_> = oa.keys().filter(|e| !md.contains_key(*e)).collect();

    assert!(
        only_md.is_empty(),
        "in docs/api.md, not in OpenAPI: {only_md:?}"
    );
    assert!(
        only_oa.is_empty(),
        "in OpenAPI, not in docs/api.md: {only_oa:?}"
    );
}

#[test]
fn every_endpoint_answers_the_same_statuses_and_codes_in_both() {
    let doc = openapi();
    let mut md = documented_in_md(&api_md(), &error_codes(&doc));
    let mut drift = Vec::new();

    for (endpoint, (oa, authenticated)) in documented_in_openapi(&doc) {
        let written = md.remove(&endpoint).unwrap_or_default();
        let md = with_conventions(written, &endpoint, authenticated);
        if md != oa {
            drift.push(format!("{endpoint:?}:\n  api.md  {md:?}\n  openapi {oa:?}"));
        }
    }

    assert!(
        drift.is_empty(),
        "docs/api.md drifts:\n{}",
        drift.join("\n")
    );
}

#[test]
fn the_error_table_of_api_md_is_the_error_code_enum() {
    let doc = openapi();
    let md = api_md();
    let codes = error_codes(&doc);
    let section = md.split("### Errors").nth(1).unwrap_or("");
    let section = section.split("\n### ").next().unwrap_or("");

    let mut table = BTreeMap::new();
    for row in section.lines().filter_map(|l| l.strip_prefix("| `")) {
        let mut cells = row.split('|');
        let code = cells.next().unwrap_or("").trim().trim_end_matches('`');
        let status = cells.next().and_then(|s| s.trim().parse::<u16>().ok());
        table.insert(code.to_owned(), status);
    }

    let listed: BTreeSet<String> = table.keys().cloned().collect();
    assert_eq!(
        listed, codes,
        "the error table of docs/api.md and ErrorCode"
    );
    for (code, status) in table {
        let parsed: Option<ErrorCode> = serde_json::from_value(serde_json::json!(code)).ok();
        assert_eq!(status, parsed.map(|c| c.status()), "the status of `{code}`");
    }
}

#[test]
fn api_md_names_the_endpoints_that_need_no_authentication() {
    let doc = openapi();
    let md = api_md().replace("\n  ", " ");
    let phrase = "Every endpoint needs authentication except";
    let sentence = md.split(phrase).nth(1).unwrap_or("");
    let sentence = sentence.split(". ").next().unwrap_or("");
    let named: Vec<&str> = sentence.split('`').skip(1).step_by(2).collect();

    let open: BTreeSet<Endpoint> = documented_in_openapi(&doc)
        .into_iter()
        .filter(|(_, (_, authenticated))| !authenticated)
        .map(|(e, _)| e)
        .collect();
    let in_md: BTreeSet<Endpoint> = open
        .iter()
        .filter(|(m, p)| named.contains(&p.as_str()) || named.contains(&&*format!("{m} {p}")))
        .cloned()
        .collect();

    assert!(
        !named.is_empty(),
        "docs/api.md lost the sentence {phrase:?}"
    );
    assert_eq!(
        in_md, open,
        "unauthenticated endpoints named in docs/api.md"
    );
    assert_eq!(named.len(), open.len(), "docs/api.md names {named:?}");
}

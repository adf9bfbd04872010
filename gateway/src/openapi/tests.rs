//! The OpenAPI document against the route table and against `docs/openapi.json`.

use super::*;
use std::path::PathBuf;

fn stored_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json")
}

fn documented() -> Vec<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(document()).unwrap_or_default();
    let mut out = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) {
        for (path, item) in paths {
            for method in item.as_object().into_iter().flat_map(|o| o.keys()) {
                out.push((method.clone(), path.clone()));
            }
        }
    }
    out
}

#[test]
fn the_document_is_generated() {
    assert!(document().starts_with('{'), "{}", document());
    let doc: serde_json::Value = serde_json::from_str(document()).unwrap_or_default();
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
}

#[test]
fn every_route_is_in_the_openapi_document() {
    let documented = documented();
    let missing: Vec<_> = crate::routes::ROUTES
        .iter()
        .filter(|(m, p)| !documented.iter().any(|(dm, dp)| dm == m && dp == p))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an OpenAPI operation (add #[utoipa::path] and list the handler \
         in ApiDoc): {missing:?}"
    );
}

#[test]
fn every_openapi_operation_is_a_route() {
    let extra: Vec<_> = documented()
        .into_iter()
        .filter(|(m, p)| !crate::routes::ROUTES.contains(&(m.as_str(), p.as_str())))
        .collect();
    assert!(
        extra.is_empty(),
        "documented operations that the route table lacks: {extra:?}"
    );
}

#[test]
fn every_operation_has_a_unique_id() {
    let doc: serde_json::Value = serde_json::from_str(document()).unwrap_or_default();
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(|item| item.as_object())
        .flat_map(|ops| ops.values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate operationId");
    assert_eq!(n, crate::routes::ROUTES.len());
}

#[test]
fn docs_openapi_json_matches_the_code() {
    let path = stored_path();
    if std::env::var_os("PARLEY_UPDATE_OPENAPI").is_some_and(|v| !v.is_empty() && v != "0") {
        let written = std::fs::write(&path, document());
        assert!(written.is_ok(), "writing {}: {written:?}", path.display());
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == document(),
        "{} is not the document the code generates; run \
         `PARLEY_UPDATE_OPENAPI=1 cargo test -p parley-gateway openapi` and commit it",
        path.display()
    );
}

#[test]
fn every_link_leads_to_an_operation_and_its_parameters() {
    let doc: serde_json::Value = serde_json::from_str(document()).unwrap_or_default();
    let ops: Vec<&serde_json::Value> = doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(|item| item.as_object())
        .flat_map(|item| item.values())
        .collect();
    let mut links = 0;
    for response in ops
        .iter()
        .filter_map(|op| op["responses"].as_object())
        .flatten()
    {
        for link in response.1["links"]
            .as_object()
            .into_iter()
            .flat_map(|l| l.values())
        {
            links += 1;
            let target = ops
                .iter()
                .find(|op| op["operationId"] == link["operationId"]);
            let target = target.unwrap_or_else(|| panic!("no operation for {link}"));
            for name in link["parameters"]
                .as_object()
                .into_iter()
                .flat_map(|p| p.keys())
            {
                let params = target["parameters"].as_array().into_iter().flatten();
                let known = params.into_iter().any(|p| p["name"] == name.as_str());
                assert!(known, "{link}: no parameter {name}");
            }
        }
    }
    assert!(links > 10, "{links} links");
}

//! Requests no route takes: `405 method_not_allowed` with `Allow` when the path is known
//! (under another method), else `404 not_found`, both in the API's error shape.

use super::ROUTES;
use crate::error::ApiError;
use actix_web::http::header::ALLOW;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use parley_schema::ErrorCode;

/// Whether a route pattern (`/api/rooms/{room_id}`) matches a request path.
fn matches(pattern: &str, path: &str) -> bool {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let (mut pat, mut got) = (pattern.split('/'), path.split('/'));
    loop {
        match (pat.next(), got.next()) {
            (None, None) => return true,
            (Some(p), Some(g)) if p.starts_with('{') && !g.is_empty() => {}
            (Some(p), Some(g)) if p == g => {}
            _ => return false,
        }
    }
}

/// The methods (upper case) the route table serves at `path`.
pub fn allowed(path: &str) -> Vec<String> {
    let mut methods: Vec<String> = ROUTES
        .iter()
        .filter(|(_, pattern)| matches(pattern, path))
        .map(|(method, _)| method.to_ascii_uppercase())
        .collect();
    methods.sort();
    methods.dedup();
    methods
}

/// The handler of every request that matched no route.
pub async fn not_routed(req: HttpRequest) -> HttpResponse {
    let methods = allowed(req.path());
    if methods.is_empty() {
        return ApiError::new(ErrorCode::NotFound, "no such endpoint").error_response();
    }
    let allow = methods.join(", ");
    let message = format!("{} is not served here; use {allow}", req.method());
    let mut response = ApiError::new(ErrorCode::MethodNotAllowed, message).error_response();
    if let Ok(value) = allow.parse() {
        response.headers_mut().insert(ALLOW, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths_list_their_methods() {
        assert_eq!(allowed("/api/me"), ["DELETE", "GET", "PATCH"]);
        assert_eq!(allowed("/api/rooms/abc/messages"), ["GET", "POST"]);
        assert_eq!(allowed("/healthz"), ["GET"]);
        assert!(allowed("/api/nothing").is_empty());
        assert!(allowed("/api/rooms//messages").is_empty());
        assert!(allowed("/api/rooms/a/messages/b/c").is_empty());
    }
}

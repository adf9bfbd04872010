//! Cross-site request forgery: the second layer behind `SameSite=Lax`.
//!
//! A write (any method but GET, HEAD, OPTIONS) that a browser tells us comes from another
//! site is refused, whatever it carries. A write authenticated by the session cookie must
//! also prove it comes from our own pages, with a same-origin `Origin` or
//! `Sec-Fetch-Site: same-origin`, and send its body as `application/json` (a form or a
//! `text/plain` body is what another site can send without asking). Bearer-token writes
//! cannot be forged by a browser and pass.

use crate::auth::COOKIE;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, ResponseError};
use parley_schema::ErrorCode;

/// The middleware: refuses forged writes before any handler runs.
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let host = req
        .app_data::<web::Data<AppState>>()
        .and_then(|s| s.config.trusted_proxies.host(req.request()));
    if let Err(e) = check(req.request(), host.as_deref()) {
        let response = e.error_response();
        return Ok(req.into_response(response));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn forbidden(message: &str) -> ApiError {
    ApiError::new(ErrorCode::Forbidden, message)
}

/// Whether `origin` (`scheme://host[:port]`) names `host`.
fn same_origin(origin: &str, host: Option<&str>) -> bool {
    let origin_host = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/');
    host.is_some_and(|h| origin_host.eq_ignore_ascii_case(h))
}

/// The rules above, for a request to `host` (the host it was sent to).
pub fn check(req: &HttpRequest, host: Option<&str>) -> Result<(), ApiError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let bearer = header(req, "authorization")
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "));
    if bearer {
        return Ok(());
    }
    let site = header(req, "sec-fetch-site");
    let origin = header(req, "origin");
    if site.is_some_and(|s| !matches!(s, "same-origin" | "none")) {
        return Err(forbidden("writes from another site are refused"));
    }
    if origin.is_some_and(|o| !same_origin(o, host)) {
        return Err(forbidden("writes from another origin are refused"));
    }
    if req.cookie(COOKIE).is_none() {
        return Ok(());
    }
    if site != Some("same-origin") && origin.is_none() {
        return Err(forbidden(
            "a write with the session cookie needs a same-origin Origin or Sec-Fetch-Site",
        ));
    }
    let has_body = header(req, "content-length").is_some_and(|n| n.trim() != "0")
        || req.headers().contains_key("transfer-encoding");
    let json = header(req, "content-type").is_some_and(|t| {
        let essence = t.split(';').next().unwrap_or(t).trim();
        essence.eq_ignore_ascii_case("application/json")
    });
    if has_body && !json {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "a write with the session cookie must send its body as application/json",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    const HOST: Option<&str> = Some("chat.example");

    fn post() -> TestRequest {
        TestRequest::post().uri("/api/rooms")
    }

    fn status(req: TestRequest) -> u16 {
        check(&req.to_http_request(), HOST).map_or_else(|e| e.status_code().as_u16(), |()| 200)
    }

    #[test]
    fn cookie_writes_must_show_they_are_same_origin() {
        let cookie = || post().insert_header(("cookie", "parley_session=t"));
        assert_eq!(status(cookie()), 403, "no Origin, no Sec-Fetch-Site");
        assert_eq!(
            status(cookie().insert_header(("origin", "https://evil.example"))),
            403
        );
        assert_eq!(
            status(cookie().insert_header(("sec-fetch-site", "cross-site"))),
            403
        );
        assert_eq!(
            status(cookie().insert_header(("origin", "https://chat.example"))),
            200
        );
        assert_eq!(
            status(cookie().insert_header(("sec-fetch-site", "same-origin"))),
            200
        );
    }

    #[test]
    fn cookie_write_bodies_must_be_json() {
        let cookie = || {
            post()
                .insert_header(("cookie", "parley_session=t"))
                .insert_header(("origin", "http://chat.example"))
                .insert_header(("content-length", "2"))
        };
        assert_eq!(
            status(cookie().insert_header(("content-type", "text/plain"))),
            415
        );
        assert_eq!(status(cookie()), 415, "no content type");
        let json = cookie().insert_header(("content-type", "application/json; charset=utf-8"));
        assert_eq!(status(json), 200);
    }

    #[test]
    fn bearer_and_anonymous_writes_pass_unless_a_browser_says_cross_site() {
        assert_eq!(status(post()), 200, "curl registering");
        let bearer = post()
            .insert_header(("authorization", "Bearer x"))
            .insert_header(("origin", "https://elsewhere.example"));
        assert_eq!(status(bearer), 200);
        let login_csrf = post().insert_header(("origin", "https://evil.example"));
        assert_eq!(status(login_csrf), 403);
        let read = TestRequest::get().insert_header(("cookie", "parley_session=t"));
        assert_eq!(status(read), 200);
    }
}

//! Middleware every response passes through: panics become a logged `500` JSON answer
//! instead of a dropped connection, and the security headers go on every response. Also
//! the socket options of every accepted connection.

use crate::error::ApiError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, Next};
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;

/// The web client's policy: only its own scripts, styles and connections, never framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Turns a panic in a handler into `500 internal` (logged with the request's path). The
/// answer is returned as an error, which actix turns into the response: the request
/// itself cannot be kept for it (a clone of it breaks routing).
pub async fn catch_panics(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let (method, path) = (req.method().clone(), req.path().to_owned());
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(res) => res.map(ServiceResponse::map_into_boxed_body),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(%path, %method, panic = %what, "handler panicked");
            Err(ApiError::Internal(format!("handler panicked: {what}")).into())
        }
    }
}

/// The security headers; HSTS too when the cookie is `Secure` (served over HTTPS).
pub fn security_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add(("Cross-Origin-Resource-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ));
    match https {
        true => headers.add(("Strict-Transport-Security", "max-age=31536000")),
        false => headers,
    }
}

/// Data sent on a connection that stays unacknowledged this long ends it: a client that
/// vanished (network gone, laptop asleep) is noticed at the next keep-alive plus this.
const UNACKED_LIMIT: std::time::Duration = std::time::Duration::from_secs(15);

/// Sets `TCP_USER_TIMEOUT` on each accepted plain TCP connection.
pub fn on_connect(conn: &dyn std::any::Any, _: &mut actix_web::dev::Extensions) {
    if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
        limit_unacked(&socket2::SockRef::from(tcp));
    }
}

/// Sets `TCP_USER_TIMEOUT` on `sock` (on a listener, Linux passes it to what it accepts).
pub fn limit_unacked(sock: &socket2::SockRef<'_>) {
    if let Err(e) = sock.set_tcp_user_timeout(Some(UNACKED_LIMIT)) {
        tracing::debug!(error = %e, "setting TCP_USER_TIMEOUT");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::{test, web, App, HttpResponse};

    #[actix_web::test]
    async fn a_panicking_handler_answers_500_json_and_the_next_request_is_served() {
        let app = test::init_service(
            App::new()
                .wrap(actix_web::middleware::from_fn(catch_panics))
                .wrap(security_headers(true))
                .route(
                    "/boom",
                    web::get().to(|| async { panic!("boom") as HttpResponse }),
                )
                .route("/fine", web::get().to(HttpResponse::Ok)),
        )
        .await;
        // The service's error is what actix's dispatcher turns into the response.
        let boom = test::TestRequest::get().uri("/boom").to_request();
        let res = test::try_call_service(&app, boom)
            .await
            .err()
            .map(|e| e.error_response());
        assert_eq!(res.as_ref().map(|r| r.status().as_u16()), Some(500));
        let body = match res {
            Some(r) => actix_web::body::to_bytes(r.into_body())
                .await
                .unwrap_or_default(),
            None => actix_web::web::Bytes::new(),
        };
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!(body["error"]["code"], "internal");
        let res =
            test::call_service(&app, test::TestRequest::get().uri("/fine").to_request()).await;
        assert_eq!(res.status().as_u16(), 200);
        let hsts = res.headers().get("strict-transport-security");
        assert!(hsts.is_some(), "HSTS when the cookie is Secure");
    }

    #[actix_web::test]
    async fn no_hsts_over_plain_http() {
        let app = test::init_service(
            App::new()
                .wrap(security_headers(false))
                .route("/fine", web::get().to(HttpResponse::Ok)),
        )
        .await;
        let res =
            test::call_service(&app, test::TestRequest::get().uri("/fine").to_request()).await;
        assert!(!res.headers().contains_key("strict-transport-security"));
        assert!(res.headers().contains_key("content-security-policy"));
    }
}

//! Extractor settings: JSON bodies (64 KiB, any content type), paths and query strings,
//! each failure mapped to the API's error shape.
//!
//! Bodies are read in two steps: actix reads and syntax-checks them (`json_config`: size
//! limit, `invalid_json`), then `Json<T>` deserialises the value with the path of whatever
//! failed, which becomes the error's `field` (`validation_failed`).
//!
//! A number with a zero fraction (`308.0`, `3.08e2`) is an integer, as JSON Schema and
//! JavaScript have it; serde reads it as a float, which an integer field refuses. So a
//! body that fails is read once more with such numbers as integers ([`integral`]); the
//! usual body pays nothing for it.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use parley_schema::validate::ValidationError;
use parley_schema::{ErrorBody, ErrorCode};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::{Number, Value};

pub const BODY_LIMIT: usize = 64 * 1024;

/// A JSON request body whose deserialisation errors name the failing field.
#[derive(derive_more::Deref)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let raw = web::Json::<Box<RawValue>>::from_request(req, payload);
        Box::pin(async move {
            let raw = raw.await?;
            // serde would read a struct from an array too (`[]` as all defaults).
            if !raw.get().trim_start().starts_with('{') {
                let e = ErrorBody::new(ErrorCode::ValidationFailed, "the body must be an object");
                return Err(ApiError::Client(e.with_field("body")).into());
            }
            parse(raw.get()).map(Json).map_err(Into::into)
        })
    }
}

/// `body` (syntactically valid JSON) as a `T`, or the error naming the field at fault.
fn parse<T: DeserializeOwned>(body: &str) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_str(body);
    let first = match serde_path_to_error::deserialize(&mut de) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    let mut value: Value = serde_json::from_str(body).map_err(|_| data_error(&first))?;
    if integral(&mut value) {
        if let Ok(again) = serde_path_to_error::deserialize(value) {
            return Ok(again);
        }
    }
    Err(data_error(&first))
}

/// Turns every float of `value` with a zero fraction that fits an `i64` or a `u64` into
/// that integer; whether there was one.
fn integral(value: &mut Value) -> bool {
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // -2^63, 2^63 and 2^64 are exact as floats, so within these bounds the casts are.
            let (min, max) = (i64::MIN as f64, u64::MAX as f64);
            let int = match f {
                f if f.fract() != 0.0 => None,
                f if (min..-min).contains(&f) => Some(Number::from(f as i64)),
                f if (0.0..max).contains(&f) => Some(Number::from(f as u64)),
                _ => None,
            };
            int.map(|i| *n = i).is_some()
        }
        Value::Array(items) => items.iter_mut().fold(false, |any, v| integral(v) | any),
        Value::Object(fields) => fields.values_mut().fold(false, |any, v| integral(v) | any),
        _ => false,
    }
}

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(BODY_LIMIT)
        .content_type_required(false)
        .error_handler(|err, _req| json_error(&err).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err: PathError, _req| {
        ApiError::new(ErrorCode::NotFound, "no such resource").into()
    })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        let message = format!("bad query string: {err}");
        ApiError::from(ValidationError {
            field: "query",
            message,
        })
        .into()
    })
}

/// Reading the body failed: too large, or not JSON at all.
fn json_error(err: &JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("request bodies are limited to {BODY_LIMIT} bytes"),
            )
        }
        JsonPayloadError::Deserialize(e) => ApiError::new(
            ErrorCode::InvalidJson,
            format!(
                "the body is not valid JSON: {}",
                strip_position(&e.to_string())
            ),
        ),
        _ => ApiError::new(ErrorCode::InvalidJson, "the body could not be read as JSON"),
    }
}

/// Valid JSON of the wrong shape: `field` is the path of the value that failed
/// (`members[2]`), or of the missing field; `body` when the whole body is wrong.
fn data_error(e: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let text = strip_position(&e.inner().to_string());
    let path = Some(e.path().to_string()).filter(|p| p != ".");
    // serde reports a missing field only in its message (`Error::missing_field` has no
    // structured form), and the path then ends at the object that lacks it.
    let missing = text
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'));
    let field = match (path, missing) {
        (Some(path), Some(name)) => format!("{path}.{name}"),
        (path, name) => path
            .or(name.map(str::to_owned))
            .unwrap_or_else(|| "body".into()),
    };
    ApiError::Client(ErrorBody::new(ErrorCode::ValidationFailed, text).with_field(field))
}

fn strip_position(text: &str) -> String {
    text.split(" at line ").next().unwrap_or(text).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        seq: i64,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        #[serde(default)]
        members: Vec<String>,
        read: Option<Inner>,
    }

    fn field_of(body: &str) -> (Option<String>, String) {
        match parse::<Outer>(body).err() {
            Some(ApiError::Client(b)) => (b.field, b.message),
            other => panic!("not a client error: {other:?}"),
        }
    }

    #[test]
    fn a_number_with_a_zero_fraction_is_an_integer() {
        let seq = |body: &str| parse::<Inner>(body).map(|i| i.seq).ok();
        assert_eq!(seq(r#"{"seq": 308.0}"#), Some(308));
        assert_eq!(seq(r#"{"seq": 3.08e2}"#), Some(308));
        assert_eq!(seq(r#"{"seq": -0.0}"#), Some(0));
        assert_eq!(seq(r#"{"seq": 308}"#), Some(308));
        let outer = parse::<Outer>(r#"{"name": "x", "read": {"seq": 2.0}}"#);
        assert_eq!(outer.ok().and_then(|o| o.read).map(|r| r.seq), Some(2));
    }

    #[test]
    fn a_fraction_or_an_integer_too_large_is_still_refused_with_its_field() {
        let (field, message) = field_of(r#"{"name": "x", "read": {"seq": 308.5}}"#);
        assert_eq!(field.as_deref(), Some("read.seq"));
        assert!(message.contains("308.5"), "{message}");
        let (field, _) = field_of(r#"{"name": "x", "read": {"seq": 1e19}}"#);
        assert_eq!(field.as_deref(), Some("read.seq"));
        let (field, _) = field_of(r#"{"name": 1.0}"#);
        assert_eq!(field.as_deref(), Some("name"));
    }

    #[test]
    fn a_missing_field_is_named() {
        let (field, message) = field_of(r#"{"members": []}"#);
        assert_eq!(field.as_deref(), Some("name"));
        assert_eq!(message, "missing field `name`");
    }

    #[test]
    fn a_wrong_type_names_its_path() {
        assert_eq!(field_of(r#"{"name": 5}"#).0.as_deref(), Some("name"));
        let (field, _) = field_of(r#"{"name": "x", "members": ["a", 2]}"#);
        assert_eq!(field.as_deref(), Some("members[1]"));
    }

    #[test]
    fn nested_fields_have_dotted_paths() {
        let (field, _) = field_of(r#"{"name": "x", "read": {"seq": "one"}}"#);
        assert_eq!(field.as_deref(), Some("read.seq"));
        let (field, _) = field_of(r#"{"name": "x", "read": {"unknown": 1}}"#);
        assert_eq!(field.as_deref(), Some("read.seq"));
    }

    #[test]
    fn a_body_of_the_wrong_kind_is_the_body() {
        assert_eq!(field_of("5").0.as_deref(), Some("body"));
    }

    #[test]
    fn positions_are_not_shown() {
        assert_eq!(
            strip_position("expected value at line 1 column 2"),
            "expected value"
        );
    }
}

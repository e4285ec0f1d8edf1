//! One middleware around every request: request id, body limit, the error envelope for
//! errors that arise outside operations (unknown route, 405, JSON parse errors,
//! unsupported media type, oversized body), security headers, and an access log line
//! with ids only (never query strings, bodies or names).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use application::ErrorCode;
use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use tracing::Instrument;

use crate::common::body_limit::BodyLimit;
use crate::common::contract::{Contract, explain, sentence};
use crate::common::{ApiError, ClientAddr, TrustedProxies};

/// What the middleware needs to know.
#[derive(Debug, Clone)]
pub struct MiddlewareConfig {
    /// Largest request body in bytes, unless the operation chooses its own.
    pub body_limit: usize,
    /// The methods of each route, for the `Allow` header of a 405.
    pub allow: Arc<AllowIndex>,
    /// Whose `X-Forwarded-For` names the client.
    pub proxies: TrustedProxies,
    /// The request bodies' types, checked before an operation parses its body.
    pub contract: Arc<Contract>,
}

/// Route templates (`/api/admin/users/{id}`) and their methods, from the OpenAPI document.
#[derive(Debug, Default)]
pub struct AllowIndex(Vec<(Vec<String>, String)>);

impl AllowIndex {
    /// Reads `paths` of a generated OpenAPI document.
    pub fn from_spec(spec: &str) -> Self {
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(spec) else {
            return Self::default();
        };
        let routes = doc["paths"]
            .as_object()
            .map(|paths| {
                paths
                    .iter()
                    .map(|(path, ops)| {
                        let mut methods: Vec<String> = ops
                            .as_object()
                            .map(|o| o.keys().map(|m| m.to_ascii_uppercase()).collect())
                            .unwrap_or_default();
                        methods.sort();
                        let segments = path.split('/').map(str::to_owned).collect();
                        (segments, methods.join(", "))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self(routes)
    }

    fn route(&self, path: &str) -> Option<&(Vec<String>, String)> {
        let parts: Vec<&str> = path.split('/').collect();
        self.0.iter().find(|(template, _)| {
            template.len() == parts.len()
                && template
                    .iter()
                    .zip(&parts)
                    .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}')))
        })
    }

    /// The methods allowed on a concrete path.
    pub fn methods(&self, path: &str) -> Option<&str> {
        self.route(path).map(|(_, m)| m.as_str())
    }

    /// The name of the `n`-th path parameter of the route a concrete path matches
    /// (poem-openapi calls it `param<n>` in its errors).
    pub fn param_name(&self, path: &str, n: usize) -> Option<&str> {
        let (template, _) = self.route(path)?;
        template
            .iter()
            .filter_map(|t| t.strip_prefix('{')?.strip_suffix('}'))
            .nth(n)
    }
}

const API_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// HTML pages of the API (the certificate verification page): no script at all, only
/// the page's own inline style.
const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const DOCS_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// Turns a poem error that is not already an envelope into one.
fn envelope_for(err: poem::Error, allow: &AllowIndex, path: &str) -> Response {
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let text = err.to_string();
    let (code, message) = match status {
        StatusCode::NOT_FOUND => (ErrorCode::NotFound.as_str(), "no such route".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorCode::MethodNotAllowed.as_str(),
            "this method is not allowed on this route".to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            ErrorCode::PayloadTooLarge.as_str(),
            "the request body is too large".to_owned(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            ErrorCode::UnsupportedMediaType.as_str(),
            format!("unsupported media type: {text}"),
        ),
        StatusCode::UNAUTHORIZED => (
            ErrorCode::Unauthenticated.as_str(),
            "authentication required: send a valid bearer token".to_owned(),
        ),
        s if s.is_client_error() => {
            if let Some((field, why)) = explain_parse_error(&text, allow, path) {
                let mut details = BTreeMap::new();
                let message = format!("{field}: {why}");
                details.insert(field, why);
                return ApiError::new(status, ErrorCode::InvalidInput.as_str(), message)
                    .with_details(details)
                    .into_response();
            }
            (ErrorCode::InvalidRequest.as_str(), plain_parse_error(&text))
        }
        _ => {
            tracing::error!(error = %text, "unhandled error");
            (
                ErrorCode::InternalError.as_str(),
                "an unexpected error occurred".to_owned(),
            )
        }
    };
    ApiError::new(status, code, message).into_response()
}

/// The text between the first two backticks after `marker`.
fn quoted_after<'a>(text: &'a str, marker: &str) -> Option<&'a str> {
    text.split_once(marker)?.1.split('`').next()
}

/// The type poem-openapi failed to parse (`failed to parse "integer(uint32)"`,
/// `Expected input type "number_double"`), outermost first.
fn parsed_type(text: &str) -> Option<&str> {
    ["failed to parse \"", "Expected input type \""]
        .into_iter()
        .filter_map(|m| text.split_once(m).map(|(_, rest)| rest))
        .filter_map(|rest| rest.split('"').next())
        .find(|t| t.starts_with(|c: char| c.is_ascii_lowercase()))
}

/// poem-openapi's and serde's refusal of a named input (a field of the body, a query or
/// path parameter) as (name, sentence): "page_size", "must be at most 100".
fn explain_parse_error(text: &str, allow: &AllowIndex, path: &str) -> Option<(String, String)> {
    let (field, rest) = if let Some(f) = quoted_after(text, "field `") {
        (f.to_owned(), text.split_once("field `")?.1)
    } else if let Some(p) = quoted_after(text, "parameter `") {
        (p.to_owned(), text.split_once("parameter `")?.1)
    } else if let Some(p) = quoted_after(text, "path `") {
        // Path parameters are named by position (`param0`).
        let n = p.trim_start_matches("param").parse().unwrap_or(0);
        let name = allow.param_name(path, n).unwrap_or(p).to_owned();
        (name, text.split_once("path `")?.1)
    } else {
        return None;
    };
    let why = if text.contains("missing field") || rest.contains("expects an input value") {
        "is required".to_owned()
    } else if text.contains("unknown field") {
        "is not a field of this request".to_owned()
    } else if let Some((_, validator)) = rest.split_once("verification failed.") {
        explain(validator).unwrap_or_else(|| "is not valid".to_owned())
    } else if let Some(t) = parsed_type(rest) {
        sentence(t)
    } else {
        "is not valid".to_owned()
    };
    Some((field, why))
}

/// A refusal that names no input (a body that is not JSON at all, a value of the wrong
/// type in a body the document does not describe), without the parser's type names.
fn plain_parse_error(text: &str) -> String {
    let text = text.trim_start_matches("parse request payload error: ");
    match parsed_type(text) {
        Some(t) => format!("a value {}", sentence(t)),
        None if text.contains("line") && text.contains("column") => {
            format!("the body is not valid JSON ({text})")
        }
        None => text.to_owned(),
    }
}

/// Checks a JSON body against the operation's request schema before the operation reads
/// it; a refused value is 400 naming the field. The body is put back for the operation.
async fn check_body(req: &mut Request, contract: &Contract) -> Option<Response> {
    // As poem-openapi reads it: the media type, case-insensitive, `application/json` or
    // any `+json` suffix.
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|mt| mt == "application/json" || mt.ends_with("+json"));
    if !is_json {
        return None;
    }
    let schema = contract.body_schema(req.method().as_str(), req.uri().path())?;
    // Read through the body limit; an oversized body is answered as such by the caller.
    let bytes = req.take_body().into_bytes().await.unwrap_or_default();
    let refused = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|body| contract.check(schema, &body));
    req.set_body(bytes);
    let (field, why) = refused?;
    let mut details = BTreeMap::new();
    let message = format!("{field}: {why}");
    details.insert(field, why);
    Some(
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidInput.as_str(),
            message,
        )
        .with_details(details)
        .into_response(),
    )
}

fn set(resp: &mut Response, name: &'static str, value: &'static str) {
    resp.headers_mut()
        .insert(name, HeaderValue::from_static(value));
}

/// The middleware function (used with `EndpointExt::around`).
pub async fn api_middleware<E: Endpoint>(
    next: Arc<E>,
    mut req: Request,
    cfg: MiddlewareConfig,
) -> poem::Result<Response> {
    let started = Instant::now();
    let request_id = uuid::Uuid::now_v7().to_string();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let behind_tls = req
        .headers()
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
        || req.uri().scheme_str() == Some("https");
    let span =
        tracing::info_span!("request", request_id = %request_id, method = %method, path = %path);

    let result = async {
        // Body limit: the global one unless the operation chooses its own; applied when the
        // body is read, and answered here as 413 whatever the operation made of it.
        let body_limit = BodyLimit::install(&mut req, cfg.body_limit);
        if let Some(client) = ClientAddr::resolve(&req, &cfg.proxies) {
            req.extensions_mut().insert(client);
        }
        let checked = check_body(&mut req, &cfg.contract).await;
        let result = match checked {
            Some(refused) if !body_limit.exceeded() => Ok(refused),
            _ => next.call(req).await.map(IntoResponse::into_response),
        };
        if body_limit.exceeded() {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge.as_str(),
                format!("the request body exceeds {} bytes", body_limit.limit()),
            )
            .into());
        }
        result
    }
    .instrument(span.clone())
    .await;

    let mut resp = match result {
        Ok(r) if r.status() == StatusCode::NOT_FOUND && r.content_type().is_none() => envelope_for(
            poem::Error::from_status(StatusCode::NOT_FOUND),
            &cfg.allow,
            &path,
        ),
        Ok(r) => r,
        Err(e) => envelope_for(e, &cfg.allow, &path),
    };
    let is_docs = path.starts_with("/api/docs");
    set(&mut resp, "x-content-type-options", "nosniff");
    set(&mut resp, "x-frame-options", "DENY");
    set(&mut resp, "referrer-policy", "no-referrer");
    set(&mut resp, "cross-origin-opener-policy", "same-origin");
    set(
        &mut resp,
        "permissions-policy",
        "geolocation=(), microphone=(), camera=()",
    );
    let csp = if is_docs {
        DOCS_CSP
    } else if resp
        .content_type()
        .is_some_and(|t| t.starts_with("text/html"))
    {
        PAGE_CSP
    } else {
        API_CSP
    };
    set(&mut resp, "content-security-policy", csp);
    if !is_docs {
        set(&mut resp, "cache-control", "no-store");
    }
    if behind_tls {
        set(
            &mut resp,
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        );
    }
    if resp.status() == StatusCode::METHOD_NOT_ALLOWED
        && let Some(methods) = cfg.allow.methods(&path)
        && let Ok(v) = HeaderValue::from_str(methods)
    {
        resp.headers_mut().insert(header::ALLOW, v);
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    let status = resp.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| tracing::info!(status, latency_ms = format!("{ms:.2}"), "served"));
    Ok(resp)
}

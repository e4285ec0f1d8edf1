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

    /// The methods allowed on a concrete path.
    pub fn methods(&self, path: &str) -> Option<&str> {
        let parts: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .find(|(template, _)| {
                template.len() == parts.len()
                    && template
                        .iter()
                        .zip(&parts)
                        .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}')))
            })
            .map(|(_, m)| m.as_str())
    }
}

const API_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const DOCS_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// Turns a poem error that is not already an envelope into one.
fn envelope_for(err: poem::Error) -> Response {
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
        s if s.is_client_error() => (ErrorCode::InvalidRequest.as_str(), text.clone()),
        _ => {
            tracing::error!(error = %text, "unhandled error");
            (
                ErrorCode::InternalError.as_str(),
                "an unexpected error occurred".to_owned(),
            )
        }
    };
    // poem-openapi and serde name the input as "field `x`" (validation, unknown or
    // missing field) or "parameter `x`" (query, path): put it in `details` so clients
    // can point at it.
    let mut details = BTreeMap::new();
    let named = ["field `", "parameter `"]
        .into_iter()
        .find_map(|marker| text.split(marker).nth(1));
    if let Some(rest) = named
        && let Some(field) = rest.split('`').next()
    {
        let why = if text.contains("missing field") {
            "required".to_owned()
        } else if text.contains("unknown field") {
            "unknown field".to_owned()
        } else {
            rest.split_once("verification failed.")
                .map_or("invalid", |(_, v)| v.trim())
                .trim_end_matches(['.', ')'])
                .to_owned()
        };
        details.insert(field.to_owned(), why);
    }
    // A named field is invalid input, the same code the use cases use for their checks.
    let code = if status == StatusCode::BAD_REQUEST && !details.is_empty() {
        ErrorCode::InvalidInput.as_str()
    } else {
        code
    };
    ApiError::new(status, code, message)
        .with_details(details)
        .into_response()
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
        let result = next.call(req).await.map(IntoResponse::into_response);
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
        Ok(r) if r.status() == StatusCode::NOT_FOUND && r.content_type().is_none() => {
            envelope_for(poem::Error::from_status(StatusCode::NOT_FOUND))
        }
        Ok(r) => r,
        Err(e) => envelope_for(e),
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
    set(
        &mut resp,
        "content-security-policy",
        if is_docs { DOCS_CSP } else { API_CSP },
    );
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

//! The one error envelope `{code, message, details}`, its mapping from use-case errors,
//! and the per-operation error enums (`api_errors!`) several resources share.

use std::collections::BTreeMap;

use application::AppError;
use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::Object;

/// Every error response body.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `invalid_input`, `email_taken`, `rate_limited`.
    pub code: String,
    /// A human sentence.
    pub message: String,
    /// Field names and explanations, or other specifics (`suggestion`, `remaining_attempts`).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<BTreeMap<String, String>>,
}

/// An error on its way to the client.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The body.
    pub body: ErrorBody,
    /// Seconds for `Retry-After` (429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with no details.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                code: code.to_owned(),
                message: message.into(),
                details: None,
            },
            retry_after: None,
        }
    }

    /// Adds details.
    pub fn with_details(mut self, details: BTreeMap<String, String>) -> Self {
        self.body.details = (!details.is_empty()).then_some(details);
        self
    }

    /// The envelope as a response (used for errors that arise outside operations).
    pub fn into_response(self) -> Response {
        let mut resp = poem::web::Json(self.body).into_response();
        resp.set_status(self.status);
        if let Some(secs) = self.retry_after {
            resp.headers_mut().insert(
                "retry-after",
                poem::http::HeaderValue::from_str(&secs.to_string())
                    .unwrap_or(poem::http::HeaderValue::from_static("60")),
            );
        }
        resp
    }
}

impl From<ApiError> for poem::Error {
    fn from(e: ApiError) -> Self {
        let msg = e.body.message.clone();
        let mut err = poem::Error::from_response(e.into_response());
        err.set_error_message(msg);
        err
    }
}

impl From<AppError> for ApiError {
    /// Status and code both come from the one catalogue ([`application::ErrorCode`]); the variant only
    /// decides the sentence, the details and what is logged.
    fn from(e: AppError) -> Self {
        let code = e.code();
        let status =
            StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let (message, details, retry_after) = match e {
            AppError::Invalid {
                message, details, ..
            }
            | AppError::Conflict {
                message, details, ..
            } => (message, details, None),
            AppError::Unauthenticated { message, .. }
            | AppError::Forbidden { message, .. }
            | AppError::Unsupported { message } => (message, Default::default(), None),
            AppError::NotFound { what } => (format!("{what} not found"), Default::default(), None),
            AppError::TooLarge { max_bytes } => (
                format!("the upload is larger than the {max_bytes}-byte limit"),
                Default::default(),
                None,
            ),
            AppError::RateLimited { retry_after_secs } => (
                format!("too many attempts; try again in {retry_after_secs} seconds"),
                Default::default(),
                Some(retry_after_secs),
            ),
            AppError::Contended(cause) | AppError::Unavailable(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "dependency unavailable");
                let message = "a dependency is unavailable; try again shortly".to_owned();
                (message, Default::default(), None)
            }
            AppError::Unexpected(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "unexpected error");
                let message = "an unexpected error occurred".to_owned();
                (message, Default::default(), None)
            }
        };
        ApiError {
            retry_after,
            ..ApiError::new(status, code.as_str(), message).with_details(details)
        }
    }
}

/// Declares an operation's error responses: each listed variant with its status (`Body`
/// stands for 413 and 415, which the middleware and the JSON extractor answer for
/// operations that take a body), plus 500 and 503, which every operation can return. `From<AppError>` routes each error to
/// its variant; an error whose status the operation does not list is a bug: it is logged
/// and answered as 500.
macro_rules! api_errors {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $($v:ident),* $(,)? }) => {
        $crate::common::error::api_errors!(@build [$(#[$m])* $vis $name] [] [] $($v)*);
    };
    (@build $head:tt [$($acc:tt)*] [$($arms:tt)*] BadRequest $($rest:ident)*) => {
        $crate::common::error::api_errors!(@build $head [$($acc)*
            /// Invalid input: `details` names the fields.
            #[oai(status = 400)] BadRequest(poem_openapi::payload::Json<$crate::common::error::ErrorBody>),
        ] [$($arms)* (400 BadRequest plain)] $($rest)*);
    };
    (@build $head:tt [$($acc:tt)*] [$($arms:tt)*] Unauthorized $($rest:ident)*) => {
        $crate::common::error::api_errors!(@build $head [$($acc)*
            /// Missing, unknown, revoked or expired bearer token, or wrong credentials.
            #[oai(status = 401)] Unauthorized(poem_openapi::payload::Json<$crate::common::error::ErrorBody>),
        ] [$($arms)* (401 Unauthorized plain)] $($rest)*);
    };
    (@build $head:tt [$($acc:tt)*] [$($arms:tt)*] Forbidden $($rest:ident)*) => {
        $crate::common::error::api_errors!(@build $head [$($acc)*
            /// Not allowed for this caller.
            #[oai(status = 403)] Forbidden(poem_openapi::payload::Json<$crate::common::error::ErrorBody>),
        ] [$($arms)* (403 Forbidden plain)] $($rest)*);
    };
    (@build $head:tt [$($acc:tt)*] [$($arms:tt)*] NotFound $($rest:ident)*) => {
        $crate::common::error::api_errors!(@build $head [$($acc)*
            /// No such resource (or not visible to the caller).
            #[oai(status = 404)] NotFound(poem_openapi::payload::Json<$crate::common::error::ErrorBody>),
        ] [$($arms)* (404 NotFound plain)] $($rest)*);
    };
    (@build $head:tt [$($acc:tt)*] [$($arms:tt)*] Conflict $($rest:ident)*) => {
        $crate::common::error::api_errors!(@build $head [$($acc)*
            /// Duplicate or wrong state.
            #[oai(status = 409)] Conflict(poem_openapi::payload::Json<$crate::common::error::ErrorBody>),
        ] [$($arms)* (409 Conflict plain)] $($rest)*);
    };
    (@build $head:tt [$($acc:tt)*] [$($arms:tt)*] Body $($rest:ident)*) => {
        $crate::common::error::api_errors!(@build $head [$($acc)*
            /// The body is larger than the server accepts.
            #[oai(status = 413)] PayloadTooLarge(poem_openapi::payload::Json<$crate::common::error::ErrorBody>),
            /// The body is not `application/json`.
            #[oai(status = 415)] UnsupportedMediaType(poem_openapi::payload::Json<$crate::common::error::ErrorBody>),
        ] [$($arms)* (413 PayloadTooLarge plain) (415 UnsupportedMediaType plain)] $($rest)*);
    };
    (@build $head:tt [$($acc:tt)*] [$($arms:tt)*] TooManyRequests $($rest:ident)*) => {
        $crate::common::error::api_errors!(@build $head [$($acc)*
            /// Too many attempts; `Retry-After` says how many seconds to wait.
            #[oai(status = 429)] TooManyRequests(
                poem_openapi::payload::Json<$crate::common::error::ErrorBody>,
                #[oai(header = "Retry-After")] u64,
            ),
        ] [$($arms)* (429 TooManyRequests retry)] $($rest)*);
    };
    (@arm $e:ident $variant:ident plain) => {
        Self::$variant(poem_openapi::payload::Json($e.body))
    };
    (@arm $e:ident $variant:ident retry) => {
        Self::$variant(poem_openapi::payload::Json($e.body), $e.retry_after.unwrap_or(60))
    };
    (@build [$(#[$m:meta])* $vis:vis $name:ident] [$($acc:tt)*] [$(($status:literal $variant:ident $kind:ident))*]) => {
        $(#[$m])*
        #[derive(Debug, poem_openapi::ApiResponse)]
        $vis enum $name {
            $($acc)*
            /// Unexpected server error (logged with its cause; answered opaquely).
            #[oai(status = 500)]
            Internal(poem_openapi::payload::Json<$crate::common::error::ErrorBody>),
            /// The database is unavailable; try again shortly.
            #[oai(status = 503)]
            Unavailable(poem_openapi::payload::Json<$crate::common::error::ErrorBody>),
        }

        impl From<$crate::common::error::ApiError> for $name {
            fn from(e: $crate::common::error::ApiError) -> Self {
                match e.status.as_u16() {
                    $($status => $crate::common::error::api_errors!(@arm e $variant $kind),)*
                    503 => Self::Unavailable(poem_openapi::payload::Json(e.body)),
                    500 => Self::Internal(poem_openapi::payload::Json(e.body)),
                    other => {
                        tracing::error!(status = other, code = %e.body.code, operation = stringify!($name), "undocumented error status");
                        Self::Internal(poem_openapi::payload::Json($crate::common::error::ErrorBody {
                            code: application::ErrorCode::InternalError.as_str().into(),
                            message: "an unexpected error occurred".into(),
                            details: None,
                        }))
                    }
                }
            }
        }

        impl From<application::AppError> for $name {
            fn from(e: application::AppError) -> Self {
                $crate::common::error::ApiError::from(e).into()
            }
        }
    };
}
pub(crate) use api_errors;

api_errors!(
    /// Errors of reads.
    pub enum ReadError {
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
    }
);
api_errors!(
    /// Errors of writes, and of reads that depend on state (409: the PDF of an
    /// unapproved certificate).
    pub enum WriteError {
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
    }
);
api_errors!(
    /// Errors of writes that take a JSON body (413 and 415 come from the body itself).
    pub enum BodyError {
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        Body,
    }
);

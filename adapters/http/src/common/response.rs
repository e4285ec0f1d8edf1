//! Success responses several resources share: 204, a plain message, and `ok_enum!` for
//! an operation whose only success is 200 or 201 with one JSON body.

use poem_openapi::{ApiResponse, Object};

/// A plain acknowledgement.
#[derive(Debug, Clone, Object)]
pub struct MessageDto {
    /// What happened.
    pub message: String,
}

/// 204.
#[derive(Debug, ApiResponse)]
pub enum NoContent {
    /// Deleted.
    #[oai(status = 204)]
    Deleted,
}

/// Declares a success response: 200 (`Ok`) or, with `created`, 201 (`Created`) with a
/// JSON body of one type.
macro_rules! ok_enum {
    ($name:ident, $ty:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, poem_openapi::ApiResponse)]
        pub enum $name {
            /// Done.
            #[oai(status = 200)]
            Ok(poem_openapi::payload::Json<$ty>),
        }
    };
    ($name:ident, $ty:ty, created, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, poem_openapi::ApiResponse)]
        pub enum $name {
            /// Created.
            #[oai(status = 201)]
            Created(poem_openapi::payload::Json<$ty>),
        }
    };
}
pub(crate) use ok_enum;

//! The shared vocabulary of every capability: the error envelope and the shared error
//! enums, success responses, paging, tags, clinic time, the bearer-token scheme and the
//! request body limit.

pub mod auth;
pub mod body_limit;
pub mod client;
pub mod contract;
pub mod document;
pub mod error;
pub mod paging;
pub mod response;
pub mod tags;
pub mod time;

pub use auth::BearerAuth;
pub use client::{ClientAddr, TrustedProxies};
pub(crate) use error::api_errors;
pub use error::{ApiError, BodyError, ErrorBody, ReadError, WriteError};
pub use paging::page;
pub(crate) use paging::page_dto;
pub(crate) use response::ok_enum;
pub use response::{MessageDto, NoContent};
pub use tags::ApiTags;
pub use time::{ClinicZone, utc};

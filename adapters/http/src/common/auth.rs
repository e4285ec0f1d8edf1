//! Bearer-token authentication as a poem-openapi security scheme.

use std::sync::Arc;

use application::identity::{AuthContext, IdentityService};
use poem::Request;
use poem::http::StatusCode;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

use super::client::ClientAddr;
use super::error::ApiError;

/// `Authorization: Bearer <token>` from POST /api/auth/login.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_bearer")]
pub struct BearerAuth(pub AuthContext);

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<AuthContext> {
    let identity = req.data::<Arc<IdentityService>>().ok_or_else(|| {
        poem::Error::from(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            application::ErrorCode::InternalError.as_str(),
            "identity service missing",
        ))
    })?;
    let mut auth = identity
        .authenticate(&bearer.token)
        .await
        .map_err(|e| poem::Error::from(ApiError::from(e)))?;
    // The audit log records where each signed-in request came from.
    auth.actor.client = req.extensions().get::<ClientAddr>().map(|c| c.0);
    Ok(auth)
}

//! GET /api/health and /api/ready.

use std::sync::Arc;

use application::health::{DatabaseProbe, readiness};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use crate::Services;
use crate::common::ApiTags;

/// Liveness.
#[derive(Debug, Object)]
pub struct HealthDto {
    /// Always `ok` when the process answers.
    pub status: String,
    /// The server's version.
    pub version: String,
}

/// Readiness.
#[derive(Debug, Object)]
pub struct ReadyDto {
    /// `ready` or `unavailable`.
    pub status: String,
    /// The database backend (`sqlite`, `postgres`).
    pub database: String,
}

/// Readiness responses.
#[derive(Debug, ApiResponse)]
pub enum ReadyResponse {
    /// The database answers.
    #[oai(status = 200)]
    Ready(Json<ReadyDto>),
    /// The database does not answer.
    #[oai(status = 503)]
    Unavailable(Json<ReadyDto>),
}

/// Health endpoints (no auth).
pub struct HealthApi {
    /// The database probe.
    pub probe: Arc<dyn DatabaseProbe>,
}

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// Liveness: the process is up.
    #[oai(path = "/api/health", method = "get")]
    async fn health(&self) -> Json<HealthDto> {
        Json(HealthDto {
            status: "ok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        })
    }

    /// Readiness: 200 when the database answers, else 503.
    #[oai(path = "/api/ready", method = "get")]
    async fn ready(&self) -> ReadyResponse {
        let r = readiness(self.probe.as_ref()).await;
        let body = ReadyDto {
            status: if r.ready { "ready" } else { "unavailable" }.into(),
            database: r.database.into(),
        };
        if r.ready {
            ReadyResponse::Ready(Json(body))
        } else {
            tracing::warn!(problem = ?r.problem, "not ready");
            ReadyResponse::Unavailable(Json(body))
        }
    }
}

/// The health resources over the readiness probe.
pub fn api(services: &Services) -> HealthApi {
    HealthApi {
        probe: services.probe.clone(),
    }
}

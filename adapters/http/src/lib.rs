//! USC-PIS HTTP adapter: poem + poem-openapi.
//!
//! Handlers parse, call one use case, and map the result; rules live in `domain` and
//! `application`. Every error, from an operation or from the framework, leaves as the
//! one envelope `{code, message, details}` (see [`common::error`]). The OpenAPI document is at
//! `GET /api/openapi.json`, Swagger UI at `GET /api/docs`.

pub mod admin;
pub mod appointments;
pub mod clinical;
pub mod common;
mod health;
pub mod identity;
mod middleware;

use std::sync::Arc;

use application::appointment::AppointmentService;
use application::audit::AuditService;
use application::clinical::ClinicalService;
use application::health::DatabaseProbe;
use application::identity::IdentityService;
use application::notification::NotificationService;
use poem::middleware::Cors;
use poem::{Endpoint, EndpointExt, Route};
use poem_openapi::OpenApiService;

pub use common::{ClinicZone, TrustedProxies};
pub use middleware::MiddlewareConfig;

/// The use cases the API serves.
#[derive(Clone)]
pub struct Services {
    /// Identity and access.
    pub identity: Arc<IdentityService>,
    /// Audit log.
    pub audit: Arc<AuditService>,
    /// Clinical records.
    pub clinical: Arc<ClinicalService>,
    /// Appointments and scheduling.
    pub appointments: Arc<AppointmentService>,
    /// In-app notifications.
    pub notifications: Arc<NotificationService>,
    /// Readiness probe.
    pub probe: Arc<dyn DatabaseProbe>,
}

/// HTTP settings.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Largest request body in bytes.
    pub body_limit: usize,
    /// Origins allowed by CORS; empty: no cross-origin access.
    pub cors_origins: Vec<String>,
    /// The clinic's zone for displayed times.
    pub zone: ClinicZone,
    /// Reverse proxies whose `X-Forwarded-For` names the client (default none).
    pub trusted_proxies: TrustedProxies,
}

/// One combined API per capability (each a tuple of its resources), in the order of the
/// published document.
type Apis = (
    health::HealthApi,
    identity::IdentityApi,
    admin::AdminApi,
    clinical::ClinicalApi,
    appointments::AppointmentsApi,
);

fn openapi(services: &Services, zone: ClinicZone) -> OpenApiService<Apis, ()> {
    let apis = (
        health::api(services),
        identity::api(services, zone),
        admin::api(services, zone),
        clinical::api(services, zone),
        appointments::api(services, zone),
    );
    OpenApiService::new(apis, "USC-PIS API", env!("CARGO_PKG_VERSION"))
        .description("Patient information system of the USC clinic. Errors always answer `{code, message, details}`.")
}

/// The OpenAPI document as JSON (for tests and `usc-pis openapi`).
pub fn openapi_json(services: &Services, zone: ClinicZone) -> String {
    common::document::amend(&openapi(services, zone).spec())
}

/// The whole HTTP application.
pub fn build_app(services: Services, config: HttpConfig) -> impl Endpoint {
    let api = openapi(&services, config.zone);
    let original = api.spec();
    let document = common::document::amend(&original);
    // Swagger UI shows the amended document too (its page embeds the document it shows).
    let docs_html = api.swagger_ui_html().replacen(&original, &document, 1);
    let allow = std::sync::Arc::new(middleware::AllowIndex::from_spec(&document));
    let contract = std::sync::Arc::new(common::contract::Contract::from_spec(&document));
    let served = document.clone();
    let spec = poem::endpoint::make_sync(move |_| {
        poem::Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(served.clone())
    });
    let docs = Route::new().at(
        "/",
        poem::endpoint::make_sync(move |_| poem::web::Html(docs_html.clone())),
    );
    let route = Route::new()
        .at("/api/openapi.json", spec)
        .nest("/api/docs", docs)
        .nest("/", api)
        .data(services.identity.clone());
    let mw = MiddlewareConfig {
        body_limit: config.body_limit,
        allow,
        proxies: config.trusted_proxies,
        contract,
    };
    let cors = (!config.cors_origins.is_empty()).then(|| {
        config
            .cors_origins
            .iter()
            .fold(Cors::new(), |c, o| c.allow_origin(o.as_str()))
            .allow_credentials(false)
    });
    route
        .with_if(cors.is_some(), cors.unwrap_or_default())
        .around(move |ep, req| middleware::api_middleware(ep, req, mw.clone()))
}

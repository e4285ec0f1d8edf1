//! /api/dashboard: role-specific figures.

use std::sync::Arc;

use application::appointment::AppointmentService;
use poem_openapi::OpenApi;
use poem_openapi::payload::Json;

use super::dto::DashboardDto;
use crate::common::{ApiTags, BearerAuth, ClinicZone, ReadError, ok_enum};

ok_enum!(DashboardOk, DashboardDto, "200 with the figures.");

/// The dashboard.
pub struct DashboardApi {
    /// Use cases.
    pub appointments: Arc<AppointmentService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Appointments")]
impl DashboardApi {
    /// Role-specific figures: clinic roles see today's appointments by status and the
    /// next free slot per type; patients their next appointment.
    #[oai(path = "/api/dashboard", method = "get")]
    async fn dashboard(&self, auth: BearerAuth) -> Result<DashboardOk, ReadError> {
        let d = self.appointments.dashboard(&auth.0.actor).await?;
        Ok(DashboardOk::Ok(Json(DashboardDto::from_dashboard(
            d, self.zone,
        ))))
    }
}

//! /api/auth/*: registration, verification, login, sessions, passwords, own profile.

use std::sync::Arc;

use application::identity::{IdentityService, LoginCommand, ProfileChange, RegisterCommand};
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::dto::{
    ChangePasswordRequest, EmailRequest, LoginRequest, LoginResponseBody, ProfilePatch,
    RegisterRequest, RegisterResponseBody, ResetConfirmRequest, UserDto, VerifiedBody,
    VerifyEmailRequest,
};
use crate::common::{ApiTags, BearerAuth, ClientAddr, ClinicZone, MessageDto, api_errors};

/// 201 with the account.
#[derive(Debug, ApiResponse)]
pub enum RegisterOk {
    /// Created; a verification code was emailed (or a welcome, for safe-list emails).
    #[oai(status = 201)]
    Created(Json<RegisterResponseBody>),
}
api_errors!(
    /// Registration errors.
    pub enum RegisterError {
        Body,
        BadRequest,
        Conflict,
    }
);

/// 200 with the account.
#[derive(Debug, ApiResponse)]
pub enum VerifyOk {
    /// Verified.
    #[oai(status = 200)]
    Verified(Json<VerifiedBody>),
}
api_errors!(
    /// Verification errors: `invalid_code` (with `remaining_attempts`), `code_expired`,
    /// `code_attempts_exhausted`.
    pub enum VerifyError {
        Body,
        BadRequest,
    }
);

/// 202, always.
#[derive(Debug, ApiResponse)]
pub enum AcceptedOk {
    /// Accepted. Said whether or not the account exists.
    #[oai(status = 202)]
    Accepted(Json<MessageDto>),
}
api_errors!(
    /// Errors of requests answered 202.
    pub enum AcceptedError {
        Body,
        BadRequest,
    }
);

/// 200 with a token.
#[derive(ApiResponse)]
pub enum LoginOk {
    /// Logged in.
    #[oai(status = 200)]
    LoggedIn(Json<LoginResponseBody>),
}
api_errors!(
    /// Login errors: 401 `invalid_credentials`, 403 `email_not_verified` or
    /// `account_disabled`, 429 `rate_limited` with `Retry-After`.
    pub enum LoginError {
        Body,
        BadRequest,
        Unauthorized,
        Forbidden,
        TooManyRequests,
    }
);

/// 204.
#[derive(Debug, ApiResponse)]
pub enum NoContentOk {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}
api_errors!(
    /// Errors of an authenticated call without input.
    pub enum AuthedError {
        Unauthorized,
        Forbidden,
    }
);
api_errors!(
    /// Errors of an authenticated call with input.
    pub enum AuthedInputError {
        Body,
        BadRequest,
        Unauthorized,
        Forbidden,
    }
);
api_errors!(
    /// Password-reset confirmation errors: `invalid_token`, policy violations.
    pub enum ResetConfirmError {
        Body,
        BadRequest,
    }
);

/// 200 with the account.
#[derive(Debug, ApiResponse)]
pub enum UserOk {
    /// The account.
    #[oai(status = 200)]
    Ok(Json<UserDto>),
}

/// Identity endpoints.
pub struct IdentityApi {
    /// Use cases.
    pub identity: Arc<IdentityService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Auth")]
impl IdentityApi {
    /// Register an account and email a 6-digit verification code.
    #[oai(path = "/api/auth/register", method = "post")]
    async fn register(
        &self,
        req: &Request,
        body: Json<RegisterRequest>,
    ) -> Result<RegisterOk, RegisterError> {
        let b = body.0;
        let user = self
            .identity
            .register(RegisterCommand {
                client_ip: ClientAddr::of(req),
                email: b.email,
                password: b.password,
                first_name: b.first_name,
                last_name: b.last_name,
            })
            .await?;
        let message = if user.is_verified {
            "account created; you can log in now".into()
        } else {
            "account created; enter the 6-digit code we emailed you (valid 15 minutes)".into()
        };
        Ok(RegisterOk::Created(Json(RegisterResponseBody {
            user: UserDto::from_user(user, self.zone),
            message,
        })))
    }

    /// Verify an email with its code: valid 15 minutes; 5 wrong tries burn it.
    #[oai(path = "/api/auth/verify-email", method = "post")]
    async fn verify_email(&self, body: Json<VerifyEmailRequest>) -> Result<VerifyOk, VerifyError> {
        let user = self.identity.verify_email(&body.email, &body.code).await?;
        Ok(VerifyOk::Verified(Json(VerifiedBody {
            user: UserDto::from_user(user, self.zone),
        })))
    }

    /// Email a new code to an unverified account. Always 202 (no account enumeration).
    #[oai(path = "/api/auth/resend-code", method = "post")]
    async fn resend_code(&self, body: Json<EmailRequest>) -> Result<AcceptedOk, AcceptedError> {
        self.identity.resend_code(&body.email).await?;
        Ok(AcceptedOk::Accepted(Json(MessageDto {
            message: "if the account exists and is unverified, a new code is on its way".into(),
        })))
    }

    /// Log in. Five failures for an account within 15 minutes → 429.
    ///
    /// One client address locks after 100 failures in 15 minutes by default
    /// (`USCPIS_LOGIN_ADDRESS_LIMIT`).
    #[oai(path = "/api/auth/login", method = "post")]
    async fn login(&self, req: &Request, body: Json<LoginRequest>) -> Result<LoginOk, LoginError> {
        let b = body.0;
        let out = self
            .identity
            .login(LoginCommand {
                email: b.email,
                password: b.password,
                client_ip: ClientAddr::of(req),
            })
            .await?;
        Ok(LoginOk::LoggedIn(Json(LoginResponseBody {
            token: out.token,
            expires_at: self.zone.show(out.expires_at),
            user: UserDto::from_user(out.user, self.zone),
        })))
    }

    /// Revoke this token.
    #[oai(path = "/api/auth/logout", method = "post")]
    async fn logout(&self, auth: BearerAuth) -> Result<NoContentOk, AuthedError> {
        self.identity.logout(&auth.0).await?;
        Ok(NoContentOk::NoContent)
    }

    /// The caller's own account.
    #[oai(path = "/api/auth/me", method = "get")]
    async fn me(&self, auth: BearerAuth) -> Result<UserOk, AuthedError> {
        let user = self.identity.me(&auth.0)?;
        Ok(UserOk::Ok(Json(UserDto::from_user(user, self.zone))))
    }

    /// Change one's own profile. Role, activity and verification are refused (403).
    #[oai(path = "/api/auth/me", method = "patch")]
    async fn update_me(
        &self,
        auth: BearerAuth,
        body: Json<ProfilePatch>,
    ) -> Result<UserOk, AuthedInputError> {
        let b = body.0;
        let user = self
            .identity
            .update_me(
                &auth.0,
                ProfileChange {
                    first_name: b.first_name,
                    last_name: b.last_name,
                    middle_name: b.middle_name,
                    course: b.course,
                    year_level: b.year_level,
                    campus: b.campus,
                    phone: b.phone,
                    department: b.department,
                    license_number: b.license_number,
                    role: b.role.map(|r| r.as_str().to_owned()),
                    is_active: b.is_active,
                    is_verified: b.is_verified,
                },
            )
            .await?;
        Ok(UserOk::Ok(Json(UserDto::from_user(user, self.zone))))
    }

    /// Change one's password; every other session is revoked.
    #[oai(path = "/api/auth/change-password", method = "post")]
    async fn change_password(
        &self,
        auth: BearerAuth,
        body: Json<ChangePasswordRequest>,
    ) -> Result<NoContentOk, AuthedInputError> {
        self.identity
            .change_password(&auth.0, &body.current_password, &body.new_password)
            .await?;
        Ok(NoContentOk::NoContent)
    }

    /// Email a single-use reset token (valid 1 hour). Always 202.
    #[oai(path = "/api/auth/password-reset/request", method = "post")]
    async fn reset_request(&self, body: Json<EmailRequest>) -> Result<AcceptedOk, AcceptedError> {
        self.identity.request_password_reset(&body.email).await?;
        Ok(AcceptedOk::Accepted(Json(MessageDto {
            message: "if the account exists, reset instructions are on their way".into(),
        })))
    }

    /// Set a new password with a reset token; all sessions are revoked.
    #[oai(path = "/api/auth/password-reset/confirm", method = "post")]
    async fn reset_confirm(
        &self,
        body: Json<ResetConfirmRequest>,
    ) -> Result<NoContentOk, ResetConfirmError> {
        self.identity
            .confirm_password_reset(&body.token, &body.new_password)
            .await?;
        Ok(NoContentOk::NoContent)
    }
}

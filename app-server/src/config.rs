//! Configuration: defaults, then an optional `usc-pis.toml`, then `USCPIS_*` environment
//! variables (which win). Secrets are never printed: `Debug` redacts them.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use application::appointment::AppointmentConfig;
use application::clinical::ClinicalConfig;
use application::identity::IdentityConfig;
use chrono_tz::Tz;
use domain::appointment::BookingPolicy;
use domain::identity::{EmailPolicy, LoginThrottle};
use http_api::TrustedProxies;
use serde::Deserialize;

/// Every setting of the server. Names are part of the contract (README, docs/OPERATIONS.md).
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    // --- server: listening, storage, HTTP ---
    /// `USCPIS_LISTEN`: address to listen on.
    pub listen: String,
    /// `USCPIS_DATA_DIR`: SQLite file, `outbox/`, `media/`, backups.
    pub data_dir: PathBuf,
    /// `USCPIS_DATABASE_URL`: `postgres://...` or `sqlite://...`; default SQLite in the data dir.
    pub database_url: Option<String>,
    // --- mail ---
    /// `USCPIS_SMTP_URL`: `smtp://user:pass@host:587`; unset: `.eml` files in `<data dir>/outbox/`.
    pub smtp_url: Option<String>,
    /// `USCPIS_MAIL_FROM`: sender mailbox.
    pub mail_from: String,
    // --- identity (`Config::identity`) ---
    /// `USCPIS_EMAIL_DOMAIN`: the institutional domain for registration.
    pub email_domain: String,
    /// `USCPIS_TIMEZONE`: the clinic's IANA zone.
    pub timezone: String,
    /// `USCPIS_TOKEN_TTL`: session lifetime, e.g. `12h`, `90m`, `3600` (seconds).
    pub token_ttl: String,
    /// `USCPIS_CORS_ORIGINS`: comma-separated origins allowed to call the API from a browser.
    pub cors_origins: String,
    /// `USCPIS_BODY_LIMIT`: largest request body in bytes.
    pub body_limit: usize,
    /// `USCPIS_PUBLIC_URL`: the front end's base URL, for links in emails.
    pub public_url: Option<String>,
    /// `USCPIS_AUDIT_CHAIN_MS`: how often committed audit entries are linked into the
    /// hash chain (default 10).
    pub audit_chain_ms: u64,
    /// `USCPIS_OUTBOX_POLL_MS`: how often the mail worker looks for due messages.
    pub outbox_poll_ms: u64,
    /// `USCPIS_ARGON2_MEMORY_KIB`: argon2id memory cost.
    pub argon2_memory_kib: u32,
    /// `USCPIS_ARGON2_ITERATIONS`: argon2id passes.
    pub argon2_iterations: u32,
    /// `USCPIS_ADMIN_PASSWORD`: password for `create-admin` (else prompted).
    pub admin_password: Option<String>,
    /// `USCPIS_SESSION_CACHE_MS`: how long a token lookup may be answered from memory
    /// (0: always ask the database). Bounds how late other instances see a logout.
    pub session_cache_ms: u64,
    /// `USCPIS_LOGIN_ADDRESS_LIMIT`: failed logins from one client address (IPv6: one
    /// /64) in 15 minutes that lock logins from it (default 100; each account has its
    /// own limit of 5).
    pub login_address_limit: u32,
    /// `USCPIS_TRUSTED_PROXIES`: reverse proxies (CIDR blocks or addresses, comma
    /// separated) whose `X-Forwarded-For` names the client; default none.
    pub trusted_proxies: String,
    // --- clinical (`Config::clinical`) ---
    /// `USCPIS_CLINIC_NAME`: printed in certificate headers.
    pub clinic_name: String,
    /// `USCPIS_CLINIC_ADDRESS`: printed in certificate headers.
    pub clinic_address: String,
    /// `USCPIS_CLINIC_LOGO`: a PNG, JPEG or SVG file printed in certificate headers;
    /// unset: none.
    pub clinic_logo: Option<std::path::PathBuf>,
    /// `USCPIS_VERIFY_RATE_LIMIT`: public certificate look-ups per client address per
    /// minute (default 30).
    pub verify_rate_limit: u32,
    // --- appointments (`Config::appointments`) ---
    /// `USCPIS_BOOKING_MAX_DAYS_AHEAD`: how far ahead patients may book (default 30).
    pub booking_max_days_ahead: u32,
    /// `USCPIS_BOOKING_CUTOFF_MINUTES`: patients cancel or reschedule up to this many
    /// minutes before the start (default 120).
    pub booking_cutoff_minutes: u32,
    /// `USCPIS_REMINDER_HOURS`: reminders go out this many hours before (default 24).
    pub reminder_hours: u32,
    /// `USCPIS_WAITLIST_CLAIM_MINUTES`: how long a waitlist offer is held (default 120).
    pub waitlist_claim_minutes: u32,
    /// `USCPIS_JOBS_POLL_MS`: how often reminders and the waitlist run (default 15000).
    pub jobs_poll_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8000".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            smtp_url: None,
            mail_from: "USC-PIS <no-reply@usc.edu.ph>".into(),
            email_domain: "usc.edu.ph".into(),
            timezone: "Asia/Manila".into(),
            token_ttl: "12h".into(),
            cors_origins: String::new(),
            body_limit: 1024 * 1024,
            public_url: None,
            audit_chain_ms: 10,
            outbox_poll_ms: 1000,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 3,
            admin_password: None,
            session_cache_ms: 2000,
            login_address_limit: 100,
            trusted_proxies: String::new(),
            clinic_name: "University of San Carlos — Health Services".into(),
            clinic_address: "Talamban Campus, Nasipit, Talamban, Cebu City 6000".into(),
            clinic_logo: None,
            verify_rate_limit: 30,
            booking_max_days_ahead: 30,
            booking_cutoff_minutes: 120,
            reminder_hours: 24,
            waitlist_claim_minutes: 120,
            jobs_poll_ms: 15_000,
        }
    }
}

fn redact(v: &Option<String>) -> &'static str {
    if v.is_some() { "<set>" } else { "<unset>" }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database", &self.database_backend())
            .field("database_url", &redact(&self.database_url))
            .field("smtp_url", &redact(&self.smtp_url))
            .field("mail_from", &self.mail_from)
            .field("email_domain", &self.email_domain)
            .field("timezone", &self.timezone)
            .field("token_ttl", &self.token_ttl)
            .field("cors_origins", &self.cors_origins)
            .field("body_limit", &self.body_limit)
            .field("login_address_limit", &self.login_address_limit)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("verify_rate_limit", &self.verify_rate_limit)
            .field("admin_password", &redact(&self.admin_password))
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Loads defaults ← `file` (or `./usc-pis.toml` when it exists) ← environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut builder = config::Config::builder();
        match file {
            Some(f) => builder = builder.add_source(config::File::from(f).required(true)),
            None => {
                builder = builder.add_source(config::File::with_name("usc-pis").required(false))
            }
        }
        builder = builder.add_source(
            config::Environment::with_prefix("USCPIS")
                .prefix_separator("_")
                .try_parsing(true),
        );
        let cfg: Config = builder
            .build()
            .context("reading configuration")?
            .try_deserialize()
            .context("invalid configuration")?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks values that would otherwise fail late.
    pub fn validate(&self) -> anyhow::Result<()> {
        self.zone()?;
        self.token_ttl()?;
        domain::identity::EmailPolicy::new(&self.email_domain)
            .map_err(|e| anyhow::anyhow!("USCPIS_EMAIL_DOMAIN is not a domain: {e}"))?;
        storage::validate_url(&self.database_url())
            .map_err(|e| anyhow::anyhow!("USCPIS_DATABASE_URL: {e}"))?;
        self.trusted_proxies()?;
        self.clinic_logo()?;
        if self.login_address_limit == 0 {
            bail!("USCPIS_LOGIN_ADDRESS_LIMIT must be at least 1");
        }
        if self.verify_rate_limit == 0 {
            bail!("USCPIS_VERIFY_RATE_LIMIT must be at least 1");
        }
        if !(1..=365).contains(&self.booking_max_days_ahead) {
            bail!("USCPIS_BOOKING_MAX_DAYS_AHEAD must be 1 to 365");
        }
        if !(1..=168).contains(&self.reminder_hours) {
            bail!("USCPIS_REMINDER_HOURS must be 1 to 168");
        }
        if !(1..=10_080).contains(&self.waitlist_claim_minutes) {
            bail!("USCPIS_WAITLIST_CLAIM_MINUTES must be 1 to 10080");
        }
        if self.body_limit < 1024 {
            bail!("USCPIS_BODY_LIMIT must be at least 1024 bytes");
        }
        Ok(())
    }

    /// The database URL in force.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| {
                format!(
                    "sqlite://{}?mode=rwc",
                    self.data_dir.join("usc-pis.db").display()
                )
            })
    }

    /// `sqlite` or `postgres`.
    pub fn database_backend(&self) -> &'static str {
        if self.database_url().starts_with("postgres") {
            "postgres"
        } else {
            "sqlite"
        }
    }

    /// The clinic zone.
    pub fn zone(&self) -> anyhow::Result<Tz> {
        self.timezone.parse::<Tz>().map_err(|_| {
            anyhow::anyhow!(
                "USCPIS_TIMEZONE `{}` is not an IANA time zone",
                self.timezone
            )
        })
    }

    /// The session lifetime.
    pub fn token_ttl(&self) -> anyhow::Result<chrono::Duration> {
        parse_duration(&self.token_ttl)
            .with_context(|| format!("USCPIS_TOKEN_TTL `{}`", self.token_ttl))
    }

    /// The base URL links in emails and certificates point at.
    pub fn public_base_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
    }

    /// The identity section: registration domain, session lifetime, links.
    pub fn identity(&self) -> anyhow::Result<IdentityConfig> {
        Ok(IdentityConfig {
            email_policy: EmailPolicy::new(&self.email_domain)
                .map_err(|e| anyhow::anyhow!("USCPIS_EMAIL_DOMAIN: {e}"))?,
            token_ttl: self.token_ttl()?,
            public_url: self.public_url.clone(),
            address_throttle: LoginThrottle {
                max_failures: self.login_address_limit as usize,
                ..LoginThrottle::default()
            },
            ..IdentityConfig::default()
        })
    }

    /// The certificate logo, read and checked (`USCPIS_CLINIC_LOGO`).
    pub fn clinic_logo(&self) -> anyhow::Result<Option<pdf::Logo>> {
        let Some(path) = &self.clinic_logo else {
            return Ok(None);
        };
        let bytes = std::fs::read(path)
            .with_context(|| format!("USCPIS_CLINIC_LOGO: reading {}", path.display()))?;
        pdf::Logo::new(bytes)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("USCPIS_CLINIC_LOGO ({}): {e}", path.display()))
    }

    /// The clinical section: zone, certificate header, verification links.
    pub fn clinical(&self) -> anyhow::Result<ClinicalConfig> {
        Ok(ClinicalConfig {
            zone: self.zone()?,
            clinic_name: self.clinic_name.clone(),
            clinic_address: self.clinic_address.clone(),
            public_url: self.public_base_url(),
            verify_per_minute: self.verify_rate_limit,
        })
    }

    /// The appointments section: zone, booking horizon and cutoff, reminders, waitlist.
    pub fn appointments(&self) -> anyhow::Result<AppointmentConfig> {
        Ok(AppointmentConfig {
            zone: self.zone()?,
            policy: BookingPolicy {
                max_days_ahead: self.booking_max_days_ahead,
                patient_cutoff: chrono::Duration::minutes(i64::from(self.booking_cutoff_minutes)),
            },
            reminder_before: chrono::Duration::hours(i64::from(self.reminder_hours)),
            claim_window: chrono::Duration::minutes(i64::from(self.waitlist_claim_minutes)),
            public_url: self.public_base_url(),
        })
    }

    /// The reverse proxies trusted for `X-Forwarded-For`.
    pub fn trusted_proxies(&self) -> anyhow::Result<TrustedProxies> {
        TrustedProxies::parse(&self.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("USCPIS_TRUSTED_PROXIES: {e}"))
    }

    /// CORS origins as a list.
    pub fn cors_origins(&self) -> Vec<String> {
        self.cors_origins
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// `90`, `90s`, `15m`, `12h`, `7d`.
pub fn parse_duration(s: &str) -> anyhow::Result<chrono::Duration> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num
        .parse()
        .context("expected a number with an optional unit s, m, h or d")?;
    let d = match unit {
        "" | "s" => chrono::Duration::seconds(n),
        "m" => chrono::Duration::minutes(n),
        "h" => chrono::Duration::hours(n),
        "d" => chrono::Duration::days(n),
        other => bail!("unknown unit `{other}`; use s, m, h or d"),
    };
    if d <= chrono::Duration::zero() {
        bail!("must be positive");
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(
            parse_duration("12h").expect("ok"),
            chrono::Duration::hours(12)
        );
        assert_eq!(
            parse_duration("90").expect("ok"),
            chrono::Duration::seconds(90)
        );
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("5w").is_err());
        assert!(parse_duration("h").is_err());
    }

    #[test]
    fn debug_redacts_secrets() {
        let cfg = Config {
            database_url: Some("postgres://u:hunter2@db/x".into()),
            smtp_url: Some("smtp://u:hunter3@mail".into()),
            admin_password: Some("hunter4".into()),
            ..Config::default()
        };
        let text = format!("{cfg:?}");
        assert!(!text.contains("hunter"), "{text}");
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let cfg = Config::default();
        cfg.validate().expect("valid");
        assert_eq!(cfg.database_backend(), "sqlite");
        assert!(cfg.database_url().ends_with("usc-pis.db?mode=rwc"));
        assert_eq!(cfg.zone().expect("zone"), chrono_tz::Asia::Manila);
    }
}

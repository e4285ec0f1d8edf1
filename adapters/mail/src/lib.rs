//! USC-PIS mail adapter: the [`Mailer`] port over lettre.
//!
//! - [`SmtpMailer`]: SMTP from a URL (`USCPIS_SMTP_URL`). `smtp://user:pass@host:587`
//!   upgrades with STARTTLS when the server offers it (add `?tls=required` to insist on
//!   it); `smtps://` is implicit TLS.
//! - [`FileMailer`]: when no SMTP server is configured, each message becomes an `.eml`
//!   file in `<data dir>/outbox/`, so a developer can read verification codes.
//!
//! Both set the outbox id as the `Message-ID`, so a resend after a crash is recognisable.

use std::path::{Path, PathBuf};
use std::time::Duration;

use application::mail::{MailError, Mailer, OutgoingEmail};
use async_trait::async_trait;
use domain::OutboxId;
use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Builds the MIME message: plain text, plus an HTML alternative when there is one.
pub fn build_message(
    id: OutboxId,
    from: &Mailbox,
    email: &OutgoingEmail,
) -> Result<Message, MailError> {
    let to: Mailbox = email
        .to
        .as_str()
        .parse()
        .map_err(|e| MailError::Permanent(format!("recipient: {e}")))?;
    let builder = Message::builder()
        .from(from.clone())
        .reply_to(from.clone())
        .to(to)
        .subject(email.subject.clone())
        .message_id(Some(format!("<{id}@usc-pis>")));
    let built = match &email.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            email.text.clone(),
            html.clone(),
        )),
        None => builder
            .header(ContentType::TEXT_PLAIN)
            .body(email.text.clone()),
    };
    built.map_err(|e| MailError::Permanent(format!("message: {e}")))
}

/// Parses `USCPIS_MAIL_FROM` (`USC-PIS <clinic@usc.edu.ph>` or a bare address).
pub fn parse_from(from: &str) -> anyhow::Result<Mailbox> {
    from.parse()
        .map_err(|e| anyhow::anyhow!("USCPIS_MAIL_FROM `{from}` is not a mailbox: {e}"))
}

/// Sends through an SMTP server.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpMailer {
    // The transport holds credentials: print nothing of it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmtpMailer")
    }
}

impl SmtpMailer {
    /// Builds the transport from an `smtp://` or `smtps://` URL.
    pub fn from_url(url: &str, from: Mailbox) -> anyhow::Result<Self> {
        let url = if url.starts_with("smtp://") && !url.contains("tls=") {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}tls=opportunistic")
        } else {
            url.to_owned()
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|e| anyhow::anyhow!("USCPIS_SMTP_URL is not a valid SMTP URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            // As many pooled connections as the outbox sends at once.
            .pool_config(lettre::transport::smtp::PoolConfig::new().max_size(16))
            .build();
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, id: OutboxId, email: &OutgoingEmail) -> Result<(), MailError> {
        let msg = build_message(id, &self.from, email)?;
        match self.transport.send(msg).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(MailError::Permanent(e.to_string())),
            Err(e) => Err(MailError::Transient(e.to_string())),
        }
    }

    fn transport(&self) -> &'static str {
        "smtp"
    }
}

/// Writes each message as an `.eml` file into a folder, named
/// `<UTC time>-<outbox id>.eml` (`20261208T091502.123Z-0193….eml`) so that the newest
/// sorts last; a file appears whole (written aside, then renamed).
#[derive(Clone)]
pub struct FileMailer {
    dir: PathBuf,
    from: Mailbox,
}

impl FileMailer {
    /// Creates the folder if needed.
    pub fn new(dir: impl AsRef<Path>, from: Mailbox) -> anyhow::Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir, from })
    }

    /// Where the files go.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, id: OutboxId, email: &OutgoingEmail) -> Result<(), MailError> {
        let msg = build_message(id, &self.from, email)?;
        let name = format!(
            "{}-{id}.eml",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
        );
        let aside = self.dir.join(format!(".{name}.part"));
        let failed = |e: std::io::Error| MailError::Transient(format!("writing {name}: {e}"));
        tokio::fs::write(&aside, msg.formatted())
            .await
            .map_err(failed)?;
        tokio::fs::rename(&aside, self.dir.join(&name))
            .await
            .map_err(failed)
    }

    fn transport(&self) -> &'static str {
        "file"
    }
}

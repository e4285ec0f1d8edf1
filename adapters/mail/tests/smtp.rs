//! The SMTP mailer and the outbox worker against a real SMTP listener on loopback.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use application::SystemClock;
use application::identity::IdentityStore;
use application::mail::{
    MailError, Mailer, OutboxService, OutboxStatus, OutboxStore, OutgoingEmail, RetryPolicy,
};
use chrono::{Duration, Utc};
use domain::OutboxId;
use domain::identity::EmailAddress;
use domain::paging::PageRequest;
use mail::{FileMailer, SmtpMailer, parse_from};
use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response, Server, SslConfig};
use storage::testing::fresh_database;
use storage::{SeaOrmIdentityStore, SeaOrmOutboxStore};

/// Captures every message the server accepts.
#[derive(Clone, Default)]
struct Capture {
    current: Vec<u8>,
    received: Arc<Mutex<Vec<String>>>,
}

impl Handler for Capture {
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> Response {
        let msg = String::from_utf8_lossy(&self.current).into_owned();
        self.current.clear();
        self.received.lock().expect("lock").push(msg);
        OK
    }
}

/// Serves SMTP on `listener` in a background thread; returns what it receives.
fn start_smtp(listener: TcpListener) -> Arc<Mutex<Vec<String>>> {
    let capture = Capture::default();
    let received = capture.received.clone();
    let mut server = Server::new(capture);
    server
        .with_name("localhost")
        .with_ssl(SslConfig::None)
        .expect("no tls")
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    received
}

fn email(to: &str) -> OutgoingEmail {
    OutgoingEmail {
        to: EmailAddress::parse(to).expect("valid"),
        subject: "[USC-PIS] Your USC-PIS Verification Code".into(),
        text: "Your verification code is: 123456".into(),
        html: Some("<p>Your verification code is: 123456</p>".into()),
    }
}

fn smtp(port: u16) -> SmtpMailer {
    SmtpMailer::from_url(
        &format!("smtp://127.0.0.1:{port}"),
        parse_from("USC-PIS <clinic@usc.edu.ph>").expect("from"),
    )
    .expect("url")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

#[tokio::test]
async fn smtp_mailer_delivers_to_a_real_listener() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let received = start_smtp(listener);
    let id = OutboxId::new();
    smtp(port)
        .send(id, &email("maria@usc.edu.ph"))
        .await
        .expect("sent");
    let got = received.lock().expect("lock").clone();
    assert_eq!(got.len(), 1);
    assert!(got[0].contains("Subject: [USC-PIS] Your USC-PIS Verification Code"));
    assert!(got[0].contains(&format!("Message-ID: <{id}@usc-pis>")));
    assert!(got[0].contains("123456"));
}

#[tokio::test]
async fn smtp_down_is_a_transient_error() {
    let err = smtp(free_port())
        .send(OutboxId::new(), &email("a@usc.edu.ph"))
        .await
        .expect_err("nobody listens");
    assert!(matches!(err, MailError::Transient(_)), "{err:?}");
}

#[tokio::test]
async fn file_mailer_writes_eml_files_named_so_the_newest_sorts_last() {
    let dir = std::env::temp_dir().join(format!("uscpis-outbox-{}", OutboxId::new()));
    let mailer =
        FileMailer::new(&dir, parse_from("clinic@usc.edu.ph").expect("from")).expect("dir");
    let first = OutboxId::new();
    mailer
        .send(first, &email("a@usc.edu.ph"))
        .await
        .expect("written");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let second = OutboxId::new();
    mailer
        .send(second, &email("b@usc.edu.ph"))
        .await
        .expect("written");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}: no partial files left behind");
    // `<UTC time>-<outbox id>.eml`: the time first, so the newest is the last name.
    assert!(names[0].ends_with(&format!("-{first}.eml")), "{names:?}");
    assert!(names[1].ends_with(&format!("-{second}.eml")), "{names:?}");
    assert!(
        names[0].starts_with("20") && names[0].as_bytes()[8] == b'T',
        "{names:?}"
    );
    let text = std::fs::read_to_string(dir.join(&names[1])).expect("read");
    assert!(text.contains("123456") && text.contains("To: b@usc.edu.ph"));
}

/// The durable outbox end to end: SMTP down → the message waits, nothing lost; a new
/// worker (a restart) with SMTP up → delivered once; further passes send nothing again.
#[tokio::test]
async fn outbox_survives_smtp_outage_and_never_duplicates() {
    let db = fresh_database().await.expect("db");
    let ids = SeaOrmIdentityStore::new(db.clone());
    let store = Arc::new(SeaOrmOutboxStore::new(db.clone()));
    let mut tx = ids.begin().await.expect("begin");
    tx.enqueue_mail(&email("21104567@usc.edu.ph"), Utc::now())
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");

    let port = free_port(); // reserved, then closed: the server is down
    let policy = RetryPolicy {
        base_delay: Duration::zero(),
        ..RetryPolicy::default()
    };
    let worker = OutboxService::new(
        store.clone(),
        Arc::new(smtp(port)),
        Arc::new(SystemClock),
        policy,
    );
    let report = worker.deliver_due().await.expect("pass");
    assert_eq!((report.sent, report.retrying, report.failed), (0, 1, 0));
    let pending = store
        .list(Some(OutboxStatus::Pending), PageRequest::default())
        .await
        .expect("list");
    assert_eq!(pending.total, 1, "still pending after the failure");
    assert!(pending.items[0].last_error.is_some());

    let received = start_smtp(TcpListener::bind(("127.0.0.1", port)).expect("rebind"));
    let worker = OutboxService::new(
        store.clone(),
        Arc::new(smtp(port)),
        Arc::new(SystemClock),
        policy,
    );
    assert_eq!(worker.deliver_due().await.expect("pass").sent, 1);
    assert_eq!(
        worker.deliver_due().await.expect("pass").sent,
        0,
        "nothing sent twice"
    );
    assert_eq!(received.lock().expect("lock").len(), 1);
    let sent = store
        .list(Some(OutboxStatus::Sent), PageRequest::default())
        .await
        .expect("list");
    assert_eq!((sent.total, sent.items[0].attempts), (1, 2));
}

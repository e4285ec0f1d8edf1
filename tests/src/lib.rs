//! End-to-end test helpers: the real `usc-pis` server on port 0 with a fresh database
//! (SQLite, or PostgreSQL when `USCPIS_TEST_POSTGRES_URL` is set), driven over HTTP.
//! Shared fixtures (a clinic with every role, students, walk-in patients) are in
//! [`fixtures`].

pub mod fixtures;

use std::path::PathBuf;
use std::time::Duration;

use app_server::{App, Config, RunningServer, start};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use storage::Database;

pub use fixtures::{
    Clinic, PW, clinic, consultation, open_all_week, student, student_with, walk_in,
};

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The HTTP client.
    pub client: reqwest::Client,
    /// The server's data dir (outbox `.eml` files land in `outbox/`).
    pub data_dir: PathBuf,
    /// Direct database access, for ageing rows and counting.
    pub db: Database,
    db_url: String,
    server: Option<RunningServer>,
}

/// A finished outbox file (not one still being written aside).
fn is_eml(e: &std::fs::DirEntry) -> bool {
    e.path().extension().is_some_and(|x| x == "eml")
}

/// Starts the real server on port 0 with a fresh database and data dir.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], adjusting the configuration first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let data_dir =
        std::env::temp_dir().join(format!("uscpis-e2e-{}", uuid::Uuid::now_v7().simple()));
    let mut config = Config {
        listen: "127.0.0.1:0".into(),
        data_dir: data_dir.clone(),
        database_url: Some(
            storage::testing::fresh_database_url()
                .await
                .expect("test database"),
        ),
        outbox_poll_ms: 50,
        ..Config::default()
    };
    adjust(&mut config);
    let db_url = config.database_url();
    let app = App::build(config).await.expect("app builds");
    let db = app.db.clone();
    let server = start(app).await.expect("server starts");
    TestApp {
        base: format!("http://{}", server.addr),
        client: reqwest::Client::new(),
        data_dir,
        db,
        db_url,
        server: Some(server),
    }
}

/// A response read whole.
#[derive(Debug)]
pub struct Reply {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// JSON body (`Null` when empty or not JSON).
    pub body: Value,
    /// The raw body.
    pub bytes: Vec<u8>,
}

impl Reply {
    async fn read(r: Response) -> Self {
        let status = r.status();
        let headers = r.headers().clone();
        let bytes = r.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            body,
            bytes,
        }
    }

    /// The envelope's `code`.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }

    /// Asserts a status and, for errors, the envelope shape; returns self.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        if status >= 400 {
            assert!(
                self.body["code"].is_string() && self.body["message"].is_string(),
                "not an envelope: {}",
                self.body
            );
        }
        self
    }

    /// The `Retry-After` header in seconds (asserts it is there and a number).
    #[track_caller]
    pub fn retry_after(&self) -> u64 {
        self.headers["retry-after"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("seconds")
    }

    /// Asserts an error status and code.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Self {
        let r = self.expect(status);
        assert_eq!(r.code(), code, "body: {}", r.body);
        r
    }
}

impl TestApp {
    /// Sends a request with an optional JSON body and bearer token.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> Reply {
        let mut req: RequestBuilder = self.client.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        Reply::read(req.send().await.expect("request sent")).await
    }

    /// GET.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, path, None, token).await
    }

    /// POST with JSON.
    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> Reply {
        self.call(Method::POST, path, Some(body), token).await
    }

    /// PATCH with JSON.
    pub async fn patch(&self, path: &str, body: Value, token: Option<&str>) -> Reply {
        self.call(Method::PATCH, path, Some(body), token).await
    }

    /// The newest `.eml` file sent to `to` whose text matches `marker`, waiting for the
    /// mail worker (up to 10 s).
    pub async fn wait_for_mail(&self, to: &str, marker: &str) -> String {
        let dir = self.data_dir.join("outbox");
        for _ in 0..200 {
            // Files are named `<UTC time>-<id>.eml`: the newest sorts last.
            let mut found: Vec<(String, String)> = std::fs::read_dir(&dir)
                .map(|it| {
                    it.filter_map(Result::ok)
                        .filter(is_eml)
                        .filter_map(|e| {
                            let text = std::fs::read_to_string(e.path()).ok()?;
                            let name = e.file_name().to_string_lossy().into_owned();
                            (text.contains(&format!("To: {to}")) && text.contains(marker))
                                .then_some((name, text))
                        })
                        .collect()
                })
                .unwrap_or_default();
            found.sort();
            if let Some((_, text)) = found.pop() {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no mail to {to} containing {marker:?} in {}", dir.display());
    }

    /// How many `.eml` files went to `to`.
    pub fn mail_count(&self, to: &str) -> usize {
        std::fs::read_dir(self.data_dir.join("outbox"))
            .map(|it| {
                it.filter_map(Result::ok)
                    .filter(is_eml)
                    .filter(|e| {
                        std::fs::read_to_string(e.path())
                            .is_ok_and(|t| t.contains(&format!("To: {to}")))
                    })
                    .count()
            })
            .unwrap_or(0)
    }

    /// The 6-digit code in the newest verification email to `to`.
    pub async fn verification_code(&self, to: &str) -> String {
        let mail = self.wait_for_mail(to, "verification code is:").await;
        let after = mail
            .split("verification code is: ")
            .nth(1)
            .expect("code line");
        after.chars().take(6).collect()
    }

    /// The reset token in the newest reset email to `to`.
    pub async fn reset_token(&self, to: &str) -> String {
        let mail = self.wait_for_mail(to, "reset token").await;
        // The token is base64url on its own line; quoted-printable may have split it.
        let unfolded = mail.replace("=\r\n", "").replace("=\n", "");
        let after = unfolded
            .split("choose a new password:")
            .nth(1)
            .expect("token line");
        after.split_whitespace().next().expect("token").to_owned()
    }

    /// Registers, verifies with the emailed code and logs in; returns (token, user).
    pub async fn registered_user(&self, email: &str, password: &str) -> (String, Value) {
        self.post(
            "/api/auth/register",
            json!({"email": email, "password": password, "first_name": "Test", "last_name": "User"}),
            None,
        )
        .await
        .expect(201);
        let code = self.verification_code(email).await;
        self.post(
            "/api/auth/verify-email",
            json!({"email": email, "code": code}),
            None,
        )
        .await
        .expect(200);
        self.login(email, password).await
    }

    /// Logs in; returns (token, user).
    pub async fn login(&self, email: &str, password: &str) -> (String, Value) {
        let r = self
            .post(
                "/api/auth/login",
                json!({"email": email, "password": password}),
                None,
            )
            .await
            .expect(200);
        (
            r.body["token"].as_str().expect("token").to_owned(),
            r.body["user"].clone(),
        )
    }

    /// Creates an ADMIN through the same use case as `usc-pis create-admin` and logs in.
    pub async fn admin(&self) -> (String, Value) {
        let ctx = App::build(Config {
            data_dir: self.data_dir.clone(),
            database_url: Some(self.db_url()),
            ..Config::default()
        })
        .await
        .expect("second app on the same database");
        ctx.services
            .identity
            .create_admin("admin@usc.edu.ph", "Adm1nistrator")
            .await
            .expect("admin created");
        self.login("admin@usc.edu.ph", "Adm1nistrator").await
    }

    fn db_url(&self) -> String {
        self.db_url.clone()
    }

    /// A clinic user with `role`: the ADMIN puts the email on the safe list, the user
    /// registers (verified at once) and logs in; returns (token, user).
    pub async fn staff(&self, admin_token: &str, email: &str, role: &str) -> (String, Value) {
        self.post(
            "/api/admin/safe-emails",
            json!({"email": email, "role": role}),
            Some(admin_token),
        )
        .await
        .expect(201);
        self.post(
            "/api/auth/register",
            json!({"email": email, "password": "Cl1nicStaff!", "first_name": "Clinic", "last_name": role}),
            None,
        )
        .await
        .expect(201);
        self.login(email, "Cl1nicStaff!").await
    }

    /// Uploads a file as multipart to `path` with extra text fields.
    pub async fn upload(
        &self,
        path: &str,
        token: &str,
        filename: &str,
        bytes: Vec<u8>,
        fields: &[(&str, &str)],
    ) -> Reply {
        let mut form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(filename.to_owned()),
        );
        for (k, v) in fields {
            form = form.text((*k).to_owned(), (*v).to_owned());
        }
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .multipart(form);
        Reply::read(req.send().await.expect("request sent")).await
    }

    /// Counts rows with raw SQL.
    pub async fn count(&self, sql: &str) -> i64 {
        self.db.query_i64(sql).await.expect("query").unwrap_or(0)
    }

    /// Audit entries with this action, linked into the chain or still waiting for the
    /// chainer (one statement, so none is counted twice or missed as it moves).
    pub async fn audited(&self, action: &str) -> i64 {
        self.count(&format!(
            "SELECT (SELECT COUNT(*) FROM audit_log WHERE action = '{action}') \
                  + (SELECT COUNT(*) FROM audit_pending WHERE action = '{action}')"
        ))
        .await
    }

    /// Stops the server gracefully.
    pub async fn stop(mut self) {
        if let Some(s) = self.server.take() {
            s.stop().await.expect("clean stop");
        }
    }
}

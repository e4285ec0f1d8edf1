//! `loadgen`: the performance run behind docs/PERFORMANCE.md.
//!
//! Creates an admin with `usc-pis create-admin`, starts `usc-pis serve` on a fresh data
//! dir (SQLite by default), measures its resident memory at rest, then drives, each for `--seconds` with
//! `--clients` concurrent clients on loopback:
//!   1. POST /api/auth/login with 1 client (the CPU cost of one login),
//!   2. POST /api/auth/login with N clients,
//!   3. GET /api/auth/me with N clients,
//!   4. GET /api/health with N clients (the no-op baseline, same server, same run).
//!
//! It prints throughput and latency percentiles. Bounded in time; loopback only.
//!
//! ```text
//! cargo build --release -p app-server -p e2e-tests
//! target/release/loadgen --server target/release/usc-pis
//! ```

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use hdrhistogram::Histogram;
use serde_json::json;
use tokio::sync::Mutex;

#[derive(Parser)]
#[command(about = "Load run for USC-PIS (loopback only, bounded in time)")]
struct Args {
    /// Path to the usc-pis binary (build it with --release).
    #[arg(long, default_value = "target/release/usc-pis")]
    server: String,
    /// Concurrent clients.
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Seconds per phase.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Port for the server under test.
    #[arg(long, default_value_t = 18_080)]
    port: u16,
    /// Extra environment for the server, e.g. USCPIS_DATABASE_URL=postgres://...
    #[arg(long = "env")]
    env: Vec<String>,
    /// Seed this many synthetic patients (`usc-pis seed`, 5 visits each on average) and
    /// measure patient search and record lists.
    #[arg(long, default_value_t = 0)]
    patients: u64,
    /// Client counts of the clinical series (each runs search, record list, record
    /// creation and the no-op baseline).
    #[arg(long, value_delimiter = ',', default_value = "1,4,16")]
    clinical_clients: Vec<usize>,
    /// Skip the identity phases (login, /me, no-op).
    #[arg(long)]
    clinical_only: bool,
    /// Seed this many appointments (`usc-pis seed-appointments`; needs --patients) and
    /// measure free-slot search and booking throughput.
    #[arg(long, default_value_t = 0)]
    appointments: u64,
    /// Providers for the appointment seed.
    #[arg(long, default_value_t = 50)]
    providers: u64,
    /// Reminders due within 24 h: the server sends them to a local SMTP listener and the
    /// run times delivery and checks for losses and duplicates.
    #[arg(long, default_value_t = 0)]
    due_soon: u64,
    /// Concurrent clients of the booking phase.
    #[arg(long, default_value_t = 64)]
    booking_clients: usize,
}

struct Server {
    child: Child,
    password: String,
    data_dir: std::path::PathBuf,
    started: Instant,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The admin that `create-admin` makes for the run (a throw-away data dir).
const ADMIN_PASSWORD: &str = "LoadRun-2026x";

fn start_server(args: &Args, extra_env: &[(String, String)]) -> anyhow::Result<Server> {
    let dir = std::env::temp_dir().join(format!("uscpis-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let configure = |cmd: &mut Command| -> anyhow::Result<()> {
        cmd.env("USCPIS_DATA_DIR", &dir)
            .env("USCPIS_LISTEN", format!("127.0.0.1:{}", args.port))
            .env("RUST_LOG", "warn");
        for kv in &args.env {
            let (k, v) = kv.split_once('=').context("--env takes KEY=VALUE")?;
            cmd.env(k, v);
        }
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        Ok(())
    };
    // The first administrator the production way: a separate `create-admin` process.
    let mut admin = Command::new(&args.server);
    admin
        .args(["create-admin", "--email", "admin@usc.edu.ph"])
        .env("USCPIS_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdout(Stdio::null());
    configure(&mut admin)?;
    let status = admin
        .status()
        .with_context(|| format!("running {}", args.server))?;
    if !status.success() {
        bail!("create-admin failed ({status})");
    }
    if args.patients > 0 {
        let mut seed = Command::new(&args.server);
        seed.args(["seed", "--patients", &args.patients.to_string()])
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit());
        configure(&mut seed)?;
        let started = Instant::now();
        let status = seed.status().context("running seed")?;
        if !status.success() {
            bail!("seed failed ({status})");
        }
        println!(
            "seed of {} patients took {:.1} s",
            args.patients,
            started.elapsed().as_secs_f64()
        );
    }
    if args.appointments > 0 {
        let mut seed = Command::new(&args.server);
        seed.args([
            "seed-appointments",
            "--providers",
            &args.providers.to_string(),
            "--appointments",
            &args.appointments.to_string(),
            "--due-soon",
            &args.due_soon.to_string(),
        ])
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit());
        configure(&mut seed)?;
        let started = Instant::now();
        let status = seed.status().context("running seed-appointments")?;
        if !status.success() {
            bail!("seed-appointments failed ({status})");
        }
        println!(
            "seed of {} appointments took {:.1} s",
            args.appointments + args.due_soon,
            started.elapsed().as_secs_f64()
        );
    }
    let mut cmd = Command::new(&args.server);
    cmd.arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    configure(&mut cmd)?;
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting {}", args.server))?;
    let stdout = child.stdout.take().context("stdout")?;
    for line in BufReader::new(stdout).lines() {
        if line?.contains("listening on") {
            break;
        }
    }
    Ok(Server {
        child,
        password: ADMIN_PASSWORD.to_owned(),
        data_dir: dir,
        started: Instant::now(),
    })
}

/// Registers `n` users through the API, verifies each with the code from its `.eml`
/// file, and returns their emails (all share `password`).
async fn create_users(
    client: &reqwest::Client,
    base: &str,
    outbox: &std::path::Path,
    n: usize,
    password: &str,
) -> anyhow::Result<Vec<String>> {
    let emails: Vec<String> = (0..n)
        .map(|i| format!("loaduser{i:03}@usc.edu.ph"))
        .collect();
    for e in &emails {
        let body =
            json!({"email": e, "password": password, "first_name": "Load", "last_name": "User"});
        let r = client
            .post(format!("{base}/api/auth/register"))
            .json(&body)
            .send()
            .await?;
        if r.status().as_u16() != 201 {
            bail!("register {e}: {}", r.status());
        }
    }
    for e in &emails {
        let mut code = None;
        for _ in 0..200 {
            code = std::fs::read_dir(outbox)?
                .filter_map(Result::ok)
                .filter_map(|f| std::fs::read_to_string(f.path()).ok())
                .find(|t| t.contains(&format!("To: {e}")) && t.contains("code is: "))
                .and_then(|t| {
                    t.split("code is: ")
                        .nth(1)
                        .map(|s| s.chars().take(6).collect::<String>())
                });
            if code.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let code = code.with_context(|| format!("no code mailed to {e}"))?;
        let r = client
            .post(format!("{base}/api/auth/verify-email"))
            .json(&json!({"email": e, "code": code}))
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("verify {e}: {}", r.status());
        }
    }
    Ok(emails)
}

fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

struct PhaseResult {
    ok: u64,
    errors: u64,
    elapsed: Duration,
    hist: Histogram<u64>,
}

impl PhaseResult {
    fn print(&self, name: &str) {
        let rps = self.ok as f64 / self.elapsed.as_secs_f64();
        let ms = |q: f64| self.hist.value_at_quantile(q) as f64 / 1000.0;
        println!(
            "{name:<34} {rps:>9.1} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   max {:>7.2} ms   ok {} errors {}",
            ms(0.50),
            ms(0.99),
            self.hist.max() as f64 / 1000.0,
            self.ok,
            self.errors
        );
    }
}

async fn phase<F, Fut>(clients: usize, seconds: u64, make: F) -> anyhow::Result<PhaseResult>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let hist = Arc::new(Mutex::new(Histogram::<u64>::new_with_bounds(
        1, 60_000_000, 3,
    )?));
    let counts = Arc::new(Mutex::new((0u64, 0u64)));
    let make = Arc::new(make);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (hist, counts, make) = (hist.clone(), counts.clone(), make.clone());
        tasks.push(tokio::spawn(async move {
            let mut local = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("bounds");
            let (mut ok, mut err) = (0u64, 0u64);
            while Instant::now() < deadline {
                let t = Instant::now();
                if make().await {
                    ok += 1;
                    let _ = local.record(t.elapsed().as_micros().max(1) as u64);
                } else {
                    err += 1;
                }
            }
            hist.lock().await.add(&local).expect("merge");
            let mut c = counts.lock().await;
            c.0 += ok;
            c.1 += err;
        }));
    }
    for t in tasks {
        t.await?;
    }
    let elapsed = started.elapsed();
    let (ok, errors) = *counts.lock().await;
    let hist = hist.lock().await.clone();
    Ok(PhaseResult {
        ok,
        errors,
        elapsed,
        hist,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut extra = Vec::new();
    let smtp = if args.due_soon > 0 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        extra.push((
            "USCPIS_SMTP_URL".to_owned(),
            format!("smtp://127.0.0.1:{port}"),
        ));
        extra.push(("USCPIS_JOBS_POLL_MS".to_owned(), "1000".to_owned()));
        extra.push(("USCPIS_OUTBOX_POLL_MS".to_owned(), "100".to_owned()));
        Some(start_smtp(listener))
    } else {
        None
    };
    let server = start_server(&args, &extra)?;
    if let Some(received) = &smtp {
        reminder_phase(received, args.due_soon, server.started).await?;
    }
    let base = format!("http://127.0.0.1:{}", args.port);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients * 2)
        .build()?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pid = server.child.id();
    println!(
        "server pid {pid}, {} clients, {} s per phase, loopback",
        args.clients, args.seconds
    );
    if let Some(m) = rss_mib(pid) {
        println!("resident memory at rest: {m:.1} MiB");
    }

    let login_body = json!({"email": "admin@usc.edu.ph", "password": server.password});
    let r = client.get(format!("{base}/api/health")).send().await?;
    if !r.status().is_success() {
        bail!("server not healthy: {}", r.status());
    }
    let r = client
        .post(format!("{base}/api/auth/login"))
        .json(&login_body)
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("login failed: {}", r.status());
    }
    let token = r.json::<serde_json::Value>().await?["token"]
        .as_str()
        .context("token")?
        .to_owned();

    if args.appointments > 0 {
        appointment_phases(&client, &base, &token, &args).await?;
    }
    if args.patients > 0 && args.appointments == 0 {
        clinical_phases(&client, &base, &token, &args).await?;
        verify_audit(&args, &server)?;
    }
    if args.clinical_only {
        return Ok(());
    }
    let users = create_users(
        &client,
        &base,
        &server.data_dir.join("outbox"),
        args.clients,
        "Load3dTest",
    )
    .await?;
    println!(
        "{} users registered and verified through the API",
        users.len()
    );
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let login = {
        let (client, base, users, next) =
            (client.clone(), base.clone(), Arc::new(users), next.clone());
        move || {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let body = json!({"email": users[i % users.len()], "password": "Load3dTest"});
            let (client, base) = (client.clone(), base.clone());
            async move {
                client
                    .post(format!("{base}/api/auth/login"))
                    .json(&body)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        }
    };
    let get = |path: &'static str, token: Option<String>| {
        let (client, base) = (client.clone(), base.clone());
        move || {
            let (client, base, token) = (client.clone(), base.clone(), token.clone());
            async move {
                let mut req = client.get(format!("{base}{path}"));
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                match req.send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                }
            }
        }
    };

    phase(1, args.seconds, login.clone())
        .await?
        .print("POST /api/auth/login (1 client)");
    phase(args.clients, args.seconds, login)
        .await?
        .print("POST /api/auth/login");
    let me = phase(args.clients, args.seconds, get("/api/auth/me", Some(token))).await?;
    let noop = phase(args.clients, args.seconds, get("/api/health", None)).await?;
    me.print("GET /api/auth/me");
    noop.print("GET /api/health (no-op baseline)");
    let ratio =
        (me.ok as f64 / me.elapsed.as_secs_f64()) / (noop.ok as f64 / noop.elapsed.as_secs_f64());
    println!("/me throughput is {:.0}% of the no-op's", ratio * 100.0);
    tokio::time::sleep(Duration::from_secs(3)).await;
    if let Some(m) = rss_mib(pid) {
        println!("resident memory after the run (3 s idle): {m:.1} MiB");
    }
    Ok(())
}

/// `usc-pis audit verify` on the run's database, with the server still running.
fn verify_audit(args: &Args, server: &Server) -> anyhow::Result<()> {
    let mut cmd = Command::new(&args.server);
    cmd.args(["audit", "verify"])
        .env("USCPIS_DATA_DIR", &server.data_dir)
        .env("RUST_LOG", "warn");
    for kv in &args.env {
        let (k, v) = kv.split_once('=').context("--env takes KEY=VALUE")?;
        cmd.env(k, v);
    }
    let out = cmd.output().context("running audit verify")?;
    print!("audit verify: {}", String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        bail!(
            "audit verify failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// Search-term and patient-id pools from the seeded data, then the clinical series.
async fn clinical_phases(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    args: &Args,
) -> anyhow::Result<()> {
    let mut ids = Vec::new();
    let mut terms = Vec::new();
    // Pages spread over the whole (name-ordered) list, so every surname is sampled.
    let stride = (args.patients / 100 / 20).max(1);
    for k in 0..20 {
        let page = 1 + k * stride;
        let r: serde_json::Value = client
            .get(format!("{base}/api/patients?page={page}&page_size=100"))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        for p in r["items"].as_array().into_iter().flatten() {
            ids.push(p["id"].as_str().unwrap_or_default().to_owned());
            let last = p["last_name"].as_str().unwrap_or_default().to_lowercase();
            terms.push(last.chars().take(4).collect::<String>());
            let usc = p["usc_id"].as_str().unwrap_or_default();
            terms.push(usc.chars().take(6).collect::<String>());
            let first = p["first_name"].as_str().unwrap_or_default().to_lowercase();
            terms.push(format!(
                "{first} {}",
                last.chars().take(2).collect::<String>()
            ));
        }
    }
    if ids.is_empty() {
        bail!("no seeded patients found");
    }
    println!(
        "{} patients and {} search terms sampled",
        ids.len(),
        terms.len()
    );
    let pick = |pool: Arc<Vec<String>>, path: fn(&str) -> String| {
        let (client, base, token) = (client.clone(), base.to_owned(), token.to_owned());
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        move || {
            let i = next.fetch_add(7919, std::sync::atomic::Ordering::Relaxed);
            let url = format!("{base}{}", path(&pool[i % pool.len()]));
            let (client, token) = (client.clone(), token.clone());
            async move {
                match client.get(url).bearer_auth(token).send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                }
            }
        }
    };
    let terms = Arc::new(terms);
    let ids = Arc::new(ids);
    let search = |t: &str| {
        format!(
            "/api/patients?page_size=20&search={}",
            t.replace(' ', "%20")
        )
    };
    let records = |id: &str| format!("/api/medical-records?page_size=20&patient_id={id}");
    let audited_before = audit_total(client, base, token).await?;
    let mut answered = 0;
    // Each created record is a new visit: one patient, one visit time, never twice.
    let visits = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let since = chrono::Utc::now() - chrono::Duration::days(300);
    for &clients in &args.clinical_clients {
        let search = phase(clients, args.seconds, pick(terms.clone(), search)).await?;
        search.print(&format!("GET /api/patients?search ({clients} cl.)"));
        let list = phase(clients, args.seconds, pick(ids.clone(), records)).await?;
        list.print(&format!("GET /api/medical-records ({clients} cl.)"));
        let create = {
            let (client, base, token) = (client.clone(), base.to_owned(), token.to_owned());
            let (ids, visits) = (ids.clone(), visits.clone());
            move || {
                let n = visits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let body = json!({
                    "patient_id": ids[(n as usize * 7919) % ids.len()],
                    "visit_at": (since + chrono::Duration::seconds(n)).to_rfc3339(),
                    "chief_complaint": "Headache since morning",
                    "diagnosis": "Tension-type headache",
                    "treatment": "Rest and fluids; paracetamol 500 mg as needed",
                });
                let (client, url, token) = (
                    client.clone(),
                    format!("{base}/api/medical-records"),
                    token.clone(),
                );
                async move {
                    client
                        .post(url)
                        .bearer_auth(token)
                        .json(&body)
                        .send()
                        .await
                        .is_ok_and(|r| r.status().as_u16() == 201)
                }
            }
        };
        let created = phase(clients, args.seconds, create).await?;
        created.print(&format!("POST /api/medical-records ({clients} cl.)"));
        let noop = phase(clients, args.seconds, health(client, base)).await?;
        noop.print(&format!("GET /api/health, no-op ({clients} cl.)"));
        answered += search.ok + list.ok + created.ok;
    }
    // Every answered read and write left exactly one entry (the count's own read is one more).
    tokio::time::sleep(Duration::from_secs(1)).await;
    let audited = audit_total(client, base, token).await? - audited_before - 1;
    println!(
        "audit entries written during the clinical phases: {audited}; 2xx answers: {answered} ({})",
        if audited == answered {
            "equal"
        } else {
            "NOT EQUAL"
        }
    );
    Ok(())
}

/// The no-op endpoint, for the baseline of the same run.
fn health(
    client: &reqwest::Client,
    base: &str,
) -> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>> + Send + Sync + 'static
{
    let (client, url) = (client.clone(), format!("{base}/api/health"));
    move || {
        let (client, url) = (client.clone(), url.clone());
        Box::pin(async move {
            match client.get(url).send().await {
                Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                _ => false,
            }
        })
    }
}

/// The audit log's length as the admin list reports it (the list links what waits first,
/// and is itself audited).
async fn audit_total(client: &reqwest::Client, base: &str, token: &str) -> anyhow::Result<u64> {
    let r: serde_json::Value = client
        .get(format!("{base}/api/admin/audit?page_size=1"))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    r["total"].as_u64().context("audit total")
}

/// Captures what a local SMTP listener accepts.
#[derive(Clone, Default)]
struct Capture {
    current: Vec<u8>,
    received: Arc<std::sync::Mutex<Vec<String>>>,
}

impl mailin_embedded::Handler for Capture {
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> mailin_embedded::Response {
        let msg = String::from_utf8_lossy(&self.current).into_owned();
        self.current.clear();
        if let Ok(mut list) = self.received.lock() {
            list.push(msg);
        }
        mailin_embedded::response::OK
    }
}

fn start_smtp(listener: std::net::TcpListener) -> Arc<std::sync::Mutex<Vec<String>>> {
    let capture = Capture::default();
    let received = capture.received.clone();
    let mut server = mailin_embedded::Server::new(capture);
    // A thread per pooled SMTP connection (mailin-embedded serves one per thread).
    server
        .with_name("localhost")
        .with_num_threads(32)
        .with_tcp_listener(listener);
    if server.with_ssl(mailin_embedded::SslConfig::None).is_ok() {
        std::thread::spawn(move || {
            let _ = server.serve();
        });
    }
    received
}

fn header<'a>(msg: &'a str, name: &str) -> Option<&'a str> {
    msg.lines()
        .find(|l| l.len() > name.len() && l[..name.len()].eq_ignore_ascii_case(name))
        .map(|l| l[name.len()..].trim())
}

/// Waits until every due reminder reached the SMTP listener (at most 180 s), then checks
/// that none was lost or sent twice.
async fn reminder_phase(
    received: &Arc<std::sync::Mutex<Vec<String>>>,
    expected: u64,
    started: Instant,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(180);
    let count = || {
        received
            .lock()
            .map(|l| {
                l.iter()
                    .filter(|m| {
                        header(m, "Subject:").is_some_and(|s| s.contains("Appointment reminder"))
                    })
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    while (count().len() as u64) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = started.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await; // anything extra would arrive now
    let reminders = count();
    let ids: std::collections::HashSet<&str> = reminders
        .iter()
        .filter_map(|m| header(m, "Message-ID:"))
        .collect();
    let to: std::collections::HashSet<&str> =
        reminders.iter().filter_map(|m| header(m, "To:")).collect();
    println!(
        "reminders: {} due, {} delivered to SMTP in {:.1} s after start, {} distinct Message-IDs, {} distinct recipients",
        expected,
        reminders.len(),
        took.as_secs_f64(),
        ids.len(),
        to.len()
    );
    if reminders.len() as u64 != expected || ids.len() != reminders.len() {
        bail!("reminders lost or duplicated");
    }
    Ok(())
}

/// Free-slot search and booking throughput on the seeded schedule.
async fn appointment_phases(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    args: &Args,
) -> anyhow::Result<()> {
    let get = |url: String| {
        let (client, token) = (client.clone(), token.to_owned());
        async move {
            anyhow::Ok(
                client
                    .get(url)
                    .bearer_auth(token)
                    .send()
                    .await?
                    .json::<serde_json::Value>()
                    .await?,
            )
        }
    };
    let types = get(format!("{base}/api/appointment-types")).await?;
    let type_id = |name: &str| {
        types
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["name"] == name)
            .and_then(|t| t["id"].as_str())
            .map(str::to_owned)
    };
    let consult = type_id("Consultation").context("seeded types")?;
    let search = {
        let (client, token) = (client.clone(), token.to_owned());
        let url = format!("{base}/api/appointments/slots?appointment_type_id={consult}");
        move || {
            let (client, token, url) = (client.clone(), token.clone(), url.clone());
            async move {
                match client.get(url).bearer_auth(token).send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                }
            }
        }
    };
    for clients in [1, 4] {
        phase(clients, args.seconds, search.clone())
            .await?
            .print(&format!("GET /api/appointments/slots ({clients} cl.)"));
    }
    // Distinct free slots 2 to 31 days ahead, of every type, and patients to book them.
    let now = chrono::Utc::now();
    let (from, to) = (
        now + chrono::Duration::days(2),
        now + chrono::Duration::days(31),
    );
    let mut slots = Vec::new();
    for name in ["Consultation", "Dental cleaning", "Vaccination"] {
        let id = type_id(name).context("type")?;
        let r = get(format!(
            "{base}/api/appointments/slots?appointment_type_id={id}&from={}&to={}",
            from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ))
        .await?;
        for s in r["items"].as_array().into_iter().flatten() {
            slots.push((id.clone(), s["provider_id"].clone(), s["start"].clone()));
        }
    }
    // Interleave providers and days so concurrent clients rarely share a provider.
    slots.sort_by_key(|s| {
        (
            s.2.as_str().unwrap_or_default().to_owned(),
            s.1.as_str().unwrap_or_default().to_owned(),
        )
    });
    let mut patients = Vec::new();
    for page in 1..=100 {
        let r = get(format!("{base}/api/patients?page={page}&page_size=100")).await?;
        for p in r["items"].as_array().into_iter().flatten() {
            patients.push(p["id"].as_str().unwrap_or_default().to_owned());
        }
    }
    println!(
        "{} free slots and {} patients for the booking phase",
        slots.len(),
        patients.len()
    );
    let slots = Arc::new(slots);
    let patients = Arc::new(patients);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let conflicts = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let book = {
        let (client, base, token) = (client.clone(), base.to_owned(), token.to_owned());
        let (slots, patients, next, conflicts) = (
            slots.clone(),
            patients.clone(),
            next.clone(),
            conflicts.clone(),
        );
        move || {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let slot = slots.get(i).cloned();
            let patient = patients[(i * 7919) % patients.len().max(1)].clone();
            let (client, base, token, conflicts) = (
                client.clone(),
                base.clone(),
                token.clone(),
                conflicts.clone(),
            );
            async move {
                let Some((kind, provider, start)) = slot else {
                    return false;
                };
                let body = json!({"appointment_type_id": kind, "provider_id": provider,
                                  "start": start, "patient_id": patient});
                match client
                    .post(format!("{base}/api/appointments"))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(r) if r.status().as_u16() == 201 => r.bytes().await.is_ok(),
                    Ok(r) => {
                        if r.status().as_u16() == 409 {
                            conflicts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        false
                    }
                    Err(_) => false,
                }
            }
        }
    };
    phase(args.booking_clients, args.seconds, book)
        .await?
        .print(&format!(
            "POST /api/appointments ({} cl.)",
            args.booking_clients
        ));
    println!(
        "booking conflicts (patient already busy then): {}",
        conflicts.load(std::sync::atomic::Ordering::Relaxed)
    );
    Ok(())
}

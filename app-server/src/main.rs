//! `usc-pis`: the USC-PIS server and its administration commands (one module per
//! command group under `cli/`).

mod cli;

use clap::Parser;
use tracing_subscriber::EnvFilter;

// mimalloc returns freed memory to the OS promptly; with glibc's allocator each argon2
// hash (19 MiB) stayed resident in a per-thread arena (see docs/PERFORMANCE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let json = std::env::var("USCPIS_LOG_FORMAT").is_ok_and(|v| v == "json");
    // Colours only for a person at a terminal: never in files, pipes or journald, and
    // never with NO_COLOR set (https://no-color.org).
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = cli::Cli::parse();
    init_tracing();
    cli::run(cli).await
}

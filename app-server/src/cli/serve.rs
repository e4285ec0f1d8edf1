//! `serve [--demo]`.

use std::io::Write;

use app_server::{App, Config, start};

/// Runs the API and the background jobs until Ctrl-C / SIGTERM.
pub(super) async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    tracing::info!(config = ?config, "starting");
    let app = App::build(config).await?;
    if demo {
        match app
            .services
            .identity
            .seed_demo()
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
        {
            Some(d) => {
                // Printed to the terminal once, never logged.
                let mut out = std::io::stdout().lock();
                writeln!(out, "\nDemo accounts (password for all: {})", d.password)?;
                for (email, role, _) in &d.accounts {
                    writeln!(out, "  {:<8} {email}", role.as_str())?;
                }
                let week = app_server::demo::prefill_week(&app.services, &d).await?;
                writeln!(out, "\n{week}")?;
            }
            None => tracing::info!("demo: the database already has users; nothing created"),
        }
    }
    let running = start(app).await?;
    println!(
        "USC-PIS listening on http://{} (docs: http://{}/api/docs)",
        running.addr, running.addr
    );
    running.wait_for_signal().await
}

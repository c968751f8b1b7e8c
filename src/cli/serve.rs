//! `embarc serve`: the web desk and the API.

use crate::serve::{AppState, Db};
use crate::watch::Event;
use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Mark the session cookie Secure (set this when HTTPS is in front;
    /// `X-Forwarded-Proto: https` from a proxy does the same per request).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Serve the archive only to read it: pages, search, exports and the
    /// API's reads work, every change is refused. Sign-ins are kept in
    /// memory. Also when the archive's files cannot be written, or with
    /// EMBARC_READ_ONLY=1. Runs no scheduler.
    #[arg(long)]
    pub read_only: bool,
    /// Do not run the scheduler (re-checks by the policy, [[watch]]
    /// sources, webhooks); run `embarc watch` beside it instead, or not at
    /// all.
    #[arg(long)]
    pub no_watch: bool,
    #[command(flatten)]
    pub network: super::NetworkArgs,
}

pub fn run(dir: &Path, args: Args) -> Result<ExitCode> {
    // Opens (and migrates) the archive before listening, so a broken one
    // stops here with its own message.
    let store = if args.read_only {
        super::open_read_only(dir)?
    } else {
        super::open_existing(dir)?
    };
    if store.users()?.is_empty() {
        eprintln!(
            "embarc: no users yet; add the first admin with `embarc user add NAME --role admin`"
        );
    }
    let read_only = store.is_read_only();
    let auth = if read_only {
        let mut private = crate::store::Store::open_in_memory()?;
        if std::env::var_os("EMBARC_NOW").is_some() {
            private = private.with_clock(store.clock());
        }
        store.copy_accounts_into(&private)?;
        eprintln!("embarc: serving read-only: changes are refused, sign-ins last until it stops");
        Db::new(private, dir.to_path_buf())
    } else {
        Db::new(store.clone(), dir.to_path_buf())
    };
    // Claims created and decided in the browser queue their webhooks;
    // `embarc watch` (or the next `check`) sends them.
    let receivers = crate::notify::receivers(&super::load_config(dir)?)?;
    let db = Db::new(store, dir.to_path_buf()).with_hooks(crate::notify::hooks(&receivers));
    let state = AppState {
        db,
        auth,
        secure_cookies: args.secure_cookies,
        metrics: Default::default(),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = if read_only || args.no_watch {
        None
    } else {
        Some(Arc::new(super::watch::watcher(
            dir,
            &args.network,
            "serve",
            false,
            stop.clone(),
        )?))
    };
    let json = super::watch::json_logs();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let addr = listener.local_addr()?;
        super::watch::log(
            json,
            "serving",
            serde_json::json!({ "archive": dir, "url": format!("http://{addr}/"), "watch": watcher.is_some() }),
            &format!(
                "serving {} at http://{addr}/ ({}Ctrl-C stops)",
                dir.display(),
                if watcher.is_some() { "with the scheduler; " } else { "" }
            ),
        );
        let metrics = state.metrics.clone();
        let watching = watcher.map(|w| {
            tokio::spawn(w.run(Arc::new(move |e: &Event| {
                metrics.observe(e);
                super::watch::report(json, e);
            })))
        });
        let shutdown = {
            let stop = stop.clone();
            async move {
                crate::serve::stop_signal().await;
                stop.store(true, Ordering::SeqCst);
            }
        };
        crate::serve::serve(listener, state, shutdown)
            .await
            .context("the server failed")?;
        if let Some(w) = watching {
            // The scheduler saw the same signal: it gives work in flight
            // its grace, then gives the rest back.
            w.await.context("the scheduler stopped unexpectedly")??;
        }
        super::watch::log(json, "stopped", serde_json::json!({}), "stopped");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

//! `paperboy run`: opens the store, renders the feeds, serves them and runs every source
//! on its schedule until SIGTERM or SIGINT; SIGHUP and edits of the configuration reload
//! it (see [`crate::reload`]).
//!
//! At shutdown the server stops accepting, runs in progress get a grace period to finish
//! (a run abandoned after it loses nothing: each item is written in one transaction), and
//! the store is closed: flushed, its near-duplicate index saved for the next start.
//!
//! Under systemd (`Type=notify`) it reports READY once it serves, STOPPING at shutdown, and
//! pings the watchdog while the store takes writes, so a daemon whose store is stuck is
//! restarted.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::Settings;
use crate::fetch::Fetcher;
use crate::pipeline::{Context, Live};
use crate::publish::Catalog;
use crate::reload;
use crate::runner::Runner;
use crate::server::{ServerState, router};
use crate::store::{Store, StoreError};
use axum::serve::ListenerExt;

/// How long runs in progress may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Client(#[from] crate::fetch::ClientError),
    #[error(transparent)]
    Worker(#[from] crate::blocking::WorkerError),
}

/// Opens what a run of sources needs: the store and the HTTP client.
pub fn context(settings: Settings) -> Result<Context, DaemonError> {
    let store = Store::open_with_cache(&settings.data_dir, settings.store_cache)?;
    let fetcher = Fetcher::new(&settings.fetch)?;
    Ok(Context::new(settings, fetcher, store))
}

/// Tells systemd, when it started us with a notify socket.
fn notify(state: &[sd_notify::NotifyState<'_>]) {
    if let Err(err) = sd_notify::notify(state) {
        tracing::warn!(error = %err, "cannot notify systemd");
    }
}

/// Pings systemd's watchdog every `every` while a small write to the store succeeds.
async fn watchdog(store: Store, every: Duration, shutdown: CancellationToken) {
    let mut ticks = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = ticks.tick() => {}
        }
        let store = store.clone();
        match crate::blocking::run(move || store.check_writable()).await {
            Ok(Ok(())) => notify(&[sd_notify::NotifyState::Watchdog]),
            Ok(Err(err)) => tracing::error!(error = %err, "store not writable: watchdog not fed"),
            Err(err) => tracing::error!(error = %err, "watchdog check failed"),
        }
    }
}

/// Runs the daemon until a shutdown signal.
pub async fn run(settings: Settings) -> Result<(), DaemonError> {
    survive_file_size_limit();
    let ctx = crate::blocking::run(move || context(settings)).await??;
    let metrics = match crate::telemetry::install() {
        Ok(handle) => Some(handle),
        Err(err) => {
            tracing::warn!(error = %err, "metrics are not recorded");
            None
        }
    };
    let catalog = Catalog::build(&ctx).await?;
    let listener = tokio::net::TcpListener::bind(ctx.settings.listen)
        .await
        .map_err(|source| DaemonError::Listen {
            addr: ctx.settings.listen,
            source,
        })?;
    let shutdown = CancellationToken::new();
    tokio::spawn(watch_signals(shutdown.clone()));
    let live = Live::new(ctx.clone());

    let state = ServerState {
        live: live.clone(),
        catalog: catalog.clone(),
        metrics,
        images: Default::default(),
    };
    // TCP_NODELAY, as nginx sets it: the end of a response never waits for the reader to
    // acknowledge what came before (Nagle's algorithm).
    let listener = listener.tap_io(|stream| {
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(error = %err, "cannot set TCP_NODELAY");
        }
    });
    let server = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown.clone().cancelled_owned());
    let server = tokio::spawn(async move { server.await });
    // The near-duplicate index is built while feeds are already served, not when the
    // first source run stores its items.
    let store = ctx.store.clone();
    tokio::task::spawn_blocking(move || {
        if let Err(err) = store.prepare_near_duplicates() {
            tracing::error!(error = %err, "cannot build the near-duplicate index");
        }
    });
    tracing::info!(
        listen = %ctx.settings.listen,
        feeds = ctx.settings.feeds.len(),
        sources = ctx.settings.sources().count(),
        "paperboy is running"
    );

    let admin = tokio::spawn(crate::admin::serve(
        live.clone(),
        catalog.clone(),
        shutdown.clone(),
    ));
    tokio::spawn(crate::prune::periodically(
        live.clone(),
        catalog.clone(),
        shutdown.clone(),
    ));
    let mut runner = Runner::new(catalog.clone(), shutdown.clone());
    runner.start(&ctx);
    notify(&[sd_notify::NotifyState::Ready]);
    if let Some(interval) = sd_notify::watchdog_enabled() {
        tokio::spawn(watchdog(ctx.store.clone(), interval / 2, shutdown.clone()));
    }

    let (reload_tx, mut reload_rx) = mpsc::channel(1);
    tokio::spawn(watch_hangup(reload_tx.clone(), shutdown.clone()));
    let mut watcher = watch_config(&ctx.settings, &reload_tx);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            Some(()) = reload_rx.recv() => {
                if let Some(settings) = reload::apply(&live, &catalog, &mut runner).await {
                    // The feeds directory may have moved.
                    drop(watcher);
                    watcher = watch_config(&settings, &reload_tx);
                }
            }
        }
    }
    drop(watcher);

    notify(&[sd_notify::NotifyState::Stopping]);
    tracing::info!("shutting down");
    runner.finish(SHUTDOWN_GRACE).await;
    if let Ok(Err(err)) = server.await {
        tracing::error!(error = %err, "server failed");
    }
    if let Ok(Err(err)) = admin.await {
        tracing::error!(error = %err, "admin interface failed");
    }
    let store = live.get().store;
    crate::blocking::run(move || store.close()).await??;
    tracing::info!("stopped");
    Ok(())
}

/// Watches the configuration's files; without a watcher, SIGHUP still reloads.
fn watch_config(settings: &Settings, reload: &mpsc::Sender<()>) -> Option<impl Sized + use<>> {
    match reload::watch(settings, reload.clone()) {
        Ok(watcher) => Some(watcher),
        Err(err) => {
            tracing::warn!(error = %err, "configuration files are not watched; reload with SIGHUP");
            None
        }
    }
}

/// A write past the file-size limit (`ulimit -f`, `LimitFSIZE=`) raises SIGXFSZ, which
/// would kill the daemon; handled, the write fails with an error instead, reported like
/// a full disk, and the daemon keeps serving what it has.
fn survive_file_size_limit() {
    let kind = tokio::signal::unix::SignalKind::from_raw(libc::SIGXFSZ);
    // Registered here, before the store writes, not in the task below.
    let Ok(mut signals) = tokio::signal::unix::signal(kind) else {
        return;
    };
    tokio::spawn(async move {
        while signals.recv().await.is_some() {
            tracing::error!("a write went past the file-size limit; the store refuses new items");
        }
    });
}

/// SIGHUP asks for a reload.
async fn watch_hangup(reload: mpsc::Sender<()>, shutdown: CancellationToken) {
    let Ok(mut hangup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
    else {
        tracing::warn!("no SIGHUP handler: reload by editing the configuration");
        return;
    };
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            Some(()) = hangup.recv() => {
                tracing::info!("SIGHUP: reloading the configuration");
                let _ = reload.try_send(());
            }
        }
    }
}

async fn watch_signals(shutdown: CancellationToken) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("a SIGTERM handler can be installed");
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    shutdown.cancel();
}

//! The daemon's admin interface: HTTP over a Unix socket in `data_dir` (`admin.sock`),
//! for `paperboy fetch`, `inspect` and `status` while the daemon holds the store.
//!
//! A Unix socket rather than a loopback TCP port: only local users whom the file's
//! permissions admit (the daemon's own user, mode 0600) can reach it, no port has to be
//! chosen or kept free, and the commands find it from the config they already read.

use std::path::PathBuf;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::config::Settings;
use crate::pipeline::Live;
use crate::publish::Catalog;
use crate::schedule;
use crate::status;

/// Where the admin socket of a daemon with these settings is.
pub fn socket_path(settings: &Settings) -> PathBuf {
    settings.data_dir.join("admin.sock")
}

/// What `POST /fetch` answers: the lines `paperboy fetch` prints, and how many sources
/// failed.
#[derive(Debug, Serialize, Deserialize)]
pub struct FetchOutcome {
    pub lines: Vec<String>,
    pub failures: usize,
}

#[derive(Clone)]
struct Admin {
    live: Live,
    catalog: Catalog,
}

/// Serves the admin interface until `shutdown`.
pub async fn serve(
    live: Live,
    catalog: Catalog,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let path = socket_path(&live.get().settings);
    // A socket left by a daemon that was killed: nobody listens on it.
    let _ = std::fs::remove_file(&path);
    let listener = tokio::net::UnixListener::bind(&path)?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    let app = Router::new()
        .route("/status", get(status))
        .route("/fetch", post(fetch))
        .route("/inspect", get(inspect))
        .with_state(Admin { live, catalog });
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await;
    let _ = std::fs::remove_file(&path);
    result
}

async fn status(State(admin): State<Admin>) -> Response {
    let ctx = admin.live.get();
    match crate::blocking::run(move || status::of_sources(&ctx.settings, &ctx.store)).await {
        Ok(Ok(list)) => axum::Json(list).into_response(),
        Ok(Err(err)) => failed(err),
        Err(err) => failed(err),
    }
}

#[derive(Deserialize)]
struct FetchQuery {
    /// Comma-separated source names; empty for all.
    #[serde(default)]
    sources: String,
    #[serde(default)]
    dry_run: bool,
}

async fn fetch(State(admin): State<Admin>, Query(query): Query<FetchQuery>) -> Response {
    let names: Vec<&str> = query.sources.split(',').filter(|n| !n.is_empty()).collect();
    let ctx = admin.live.get();
    let sources: Vec<_> = ctx
        .settings
        .sources()
        .filter(|s| names.is_empty() || names.contains(&s.name.as_str()))
        .cloned()
        .collect();
    let mut runs = tokio::task::JoinSet::new();
    for source in sources {
        let (ctx, catalog, dry_run) = (ctx.clone(), admin.catalog.clone(), query.dry_run);
        runs.spawn(async move {
            let done = schedule::on_request(&ctx, &source, dry_run).await;
            if let Some(report) = &done.report {
                schedule::republish(&ctx, &catalog, &source, report).await;
            }
            (done.lines, done.failed)
        });
    }
    let mut outcome = FetchOutcome {
        lines: Vec::new(),
        failures: 0,
    };
    while let Some(done) = runs.join_next().await {
        let (lines, failed) = done.unwrap_or_else(|err| (vec![format!("error: {err}")], true));
        outcome.lines.extend(lines);
        outcome.failures += usize::from(failed);
    }
    // A run may have broken or mended a source.
    admin.catalog.rebuild_health(&ctx).await;
    axum::Json(outcome).into_response()
}

#[derive(Deserialize)]
struct InspectQuery {
    url: String,
}

async fn inspect(State(admin): State<Admin>, Query(query): Query<InspectQuery>) -> Response {
    let Ok(url) = url::Url::parse(&query.url) else {
        return (
            StatusCode::BAD_REQUEST,
            format!("`{}` is not a URL", query.url),
        )
            .into_response();
    };
    let store = admin.live.get().store;
    let found =
        crate::blocking::run(move || store.item_for_url(&crate::normalize::url_identity(&url)))
            .await;
    match found {
        Ok(Ok(Some(item))) => axum::Json(item).into_response(),
        Ok(Ok(None)) => StatusCode::NOT_FOUND.into_response(),
        Ok(Err(err)) => failed(err),
        Err(err) => failed(err),
    }
}

/// A 500 that says what failed.
fn failed(err: impl std::fmt::Display) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response()
}

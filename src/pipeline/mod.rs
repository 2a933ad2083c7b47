//! One run of one source: fetch → not modified? → parse → (fetch articles) → extract →
//! normalize → store → flush. [`refresh`] reads as that line; the source kinds supply
//! the middle, and [`Run`] is the end every kind stores through.
//!
//! Recording the outcome in the source's state (validators, failures, next run) is the
//! scheduler's business.

mod run;

use std::fmt;
use std::sync::Arc;

use crate::config::{FetchSettings, Settings, SourceDef, SourceKind};
use crate::fetch::{FetchError, Fetched, Fetcher, Validators};
use crate::source::{self, ParseError};
use crate::store::{NewItem, Store, StoreError};

pub use run::Run;

/// What one process shares between runs.
#[derive(Clone)]
pub struct Context {
    pub settings: Arc<Settings>,
    pub fetcher: Arc<Fetcher>,
    pub store: Store,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Near-duplicates of stored items (reprints) that joined them.
    pub merged: usize,
    /// What each merge joined, for the report.
    pub merges: Vec<String>,
    /// Article pages that could not be fetched or read (retried next run).
    pub failed: usize,
    /// E-paper editions not published (yet): normal on weekends and early mornings.
    pub missing_editions: usize,
    /// The server answered 304.
    pub not_modified: bool,
    /// Validators of the source's own URL, to send next time.
    pub validators: Option<Validators>,
    /// Selectors that matched nothing, and similar things a user should look at.
    pub warnings: Vec<String>,
}

impl Report {
    /// Whether a published feed could look different after this run.
    pub fn changed(&self) -> bool {
        self.new + self.updated + self.merged > 0
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.not_modified {
            return write!(f, "not modified");
        }
        write!(
            f,
            "{} new, {} updated, {} unchanged",
            self.new, self.updated, self.unchanged
        )?;
        if self.merged > 0 {
            write!(f, ", {} merged", self.merged)?;
        }
        if self.failed > 0 {
            write!(f, ", {} failed", self.failed)?;
        }
        if self.missing_editions > 0 {
            write!(f, " ({} editions not published)", self.missing_editions)?;
        }
        Ok(())
    }
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl RunError {
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            RunError::Fetch(err) => err.retry_after(),
            _ => None,
        }
    }
}

/// Fetches one source and stores what it has; durable when this returns.
pub async fn refresh(ctx: &Context, source: &SourceDef) -> Result<Report, RunError> {
    let state = ctx.store.source_state(&source.name)?;
    let validators = (state.config_hash == source.config_hash).then_some(state.validators);
    let mut run = Run::storing(ctx, source, validators);
    let outcome = run_kind(&mut run).await;
    // What was stored before a failure stays stored: flush either way.
    let report = run.finish().await?;
    outcome.map(|()| report)
}

/// Fetches and reads one source without storing anything; at most a few article pages.
pub async fn preview(
    ctx: &Context,
    source: &SourceDef,
) -> Result<(Vec<NewItem>, Report), RunError> {
    let mut run = Run::previewing(ctx, source);
    run_kind(&mut run).await?;
    Ok(run.into_preview())
}

async fn run_kind(run: &mut Run<'_>) -> Result<(), RunError> {
    let source = run.source;
    match &source.kind {
        SourceKind::Feed { url } => source::feed::run(run, url).await,
        SourceKind::Html {
            url,
            links,
            article,
        } => source::html::run(run, url, links, article).await,
        SourceKind::Json(rules) => source::json::run(run, rules).await,
        SourceKind::Epaper(rules) => source::epaper::run(run, rules).await,
    }
}

/// Fetches one page and decodes it, for `paperboy extract URL`.
pub async fn fetch_page(settings: &FetchSettings, url: &url::Url) -> Result<String, RunError> {
    let fetcher = Fetcher::new(settings).map_err(RunError::Internal)?;
    match fetcher.get(url, None).await? {
        Fetched::Page(page) => Ok(page.text()),
        Fetched::NotModified => Err(RunError::Internal(format!(
            "{url}: 304 to an unconditional request"
        ))),
    }
}

/// Runs CPU work (parsing, extraction, sled) off the async threads.
pub async fn blocking<T, F>(work: F) -> Result<T, RunError>
where
    F: FnOnce() -> Result<T, RunError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| RunError::Internal(format!("worker failed: {err}")))?
}

//! One run of one source: fetch → not modified? → parse → normalize → store → flush.
//!
//! Everything else is a stage this calls. Recording the outcome in the source's state
//! (validators, failures, next run) is the scheduler's business.

use std::fmt;
use std::sync::Arc;

use crate::config::{Settings, SourceDef, SourceKind};
use crate::fetch::{FetchError, Fetched, Fetcher, Page, Validators};
use crate::normalize::new_item;
use crate::source::{self, ParseError, RawItem};
use crate::store::{NewItem, Store, StoreError, Upserted};

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
    /// The server answered 304.
    pub not_modified: bool,
    /// Validators of the response, to send next time.
    pub validators: Option<Validators>,
}

impl Report {
    /// Whether a published feed could look different after this run.
    pub fn changed(&self) -> bool {
        self.new + self.updated > 0
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
        )
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

/// Fetches one source and stores what it has; durable when this returns `Ok`.
pub async fn refresh(ctx: &Context, source: &SourceDef) -> Result<Report, RunError> {
    let state = ctx.store.source_state(&source.name)?;
    let validators = (state.config_hash == source.config_hash).then_some(&state.validators);
    let page = match ctx.fetcher.get(&source.url, validators).await? {
        Fetched::NotModified => {
            return Ok(Report {
                not_modified: true,
                ..Report::default()
            });
        }
        Fetched::Page(page) => page,
    };
    let validators = page.validators.clone();
    let items = parse(ctx, source, page).await?;
    let mut report = store_items(ctx, source, items).await?;
    report.validators = Some(validators);
    Ok(report)
}

/// Fetches and parses one source without storing anything.
pub async fn preview(ctx: &Context, source: &SourceDef) -> Result<Vec<NewItem>, RunError> {
    match ctx.fetcher.get(&source.url, None).await? {
        Fetched::NotModified => Ok(Vec::new()),
        Fetched::Page(page) => parse(ctx, source, page).await,
    }
}

/// Fetches one page and decodes it, for `paperboy extract URL`.
pub async fn fetch_page(
    settings: &crate::config::FetchSettings,
    url: &url::Url,
) -> Result<String, RunError> {
    let fetcher = Fetcher::new(settings).map_err(RunError::Internal)?;
    match fetcher.get(url, None).await? {
        Fetched::Page(page) => Ok(page.text()),
        Fetched::NotModified => Err(RunError::Internal(format!(
            "{url}: 304 to an unconditional request"
        ))),
    }
}

/// Parsing and sanitizing are CPU work: they run off the async threads.
async fn parse(ctx: &Context, source: &SourceDef, page: Page) -> Result<Vec<NewItem>, RunError> {
    let timezone = ctx.settings.timezone;
    let kind = source.kind.clone();
    blocking(move || {
        let raw: Vec<RawItem> = match kind {
            SourceKind::Feed => source::feed::parse(&page, timezone)?,
        };
        Ok(raw
            .into_iter()
            .map(|item| new_item(item, &page.url))
            .collect())
    })
    .await
}

async fn store_items(
    ctx: &Context,
    source: &SourceDef,
    items: Vec<NewItem>,
) -> Result<Report, RunError> {
    let store = ctx.store.clone();
    let (feed, name) = (source.feed.clone(), source.name.clone());
    blocking(move || {
        let now = chrono::Utc::now().timestamp_millis();
        let mut report = Report::default();
        for item in &items {
            match store.upsert(&feed, &name, item, now)? {
                Upserted::New => report.new += 1,
                Upserted::Updated => report.updated += 1,
                Upserted::Unchanged => report.unchanged += 1,
            }
        }
        store.flush()?;
        Ok(report)
    })
    .await
}

async fn blocking<T, F>(work: F) -> Result<T, RunError>
where
    F: FnOnce() -> Result<T, RunError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| RunError::Internal(format!("worker failed: {err}")))?
}

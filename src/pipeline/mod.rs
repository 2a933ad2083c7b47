//! One run of one source, as one line: listing (conditional) → adapter → for each
//! candidate: known? → fetch and extract the article → normalize → store → report.
//! [`refresh`] is that line; the stages are the adapters of [`crate::source`], the article
//! fetch of [`article`], [`crate::normalize`] and a [`Sink`] — the store, or a preview
//! that keeps what it is given (`fetch --dry-run`).
//!
//! The outcome is recorded in the source's state (validators, failures, items); when the
//! source runs next is the scheduler's decision, handed in as `plan`.

mod article;
mod report;
mod sink;

use std::sync::Arc;

use chrono_tz::Tz;
use url::Url;

use crate::blocking::{self, WorkerError};
use crate::config::{FetchSettings, Settings, SourceDef, SourceKind};
use crate::fetch::{ClientError, FetchError, Fetched, Fetcher, Page, Validators};
use crate::model::health::ErrorKind;
use crate::normalize::new_item;
use crate::source::{self, Empty, Listing, Pages, ParseError, SourceError};
use crate::store::{NewItem, SourceState, Store, StoreError};

pub use report::Report;
pub use sink::{Preview, Sink, Storing};

/// What one process shares between runs.
#[derive(Clone)]
pub struct Context {
    pub settings: Arc<Settings>,
    pub fetcher: Arc<Fetcher>,
    pub store: Store,
    /// Source runs in flight at once: a run holds its listing and items in memory, so a
    /// thousand sources due together wait here instead of all holding theirs.
    pub runs: Arc<tokio::sync::Semaphore>,
}

impl Context {
    pub fn new(settings: Settings, fetcher: Fetcher, store: Store) -> Context {
        let runs = settings
            .fetch
            .concurrency
            .saturating_mul(RUNS_PER_REQUEST_SLOT);
        Context {
            settings: Arc::new(settings),
            fetcher: Arc::new(fetcher),
            store,
            runs: Arc::new(tokio::sync::Semaphore::new(runs)),
        }
    }
}

/// Source runs in flight per request slot (`fetch.concurrency`): a run spends most of its
/// time between requests (host delays, parsing, storing), so a few runs share a slot.
const RUNS_PER_REQUEST_SLOT: usize = 4;

/// The context the daemon runs with now; a reload replaces it whole, and whoever reads
/// it afterwards gets the new one.
#[derive(Clone)]
pub struct Live(Arc<std::sync::RwLock<Context>>);

impl Live {
    pub fn new(ctx: Context) -> Live {
        Live(Arc::new(std::sync::RwLock::new(ctx)))
    }

    pub fn get(&self) -> Context {
        self.0.read().expect("live context lock").clone()
    }

    pub fn set(&self, ctx: Context) {
        *self.0.write().expect("live context lock") = ctx;
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
    #[error(transparent)]
    Worker(#[from] WorkerError),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Template(#[from] crate::config::TemplateError),
    #[error("{0}")]
    Empty(Empty),
    #[error("listed {listed} items against about {usual} in its recent runs")]
    YieldDropped { listed: usize, usual: u32 },
    #[error("all {failed} article pages failed; the first: {first}")]
    ArticlesFailed { failed: usize, first: String },
}

impl std::fmt::Display for Empty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Empty::NothingMatched(what) | Empty::Edition(what) => f.write_str(what),
        }
    }
}

impl From<SourceError> for RunError {
    fn from(err: SourceError) -> RunError {
        match err {
            SourceError::Fetch(err) => RunError::Fetch(err),
            SourceError::Parse(err) => RunError::Parse(err),
            SourceError::Worker(err) => RunError::Worker(err),
            SourceError::Template(err) => RunError::Template(err),
        }
    }
}

impl RunError {
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            RunError::Fetch(err) => err.retry_after(),
            _ => None,
        }
    }

    /// What kind of failure this is, for health and metrics.
    pub fn kind(&self) -> ErrorKind {
        match self {
            RunError::Fetch(err) => err.kind(),
            RunError::Parse(_) => ErrorKind::Parse,
            RunError::Store(_) => ErrorKind::Store,
            RunError::Worker(_) | RunError::Client(_) => ErrorKind::Other,
            RunError::Template(_) => ErrorKind::Config,
            RunError::Empty(Empty::NothingMatched(_)) => ErrorKind::NothingMatched,
            RunError::Empty(Empty::Edition(_)) => ErrorKind::EmptyEdition,
            RunError::YieldDropped { .. } => ErrorKind::YieldDropped,
            RunError::ArticlesFailed { .. } => ErrorKind::Extraction,
        }
    }
}

/// Fetches one source, stores what it has and records how it went in the source's state
/// (`plan` sets what the scheduler decides: next run, backoff); durable when this returns.
pub async fn refresh(
    ctx: &Context,
    source: &SourceDef,
    plan: impl FnOnce(&mut SourceState, &Result<Report, RunError>),
) -> Result<Report, RunError> {
    // The semaphore is never closed.
    let _turn = ctx.runs.acquire().await.ok();
    let store = ctx.store.clone();
    let name = source.name.clone();
    let (mut state, recent) = blocking::run(move || {
        Ok::<_, StoreError>((store.source_state(&name)?, store.recent_yields(&name)?))
    })
    .await??;
    let validators = (state.config_hash == source.config_hash).then(|| state.validators.clone());
    let mut sink = Storing::new(ctx, source);
    let outcome = run(ctx, source, validators.as_ref(), &mut sink).await;
    // What was read before a failure is stored either way, and flushed below with the
    // run's state: one sync of sled's log for both.
    let stored = sink.finish().await?;
    let listed = outcome
        .as_ref()
        .ok()
        .filter(|report| !report.not_modified)
        .map(|report| report.listed);
    let result = match (outcome, listed.and_then(|n| yield_drop(n, &recent))) {
        (Ok(_), Some(dropped)) => Err(dropped),
        (outcome, _) => outcome.map(|report| report.with(stored)),
    };
    plan(&mut state, &result);
    let failure = result
        .as_ref()
        .err()
        .map(|err| (err.kind(), err.to_string()));
    let (store, name) = (ctx.store.clone(), source.name.clone());
    let now = chrono::Utc::now().timestamp_millis();
    let event = blocking::run(move || {
        let recorded = store
            .save_source_state(&name, &state)
            .and_then(|()| match listed {
                Some(listed) => store.save_yield(&name, u32::try_from(listed).unwrap_or(u32::MAX)),
                None => Ok(()),
            })
            .and_then(|()| store.take_outcome(&name, now, failure));
        // Flushed whatever came before: the run's items are written but not yet on disk,
        // and a write that failed (a full disk) marks the store failed here, so that its
        // feeds are served from their copies.
        store.flush()?;
        recorded
    })
    .await??;
    let outcome = match &result {
        Ok(report) => Ok([report.new, report.updated, report.merged]),
        Err(err) => Err(err.kind()),
    };
    crate::telemetry::run(&source.name, outcome, event.as_ref());
    result
}

/// Fetches and reads one source without storing anything; at most a few article pages.
pub async fn preview(
    ctx: &Context,
    source: &SourceDef,
) -> Result<(Vec<NewItem>, Report), RunError> {
    let mut sink = Preview::default();
    let report = run(ctx, source, None, &mut sink).await?;
    let (items, stored) = sink.finish();
    Ok((items, report.with(stored)))
}

/// How `paperboy fetch --dry-run` shows what a source would store.
pub fn preview_lines(
    source: &str,
    outcome: &Result<(Vec<NewItem>, Report), RunError>,
) -> Vec<String> {
    let (items, report) = match outcome {
        Ok(preview) => preview,
        Err(err) => return vec![format!("{source}: error: {err}")],
    };
    let mut lines = vec![format!(
        "{source}: {} items (dry run, nothing stored)",
        items.len()
    )];
    lines.extend(report.warnings.iter().map(|w| format!("  warning: {w}")));
    for item in items {
        let published = item
            .published
            .and_then(|(ms, offset)| {
                let zone = chrono::FixedOffset::east_opt(offset)?;
                Some(chrono::DateTime::from_timestamp_millis(ms)?.with_timezone(&zone))
            })
            .map_or("-".to_string(), |t| t.to_rfc3339());
        lines.push(format!(
            "  {published}  {}  {}",
            item.title,
            item.link.as_deref().unwrap_or("-")
        ));
    }
    lines
}

/// The line for one source, into `sink`.
async fn run(
    ctx: &Context,
    source: &SourceDef,
    validators: Option<&Validators>,
    sink: &mut impl Sink,
) -> Result<Report, RunError> {
    let mut report = Report::default();
    let Some((base, listing)) = listing(ctx, source, validators, &mut report).await? else {
        report.not_modified = true;
        return Ok(report);
    };
    report.note(&listing, &source.name);
    report.listed = listing.candidates.len();
    let (mut fetched, mut first_failure) = (0, None);
    // Items complete in the listing go to the sink together, each fetched article as it
    // comes (the sink decides how many it writes at once).
    let mut listed = Vec::new();
    for candidate in listing.candidates {
        let raw = match &candidate.fetch {
            None => {
                listed.push(new_item(candidate.item, base.as_ref()));
                continue;
            }
            Some(target) => {
                if !listed.is_empty() {
                    sink.put(std::mem::take(&mut listed)).await?;
                }
                let declared = candidate.item.declared_id.as_deref();
                let link = candidate.item.link.as_ref().unwrap_or(&target.url);
                if !sink.wants(declared, Some(link)).await? {
                    continue;
                }
                match article::fetch(ctx, source, target).await {
                    Ok(body) => {
                        fetched += 1;
                        report.warn_unmatched(&body.unmatched, &target.url, &source.name);
                        article::complete(candidate, body)
                    }
                    Err(err) => {
                        report.failed(&target.url, &err, &source.name);
                        first_failure.get_or_insert_with(|| err.to_string());
                        continue;
                    }
                }
            }
        };
        sink.put(vec![new_item(raw, base.as_ref())]).await?;
    }
    if !listed.is_empty() {
        sink.put(listed).await?;
    }
    if let Some(empty) = listing.empty {
        return Err(RunError::Empty(empty));
    }
    if let Some(first) = first_failure.filter(|_| fetched == 0) {
        return Err(RunError::ArticlesFailed {
            failed: report.failed,
            first,
        });
    }
    Ok(report)
}

/// The error of a run that listed far fewer items than its recent runs did: at most a
/// tenth of their median, when that median is at least ten.
fn yield_drop(listed: usize, recent: &[u32]) -> Option<RunError> {
    const RUNS_NEEDED: usize = 3;
    const MEANINGFUL: u32 = 10;
    if recent.len() < RUNS_NEEDED {
        return None;
    }
    let mut sorted = recent.to_vec();
    sorted.sort_unstable();
    let usual = sorted[sorted.len() / 2];
    (usual >= MEANINGFUL && listed.saturating_mul(10) <= usual as usize)
        .then_some(RunError::YieldDropped { listed, usual })
}

/// The source's listing read by its adapter, with the address of the listing document
/// (relative links resolve against it; an e-paper's candidates are absolute already);
/// `None` when the server says it has not changed since the last run.
async fn listing(
    ctx: &Context,
    source: &SourceDef,
    validators: Option<&Validators>,
    report: &mut Report,
) -> Result<Option<(Option<Url>, Listing)>, RunError> {
    let pages = Plain {
        fetcher: &ctx.fetcher,
        allow_private: source.allow_private,
    };
    let timezone: Tz = ctx.settings.timezone;
    let url = match &source.kind {
        SourceKind::Epaper(rules) => {
            let listing = source::epaper::read(&pages, rules, timezone).await?;
            return Ok(Some((None, listing)));
        }
        SourceKind::Feed { url } | SourceKind::Html { url, .. } => url,
        SourceKind::Json(rules) => &rules.url,
    };
    let page = match ctx
        .fetcher
        .get_for(url, validators, source.allow_private)
        .await?
    {
        Fetched::NotModified => return Ok(None),
        Fetched::Page(page) => *page,
    };
    report.validators = Some(page.validators.clone());
    let page = match &source.kind {
        // Column pages may be stubs that redirect in HTML.
        SourceKind::Html { .. } => source::redirect::follow(&pages, page).await?,
        _ => page,
    };
    let base = page.url.clone();
    let kind = source.kind.clone();
    let listing = blocking::run(move || source::read(&kind, &page, timezone)).await??;
    Ok(Some((Some(base), listing)))
}

/// Pages as adapters and the article fetch ask for them: unconditional GETs, under the
/// source's `allow_private`.
struct Plain<'a> {
    fetcher: &'a Fetcher,
    allow_private: bool,
}

impl Pages for Plain<'_> {
    async fn get(&self, url: &Url) -> Result<Page, FetchError> {
        match self.fetcher.get_for(url, None, self.allow_private).await? {
            Fetched::Page(page) => Ok(*page),
            // Without validators a 304 is the server's mistake: treat it as an empty page.
            Fetched::NotModified => Ok(Page::new(
                url.clone(),
                None,
                Validators::default(),
                Vec::new(),
            )),
        }
    }
}

/// Fetches one page and follows the redirects a page makes in HTML (meta refresh, script
/// `location`), for `paperboy add URL`.
pub async fn fetch_followed(
    fetcher: &Fetcher,
    url: &Url,
    allow_private: bool,
) -> Result<Page, SourceError> {
    let pages = Plain {
        fetcher,
        allow_private,
    };
    let page = pages.get(url).await?;
    source::redirect::follow(&pages, page).await
}

/// Fetches one page and decodes it, for `paperboy extract URL`: the address the user
/// typed is fetched wherever it is (the private-address guard is for configured sources).
pub async fn fetch_page(settings: &FetchSettings, url: &Url) -> Result<String, RunError> {
    let fetcher = Fetcher::new(settings)?;
    let pages = Plain {
        fetcher: &fetcher,
        allow_private: true,
    };
    Ok(pages.get(url).await?.into_text())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_yield_drop_is_a_tenth_of_the_recent_median_or_less() {
        // Too few runs, or too few items to judge: no drop.
        assert!(yield_drop(0, &[50, 50]).is_none());
        assert!(yield_drop(0, &[8, 9, 9]).is_none());
        // One odd run does not make the median.
        assert!(yield_drop(5, &[50, 0, 48, 52]).is_some());
        assert!(yield_drop(6, &[50, 0, 48, 52]).is_none());
        let Some(RunError::YieldDropped { listed, usual }) = yield_drop(2, &[40, 40, 41, 3]) else {
            panic!("a drop");
        };
        assert_eq!((listed, usual), (2, 40));
        assert_eq!(
            yield_drop(2, &[40, 40, 41]).unwrap().kind(),
            ErrorKind::YieldDropped
        );
    }
}

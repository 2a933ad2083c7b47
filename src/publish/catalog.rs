//! The catalog of current documents, shared by the scheduler and the server: which feeds
//! are kept rendered, and rendering one when it is asked for or its items changed.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};

use super::{Body, Document, Format, copies, health};
use crate::config::HEALTH_FEED;
use crate::pipeline::Context;
use crate::store::StoreError;

/// Bytes of rendered documents the catalog keeps. A feed asked for is rendered and kept;
/// when the documents kept outgrow this, the least used go and are rendered again when
/// next asked for (a render reads the feed's newest `entries` items: milliseconds). Every
/// document kept would hold a thousand-source daemon's memory at hundreds of megabytes.
const KEPT_BYTES: u64 = 16 << 20;

#[derive(Clone)]
struct DocumentWeight;

impl quick_cache::Weighter<String, Arc<Document>> for DocumentWeight {
    fn weight(&self, _: &String, document: &Arc<Document>) -> u64 {
        document.size() as u64
    }
}

/// The current documents of the feeds, shared by the scheduler and the server: rendered
/// when first asked for, kept within [`KEPT_BYTES`], rendered again at once when a kept
/// feed's items change. The health feed is always kept.
#[derive(Clone)]
pub struct Catalog {
    documents: Arc<quick_cache::sync::Cache<String, Arc<Document>, DocumentWeight>>,
    health: Arc<RwLock<Option<Arc<Document>>>>,
    /// Bumped by every change: a render that began before one is not kept (it may have
    /// read the store before the change).
    generation: Arc<AtomicU64>,
    /// Feeds served from their copies, each said once in the log.
    served_copies: Arc<Mutex<HashSet<String>>>,
}

impl Default for Catalog {
    fn default() -> Catalog {
        Catalog {
            documents: Arc::new(quick_cache::sync::Cache::with_weighter(
                256,
                KEPT_BYTES,
                DocumentWeight,
            )),
            health: Default::default(),
            generation: Default::default(),
            served_copies: Default::default(),
        }
    }
}

impl Catalog {
    /// The catalog of a starting daemon: see [`Catalog::refresh`].
    pub async fn build(ctx: &Context) -> Result<Catalog, StoreError> {
        let catalog = Catalog::default();
        catalog.refresh(ctx).await?;
        Ok(catalog)
    }

    /// At start, after a reload or a prune (feeds may have changed their definition or
    /// lost items): the documents kept go, to be rendered again when next asked for.
    /// Feeds without a copy on disk are rendered now for their copy (not kept: a daemon
    /// keeps what readers ask for), so that every feed can be served should the store
    /// fail; the copies of feeds no longer configured go. The health feed is rendered
    /// again.
    pub async fn refresh(&self, ctx: &Context) -> Result<(), StoreError> {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.documents.clear();
        let settings = ctx.settings.clone();
        let uncopied = crate::blocking::run(move || {
            let dir = copies::dir(&settings);
            copies::remove_others(&dir, &settings);
            settings
                .feeds
                .iter()
                .filter(|feed| !copies::has(&dir, &feed.slug))
                .map(|feed| feed.slug.clone())
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        if ctx.store.failure().is_none() {
            for slug in uncopied {
                render_blocking(ctx, &slug).await?;
            }
        }
        self.rebuild_health(ctx).await;
        Ok(())
    }

    /// Renders the health feed again. A failure keeps the old document.
    pub async fn rebuild_health(&self, ctx: &Context) {
        let (settings, store) = (ctx.settings.clone(), ctx.store.clone());
        match crate::blocking::run(move || health::render(&settings, &store)).await {
            Ok(Ok(document)) => {
                *self.health.write().expect("catalog lock") = Some(Arc::new(document))
            }
            Ok(Err(err)) => tracing::error!(error = %err, "cannot render the health feed"),
            Err(err) => tracing::error!(error = %err, "cannot render the health feed"),
        }
    }

    /// A feed whose items changed, with the topic feeds that gather from it.
    pub async fn rebuild_with_topics(&self, ctx: &Context, slug: &str) {
        self.rebuild(ctx, slug).await;
        let topics: Vec<String> = ctx
            .settings
            .topics_of(slug)
            .map(|t| t.slug.clone())
            .collect();
        for topic in topics {
            self.rebuild(ctx, &topic).await;
        }
    }

    /// A feed whose items changed: rendered again now when it is kept (readers poll it),
    /// else when next asked for. A failure keeps the old document (a store that cannot be
    /// read now still serves what it had).
    pub async fn rebuild(&self, ctx: &Context, slug: &str) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if self.documents.peek(slug).is_none() || ctx.store.failure().is_some() {
            return;
        }
        let generation = self.generation.load(Ordering::SeqCst);
        match render_blocking(ctx, slug).await {
            Ok(document) => self.keep(Arc::new(document), generation),
            Err(err) => tracing::error!(feed = slug, error = %err, "cannot render feed"),
        }
    }

    /// The kept document of a feed, if it is kept: no rendering.
    pub fn kept(&self, slug: &str) -> Option<Arc<Document>> {
        if slug == HEALTH_FEED {
            return self.health.read().expect("catalog lock").clone();
        }
        self.documents.get(slug)
    }

    /// The current document of a feed, rendered now when it is not kept; `None` when no
    /// such feed is configured.
    pub async fn get(
        &self,
        ctx: &Context,
        slug: &str,
    ) -> Result<Option<Arc<Document>>, StoreError> {
        if let Some(document) = self.kept(slug) {
            return Ok(Some(document));
        }
        let (catalog, ctx, slug) = (self.clone(), ctx.clone(), slug.to_string());
        tokio::task::spawn_blocking(move || catalog.get_blocking(&ctx, &slug))
            .await
            .expect("rendering does not panic")
    }

    /// [`Catalog::get`] on a thread that may block (rendering the pages).
    pub fn get_blocking(
        &self,
        ctx: &Context,
        slug: &str,
    ) -> Result<Option<Arc<Document>>, StoreError> {
        if let Some(document) = self.kept(slug) {
            return Ok(Some(document));
        }
        let Some(def) = ctx.settings.feed(slug) else {
            return Ok(None);
        };
        // Once a write failed, what the store reads may never have reached the disk: the
        // feed is served from its copy instead.
        if let Some(failure) = ctx.store.failure() {
            return Err(StoreError::Failed(failure.to_string()));
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let document = Arc::new(copies::render_and_keep(&ctx.settings, def, &ctx.store)?);
        self.keep(document.clone(), generation);
        Ok(Some(document))
    }

    /// A feed's copy on disk in one format, with its time, for when the feed cannot be
    /// rendered (`why`: said in the log the first time a feed is served so); `None` when
    /// it has none or no such feed is configured.
    pub async fn copy(
        &self,
        ctx: &Context,
        slug: &str,
        format: Format,
        why: &StoreError,
    ) -> Option<(Body, DateTime<Utc>)> {
        ctx.settings.feed(slug)?;
        let (dir, owned) = (copies::dir(&ctx.settings), slug.to_string());
        let copy = match crate::blocking::run(move || copies::read(&dir, &owned, format)).await {
            Ok(Ok(copy)) => copy,
            Ok(Err(err)) => {
                tracing::debug!(feed = slug, error = %err, "no copy of the feed");
                return None;
            }
            Err(_) => return None,
        };
        let first = (self.served_copies.lock().expect("catalog lock")).insert(slug.to_string());
        if first {
            tracing::warn!(feed = slug, error = %why, "cannot render the feed; serving its last copy");
        }
        Some(copy)
    }

    /// Keeps a document rendered at `generation`, unless something changed since.
    fn keep(&self, document: Arc<Document>, generation: u64) {
        if self.generation.load(Ordering::SeqCst) == generation {
            self.documents.insert(document.slug.clone(), document);
        }
    }
}

async fn render_blocking(ctx: &Context, slug: &str) -> Result<Document, StoreError> {
    let (settings, store, slug) = (ctx.settings.clone(), ctx.store.clone(), slug.to_string());
    tokio::task::spawn_blocking(move || {
        let feed = settings
            .feed(&slug)
            .expect("catalog feeds come from the settings");
        copies::render_and_keep(&settings, feed, &store)
    })
    .await
    .expect("rendering does not panic")
}

//! Every feed as Atom (RFC 4287), RSS 2.0 and JSON Feed 1.1, and the catalog of current
//! documents.
//!
//! A document depends only on what is stored, never on the clock: `updated` is the newest
//! entry's `updated`, so rebuilding an unchanged feed gives the same bytes and ETags.

mod atom;
mod health;
mod images;
mod json_feed;
mod post;
mod rss;
mod script;

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use url::Url;

use crate::config::{FeedDef, HEALTH_FEED, Settings};
use crate::pipeline::Context;
use crate::store::{Store, StoreError, StoredItem};

use post::{Channel, History, as_published_in, local_time};
pub use post::{Post, xml_text};

/// The formats every feed is published in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Atom,
    Rss,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Atom, Format::Rss, Format::Json];

    /// The file extension: `/feeds/<slug>.<ext>`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Atom => "atom",
            Format::Rss => "rss",
            Format::Json => "json",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml",
            Format::Rss => "application/rss+xml",
            Format::Json => "application/feed+json",
        }
    }

    /// The `Content-Type` it is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }

    pub fn of_extension(extension: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.extension() == extension)
    }

    /// Where the feed `slug` is served in this format.
    pub fn url(self, base: &Url, slug: &str) -> Url {
        base.join(&format!("feeds/{slug}.{}", self.extension()))
            .expect("a slug is a valid path segment")
    }

    fn write(self, channel: &Channel, posts: &[Post]) -> Vec<u8> {
        match self {
            Format::Atom => atom::write(channel, posts),
            Format::Rss => rss::write(channel, posts),
            Format::Json => json_feed::write(channel, posts),
        }
    }
}

/// One format of a document, ready to serve.
#[derive(Debug)]
pub struct Body {
    /// Shared, not copied, by every response that sends it.
    pub bytes: Bytes,
    /// `bytes`, gzip-compressed once here rather than on every request.
    pub gzip: Bytes,
    /// Strong validator of `bytes` (the gzip variant appends `-gz`).
    pub etag: String,
}

impl Body {
    fn of(bytes: Vec<u8>) -> Body {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder
            .write_all(&bytes)
            .expect("writing to memory does not fail");
        let gzip = encoder.finish().expect("writing to memory does not fail");
        Body {
            etag: format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&bytes)),
            bytes: Bytes::from(bytes),
            gzip: Bytes::from(gzip),
        }
    }
}

/// One rendered feed in every format.
#[derive(Debug)]
pub struct Document {
    pub slug: String,
    bodies: [Body; 3],
    pub updated: DateTime<Utc>,
    /// Items stored for this feed (the document holds at most `entries` of them).
    pub stored: usize,
    /// The entries, as the HTML pages show them.
    pub posts: Vec<Post>,
}

impl Document {
    fn new(channel: &Channel, posts: &[Post], updated: DateTime<Utc>, stored: usize) -> Document {
        Document {
            slug: channel.slug.clone(),
            bodies: Format::ALL.map(|format| Body::of(format.write(channel, posts))),
            updated,
            stored,
            posts: posts.to_vec(),
        }
    }

    pub fn body(&self, format: Format) -> &Body {
        &self.bodies[Format::ALL
            .iter()
            .position(|f| *f == format)
            .expect("every format is rendered")]
    }
}

/// Bytes of rendered documents the catalog keeps. A feed asked for is rendered and kept;
/// when the documents kept outgrow this, the least used go and are rendered again when
/// next asked for (a render reads the feed's newest `entries` items: milliseconds). Every
/// document kept would hold a thousand-source daemon's memory at hundreds of megabytes.
const KEPT_BYTES: u64 = 16 << 20;

#[derive(Clone)]
struct DocumentWeight;

impl quick_cache::Weighter<String, Arc<Document>> for DocumentWeight {
    fn weight(&self, _: &String, document: &Arc<Document>) -> u64 {
        let bodies: usize = document
            .bodies
            .iter()
            .map(|b| b.bytes.len() + b.gzip.len())
            .sum();
        let posts: usize = document
            .posts
            .iter()
            .map(|p| {
                p.content.as_ref().map_or(0, String::len)
                    + p.summary.as_ref().map_or(0, String::len)
                    + 512
            })
            .sum();
        (bodies + posts) as u64
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
        }
    }
}

impl Catalog {
    /// A catalog with every feed rendered (as many kept as fit) and the health feed.
    pub async fn build(ctx: &Context) -> Result<Catalog, StoreError> {
        let catalog = Catalog::default();
        catalog.refresh(ctx).await?;
        Ok(catalog)
    }

    /// Renders every feed again, keeping what fits, and the health feed (at start, after
    /// a reload or a prune: feeds may have changed their definition or lost items).
    /// Documents of feeds no longer configured go.
    pub async fn refresh(&self, ctx: &Context) -> Result<(), StoreError> {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.documents.clear();
        for feed in &ctx.settings.feeds {
            let generation = self.generation.load(Ordering::SeqCst);
            let document = render_blocking(ctx, &feed.slug).await?;
            self.keep(Arc::new(document), generation);
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
        if self.documents.peek(slug).is_none() {
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
        if ctx.settings.feed(slug).is_none() {
            return Ok(None);
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let document = Arc::new(render_blocking(ctx, slug).await?);
        self.keep(document.clone(), generation);
        Ok(Some(document))
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
        let generation = self.generation.load(Ordering::SeqCst);
        let document = Arc::new(render(&ctx.settings, def, &ctx.store)?);
        self.keep(document.clone(), generation);
        Ok(Some(document))
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
        render(&settings, feed, &store)
    })
    .await
    .expect("rendering does not panic")
}

/// Why feeds could not be written out.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// Writes every feed, and the health feed, as `<dir>/<slug>.atom`, `.rss` and `.json`.
pub fn write_files(settings: &Settings, store: &Store, dir: &Path) -> Result<usize, PublishError> {
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PublishError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(failed(dir))?;
    let documents = settings
        .feeds
        .iter()
        .map(|feed| render(settings, feed, store))
        .chain([health::render(settings, store)]);
    let mut written = 0;
    for document in documents {
        let document = document?;
        for format in Format::ALL {
            let name = format!("{}.{}", document.slug, format.extension());
            let path = dir.join(&name);
            let temp = dir.join(format!(".{name}.tmp"));
            // Write beside, then rename: a reader of the directory never sees half a feed.
            std::fs::write(&temp, &document.body(format).bytes)
                .and_then(|()| std::fs::rename(&temp, &path))
                .map_err(failed(&path))?;
        }
        written += 1;
    }
    Ok(written)
}

/// Whether a feed's filters let an item of it through: the feed's `[filter]`, and the
/// filter of at least one of its sources that carried the item, each over the item as
/// that source published it.
fn shows(def: &FeedDef, item: &StoredItem) -> bool {
    let own = as_published_in(item.clone(), &def.slug);
    let text = text_of(&own);
    if !def.filter.keeps(&own.title, &text) {
        return false;
    }
    let mut carriers = item
        .places
        .iter()
        .filter(|place| place.feed == def.slug)
        .filter_map(|place| def.sources.iter().find(|s| s.name == place.source))
        .peekable();
    // An item stored before places named their feed: the feed's filter alone decides.
    carriers.peek().is_none() || carriers.any(|source| source.filter.keeps(&own.title, &text))
}

/// An item's text as filters read it: plain, from its content or else its summary.
fn text_of(item: &StoredItem) -> String {
    let html = item.content.as_deref().or(item.summary.as_deref());
    html.map(crate::normalize::plain_text).unwrap_or_default()
}

/// Renders one feed's documents from the store.
pub fn render(settings: &Settings, def: &FeedDef, store: &Store) -> Result<Document, StoreError> {
    // Counted once: a count reads the feed's whole time index.
    let total = match def.select {
        None => store.feed_len(&def.slug),
        Some(_) => 0,
    };
    let pages = archive_pages(def, total);
    let items = match &def.select {
        None if has_archives(def) => {
            // Every item not in an archive page: the newest `entries` or more.
            let shown = total - pages * def.entries;
            store
                .feed_items(&def.slug, shown)?
                .into_iter()
                .map(|item| as_published_in(item, &def.slug))
                .collect()
        }
        None => store
            .items_of_feeds(&[&def.slug], def.entries, |item| shows(def, item))?
            .into_iter()
            .map(|item| as_published_in(item, &def.slug))
            .collect(),
        Some(select) => store.items_of_feeds(&settings.selected(def), def.entries, |item| {
            select.keeps(&item.title, &text_of(item))
        })?,
    };
    let tz = settings.timezone;
    let updated_ms = items
        .iter()
        .map(|item| item.updated)
        .max()
        .unwrap_or(store.created()?);
    let updated = Utc
        .timestamp_millis_opt(updated_ms)
        .single()
        .unwrap_or_default();
    let channel = Channel {
        slug: def.slug.clone(),
        title: def.title.clone(),
        description: def.description.clone(),
        home: settings.base_url.clone(),
        updated: local_time(updated_ms, tz),
        history: History {
            archive: None,
            prev: pages.checked_sub(1),
        },
    };
    let posts = posts_of(settings, def, store, &items)?;
    let stored = if def.select.is_some() {
        items.len()
    } else {
        total
    };
    Ok(Document::new(&channel, &posts, updated, stored))
}

/// Whether a feed has archive pages: a feed of its own sources, all of whose items it
/// shows (topic feeds and filtered feeds show only their newest `entries`).
fn has_archives(def: &FeedDef) -> bool {
    def.select.is_none() && def.filter.is_empty() && def.sources.iter().all(|s| s.filter.is_empty())
}

/// How many archive pages a feed has: full pages of `entries` items, oldest first, all
/// but the newest full page (so the subscription document always holds at least
/// `entries` items, and at most twice as many less one).
fn archive_pages(def: &FeedDef, total: usize) -> usize {
    if !has_archives(def) || total < 2 * def.entries {
        return 0;
    }
    total / def.entries - 1
}

/// Archive page `n` of a feed (RFC 5005): its items never change once it exists, so
/// neither do its bytes. `None` when there is no such page.
pub fn archive(
    settings: &Settings,
    def: &FeedDef,
    store: &Store,
    n: usize,
) -> Result<Option<Body>, StoreError> {
    let pages = archive_pages(def, store.feed_len(&def.slug));
    if n >= pages {
        return Ok(None);
    }
    let mut items = store.feed_range(&def.slug, n * def.entries, def.entries)?;
    items.reverse();
    let items: Vec<StoredItem> = items
        .into_iter()
        .map(|item| as_published_in(item, &def.slug))
        .collect();
    let updated_ms = items.iter().map(|item| item.updated).max().unwrap_or(0);
    let channel = Channel {
        slug: def.slug.clone(),
        title: def.title.clone(),
        description: def.description.clone(),
        home: settings.base_url.clone(),
        updated: local_time(updated_ms, settings.timezone),
        history: History {
            archive: Some(n),
            prev: n.checked_sub(1),
        },
    };
    let posts = posts_of(settings, def, store, &items)?;
    Ok(Some(Body::of(atom::write(&channel, &posts))))
}

/// Items as a feed's documents show them: converted, images made loadable.
fn posts_of(
    settings: &Settings,
    def: &FeedDef,
    store: &Store,
    items: &[StoredItem],
) -> Result<Vec<Post>, StoreError> {
    let tz = settings.timezone;
    let mut posts: Vec<Post> = items.iter().map(|item| Post::of(item, tz)).collect();
    for (post, item) in posts.iter_mut().zip(items) {
        let identity = item
            .link
            .as_deref()
            .and_then(|link| url::Url::parse(link).ok())
            .map(|url| crate::normalize::url_identity(&url));
        if let Some(identity) = identity {
            post.enclosure = store.enclosure(&identity)?;
        }
    }
    if let Some(conversion) = def.convert {
        script::convert(&mut posts, conversion);
    }
    let signer = match settings.images.proxy {
        true => Some(crate::image_proxy::Signer::new(store.image_key()?)),
        false => None,
    };
    let proxy = signer.as_ref().map(|s| (s, &settings.base_url));
    for post in &mut posts {
        for html in [&mut post.summary, &mut post.content].into_iter().flatten() {
            *html = images::for_readers(html, proxy);
        }
    }
    Ok(posts)
}

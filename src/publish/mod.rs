//! Every feed as Atom (RFC 4287), RSS 2.0 and JSON Feed 1.1: a feed's items read from the
//! store and rendered into a document (archive pages too), kept in the catalog.
//!
//! A document depends only on what is stored, never on the clock: `updated` is the newest
//! entry's `updated`, so rebuilding an unchanged feed gives the same bytes and ETags.

mod atom;
mod catalog;
mod copies;
mod document;
mod files;
mod health;
mod images;
mod json_feed;
mod post;
mod rss;
mod script;

use chrono::{TimeZone, Utc};

use crate::config::{FeedDef, Settings};
use crate::store::{Store, StoreError, StoredItem};

pub use catalog::Catalog;
pub use document::{Body, Document, Format, Prepared};
pub use files::{PublishError, write_files};
use post::{Channel, History, as_published_in, local_time};
pub use post::{Post, xml_text};

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
    Ok(prepare(settings, def, store)?.render())
}

/// Reads one feed's channel and entries from the store.
pub fn prepare(settings: &Settings, def: &FeedDef, store: &Store) -> Result<Prepared, StoreError> {
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
    Ok(Prepared {
        channel,
        posts,
        updated,
        stored,
    })
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

/// Settings of a config in `dir` with one feed, `slug`, of one feed source: for tests.
#[cfg(test)]
fn test_settings(dir: &std::path::Path, slug: &str) -> Settings {
    std::fs::create_dir_all(dir.join("feeds")).unwrap();
    std::fs::write(dir.join("paperboy.toml"), "feeds_dir = \"feeds\"\n").unwrap();
    std::fs::write(
        dir.join(format!("feeds/{slug}.toml")),
        "title = \"t\"\n[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"https://example.com/rss\"\n",
    )
    .unwrap();
    crate::config::load(&dir.join("paperboy.toml")).unwrap()
}

//! Atom documents per feed (RFC 4287), and the catalog of current documents.
//!
//! A document depends only on what is stored, never on the clock: `updated` is the newest
//! entry's `updated`, so rebuilding an unchanged feed gives the same bytes and ETag.

mod health;

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, RwLock};

use atom_syndication::{Category, Content, Entry, Feed, Generator, Link, Person, Text};
use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use chrono_tz::Tz;

use crate::config::{FeedDef, HEALTH_FEED, Settings};
use crate::pipeline::Context;
use crate::store::{Store, StoreError, StoredItem};

/// One rendered feed, ready to serve.
#[derive(Debug)]
pub struct Document {
    pub slug: String,
    pub xml: Vec<u8>,
    /// `xml`, gzip-compressed once here rather than on every request.
    pub gzip: Vec<u8>,
    /// Strong validator of `xml` (the gzip variant appends `-gz`).
    pub etag: String,
    pub updated: DateTime<Utc>,
    /// Items stored for this feed (the document holds at most `entries` of them).
    pub stored: usize,
}

/// The current document of every feed, shared by the scheduler and the server.
#[derive(Clone, Default)]
pub struct Catalog {
    documents: Arc<RwLock<HashMap<String, Arc<Document>>>>,
}

impl Catalog {
    /// Renders every feed and the health feed.
    pub async fn build(ctx: &Context) -> Result<Catalog, StoreError> {
        let catalog = Catalog::default();
        catalog.refresh(ctx).await?;
        Ok(catalog)
    }

    /// Renders every feed of `ctx`'s settings and the health feed again, and drops the
    /// documents of feeds no longer configured (after a reload).
    pub async fn refresh(&self, ctx: &Context) -> Result<(), StoreError> {
        for feed in &ctx.settings.feeds {
            let document = render_blocking(ctx, &feed.slug).await?;
            self.insert(document);
        }
        self.rebuild_health(ctx).await;
        let settings = ctx.settings.clone();
        self.documents
            .write()
            .expect("catalog lock")
            .retain(|slug, _| slug == HEALTH_FEED || settings.feed(slug).is_some());
        Ok(())
    }

    /// Renders the health feed again. A failure keeps the old document.
    pub async fn rebuild_health(&self, ctx: &Context) {
        let (settings, store) = (ctx.settings.clone(), ctx.store.clone());
        match crate::blocking::run(move || health::render(&settings, &store)).await {
            Ok(Ok(document)) => self.insert(document),
            Ok(Err(err)) => tracing::error!(error = %err, "cannot render the health feed"),
            Err(err) => tracing::error!(error = %err, "cannot render the health feed"),
        }
    }

    /// Renders a feed whose items changed again, with the topic feeds that gather from it.
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

    /// Renders one feed again. A failure keeps the old document.
    pub async fn rebuild(&self, ctx: &Context, slug: &str) {
        match render_blocking(ctx, slug).await {
            Ok(document) => self.insert(document),
            Err(err) => tracing::error!(feed = slug, error = %err, "cannot render feed"),
        }
    }

    pub fn get(&self, slug: &str) -> Option<Arc<Document>> {
        self.documents
            .read()
            .expect("catalog lock")
            .get(slug)
            .cloned()
    }

    fn insert(&self, document: Document) {
        let mut documents = self.documents.write().expect("catalog lock");
        documents.insert(document.slug.clone(), Arc::new(document));
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

/// Writes every feed, and the health feed, as `<dir>/<slug>.atom`.
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
        let path = dir.join(format!("{}.atom", document.slug));
        let temp = dir.join(format!(".{}.atom.tmp", document.slug));
        // Write beside, then rename: a reader of the directory never sees half a feed.
        std::fs::write(&temp, &document.xml)
            .and_then(|()| std::fs::rename(&temp, &path))
            .map_err(failed(&path))?;
        written += 1;
    }
    Ok(written)
}

/// Renders one feed's Atom document from the store.
pub fn render(settings: &Settings, def: &FeedDef, store: &Store) -> Result<Document, StoreError> {
    let items = match &def.select {
        None => store
            .feed_items(&def.slug, def.entries)?
            .into_iter()
            .map(|item| as_published_in(item, &def.slug))
            .collect(),
        Some(select) => store.items_of_feeds(&settings.selected(def), def.entries, |item| {
            let text = item
                .content
                .as_deref()
                .or(item.summary.as_deref())
                .map(crate::normalize::plain_text);
            select.keeps(&item.title, text.as_deref().unwrap_or(""))
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
    let self_url = settings.feed_url(&def.slug);

    let mut feed = Feed::default();
    feed.set_id(self_url.as_str());
    feed.set_title(Text::plain(xml_text(&def.title)));
    if let Some(description) = &def.description {
        feed.set_subtitle(Some(Text::plain(xml_text(description))));
    }
    feed.set_updated(updated.with_timezone(&tz).fixed_offset());
    feed.set_authors(vec![person(&def.title)]);
    feed.set_links(vec![
        link(
            self_url.as_str(),
            "self",
            Some("application/atom+xml"),
            None,
        ),
        link(
            settings.base_url.as_str(),
            "alternate",
            Some("text/html"),
            None,
        ),
    ]);
    let mut generator = Generator::default();
    generator.set_value("paperboy");
    generator.set_version(Some(env!("CARGO_PKG_VERSION").to_string()));
    feed.set_generator(Some(generator));
    feed.set_lang(Some("zh-CN".to_string()));
    let items_len = items.len();
    feed.set_entries(items.iter().map(|item| entry(item, tz)).collect::<Vec<_>>());

    let stored = if def.select.is_some() {
        items_len
    } else {
        store.feed_len(&def.slug)
    };
    Ok(document(&def.slug, &feed, updated, stored))
}

/// A feed ready to serve: its bytes, gzipped once, and their validator.
fn document(slug: &str, feed: &Feed, updated: DateTime<Utc>, stored: usize) -> Document {
    let xml = feed
        .write_to(Vec::new())
        .expect("writing to memory does not fail");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(&xml)
        .expect("writing to memory does not fail");
    let gzip = encoder.finish().expect("writing to memory does not fail");
    Document {
        slug: slug.to_string(),
        etag: format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&xml)),
        xml,
        gzip,
        updated,
        stored,
    }
}

/// The item as the outlet of `feed` published it: a source's feed shows its own place's
/// headline, link and text under the shared Atom id; without a version of its own (a
/// source that only listed a stored article) it shows the primary place's.
fn as_published_in(mut item: StoredItem, feed: &str) -> StoredItem {
    let own = item
        .places
        .iter()
        .filter(|place| place.feed == feed)
        .find_map(|place| place.version.as_ref());
    if let Some(version) = own.cloned() {
        item.title = version.title;
        item.link = version.link.or(item.link);
        item.summary = version.summary;
        item.content = version.content;
        item.author = version.author;
        item.outlet = version.outlet;
        item.published = version.published.or(item.published);
        item.categories = version.categories;
    }
    item
}

fn entry(item: &StoredItem, tz: Tz) -> Entry {
    let mut entry = Entry::default();
    entry.set_id(item.key.atom_id());
    entry.set_title(Text::plain(xml_text(&item.title)));
    entry.set_updated(local_time(item.updated, tz));
    let published = match item.published {
        Some((millis, offset)) => FixedOffset::east_opt(offset)
            .and_then(|zone| zone.timestamp_millis_opt(millis).single())
            .unwrap_or_else(|| local_time(millis, tz)),
        None => local_time(item.first_seen, tz),
    };
    entry.set_published(Some(published));
    if let Some(name) = item.author.as_ref().or(item.outlet.as_ref()) {
        entry.set_authors(vec![person(name)]);
    }
    let mut links = Vec::new();
    if let Some(href) = &item.link {
        links.push(link(href, "alternate", Some("text/html"), None));
    }
    for place in &item.places {
        let Some(url) = &place.url else { continue };
        if Some(url) != item.link.as_ref() && !links.iter().any(|l: &Link| &l.href == url) {
            let title = place.outlet.as_deref().unwrap_or(&place.source);
            links.push(link(url, "related", Some("text/html"), Some(title)));
        }
    }
    entry.set_links(links);
    if let Some(summary) = &item.summary {
        entry.set_summary(Some(Text::html(xml_text(summary))));
    }
    if let Some(html) = &item.content {
        let mut content = Content::default();
        content.set_content_type(Some("html".to_string()));
        content.set_value(Some(xml_text(html)));
        entry.set_content(Some(content));
    }
    entry.set_categories(
        item.categories
            .iter()
            .map(|term| {
                let mut category = Category::default();
                category.set_term(xml_text(term));
                category
            })
            .collect::<Vec<_>>(),
    );
    entry
}

fn local_time(millis: i64, tz: Tz) -> DateTime<FixedOffset> {
    tz.timestamp_millis_opt(millis)
        .single()
        .map_or_else(Default::default, |t| t.fixed_offset())
}

fn person(name: &str) -> Person {
    let mut person = Person::default();
    person.set_name(xml_text(name));
    person
}

fn link(href: &str, rel: &str, mime: Option<&str>, title: Option<&str>) -> Link {
    let mut link = Link::default();
    link.set_href(xml_text(href));
    link.set_rel(rel);
    link.set_mime_type(mime.map(str::to_string));
    link.set_title(title.map(xml_text));
    link
}

/// atom_syndication writes control characters raw, which makes the document invalid
/// XML: drop every character XML 1.0 does not allow (§2.2).
pub fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_xml() {
        assert_eq!(xml_text("a\u{0}b\u{1b}c\u{FFFE}\n"), "abc\n");
    }
}

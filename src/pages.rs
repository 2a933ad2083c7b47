//! The HTML pages people open: the index of every feed (health, newest headlines,
//! subscribe links) and a page per feed that shows its entries as a reader would.
//! Rendered with askama templates (`templates/`), styles inline: no external assets.

use askama::Template;

use crate::config::{FeedDef, HEALTH_FEED, Settings};
use crate::model::health::CONFIG_SUBJECT;
use crate::pipeline::Context;
use crate::publish::{Catalog, Format};
use crate::store::StoreError;

/// Headlines shown per feed on the index page.
const NEWEST: usize = 5;

struct Subscribe {
    label: &'static str,
    mime: &'static str,
    url: String,
}

struct Failing {
    source: String,
    since: String,
    kind: &'static str,
    error: String,
}

struct Problem {
    since: String,
    error: String,
}

struct FeedCard {
    slug: String,
    title: String,
    description: Option<String>,
    count: usize,
    updated: String,
    failing: Vec<Failing>,
    newest: Vec<(String, Option<String>)>,
    links: Vec<Subscribe>,
    atom_url: String,
    page_url: String,
}

#[derive(Template)]
#[template(path = "index.html")]
struct Index {
    feeds: Vec<FeedCard>,
    config_problem: Option<Problem>,
    opml_url: String,
    health_url: String,
}

struct EntryView {
    title: String,
    link: Option<String>,
    time: String,
    datetime: String,
    byline: Option<String>,
    content: String,
    related: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "feed.html")]
struct FeedPage {
    title: String,
    description: Option<String>,
    home: String,
    links: Vec<Subscribe>,
    entries: Vec<EntryView>,
}

fn links(settings: &Settings, slug: &str) -> Vec<Subscribe> {
    Format::ALL
        .into_iter()
        .map(|format| Subscribe {
            label: match format {
                Format::Atom => "Atom",
                Format::Rss => "RSS",
                Format::Json => "JSON Feed",
            },
            mime: format.mime(),
            url: format.url(&settings.base_url, slug).to_string(),
        })
        .collect()
}

fn local(settings: &Settings, millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| {
            t.with_timezone(&settings.timezone)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// The index page.
pub fn index(ctx: &Context, catalog: &Catalog) -> String {
    let settings = &ctx.settings;
    let feeds = settings
        .feeds
        .iter()
        .map(|def| card(ctx, catalog, def))
        .collect();
    let config = ctx.store.standing(CONFIG_SUBJECT).unwrap_or_default();
    let page = Index {
        feeds,
        config_problem: config.failing_since.map(|since| Problem {
            since: local(settings, since),
            error: config.error.unwrap_or_default(),
        }),
        opml_url: settings
            .base_url
            .join("opml")
            .map(|u| u.to_string())
            .unwrap_or_default(),
        health_url: Format::Atom
            .url(&settings.base_url, HEALTH_FEED)
            .to_string(),
    };
    page.render()
        .unwrap_or_else(|err| format!("cannot render the index page: {err}"))
}

fn card(ctx: &Context, catalog: &Catalog, def: &FeedDef) -> FeedCard {
    let settings = &ctx.settings;
    let document = catalog
        .get_blocking(ctx, &def.slug)
        .inspect_err(|err| tracing::error!(feed = def.slug, error = %err, "cannot render feed"))
        .ok()
        .flatten();
    let failing = def
        .sources
        .iter()
        .filter_map(|source| {
            let standing = ctx.store.standing(&source.name).ok()?;
            let since = standing.failing_since?;
            Some(Failing {
                source: source.name.clone(),
                since: local(settings, since),
                kind: standing.kind.map_or("error", |k| k.label()),
                error: standing.error.unwrap_or_default(),
            })
        })
        .collect();
    FeedCard {
        slug: def.slug.clone(),
        title: def.title.clone(),
        description: def.description.clone(),
        count: document.as_ref().map_or(0, |d| d.stored),
        updated: document
            .as_ref()
            .map(|d| local(settings, d.updated.timestamp_millis()))
            .unwrap_or_default(),
        failing,
        newest: document
            .as_ref()
            .map(|d| {
                d.posts
                    .iter()
                    .take(NEWEST)
                    .map(|p| (p.title.clone(), p.link.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        links: links(settings, &def.slug),
        atom_url: Format::Atom.url(&settings.base_url, &def.slug).to_string(),
        page_url: settings
            .base_url
            .join(&format!("feeds/{}", def.slug))
            .map(|u| u.to_string())
            .unwrap_or_default(),
    }
}

/// The page of one feed, or `None` when there is no such feed.
pub fn feed(ctx: &Context, catalog: &Catalog, slug: &str) -> Result<Option<String>, StoreError> {
    let settings = &ctx.settings;
    let Some(def) = settings.feed(slug) else {
        return Ok(None);
    };
    let Some(document) = catalog.get_blocking(ctx, slug)? else {
        return Ok(None);
    };
    let entries = document
        .posts
        .iter()
        .map(|post| EntryView {
            title: post.title.clone(),
            link: post.link.clone(),
            time: post.published.format("%Y-%m-%d %H:%M").to_string(),
            datetime: post.published.to_rfc3339(),
            byline: post.author.clone(),
            content: post
                .content
                .clone()
                .or(post.summary.clone())
                .unwrap_or_default(),
            related: post.related.clone(),
        })
        .collect();
    let page = FeedPage {
        title: def.title.clone(),
        description: def.description.clone(),
        home: settings.base_url.to_string(),
        links: links(settings, slug),
        entries,
    };
    Ok(Some(page.render().unwrap_or_else(|err| {
        format!("cannot render the page: {err}")
    })))
}

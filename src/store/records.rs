//! What the store keeps: items with the places they appeared, and per-source state.
//!
//! Records are postcard-encoded; postcard is not self-describing, so any change to these
//! structs must bump `SCHEMA_VERSION` in the parent module.

use serde::{Deserialize, Serialize};

use crate::model::{ItemKey, NewItem, Validators};

/// One article as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredItem {
    pub key: ItemKey,
    pub title: String,
    /// The article's address (clean: no fragment, no tracking parameters).
    pub link: Option<String>,
    /// Sanitized HTML.
    pub summary: Option<String>,
    /// Sanitized HTML.
    pub content: Option<String>,
    /// Byline: the reporters' names.
    pub author: Option<String>,
    /// Outlet (来源) named by the article.
    pub outlet: Option<String>,
    /// The article's own time: UTC milliseconds and the offset it was given in.
    pub published: Option<(i64, i32)>,
    /// When paperboy first stored it (UTC milliseconds).
    pub first_seen: i64,
    /// When it was stored or its content last truly changed (UTC milliseconds).
    pub updated: i64,
    /// The source of the primary place: the title, link, content and time above are
    /// that place's version.
    pub owner: String,
    /// Every source that carried it, the primary place first (earliest published, then
    /// config order).
    pub places: Vec<Place>,
    /// Every feed it belongs to (the feeds of its places' sources).
    pub feeds: Vec<String>,
    pub categories: Vec<String>,
    /// Hash of what a reader sees; an unchanged hash means an unchanged item.
    pub fingerprint: u64,
}

/// Where an item appeared, and what that outlet published there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub source: String,
    /// The feed the source belonged to when it stored this place.
    pub feed: String,
    /// The source's position in the config, for ties between equally early places.
    pub rank: u32,
    /// The identity it was stored under: the item's key when this is the primary place.
    pub identity: String,
    pub url: Option<String>,
    pub outlet: Option<String>,
    /// When this place was merged in as a near-duplicate: how similar its text was.
    pub similarity: Option<f32>,
    /// What this outlet published (its headline, link, text); `None` for a source that
    /// only listed an article stored already.
    pub version: Option<Version>,
}

/// One outlet's version of an article: what its own feed shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    pub title: String,
    pub link: Option<String>,
    pub summary: Option<String>,
    pub content: Option<String>,
    pub author: Option<String>,
    pub outlet: Option<String>,
    pub published: Option<(i64, i32)>,
    pub categories: Vec<String>,
    pub fingerprint: u64,
}

impl Version {
    pub fn of(new: &NewItem) -> Version {
        Version {
            title: new.title.clone(),
            link: new.link.clone(),
            summary: new.summary.clone(),
            content: new.content.clone(),
            author: new.author.clone(),
            outlet: new.outlet.clone(),
            published: new.published,
            categories: new.categories.clone(),
            fingerprint: new.fingerprint(),
        }
    }
}

impl Place {
    /// Which place is primary: the earliest published (an undated one last), then the
    /// first in config order. Places that published no version of their own come after.
    pub fn precedence(&self) -> (bool, i64, u32, &str) {
        let published = self
            .version
            .as_ref()
            .and_then(|v| v.published)
            .map_or(i64::MAX, |(millis, _)| millis);
        (self.version.is_none(), published, self.rank, &self.source)
    }
}

/// How an item is kept on disk (schema 4): the item with the versions of its places that
/// are its own main fields (the primary place's, nearly always) left out and named by
/// position, so an article's text is written once, not twice.
#[derive(Serialize, Deserialize)]
struct ItemRecord {
    item: StoredItem,
    /// Places whose version is the item's main fields.
    shown: Vec<u32>,
}

/// The version the item's main fields make.
fn shown_version(item: &StoredItem) -> Version {
    Version {
        title: item.title.clone(),
        link: item.link.clone(),
        summary: item.summary.clone(),
        content: item.content.clone(),
        author: item.author.clone(),
        outlet: item.outlet.clone(),
        published: item.published,
        categories: item.categories.clone(),
        fingerprint: item.fingerprint,
    }
}

/// Whether `version` is exactly the item's main fields.
fn is_shown(item: &StoredItem, version: &Version) -> bool {
    version.fingerprint == item.fingerprint
        && version.title == item.title
        && version.link == item.link
        && version.summary == item.summary
        && version.content == item.content
        && version.author == item.author
        && version.outlet == item.outlet
        && version.published == item.published
        && version.categories == item.categories
}

impl StoredItem {
    /// The item's bytes on disk.
    pub(super) fn to_record(&self) -> Vec<u8> {
        let mut item = self.clone();
        let mut shown = Vec::new();
        for (at, place) in item.places.iter_mut().enumerate() {
            if place.version.as_ref().is_some_and(|v| is_shown(self, v)) {
                place.version = None;
                shown.push(at as u32);
            }
        }
        postcard::to_allocvec(&ItemRecord { item, shown }).expect("records always serialize")
    }

    /// An item from its bytes on disk.
    pub(super) fn from_record(bytes: &[u8]) -> Result<StoredItem, postcard::Error> {
        let ItemRecord { mut item, shown } = postcard::from_bytes(bytes)?;
        for at in shown {
            let version = shown_version(&item);
            if let Some(place) = item.places.get_mut(at as usize) {
                place.version = Some(version);
            }
        }
        Ok(item)
    }
}

/// Where a write comes from: a source, its feed and its rank in the config.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub feed: &'a str,
    pub source: &'a str,
    pub rank: u32,
}

impl StoredItem {
    /// Position in a feed's time index: the article's time, but never later than when it
    /// was first seen, so a wrong future date cannot pin an item to the top.
    pub fn sort_time(&self) -> i64 {
        self.published
            .map_or(self.first_seen, |(time, _)| time.min(self.first_seen))
    }
}

/// What the scheduler and the fetcher remember about a source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceState {
    /// Config hash the validators belong to.
    pub config_hash: u64,
    pub validators: Validators,
    pub last_success: Option<i64>,
    pub last_failure: Option<i64>,
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    /// When the scheduler means to run it next (UTC milliseconds).
    pub next_run: Option<i64>,
}

/// How storing one item went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Upserted {
    /// A near-duplicate of a stored item (another outlet's reprint): it joined that item.
    Merged {
        into: ItemKey,
        similarity: f32,
    },
    /// New to this source (a new item, or one another source stored first).
    New,
    /// The owning source changed its title or content.
    Updated,
    Unchanged,
    /// Pruned by retention: not stored again while sources still list it.
    Pruned,
}

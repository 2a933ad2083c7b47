//! An item's places and which one is primary: every outlet's place keeps its own
//! version, and the primary place — the earliest published, then the first in config
//! order — gives the item its key, Atom id and main fields, whatever order the places
//! arrive in. An item whose primary place changes moves to that place's key and leaves an
//! alias behind, so every index that pointed at it still finds it.

use super::keys::feed_entry;
use super::records::{Origin, Version};
use super::tx::{Tx, TxResult};
use super::{NewItem, Place, StoredItem, encode};
use crate::model::ItemKey;

impl Tx<'_> {
    /// Orders the places, takes the primary place's version as the item's, moves the item
    /// to the primary's key when that changed (leaving an alias behind), keeps the feed
    /// index in step, and writes it. Returns the item's key.
    pub(super) fn settle(
        &self,
        mut item: StoredItem,
        before: &StoredItem,
        now: i64,
        source: &str,
        new: &NewItem,
    ) -> TxResult<ItemKey> {
        item.places
            .sort_by(|a, b| a.precedence().cmp(&b.precedence()));
        let primary = item.places[0].clone();
        if let Some(version) = &primary.version {
            if version.fingerprint != item.fingerprint {
                item.updated = now;
            }
            item.owner = primary.source.clone();
            item.title = version.title.clone();
            item.link = version.link.clone().or(item.link.take());
            item.summary = version.summary.clone();
            item.content = version.content.clone();
            item.author = version.author.clone();
            item.outlet = version.outlet.clone();
            if version.published.is_some() {
                item.published = version.published;
            }
            item.categories = version.categories.clone();
            item.fingerprint = version.fingerprint;
        }
        let old_key = before.key;
        let wanted = ItemKey::for_identity(&primary.identity);
        if primary.version.is_some() && wanted != item.key && self.items.get(wanted.0)?.is_none() {
            item.key = wanted;
            self.items.remove(&old_key.0)?;
            self.aliases.insert(&old_key.0, &wanted.0)?;
        }
        if item.key != old_key || item.sort_time() != before.sort_time() {
            for slug in &before.feeds {
                self.feed_time
                    .remove(feed_entry(slug, before.sort_time(), &old_key))?;
            }
        }
        for slug in &item.feeds {
            self.feed_time
                .insert(feed_entry(slug, item.sort_time(), &item.key), &[])?;
        }
        self.index(&item, source, new)?;
        self.items.insert(&item.key.0, encode(&item))?;
        Ok(item.key)
    }
}

/// The place of `source` that an item with `identity` updates: the one stored under that
/// identity, else the source's place (found again by its guid under a new link, or
/// attached without a version).
pub(super) fn own_place(item: &StoredItem, source: &str, identity: &str) -> Option<usize> {
    item.places
        .iter()
        .position(|p| p.source == source && p.identity == identity)
        .or_else(|| item.places.iter().position(|p| p.source == source))
}

pub(super) fn place(origin: &Origin<'_>, new: &NewItem, version: Option<Version>) -> Place {
    Place {
        source: origin.source.to_string(),
        feed: origin.feed.to_string(),
        rank: origin.rank,
        identity: new.primary_identity(origin.source),
        url: new.link.clone(),
        outlet: new.outlet.clone(),
        similarity: None,
        version,
    }
}

pub(super) fn create(key: ItemKey, origin: &Origin<'_>, new: &NewItem, now: i64) -> StoredItem {
    StoredItem {
        key,
        title: new.title.clone(),
        link: new.link.clone(),
        summary: new.summary.clone(),
        content: new.content.clone(),
        author: new.author.clone(),
        outlet: new.outlet.clone(),
        published: new.published,
        first_seen: now,
        updated: now,
        owner: origin.source.to_string(),
        places: vec![place(origin, new, Some(Version::of(new)))],
        feeds: vec![origin.feed.to_string()],
        categories: new.categories.clone(),
        fingerprint: new.fingerprint(),
    }
}

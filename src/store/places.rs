//! An item's places and which one is primary: every outlet's place keeps its own
//! version, and the primary place — the earliest published, then the first in config
//! order — gives the item its key, Atom id and main fields, whatever order the places
//! arrive in. An item whose primary place changes moves to that place's key and leaves an
//! alias behind, so every index that pointed at it still finds it.

use super::records::{Origin, Version};
use super::tx::{Tx, TxResult};
use super::{NewItem, Place, StoredItem};
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
            show(&mut item, version);
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
                self.leave_feed(slug, before.sort_time(), &old_key)?;
            }
        }
        for slug in &item.feeds {
            self.enter_feed(slug, item.sort_time(), &item.key)?;
        }
        self.index(&item, source, new)?;
        self.items.insert(&item.key.0, item.to_record())?;
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

/// The item's main fields from its primary place's version.
fn show(item: &mut StoredItem, version: &Version) {
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

pub(super) fn create(key: ItemKey, origin: &Origin<'_>, new: &NewItem, now: i64) -> StoredItem {
    let version = Version::of(new);
    let mut item = StoredItem {
        key,
        title: String::new(),
        link: None,
        summary: None,
        content: None,
        author: None,
        outlet: None,
        published: None,
        first_seen: now,
        updated: now,
        owner: origin.source.to_string(),
        places: Vec::new(),
        feeds: vec![origin.feed.to_string()],
        categories: Vec::new(),
        fingerprint: 0,
    };
    show(&mut item, &version);
    item.places.push(place(origin, new, Some(version)));
    item
}

#[cfg(test)]
mod tests {
    use crate::store::{Origin, Store, Upserted, test_article, test_reprint};

    #[test]
    fn the_earliest_place_owns_the_item_and_its_key_whatever_arrives_first() {
        let origin = |feed, source, rank| Origin { feed, source, rank };
        let mut paper = test_article();
        paper.published = Some((1_000, 28_800));
        let mut portal = test_reprint();
        portal.published = Some((9_000, 28_800));

        let mut keys = Vec::new();
        for paper_first in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(dir.path()).unwrap();
            let put = |new, o| store.upsert(&o, new, 50_000).unwrap();
            if paper_first {
                assert_eq!(put(&paper, origin("paper", "dz", 0)), Upserted::New);
                assert!(matches!(
                    put(&portal, origin("portal", "gov", 1)),
                    Upserted::Merged { .. }
                ));
            } else {
                assert_eq!(put(&portal, origin("portal", "gov", 1)), Upserted::New);
                assert!(matches!(
                    put(&paper, origin("paper", "dz", 0)),
                    Upserted::Merged { .. }
                ));
            }
            let stored = store.feed_items("portal", 10).unwrap();
            assert_eq!(stored.len(), 1);
            let stored = &stored[0];
            assert_eq!(stored.owner, "dz");
            assert_eq!(stored.title, "66315件实事擦亮民生底色");
            assert_eq!(stored.places[0].source, "dz", "the primary place first");
            assert_eq!(store.feed_items("paper", 10).unwrap()[0].key, stored.key);
            // Both addresses find it, the moved-away one through its alias.
            for url in ["//paper.example/a1.htm", "//www.gov.example/t1.shtml"] {
                assert_eq!(store.item_for_url(url).unwrap().unwrap().key, stored.key);
            }
            keys.push(stored.key);
        }
        assert_eq!(keys[0], keys[1], "the key follows the primary place");
    }
}

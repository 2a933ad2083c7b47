//! Upgrading a store written by an older paperboy, in place, when it is opened.
//!
//! Schema 2 → 3: places gained their own versions, feed, rank and identity. A schema-2
//! item's own fields become its owner's version; its other places keep none (their feeds
//! show the owner's version, as before). The owner's identity is written as the item's
//! key itself, so no Atom id changes.
//!
//! Stores from before the per-feed counts get them counted from the time index.

use serde::Deserialize;

use super::records::{Place, StoredItem, Version};
use super::{META_SCHEMA, SCHEMA_VERSION, Store, StoreError, TREE_ITEMS, decode, encode};
use crate::normalize::ItemKey;

#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct ItemV2 {
    key: ItemKey,
    title: String,
    link: Option<String>,
    summary: Option<String>,
    content: Option<String>,
    author: Option<String>,
    outlet: Option<String>,
    published: Option<(i64, i32)>,
    first_seen: i64,
    updated: i64,
    owner: String,
    places: Vec<PlaceV2>,
    feeds: Vec<String>,
    categories: Vec<String>,
    fingerprint: u64,
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct PlaceV2 {
    source: String,
    url: Option<String>,
    outlet: Option<String>,
    similarity: Option<f32>,
}

/// Rewrites every item in the schema-3 layout, then the schema version.
pub(super) fn from_v2(store: &Store) -> Result<(), StoreError> {
    for entry in store.items.iter() {
        let (key, bytes) = entry?;
        let old: ItemV2 = decode(TREE_ITEMS, &bytes)?;
        let version = Version {
            title: old.title.clone(),
            link: old.link.clone(),
            summary: old.summary.clone(),
            content: old.content.clone(),
            author: old.author.clone(),
            outlet: old.outlet.clone(),
            published: old.published,
            categories: old.categories.clone(),
            fingerprint: old.fingerprint,
        };
        let places = old
            .places
            .into_iter()
            .map(|p| {
                let owner = p.source == old.owner;
                Place {
                    feed: if owner {
                        old.feeds.first().cloned().unwrap_or_default()
                    } else {
                        String::new()
                    },
                    rank: u32::from(!owner),
                    identity: if owner {
                        ItemKey::identity_of_key(&old.key)
                    } else {
                        String::new()
                    },
                    version: owner.then(|| version.clone()),
                    source: p.source,
                    url: p.url,
                    outlet: p.outlet,
                    similarity: p.similarity,
                }
            })
            .collect();
        let item = StoredItem {
            key: old.key,
            title: old.title,
            link: old.link,
            summary: old.summary,
            content: old.content,
            author: old.author,
            outlet: old.outlet,
            published: old.published,
            first_seen: old.first_seen,
            updated: old.updated,
            owner: old.owner,
            places,
            feeds: old.feeds,
            categories: old.categories,
            fingerprint: old.fingerprint,
        };
        store.items.insert(key, encode(&item))?;
    }
    store
        .meta
        .insert(META_SCHEMA, &SCHEMA_VERSION.to_be_bytes())?;
    store.db.flush()?;
    Ok(())
}

impl Store {
    /// Makes every feed's count from its time index (a store from before the counts).
    pub(super) fn recount_feeds(&self) -> Result<(), StoreError> {
        let mut counts: std::collections::HashMap<Vec<u8>, u64> = Default::default();
        for entry in self.feed_time.iter().keys() {
            let entry = entry?;
            let slug = entry.split(|b| *b == 0).next().unwrap_or_default();
            *counts.entry(slug.to_vec()).or_default() += 1;
        }
        self.feed_counts.clear()?;
        for (slug, count) in counts {
            self.feed_counts.insert(slug, &count.to_be_bytes())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_2_store_opens_with_nothing_lost_and_no_id_changed() {
        let dir = tempfile::tempdir().unwrap();
        let key = ItemKey::for_identity("url://paper.example/a1.htm");
        {
            let store = Store::open(dir.path()).unwrap();
            let old = ItemV2 {
                key,
                title: "66315件实事擦亮民生底色".into(),
                link: Some("http://paper.example/a1.htm".into()),
                summary: None,
                content: Some("<p>正文</p>".into()),
                author: Some("姜斌".into()),
                outlet: None,
                published: Some((1_000, 28_800)),
                first_seen: 2_000,
                updated: 2_000,
                owner: "dz".into(),
                places: vec![
                    PlaceV2 {
                        source: "dz".into(),
                        url: Some("http://paper.example/a1.htm".into()),
                        outlet: None,
                        similarity: None,
                    },
                    PlaceV2 {
                        source: "gov".into(),
                        url: Some("http://gov.example/t1".into()),
                        outlet: None,
                        similarity: Some(0.97),
                    },
                ],
                feeds: vec!["paper".into(), "portal".into()],
                categories: vec![],
                fingerprint: 7,
            };
            store.items.insert(key.0, encode(&old)).unwrap();
            store.meta.insert(META_SCHEMA, &2u32.to_be_bytes()).unwrap();
            store.flush().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        let item = store.item(&key).unwrap().expect("the item is still there");
        assert_eq!(item.title, "66315件实事擦亮民生底色");
        assert_eq!(item.places.len(), 2);
        assert_eq!(item.places[1].similarity, Some(0.97));
        let owner = &item.places[0];
        assert_eq!(owner.version.as_ref().unwrap().title, item.title);
        // The owner's identity names the key it has: a later write keeps the Atom id.
        assert_eq!(ItemKey::for_identity(&owner.identity), key);
        drop(store);
        assert!(
            Store::open(dir.path()).is_ok(),
            "and opens again as schema 3"
        );
    }
}

//! Upgrading a store written by an older paperboy, in place, when it is opened.
//!
//! Schema 2 → 3: places gained their own versions, feed, rank and identity. A schema-2
//! item's own fields become its owner's version; its other places keep none (their feeds
//! show the owner's version, as before). The owner's identity is written as the item's
//! key itself, so no Atom id changes.
//!
//! Schema 3 → 4: an item's primary version, equal to its main fields, is written once.
//!
//! Schema 4 → 5: the near-duplicate bands move from a tree of band lists (`lsh`) to one
//! record per item (`fingerprints`), made again from the items' texts when opened.
//!
//! Stores from before the per-feed counts get them counted from the time index.

use serde::Deserialize;

use super::records::{Place, StoredItem, Version};
use super::{META_FINGERPRINT, META_SCHEMA, SCHEMA_VERSION, Store, StoreError, TREE_ITEMS, decode};
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

/// The band lists of schemas up to 4.
const TREE_LSH_V4: &str = "lsh";

/// Upgrades a store of schema `found` (2 to 4) step by step to the current one.
pub(super) fn upgrade(store: &Store, found: u32) -> Result<(), StoreError> {
    match found {
        2 => from_v2(store)?,
        3 => from_v3(store)?,
        _ => {}
    }
    // The `fingerprints` tree is made when the store is opened, as for a new scheme.
    store.meta.remove(META_FINGERPRINT)?;
    store.db.drop_tree(TREE_LSH_V4)?;
    now_current(store)
}

/// Rewrites every item in the current layout from schema 2's.
fn from_v2(store: &Store) -> Result<(), StoreError> {
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
        store.items.insert(key, item.to_record())?;
    }
    Ok(())
}

/// Records the current schema once a store's items are rewritten in it.
fn now_current(store: &Store) -> Result<(), StoreError> {
    store
        .meta
        .insert(META_SCHEMA, &SCHEMA_VERSION.to_be_bytes())?;
    store.db.flush()?;
    Ok(())
}

/// Schema 3 → 4: items are rewritten with their shown version written once (see
/// [`StoredItem::to_record`]); nothing else changes.
fn from_v3(store: &Store) -> Result<(), StoreError> {
    for entry in store.items.iter() {
        let (key, bytes) = entry?;
        let item: StoredItem = decode(TREE_ITEMS, &bytes)?;
        store.items.insert(key, item.to_record())?;
    }
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
    use crate::store::{
        Upserted, decode_item, encode, test_article, test_item, test_origin, test_reprint,
    };

    #[test]
    fn a_schema_3_store_opens_with_every_item_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let before: Vec<StoredItem> = {
            let store = Store::open(dir.path()).unwrap();
            let paper = test_article();
            let portal = test_reprint();
            store
                .upsert(&test_origin("paper", "dz"), &paper, 1000)
                .unwrap();
            let merged = store
                .upsert(&test_origin("portal", "gov"), &portal, 2000)
                .unwrap();
            assert!(matches!(merged, Upserted::Merged { .. }));
            store
                .upsert(
                    &test_origin("paper", "dz"),
                    &test_item("//paper.example/a2.htm", "短讯"),
                    3000,
                )
                .unwrap();
            // Written as schema 3 did: every version in full.
            let items: Vec<StoredItem> = store
                .items
                .iter()
                .map(|e| decode_item(&e.unwrap().1).unwrap())
                .collect();
            for item in &items {
                store.items.insert(item.key.0, encode(item)).unwrap();
            }
            store.meta.insert(META_SCHEMA, &3u32.to_be_bytes()).unwrap();
            store.flush().unwrap();
            items
        };
        assert_eq!(before.iter().map(|i| i.places.len()).sum::<usize>(), 3);
        let store = Store::open(dir.path()).unwrap();
        for item in &before {
            assert_eq!(store.item(&item.key).unwrap().as_ref(), Some(item));
            let record = store.items.get(item.key.0).unwrap().unwrap();
            assert!(
                record.len() < encode(item).len(),
                "the shown version is written once"
            );
        }
    }

    #[test]
    fn a_schema_4_store_gets_its_fingerprints_from_its_items_and_loses_its_band_lists() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let paper = test_article();
            store
                .upsert(&test_origin("paper", "dz"), &paper, 1000)
                .unwrap();
            // As schema 4 left it: band lists in their own tree, no fingerprints.
            store.fingerprints.clear().unwrap();
            let lsh = store.db.open_tree(TREE_LSH_V4).unwrap();
            lsh.insert([0u8; 9], &[0u8; 16]).unwrap();
            store.meta.insert(META_SCHEMA, &4u32.to_be_bytes()).unwrap();
            store.flush().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.fingerprints.len(), 1);
        assert!(
            !store
                .db
                .tree_names()
                .iter()
                .any(|name| name.as_ref() == TREE_LSH_V4.as_bytes())
        );
        let portal = test_reprint();
        assert!(matches!(
            store
                .upsert(&test_origin("portal", "gov"), &portal, 2000)
                .unwrap(),
            Upserted::Merged { .. }
        ));
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(
            store.meta.get(META_SCHEMA).unwrap().as_deref(),
            Some(&SCHEMA_VERSION.to_be_bytes()[..])
        );
    }

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
            "and opens again as the current schema"
        );
    }
}

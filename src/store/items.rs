//! Storing items: dedup by identity, near-duplicates joining the stored item, and
//! sources attaching themselves to items they list.

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};

use super::dedup::{MAX_PER_BAND, Near, band_key};
use super::keys::{feed_entry, guid_key};
use super::{NewItem, Place, Store, StoreError, StoredItem, TREE_ITEMS, Upserted, decode, encode};
use crate::normalize::ItemKey;

type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

/// The trees one upsert touches, inside a transaction.
struct Tx<'a> {
    items: &'a TransactionalTree,
    urls: &'a TransactionalTree,
    guids: &'a TransactionalTree,
    ids: &'a TransactionalTree,
    feed_time: &'a TransactionalTree,
    lsh: &'a TransactionalTree,
}

impl Store {
    /// Stores one item of `source` (which belongs to `feed`), merging it with the stored
    /// item that has the same identity. `now` is UTC milliseconds.
    pub fn upsert(
        &self,
        feed: &str,
        source: &str,
        item: &NewItem,
        now: i64,
    ) -> Result<Upserted, StoreError> {
        let _serial = self
            .writes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let near = if self.identity_known(source, item)? {
            Near::NotLooked
        } else {
            self.near_duplicate(item)?
        };
        self.transact(|tx| tx.upsert(feed, source, item, now, &near))
    }

    /// Whether one of the item's identities is stored already.
    fn identity_known(&self, source: &str, item: &NewItem) -> Result<bool, StoreError> {
        if let Some(guid) = &item.guid {
            if self.guids.contains_key(guid_key(source, guid))? {
                return Ok(true);
            }
        }
        if self.contains(item.declared_id.as_deref(), item.url_identity.as_deref())? {
            return Ok(true);
        }
        Ok(self
            .items
            .contains_key(ItemKey::for_identity(&item.primary_identity(source)).0)?)
    }

    /// Records that `source` (of `feed`) carries the stored item with this declared id or
    /// URL identity, without touching its content: the page need not be fetched again.
    /// `None` when no such item is stored.
    pub fn attach(
        &self,
        feed: &str,
        source: &str,
        declared_id: Option<&str>,
        url_identity: Option<&str>,
        link: Option<&str>,
    ) -> Result<Option<Upserted>, StoreError> {
        self.transact(|tx| {
            let probe = NewItem {
                declared_id: declared_id.map(str::to_string),
                url_identity: url_identity.map(str::to_string),
                link: link.map(str::to_string),
                ..NewItem::default()
            };
            let Some(key) = tx.find(source, &probe)? else {
                return Ok(None);
            };
            let Some(mut item) = tx.load(&key)? else {
                return Ok(None);
            };
            let mut outcome = Upserted::Unchanged;
            if !item.places.iter().any(|place| place.source == source) {
                item.places.push(place(source, &probe));
                outcome = Upserted::New;
            }
            if !item.feeds.iter().any(|slug| slug == feed) {
                item.feeds.push(feed.to_string());
                tx.feed_time
                    .insert(feed_entry(feed, item.sort_time(), &key), &[])?;
                outcome = Upserted::New;
            }
            if outcome == Upserted::New {
                tx.index(&item, source, &probe)?;
                tx.items.insert(&key.0, encode(&item))?;
            }
            Ok(Some(outcome))
        })
    }
}

impl Store {
    /// Runs `work` in one transaction over the trees an item write touches. sled re-runs
    /// the closure on a conflict, so it must only read and write through `tx`.
    fn transact<T>(&self, work: impl Fn(&Tx<'_>) -> TxResult<T>) -> Result<T, StoreError> {
        let trees = (
            &self.items,
            &self.urls,
            &self.guids,
            &self.ids,
            &self.feed_time,
            &self.lsh,
        );
        trees
            .transaction(|(items, urls, guids, ids, feed_time, lsh)| {
                work(&Tx {
                    items,
                    urls,
                    guids,
                    ids,
                    feed_time,
                    lsh,
                })
            })
            .map_err(|err| match err {
                TransactionError::Abort(err) => err,
                TransactionError::Storage(err) => StoreError::Sled(err),
            })
    }
}

fn abort(err: StoreError) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(err)
}

impl Tx<'_> {
    fn upsert(
        &self,
        feed: &str,
        source: &str,
        new: &NewItem,
        now: i64,
        near: &Near,
    ) -> TxResult<Upserted> {
        let key = match (self.find(source, new)?, near) {
            (Some(key), _) => key,
            (None, Near::Duplicate { into, similarity }) => {
                if let Some(outcome) = self.merge(*into, feed, source, new, *similarity)? {
                    return Ok(outcome);
                }
                ItemKey::for_identity(&new.primary_identity(source))
            }
            (None, _) => ItemKey::for_identity(&new.primary_identity(source)),
        };
        let Some(mut item) = self.load(&key)? else {
            let item = create(key, feed, source, new, now);
            self.index(&item, source, new)?;
            self.feed_time
                .insert(feed_entry(feed, item.sort_time(), &key), &[])?;
            self.items.insert(&key.0, encode(&item))?;
            if let Near::Distinct(Some(fingerprint)) = near {
                for (band, hash) in fingerprint.bands.iter().enumerate() {
                    let entry = band_key(band, *hash);
                    let mut list = self.lsh.get(entry)?.map(|v| v.to_vec()).unwrap_or_default();
                    if list.len() < MAX_PER_BAND * 16 {
                        list.extend_from_slice(&key.0);
                        self.lsh.insert(&entry, list)?;
                    }
                }
            }
            return Ok(Upserted::New);
        };

        let before = item.clone();
        let old_sort = item.sort_time();
        let mut outcome = Upserted::Unchanged;
        if item.owner == source && item.fingerprint != new.fingerprint() {
            apply_edit(&mut item, new, now);
            outcome = Upserted::Updated;
        }
        if !item.places.iter().any(|place| place.source == source) {
            item.places.push(place(source, new));
            outcome = Upserted::New;
        }
        if item.sort_time() != old_sort {
            for slug in &item.feeds {
                self.feed_time.remove(feed_entry(slug, old_sort, &key))?;
                self.feed_time
                    .insert(feed_entry(slug, item.sort_time(), &key), &[])?;
            }
        }
        if !item.feeds.iter().any(|slug| slug == feed) {
            item.feeds.push(feed.to_string());
            self.feed_time
                .insert(feed_entry(feed, item.sort_time(), &key), &[])?;
            outcome = Upserted::New;
        }
        if item != before {
            self.index(&item, source, new)?;
            self.items.insert(&key.0, encode(&item))?;
        }
        Ok(outcome)
    }

    /// Joins a near-duplicate to the stored item `into`: the item keeps its id, time and
    /// content and records this place. `None` when `into` is gone.
    fn merge(
        &self,
        into: ItemKey,
        feed: &str,
        source: &str,
        new: &NewItem,
        similarity: f32,
    ) -> TxResult<Option<Upserted>> {
        let Some(mut item) = self.load(&into)? else {
            return Ok(None);
        };
        if !item
            .places
            .iter()
            .any(|place| place.source == source && place.url == new.link)
        {
            let mut place = place(source, new);
            place.similarity = Some(similarity);
            item.places.push(place);
        }
        if !item.feeds.iter().any(|slug| slug == feed) {
            item.feeds.push(feed.to_string());
            self.feed_time
                .insert(feed_entry(feed, item.sort_time(), &into), &[])?;
        }
        self.index(&item, source, new)?;
        self.items.insert(&into.0, encode(&item))?;
        Ok(Some(Upserted::Merged { into, similarity }))
    }

    /// The stored item this one is: by guid within the source, else by declared id or URL.
    fn find(&self, source: &str, new: &NewItem) -> TxResult<Option<ItemKey>> {
        let lookups = [
            new.guid
                .as_ref()
                .map(|guid| (self.guids, guid_key(source, guid))),
            new.declared_id
                .as_ref()
                .map(|id| (self.ids, id.as_bytes().to_vec())),
            new.url_identity
                .as_ref()
                .map(|url| (self.urls, url.as_bytes().to_vec())),
        ];
        for (tree, lookup) in lookups.into_iter().flatten() {
            if let Some(bytes) = tree.get(lookup)? {
                return Ok(ItemKey::from_slice(&bytes));
            }
        }
        Ok(None)
    }

    fn load(&self, key: &ItemKey) -> TxResult<Option<StoredItem>> {
        match self.items.get(key.0)? {
            Some(bytes) => decode(TREE_ITEMS, &bytes).map(Some).map_err(abort),
            None => Ok(None),
        }
    }

    /// Points every identity of `new` at the item.
    fn index(&self, item: &StoredItem, source: &str, new: &NewItem) -> TxResult<()> {
        let key = &item.key.0;
        if let Some(guid) = &new.guid {
            self.guids.insert(guid_key(source, guid), key)?;
        }
        if let Some(id) = &new.declared_id {
            self.ids.insert(id.as_bytes(), key)?;
        }
        if let Some(url) = &new.url_identity {
            self.urls.insert(url.as_bytes(), key)?;
        }
        Ok(())
    }
}

fn place(source: &str, new: &NewItem) -> Place {
    Place {
        source: source.to_string(),
        url: new.link.clone(),
        outlet: new.outlet.clone(),
        similarity: None,
    }
}

fn create(key: ItemKey, feed: &str, source: &str, new: &NewItem, now: i64) -> StoredItem {
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
        owner: source.to_string(),
        places: vec![place(source, new)],
        feeds: vec![feed.to_string()],
        categories: new.categories.clone(),
        fingerprint: new.fingerprint(),
    }
}

/// The owning source changed what a reader sees: take its new version, keep the identity.
fn apply_edit(item: &mut StoredItem, new: &NewItem, now: i64) {
    item.title = new.title.clone();
    item.link = new.link.clone().or(item.link.take());
    item.summary = new.summary.clone();
    item.content = new.content.clone();
    item.author = new.author.clone();
    item.outlet = new.outlet.clone();
    if new.published.is_some() {
        item.published = new.published;
    }
    item.categories = new.categories.clone();
    item.fingerprint = new.fingerprint();
    item.updated = now;
    if let Some(place) = item
        .places
        .iter_mut()
        .find(|place| place.source == item.owner)
    {
        place.url = item.link.clone();
        place.outlet = item.outlet.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_item as item;

    #[test]
    fn same_identity_from_two_sources_is_one_item_in_both_feeds() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let a = item("//news.example/1", "标题");
        assert_eq!(
            store.upsert("one", "src-a", &a, 1000).unwrap(),
            Upserted::New
        );
        assert_eq!(
            store.upsert("one", "src-a", &a, 2000).unwrap(),
            Upserted::Unchanged
        );
        let mut b = a.clone();
        b.title = "另一个标题".into();
        assert_eq!(
            store.upsert("two", "src-b", &b, 3000).unwrap(),
            Upserted::New
        );
        let one = store.feed_items("one", 10).unwrap();
        let two = store.feed_items("two", 10).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one, two);
        // The first source owns the title; the second only added a place.
        assert_eq!(one[0].title, "标题");
        assert_eq!(one[0].places.len(), 2);
        assert_eq!(one[0].updated, 1000);
    }

    #[test]
    fn an_edit_by_the_owner_updates_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut a = item("//news.example/1", "标题");
        a.guid = Some("g1".into());
        store.upsert("one", "src-a", &a, 1000).unwrap();
        let key = store.feed_items("one", 1).unwrap()[0].key;
        a.title = "更正后的标题".into();
        // A new link with the same guid is still the same item.
        a.url_identity = Some("//news.example/1-v2".into());
        assert_eq!(
            store.upsert("one", "src-a", &a, 5000).unwrap(),
            Upserted::Updated
        );
        let items = store.feed_items("one", 10).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].key, key);
        assert_eq!(items[0].title, "更正后的标题");
        assert_eq!((items[0].first_seen, items[0].updated), (1000, 5000));
    }

    #[test]
    fn a_reprint_joins_the_stored_item() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let body = "<p>坐到群众炕头、想到群众心头、干到群众点头。“学党史，为群众办实事”，滨州聚焦群众“急难愁盼”，本着“小切口、大作为、好影响”的标准，滨州市精准制定两批40项重点民生项目清单，把实事办实办好。截至2021年12月9日，市级两批40项124小项重点民生项目清单全部完成；至12月15日，县级18批435项610小项重点民生项目清单全部完成。滨州全市累计为群众办实事66315件。</p>";
        let mut paper = item("//paper.example/a1.htm", "66315件实事擦亮民生底色");
        paper.content = Some(body.into());
        assert_eq!(
            store.upsert("paper", "dz", &paper, 1000).unwrap(),
            Upserted::New
        );
        let mut portal = item("//www.gov.example/t1.shtml", "滨州：为群众办实事66315件");
        portal.content = Some(body.replace('，', ",").replace("<p>坐到群众炕头、", "<p>"));
        portal.outlet = Some("大众日报".into());
        let Upserted::Merged { into, similarity } =
            store.upsert("portal", "gov", &portal, 2000).unwrap()
        else {
            panic!("not merged");
        };
        assert!(similarity > 0.9);
        let stored = store.item(&into).unwrap().unwrap();
        assert_eq!(
            stored.title, "66315件实事擦亮民生底色",
            "the first item keeps its title"
        );
        assert_eq!(stored.places.len(), 2);
        assert_eq!(store.feed_items("portal", 10).unwrap()[0].key, into);
        // Refetching the reprint finds it by its URL now.
        assert_eq!(
            store.upsert("portal", "gov", &portal, 3000).unwrap(),
            Upserted::Unchanged
        );
    }
}

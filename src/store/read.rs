//! Reading items back: a feed's newest, several feeds merged for a topic feed, and
//! lookups by key, id or URL.

use super::keys::{feed_prefix, item_of_feed_entry};
use super::tx::decode_count;
use super::{Store, StoreError, StoredItem, decode_item, follow_aliases};
use crate::normalize::ItemKey;

impl Store {
    /// The newest `limit` items of a feed, newest first.
    pub fn feed_items(&self, feed: &str, limit: usize) -> Result<Vec<StoredItem>, StoreError> {
        let mut out = Vec::with_capacity(limit.min(1024));
        for entry in self.feed_time.scan_prefix(feed_prefix(feed)).keys().rev() {
            if out.len() == limit {
                break;
            }
            let Some(key) = item_of_feed_entry(&entry?) else {
                continue;
            };
            if let Some(item) = self.item(&key)? {
                out.push(item);
            }
        }
        Ok(out)
    }

    /// The newest `limit` items of several feeds that `keep` accepts, newest first, each
    /// once however many of the feeds hold it (a topic feed). At most `MAX_EXAMINED`
    /// items are looked at, so a keyword that matches little does not read the whole
    /// store at every publish.
    pub fn items_of_feeds(
        &self,
        feeds: &[&str],
        limit: usize,
        keep: impl Fn(&StoredItem) -> bool,
    ) -> Result<Vec<StoredItem>, StoreError> {
        const MAX_EXAMINED: usize = 20_000;
        let mut cursors: Vec<_> = feeds
            .iter()
            .map(|slug| {
                let skip = feed_prefix(slug).len();
                (
                    skip,
                    self.feed_time
                        .scan_prefix(feed_prefix(slug))
                        .keys()
                        .rev()
                        .peekable(),
                )
            })
            .collect();
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        let mut examined = 0;
        while out.len() < limit && examined < MAX_EXAMINED {
            // The cursor whose next entry is newest (time, then key, as the index sorts).
            let mut newest: Option<(usize, Vec<u8>)> = None;
            for (i, (skip, cursor)) in cursors.iter_mut().enumerate() {
                match cursor.peek() {
                    Some(Ok(entry)) => {
                        let rest = entry[*skip..].to_vec();
                        if newest.as_ref().is_none_or(|(_, top)| rest > *top) {
                            newest = Some((i, rest));
                        }
                    }
                    // Take the error out of the cursor and return it.
                    Some(Err(_)) => {
                        cursor.next().transpose()?;
                    }
                    None => {}
                }
            }
            let Some((i, _)) = newest else { break };
            let entry = cursors[i].1.next().expect("peeked")?;
            examined += 1;
            let Some(key) = item_of_feed_entry(&entry) else {
                continue;
            };
            if !seen.insert(key) {
                continue;
            }
            if let Some(item) = self.item(&key)? {
                if keep(&item) {
                    out.push(item);
                }
            }
        }
        Ok(out)
    }

    /// Items `skip..skip + take` of a feed counted from its oldest, oldest first.
    pub fn feed_range(
        &self,
        feed: &str,
        skip: usize,
        take: usize,
    ) -> Result<Vec<StoredItem>, StoreError> {
        let mut out = Vec::with_capacity(take.min(1024));
        for entry in self
            .feed_time
            .scan_prefix(feed_prefix(feed))
            .keys()
            .skip(skip)
            .take(take)
        {
            let Some(key) = item_of_feed_entry(&entry?) else {
                continue;
            };
            if let Some(item) = self.item(&key)? {
                out.push(item);
            }
        }
        Ok(out)
    }

    /// How many items a feed has: one read, kept with the time index as it changes.
    pub fn feed_len(&self, feed: &str) -> usize {
        let count = self.feed_counts.get(feed).ok().flatten();
        count.map_or(0, |bytes| decode_count(&bytes) as usize)
    }

    /// The item under `key`, following the aliases of items that moved to their
    /// primary place's key.
    pub fn item(&self, key: &ItemKey) -> Result<Option<StoredItem>, StoreError> {
        let bytes = follow_aliases(*key, |k| self.items.get(k.0), |k| self.aliases.get(k.0))?;
        bytes.map(|b| decode_item(&b)).transpose()
    }

    /// Whether an item with this declared id or URL identity is stored.
    pub fn contains(
        &self,
        declared_id: Option<&str>,
        url_identity: Option<&str>,
    ) -> Result<bool, StoreError> {
        if let Some(id) = declared_id {
            if self.ids.contains_key(id.as_bytes())? {
                return Ok(true);
            }
        }
        match url_identity {
            Some(url) => Ok(self.urls.contains_key(url.as_bytes())?),
            None => Ok(false),
        }
    }

    /// The stored item a URL identity points to.
    pub fn item_for_url(&self, url_identity: &str) -> Result<Option<StoredItem>, StoreError> {
        let key = self.urls.get(url_identity.as_bytes())?;
        match key.as_deref().and_then(ItemKey::from_slice) {
            Some(key) => self.item(&key),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{test_item as item, test_origin};

    #[test]
    fn a_feeds_count_follows_its_time_index_and_is_made_for_an_older_store() {
        let dir = tempfile::tempdir().unwrap();
        let indexed =
            |store: &Store, feed: &str| store.feed_time.scan_prefix(feed_prefix(feed)).count();
        {
            let store = Store::open(dir.path()).unwrap();
            for i in 0..5 {
                let mut new = item(&format!("//n.example/{i}"), &format!("t{i}"));
                new.published = Some((i * 1000, 8 * 3600));
                store
                    .upsert(&test_origin("one", "s"), &new, 10_000)
                    .unwrap();
                // Listed again with a corrected time: moved in the index, counted once.
                new.published = Some((i * 1000 + 500, 8 * 3600));
                store
                    .upsert(&test_origin("one", "s"), &new, 11_000)
                    .unwrap();
                // Carried by a second feed's source too.
                store
                    .upsert(&test_origin("two", "t"), &new, 12_000)
                    .unwrap();
            }
            assert_eq!((store.feed_len("one"), indexed(&store, "one")), (5, 5));
            assert_eq!((store.feed_len("two"), indexed(&store, "two")), (5, 5));
            assert_eq!(store.feed_len("none"), 0);
            // As a store from before the counts: none kept.
            store.feed_counts.clear().unwrap();
            store.meta.remove(super::super::META_FEED_COUNTS).unwrap();
            store.flush().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!((store.feed_len("one"), store.feed_len("two")), (5, 5));
    }

    #[test]
    fn newest_first_and_limited() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for i in 0..5 {
            let mut new = item(&format!("//n.example/{i}"), &format!("t{i}"));
            new.published = Some((i * 1000, 8 * 3600));
            store
                .upsert(&test_origin("one", "s"), &new, 10_000)
                .unwrap();
        }
        let titles: Vec<String> = store
            .feed_items("one", 3)
            .unwrap()
            .into_iter()
            .map(|i| i.title)
            .collect();
        assert_eq!(titles, ["t4", "t3", "t2"]);
        assert_eq!(store.feed_len("one"), 5);
    }

    #[test]
    fn several_feeds_merge_newest_first_each_item_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for (i, feed) in ["a", "b", "a", "b", "a"].iter().enumerate() {
            let mut new = item(&format!("//n.example/{i}"), &format!("t{i}"));
            new.published = Some((i as i64 * 1000, 0));
            store
                .upsert(&test_origin(feed, &format!("src-{feed}")), &new, 10_000)
                .unwrap();
        }
        // Item 0 is also in feed b.
        store
            .upsert(
                &test_origin("b", "src-b"),
                &item("//n.example/0", "t0"),
                10_000,
            )
            .unwrap();
        let titles =
            |items: Vec<StoredItem>| items.into_iter().map(|i| i.title).collect::<Vec<_>>();
        assert_eq!(
            titles(store.items_of_feeds(&["a", "b"], 10, |_| true).unwrap()),
            ["t4", "t3", "t2", "t1", "t0"]
        );
        assert_eq!(
            titles(
                store
                    .items_of_feeds(&["a", "b"], 2, |i| i.title != "t4")
                    .unwrap()
            ),
            ["t3", "t2"]
        );
    }

    #[test]
    fn the_store_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store
                .upsert(&test_origin("one", "s"), &item("//n.example/1", "t"), 1)
                .unwrap();
            store.flush().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.feed_items("one", 10).unwrap().len(), 1);
        assert!(store.item_for_url("//n.example/1").unwrap().is_some());
    }
}

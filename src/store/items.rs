//! Storing items: a source run's items in few transactions, each item written as new,
//! as an edit of the item it is, or as a place of the stored item it reprints.

use super::bands::{band_keys, to_record};
use super::dedup::Near;
use super::places::{create, own_place, place};
use super::records::{Origin, Version};
use super::tx::{Tx, TxResult};
use super::{NewItem, Store, StoreError, StoredItem, Upserted};
use crate::normalize::ItemKey;

/// Items written per transaction by [`Store::upsert_all`].
pub const ITEMS_PER_TRANSACTION: usize = 64;

impl Store {
    /// Stores one item of `origin`'s source, merging it with the stored item that has the
    /// same identity or the same text. `now` is UTC milliseconds.
    ///
    /// Every place keeps its own version (headline, link, text); the item's primary place —
    /// the earliest published, then the first in config order — gives the item its key,
    /// Atom id and main fields, whatever order the places arrive in.
    pub fn upsert(
        &self,
        origin: &Origin<'_>,
        item: &NewItem,
        now: i64,
    ) -> Result<Upserted, StoreError> {
        let mut outcomes = self.upsert_all(origin, std::slice::from_ref(item), now)?;
        Ok(outcomes.pop().unwrap_or(Upserted::Unchanged))
    }

    /// Stores a run's items as [`Store::upsert`] does each, in few transactions (one per
    /// [`ITEMS_PER_TRANSACTION`] items): what one transaction costs is paid once per batch, not per item.
    /// Two items of one batch that are the same article merge as they would one after the
    /// other. Returns one outcome per item, in order.
    pub fn upsert_all(
        &self,
        origin: &Origin<'_>,
        items: &[NewItem],
        now: i64,
    ) -> Result<Vec<Upserted>, StoreError> {
        let mut lock = self.write_lock();
        let bands = self.bands(&mut lock)?;
        let mut outcomes = Vec::with_capacity(items.len());
        for batch in items.chunks(ITEMS_PER_TRANSACTION) {
            let mut plans = Vec::with_capacity(batch.len());
            for (at, item) in batch.iter().enumerate() {
                plans.push(if self.tombstoned(origin, item, now)? {
                    None
                } else if let Some(key) = self.known(origin.source, item)? {
                    Some(Near::Known(key))
                } else {
                    Some(self.near_duplicate_in_batch(
                        bands,
                        origin.source,
                        item,
                        &batch[..at],
                        &plans,
                    )?)
                });
            }
            if let Some(unchanged) = self.unchanged(origin, batch, &plans)? {
                outcomes.extend(unchanged);
                continue;
            }
            if plans
                .iter()
                .any(|plan| matches!(plan, Some(Near::Distinct(Some(_)))))
            {
                // New fingerprints: the index saved by the last close leaves the disk first.
                self.saved.release();
            }
            let stored = self.transact(|tx| {
                batch
                    .iter()
                    .zip(&plans)
                    .map(|(item, plan)| match plan {
                        None => Ok((Upserted::Pruned, None)),
                        Some(near) => tx.upsert(origin, item, now, near),
                    })
                    .collect::<TxResult<Vec<_>>>()
            })?;
            // Written: the new items join the band index.
            for ((outcome, indexed), plan) in stored.into_iter().zip(&plans) {
                if let (Some(key), Some(Near::Distinct(Some(fingerprint)))) = (indexed, plan) {
                    bands.insert(key, &band_keys(fingerprint));
                }
                outcomes.push(outcome);
            }
        }
        Ok(outcomes)
    }
}

/// What `new`, from `origin`, changes in the stored item it is (the same identity),
/// changed in `item`; `Unchanged` exactly when it changes nothing.
fn apply(item: &mut StoredItem, origin: &Origin<'_>, new: &NewItem) -> Upserted {
    let identity = new.primary_identity(origin.source);
    let mut outcome = Upserted::Unchanged;
    match own_place(item, origin.source, &identity) {
        Some(at) => {
            // A place with a version of its own is this source's publication: an edit
            // updates it. A place without one shares the version of the place that
            // stored this identity.
            let place = &mut item.places[at];
            if let Some(old) = &place.version {
                let version = Version::of(new);
                if old.fingerprint != version.fingerprint {
                    place.url = new.link.clone().or(place.url.take());
                    place.outlet = new.outlet.clone();
                    place.version = Some(version);
                    outcome = Upserted::Updated;
                }
            }
        }
        // Another source carrying the same article (same URL or declared id): the
        // same publication, so a place without a version of its own.
        None => {
            item.places.push(place(origin, new, None));
            outcome = Upserted::New;
        }
    }
    if !item.feeds.iter().any(|slug| slug == origin.feed) {
        item.feeds.push(origin.feed.to_string());
        outcome = Upserted::New;
    }
    outcome
}

impl Store {
    /// The outcomes of a batch in which nothing is to be written (every item pruned, or
    /// stored already as it is, in the source's feed), found outside a transaction:
    /// sled writes and syncs its log at each one, and a feed read again without a change
    /// is most of a daemon's runs. `None` when anything is to be written.
    fn unchanged(
        &self,
        origin: &Origin<'_>,
        batch: &[NewItem],
        plans: &[Option<Near>],
    ) -> Result<Option<Vec<Upserted>>, StoreError> {
        if !plans
            .iter()
            .all(|plan| matches!(plan, None | Some(Near::Known(_))))
        {
            return Ok(None);
        }
        let mut outcomes = Vec::with_capacity(batch.len());
        for (item, plan) in batch.iter().zip(plans) {
            // Known or pruned, as checked above.
            let Some(Near::Known(key)) = plan else {
                outcomes.push(Upserted::Pruned);
                continue;
            };
            // `apply` changes the item only when the outcome is not `Unchanged`.
            let Some(mut stored) = self.item(key)? else {
                return Ok(None);
            };
            if apply(&mut stored, origin, item) != Upserted::Unchanged {
                return Ok(None);
            }
            outcomes.push(Upserted::Unchanged);
        }
        Ok(Some(outcomes))
    }
}

impl Tx<'_> {
    /// Writes one item of a batch; with the outcome, the key a new item's fingerprint
    /// was recorded under (for the band index, once the transaction is done).
    fn upsert(
        &self,
        origin: &Origin<'_>,
        new: &NewItem,
        now: i64,
        near: &Near,
    ) -> TxResult<(Upserted, Option<ItemKey>)> {
        let key = match (self.find(origin.source, new)?, near) {
            (Some(key), _) => key,
            (None, Near::Duplicate { into, similarity }) => {
                if let Some(outcome) = self.merge(*into, origin, new, *similarity, now)? {
                    return Ok((outcome, None));
                }
                ItemKey::for_identity(&new.primary_identity(origin.source))
            }
            (None, _) => ItemKey::for_identity(&new.primary_identity(origin.source)),
        };
        let Some(mut item) = self.load(&key)? else {
            let item = create(key, origin, new, now);
            self.index(&item, origin.source, new)?;
            self.enter_feed(origin.feed, item.sort_time(), &key)?;
            self.items.insert(&key.0, item.to_record())?;
            if let Near::Distinct(Some(fingerprint)) = near {
                self.fingerprints
                    .insert(&key.0, &to_record(&band_keys(fingerprint))[..])?;
                return Ok((Upserted::New, Some(key)));
            }
            return Ok((Upserted::New, None));
        };

        let before = item.clone();
        let outcome = apply(&mut item, origin, new);
        if outcome != Upserted::Unchanged {
            self.settle(item, &before, now, origin.source, new)?;
        }
        Ok((outcome, None))
    }

    /// Joins a near-duplicate to the stored item `into` as a place of its own (with its
    /// version and similarity). `None` when `into` is gone.
    fn merge(
        &self,
        into: ItemKey,
        origin: &Origin<'_>,
        new: &NewItem,
        similarity: f32,
        now: i64,
    ) -> TxResult<Option<Upserted>> {
        let Some(mut item) = self.load(&into)? else {
            return Ok(None);
        };
        let before = item.clone();
        if !item
            .places
            .iter()
            .any(|place| place.source == origin.source && place.url == new.link)
        {
            let mut place = place(origin, new, Some(Version::of(new)));
            place.similarity = Some(similarity);
            item.places.push(place);
        }
        if !item.feeds.iter().any(|slug| slug == origin.feed) {
            item.feeds.push(origin.feed.to_string());
        }
        let key = self.settle(item, &before, now, origin.source, new)?;
        Ok(Some(Upserted::Merged {
            into: key,
            similarity,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{TEST_BODY, test_article, test_item as item, test_origin, test_reprint};

    #[test]
    fn same_identity_from_two_sources_is_one_item_in_both_feeds() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let a = item("//news.example/1", "标题");
        assert_eq!(
            store
                .upsert(&test_origin("one", "src-a"), &a, 1000)
                .unwrap(),
            Upserted::New
        );
        assert_eq!(
            store
                .upsert(&test_origin("one", "src-a"), &a, 2000)
                .unwrap(),
            Upserted::Unchanged
        );
        let mut b = a.clone();
        b.title = "另一个标题".into();
        assert_eq!(
            store
                .upsert(&test_origin("two", "src-b"), &b, 3000)
                .unwrap(),
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
        store
            .upsert(&test_origin("one", "src-a"), &a, 1000)
            .unwrap();
        let key = store.feed_items("one", 1).unwrap()[0].key;
        a.title = "更正后的标题".into();
        // A new link with the same guid is still the same item.
        a.url_identity = Some("//news.example/1-v2".into());
        assert_eq!(
            store
                .upsert(&test_origin("one", "src-a"), &a, 5000)
                .unwrap(),
            Upserted::Updated
        );
        let items = store.feed_items("one", 10).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].key, key);
        assert_eq!(items[0].title, "更正后的标题");
        assert_eq!((items[0].first_seen, items[0].updated), (1000, 5000));
    }

    #[test]
    fn a_batch_stores_as_its_items_one_by_one() {
        let first = test_article();
        let reprint = NewItem {
            url_identity: Some("//paper.example/a2.htm".into()),
            ..test_reprint()
        };
        let other = item("//paper.example/a3.htm", "另一篇");
        let batch = [first.clone(), reprint, other.clone(), first, other];
        for size in [1, batch.len()] {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(dir.path()).unwrap();
            let origin = test_origin("paper", "dz");
            let outcomes: Vec<Upserted> = batch
                .chunks(size)
                .flat_map(|chunk| store.upsert_all(&origin, chunk, 1000).unwrap())
                .collect();
            assert_eq!(outcomes[0], Upserted::New, "batches of {size}");
            assert!(
                matches!(outcomes[1], Upserted::Merged { .. }),
                "batches of {size}: {outcomes:?}"
            );
            assert_eq!(
                outcomes[2..],
                [Upserted::New, Upserted::Unchanged, Upserted::Unchanged]
            );
            let stored = store.feed_items("paper", 10).unwrap();
            assert_eq!(stored.len(), 2, "batches of {size}");
            assert_eq!(stored.iter().map(|i| i.places.len()).sum::<usize>(), 3);
        }
    }

    #[test]
    fn a_reprint_joins_the_stored_item() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let paper = test_article();
        assert_eq!(
            store
                .upsert(&test_origin("paper", "dz"), &paper, 1000)
                .unwrap(),
            Upserted::New
        );
        let portal = NewItem {
            content: Some(
                TEST_BODY
                    .replace('，', ",")
                    .replace("<p>坐到群众炕头、", "<p>"),
            ),
            outlet: Some("大众日报".into()),
            ..test_reprint()
        };
        let Upserted::Merged { into, similarity } = store
            .upsert(&test_origin("portal", "gov"), &portal, 2000)
            .unwrap()
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
            store
                .upsert(&test_origin("portal", "gov"), &portal, 3000)
                .unwrap(),
            Upserted::Unchanged
        );
    }
}

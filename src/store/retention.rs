//! Retention: pruning a feed's items past its `keep` age or beyond its `keep_items`, and
//! the tombstones that keep pruned items from coming back while a source still lists
//! them. A tombstone holds one identity of a pruned item (its key, URL, declared id or
//! guid) and when a source last listed it; it expires once no source has listed it for
//! the tombstone window, so the store stays bounded.

use std::collections::HashSet;

use super::bands::{Bands, from_record};
use super::keys::{feed_entry, feed_prefix, guid_key, item_of_feed_entry, time_bytes};
use super::tx::decode_count;
use super::{NewItem, Origin, Store, StoreError, StoredItem, decode_item};
use crate::model::ItemKey;

const KEY: u8 = b'k';
const URL: u8 = b'u';
const ID: u8 = b'i';
const GUID: u8 = b'g';
/// An item pruned from one feed while another still holds it: `feed \0 key`.
const FEED: u8 = b'f';

/// What a prune did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    /// Items that left a feed.
    pub from_feeds: usize,
    /// Items deleted because no feed holds them any more (tombstones left behind).
    pub deleted: usize,
    /// Tombstones that expired.
    pub expired: usize,
}

/// How long one feed keeps its items.
#[derive(Debug, Clone, Copy)]
pub struct Keep<'a> {
    pub feed: &'a str,
    /// Items whose time is before this (UTC milliseconds) go.
    pub older_than: Option<i64>,
    /// Only the newest this many stay.
    pub newest: Option<usize>,
}

fn tomb(kind: u8, id: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(id.len() + 1);
    key.push(kind);
    key.extend_from_slice(id);
    key
}

impl Store {
    /// Prunes each feed as `keep` says, deletes items no feed holds any more (leaving
    /// tombstones of their identities, seen `now`), and drops tombstones not seen since
    /// `expire_before`. Each step is durable on its own; a crash in between leaves at
    /// worst an item that the next prune deletes.
    pub fn prune(
        &self,
        keep: &[Keep<'_>],
        now: i64,
        expire_before: i64,
    ) -> Result<Pruned, StoreError> {
        let mut lock = self.write_lock();
        let mut pruned = Pruned::default();
        let mut orphans = Vec::new();
        for rule in keep {
            for entry in self.past_keeping(rule)? {
                let Some(key) = item_of_feed_entry(&entry) else {
                    continue;
                };
                self.remove_feed_entry(&entry)?;
                pruned.from_feeds += 1;
                let Some(bytes) = self.items.get(key.0)? else {
                    continue;
                };
                let mut item = decode_item(&bytes)?;
                item.feeds.retain(|feed| feed != rule.feed);
                if item.feeds.is_empty() {
                    orphans.push(item);
                } else {
                    self.items.insert(key.0, item.to_record())?;
                    let mut left = feed_prefix(rule.feed);
                    left.extend_from_slice(&key.0);
                    self.tombstones
                        .insert(tomb(FEED, &left), &now.to_be_bytes())?;
                }
            }
        }
        pruned.deleted = orphans.len();
        if !orphans.is_empty() {
            // Fingerprints go: a saved index is loaded (to be kept in step) and leaves the
            // disk first.
            if lock.is_none() {
                *lock = self.saved.load();
            }
            self.saved.release();
            self.bury(&orphans, now, lock.as_mut())?;
        }
        pruned.expired = self.expire_tombstones(expire_before)?;
        self.db.flush()?;
        Ok(pruned)
    }

    /// Entries of a feed's time index past its limits.
    fn past_keeping(&self, rule: &Keep<'_>) -> Result<Vec<sled::IVec>, StoreError> {
        let mut out = Vec::new();
        let prefix = feed_prefix(rule.feed);
        if let Some(newest) = rule.newest {
            for entry in self
                .feed_time
                .scan_prefix(&prefix)
                .keys()
                .rev()
                .skip(newest)
            {
                out.push(entry?);
            }
        }
        if let Some(cutoff) = rule.older_than {
            let mut end = prefix.clone();
            end.extend_from_slice(&time_bytes(cutoff));
            let already: HashSet<sled::IVec> = out.iter().cloned().collect();
            for entry in self.feed_time.range(prefix..end).keys() {
                let entry = entry?;
                if !already.contains(&entry) {
                    out.push(entry);
                }
            }
        }
        Ok(out)
    }

    /// Deletes items with every index that finds them, and leaves tombstones of their
    /// identities. The indexes are scanned once for the whole batch; the band index is
    /// kept in step when it is built.
    fn bury(
        &self,
        items: &[StoredItem],
        now: i64,
        mut bands: Option<&mut Bands>,
    ) -> Result<(), StoreError> {
        let seen = now.to_be_bytes();
        let mut dead: HashSet<ItemKey> = items.iter().map(|item| item.key).collect();
        for item in items {
            for place in &item.places {
                if !place.identity.is_empty() {
                    dead.insert(ItemKey::for_identity(&place.identity));
                }
            }
        }
        // Old keys of re-owned items alias the dead ones (possibly through each other).
        loop {
            let mut more = Vec::new();
            for entry in self.aliases.iter() {
                let (from, to) = entry?;
                let (Some(from), Some(to)) = (ItemKey::from_slice(&from), ItemKey::from_slice(&to))
                else {
                    continue;
                };
                if dead.contains(&to) && !dead.contains(&from) {
                    more.push(from);
                }
            }
            if more.is_empty() {
                break;
            }
            dead.extend(more);
        }
        for key in &dead {
            self.aliases.remove(key.0)?;
            self.tombstones.insert(tomb(KEY, &key.0), &seen)?;
        }
        for (tree, kind) in [(&self.urls, URL), (&self.ids, ID), (&self.guids, GUID)] {
            for entry in tree.iter() {
                let (lookup, target) = entry?;
                if ItemKey::from_slice(&target).is_some_and(|key| dead.contains(&key)) {
                    tree.remove(&lookup)?;
                    if kind == URL {
                        self.enclosures.remove(&lookup)?;
                    }
                    self.tombstones.insert(tomb(kind, &lookup), &seen)?;
                }
            }
        }
        for key in &dead {
            let Some(record) = self.fingerprints.remove(key.0)? else {
                continue;
            };
            if let (Some(bands), Some(keys)) = (bands.as_deref_mut(), from_record(&record)) {
                bands.remove(key, &keys);
            }
        }
        for item in items {
            for feed in &item.feeds {
                self.remove_feed_entry(&feed_entry(feed, item.sort_time(), &item.key))?;
            }
            self.items.remove(item.key.0)?;
        }
        Ok(())
    }

    /// Removes one entry of the time index, and counts it out of its feed (retention,
    /// under the write lock, outside item transactions).
    pub(super) fn remove_feed_entry(&self, entry: &[u8]) -> Result<(), StoreError> {
        if self.feed_time.remove(entry)?.is_some() {
            let slug = entry.split(|b| *b == 0).next().unwrap_or_default();
            self.feed_counts.update_and_fetch(slug, |count| {
                let left = count.map_or(0, decode_count).saturating_sub(1);
                Some(left.to_be_bytes().to_vec())
            })?;
        }
        Ok(())
    }

    fn expire_tombstones(&self, before: i64) -> Result<usize, StoreError> {
        let mut expired = 0;
        for entry in self.tombstones.iter() {
            let (key, seen) = entry?;
            let seen = seen.as_ref().try_into().map_or(0, i64::from_be_bytes);
            if seen < before {
                self.tombstones.remove(&key)?;
                expired += 1;
            }
        }
        Ok(expired)
    }

    /// Whether `new`, from `origin`'s source, is an item that was pruned (from the
    /// store, or from this source's feed): then it is not stored again, and its
    /// tombstones count as seen `now`.
    pub(super) fn tombstoned(
        &self,
        origin: &Origin<'_>,
        new: &NewItem,
        now: i64,
    ) -> Result<bool, StoreError> {
        if self.tombstones.is_empty() {
            return Ok(false);
        }
        let source = origin.source;
        let in_feed = self.stored_for(source, new)?.map(|item| {
            let mut left = feed_prefix(origin.feed);
            left.extend_from_slice(&item.key.0);
            tomb(FEED, &left)
        });
        let lookups = [
            in_feed,
            new.guid.as_ref().map(|g| tomb(GUID, &guid_key(source, g))),
            new.declared_id.as_ref().map(|id| tomb(ID, id.as_bytes())),
            new.url_identity.as_ref().map(|u| tomb(URL, u.as_bytes())),
            Some(tomb(
                KEY,
                &ItemKey::for_identity(&new.primary_identity(source)).0,
            )),
        ];
        let mut found = false;
        for lookup in lookups.into_iter().flatten() {
            if self.tombstones.contains_key(&lookup)? {
                self.tombstones.insert(lookup, &now.to_be_bytes())?;
                found = true;
            }
        }
        Ok(found)
    }

    /// Tombstones kept.
    pub fn tombstone_count(&self) -> usize {
        self.tombstones.len()
    }

    /// Items stored.
    pub fn item_count(&self) -> usize {
        self.items.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Upserted, test_item as item, test_origin};

    const DAY: i64 = 86_400_000;

    fn dated(url: &str, title: &str, at: i64) -> NewItem {
        NewItem {
            published: Some((at, 8 * 3600)),
            ..item(url, title)
        }
    }

    /// A distinct text of a few hundred characters for item `n`, so near-duplicate
    /// fingerprints are taken and stored as for real articles.
    fn story(n: u64) -> String {
        const POOL: &[char] = &[
            '民', '生', '实', '事', '群', '众', '办', '好', '推', '进', '项', '目', '城', '乡',
            '教', '育', '医', '疗', '养', '老', '就', '业', '交', '通', '水', '电', '路', '网',
        ];
        let mut state = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let text: String = (0..300)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                POOL[(state % POOL.len() as u64) as usize]
            })
            .collect();
        format!("<p>{text}。</p>")
    }

    #[test]
    fn pruned_items_leave_the_feed_and_do_not_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let origin = test_origin("f", "s");
        let now = 100 * DAY;
        for (i, age) in [1, 2, 50, 60].into_iter().enumerate() {
            let new = dated(&format!("//x.cn/{i}"), &format!("第{i}条"), now - age * DAY);
            store.upsert(&origin, &new, now).unwrap();
        }
        let keep = [Keep {
            feed: "f",
            older_than: Some(now - 30 * DAY),
            newest: None,
        }];
        let pruned = store.prune(&keep, now, 0).unwrap();
        assert_eq!((pruned.from_feeds, pruned.deleted), (2, 2));
        assert_eq!(store.feed_len("f"), 2);
        assert_eq!(store.item_count(), 2);
        assert!(!store.contains(None, Some("//x.cn/2")).unwrap());
        // The source still lists them: they stay out, by upsert or by attach.
        let again = dated("//x.cn/2", "第2条", now - 50 * DAY);
        assert_eq!(
            store.upsert(&origin, &again, now).unwrap(),
            Upserted::Pruned
        );
        let attached = store
            .attach(&origin, None, Some("//x.cn/3"), None, now)
            .unwrap();
        assert_eq!(attached, Some(Upserted::Pruned));
        assert_eq!(store.feed_len("f"), 2);
        // Recent ones are untouched.
        let recent = dated("//x.cn/0", "第0条", now - DAY);
        assert_eq!(
            store.upsert(&origin, &recent, now).unwrap(),
            Upserted::Unchanged
        );
        // Tombstones no source listed since `expire_before` go.
        let pruned = store.prune(&keep, now + DAY, now + 1).unwrap();
        assert!(pruned.expired > 0);
        assert_eq!(store.tombstone_count(), 0);
    }

    #[test]
    fn keep_items_keeps_the_newest_and_another_feed_keeps_its_copy() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (a, b) = (test_origin("a", "sa"), test_origin("b", "sb"));
        let now = 10 * DAY;
        for i in 0..5 {
            let new = dated(
                &format!("//x.cn/{i}"),
                &format!("第{i}条"),
                now - (5 - i) * DAY,
            );
            store.upsert(&a, &new, now).unwrap();
        }
        // Feed b carries the oldest article too (same URL).
        store
            .upsert(&b, &dated("//x.cn/0", "第0条", now - 5 * DAY), now)
            .unwrap();
        let keep = [Keep {
            feed: "a",
            older_than: None,
            newest: Some(3),
        }];
        let pruned = store.prune(&keep, now, 0).unwrap();
        assert_eq!((pruned.from_feeds, pruned.deleted), (2, 1));
        let titles: Vec<String> = store
            .feed_items("a", 10)
            .unwrap()
            .into_iter()
            .map(|i| i.title)
            .collect();
        assert_eq!(titles, ["第4条", "第3条", "第2条"]);
        assert_eq!(store.feed_len("b"), 1, "b keeps its copy");
        // a's source lists it again: it stays out of a, and b still has it.
        let again = dated("//x.cn/0", "第0条", now - 5 * DAY);
        assert_eq!(store.upsert(&a, &again, now).unwrap(), Upserted::Pruned);
        assert_eq!(store.feed_len("a"), 3);
        assert_eq!(store.feed_len("b"), 1);
    }

    /// Bytes of every key and value in every tree of the store.
    fn held_bytes(store: &Store) -> usize {
        store
            .db
            .tree_names()
            .iter()
            .flat_map(|name| store.db.open_tree(name).unwrap().iter())
            .map(|pair| pair.map(|(key, value)| key.len() + value.len()).unwrap())
            .sum()
    }

    /// Five months of a busy source (200 distinct articles a day, each listed for three
    /// days) under `keep` of three days: items, tombstones, the bytes every tree holds
    /// and the size on disk level off instead of growing with the days.
    #[test]
    fn the_store_stays_bounded_over_simulated_months() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let origin = test_origin("f", "s");
        let (per_day, days, listed_days) = (200u64, 150i64, 3i64);
        let keep_for = 3 * DAY;
        let window = keep_for + 14 * DAY;
        let mut sizes = Vec::new();
        for day in 0..days {
            let now = (day + 1) * DAY;
            for listed in (day - listed_days + 1).max(0)..=day {
                for n in 0..per_day {
                    let id = listed as u64 * per_day + n;
                    let new = NewItem {
                        content: Some(story(id)),
                        ..dated(
                            &format!("//x.cn/{id}"),
                            &format!("第{id}条"),
                            listed * DAY + 1,
                        )
                    };
                    store.upsert(&origin, &new, now).unwrap();
                }
            }
            let keep = [Keep {
                feed: "f",
                older_than: Some(now - keep_for),
                newest: None,
            }];
            store.prune(&keep, now, now - window).unwrap();
            assert!(store.item_count() <= (per_day * 4) as usize, "day {day}");
            let indexed = store.feed_time.scan_prefix(feed_prefix("f")).count();
            assert_eq!(
                store.feed_len("f"),
                indexed,
                "day {day}: the count is the index's"
            );
            store.flush().unwrap();
            sizes.push((
                store.item_count(),
                store.tombstone_count(),
                store.size_on_disk().unwrap(),
                held_bytes(&store),
            ));
        }
        let tombstones: Vec<usize> = sizes.iter().map(|s| s.1).collect();
        // Tombstones stop growing once the first ones expire.
        assert_eq!(tombstones[45], tombstones[149], "{tombstones:?}");
        // What the trees hold, every key and value of every tree, stays level: it grows
        // only by the digit an id gains at day 50 (under 1 %), where one key left behind
        // per item would add more than half.
        let held: Vec<usize> = sizes.iter().map(|s| s.3).collect();
        assert!(held[149] * 100 <= held[45] * 102, "{held:?}");
        // sled frees space lazily and when its threads get to it, so the size on disk
        // wobbles between 11 and 20 MB from day 40 on: 12 to 23 times what the trees
        // hold in the runs seen, the largest with other tests running beside it. It does
        // not grow with the days: space never reused would hold everything written, about
        // 1.1 MB a day (44 MB by day 40, 50 times what the trees hold; 167 MB by day 150,
        // 190 times).
        for (day, (.., on_disk, in_trees)) in sizes.iter().enumerate().skip(40) {
            assert!(*on_disk <= *in_trees as u64 * 50, "day {day}: {sizes:?}");
        }
        // Every index and the near-duplicate index hold only what is kept.
        assert_eq!(store.urls.len(), store.item_count());
        assert_eq!(store.fingerprints.len(), store.item_count());
        let mut lock = store.write_lock();
        let bands = store.bands(&mut lock).unwrap();
        assert_eq!(bands.len(), store.item_count());
        assert_eq!(
            bands.entries(),
            store.item_count() * crate::normalize::near_dup::BANDS
        );
    }
}

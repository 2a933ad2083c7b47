//! The near-duplicate band index, kept in memory: which stored items have each band.
//!
//! What it is built from is the `fingerprints` tree (an item's key → its band keys),
//! written in the same transaction as the item. The index is built from that tree the
//! first time a writer needs it and kept in step by the writers, which all hold the
//! store's write lock. One sled key per band and item made sixteen keys per item, most of
//! a new item's write cost and most of sled's in-memory page table; one record per item
//! and this index cost a fraction of either.
//!
//! Written by hand: no crate keeps an inverted index of this shape (32-bit band keys to
//! 32-bit item slots in one sorted table, about 200 bytes per item in all).

mod records;
mod table;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::model::ItemKey;
use crate::normalize::near_dup::BANDS;
pub(super) use records::{BandKeys, band_keys, from_record, to_record};
use table::Table;

/// Items listed per band key at most: a band shared by very many items is a boilerplate
/// text, not a reprint, and its list stops growing.
pub(super) const MAX_PER_BAND: usize = 64;

/// Pairs merged into the sorted table at least this many at a time.
const MIN_MERGE: usize = 4096;

/// The index: band key → the slots of the items that have it.
///
/// Most of it is one sorted table of `(band key, slot)` pairs; pairs listed since the
/// last merge wait in a small map, and removed items' pairs are skipped until the next
/// merge drops them.
#[derive(Default)]
pub(super) struct Bands {
    /// The index as of the last merge.
    table: Table,
    /// Pairs listed since, merged into the table once they are an eighth of it.
    recent: FxHashMap<u32, Vec<u32>>,
    recent_pairs: usize,
    /// Slot → item.
    keys: Vec<ItemKey>,
    /// Item → slot.
    slots: FxHashMap<ItemKey, u32>,
    /// Slots of removed items whose pairs may still be in the table: free after the merge.
    removed: FxHashSet<u32>,
    /// Slots free for reuse.
    free: Vec<u32>,
}

/// A band index being built from many records at once: pairs are gathered unsorted and
/// sorted once at the end.
pub(super) struct Loading {
    bands: Bands,
    pairs: Vec<(u32, u32)>,
}

impl Loading {
    pub(super) fn new() -> Loading {
        Loading {
            bands: Bands::default(),
            pairs: Vec::new(),
        }
    }

    /// Adds an item's pairs (an item added twice is listed once).
    pub(super) fn add(&mut self, key: ItemKey, bands: &BandKeys) {
        let Some(slot) = self.bands.new_slot(key) else {
            return;
        };
        for (at, band) in bands.iter().enumerate() {
            if !bands[..at].contains(band) {
                self.pairs.push((*band, slot));
            }
        }
    }

    /// The index, its pairs in order and no band key listing more than
    /// [`MAX_PER_BAND`] items (the first slots stay: the items loaded first).
    pub(super) fn done(self) -> Bands {
        let Loading {
            mut bands,
            mut pairs,
        } = self;
        pairs.sort_unstable();
        let mut run = (u32::MAX, 0usize);
        pairs.retain(|(band, _)| {
            if run.0 != *band {
                run = (*band, 0);
            }
            run.1 += 1;
            run.1 <= MAX_PER_BAND
        });
        pairs.shrink_to_fit();
        bands.table = Table::new(pairs);
        bands
    }
}

impl Bands {
    /// A slot for a new item; `None` when the item is listed already.
    fn new_slot(&mut self, key: ItemKey) -> Option<u32> {
        if self.slots.contains_key(&key) {
            return None;
        }
        let slot = match self.free.pop() {
            Some(slot) => {
                self.keys[slot as usize] = key;
                slot
            }
            None => {
                self.keys.push(key);
                (self.keys.len() - 1) as u32
            }
        };
        self.slots.insert(key, slot);
        Some(slot)
    }

    /// The slots listed under a band key, removed items left out.
    fn listed(&self, band: u32) -> impl Iterator<Item = u32> + '_ {
        self.table
            .run(band)
            .iter()
            .map(|(_, slot)| *slot)
            .chain(self.recent.get(&band).into_iter().flatten().copied())
            .filter(|slot| !self.removed.contains(slot))
    }

    /// Lists an item under its band keys (once; listing it again changes nothing).
    pub(super) fn insert(&mut self, key: ItemKey, bands: &BandKeys) {
        let Some(slot) = self.new_slot(key) else {
            return;
        };
        for (at, band) in bands.iter().enumerate() {
            if bands[..at].contains(band) || self.listed(*band).nth(MAX_PER_BAND - 1).is_some() {
                continue;
            }
            self.recent.entry(*band).or_default().push(slot);
            self.recent_pairs += 1;
        }
        if self.recent_pairs >= self.merge_at() {
            self.merge();
        }
    }

    /// Takes an item out of the index; `bands` are its band keys as listed.
    pub(super) fn remove(&mut self, key: &ItemKey, bands: &BandKeys) {
        let Some(slot) = self.slots.remove(key) else {
            return;
        };
        for band in bands {
            if let Some(listed) = self.recent.get_mut(band) {
                let before = listed.len();
                listed.retain(|listed| *listed != slot);
                self.recent_pairs -= before - listed.len();
                if listed.is_empty() {
                    self.recent.remove(band);
                }
            }
        }
        self.removed.insert(slot);
        if self.removed.len() * BANDS >= self.merge_at() {
            self.merge();
        }
    }

    /// Pairs waiting (or removed) before a merge: an eighth of the sorted table.
    fn merge_at(&self) -> usize {
        MIN_MERGE.max(self.table.len() / 8)
    }

    /// Moves the recent pairs into the sorted table and drops removed items' pairs.
    fn merge(&mut self) {
        let removed = std::mem::take(&mut self.removed);
        let mut fresh: Vec<(u32, u32)> = self
            .recent
            .drain()
            .flat_map(|(band, slots)| slots.into_iter().map(move |slot| (band, slot)))
            .collect();
        fresh.sort_unstable();
        self.table.update(|slot| !removed.contains(&slot), &fresh);
        self.recent_pairs = 0;
        self.free.extend(removed);
    }

    /// Items listed under at least one of `bands`, with how many of them each shares.
    pub(super) fn shared(&self, bands: &BandKeys) -> FxHashMap<ItemKey, usize> {
        let mut counts = FxHashMap::default();
        for (at, band) in bands.iter().enumerate() {
            if bands[..at].contains(band) {
                continue;
            }
            for slot in self.listed(*band) {
                *counts.entry(self.keys[slot as usize]).or_default() += 1;
            }
        }
        counts
    }

    /// The index as three tables, nothing left waiting to be merged: slot → item (a free
    /// slot's entry is stale), the free slots, and the `(band key, slot)` pairs in order.
    pub(super) fn tables(&mut self) -> (&[ItemKey], &[u32], &[(u32, u32)]) {
        if self.recent_pairs > 0 || !self.removed.is_empty() {
            self.merge();
        }
        (&self.keys, &self.free, self.table.pairs())
    }

    /// The index of tables as [`Bands::tables`] gives them; `None` when they do not fit
    /// together (a slot out of range or both free and listed, pairs out of order).
    pub(super) fn from_tables(
        keys: Vec<ItemKey>,
        free: Vec<u32>,
        sorted: Vec<(u32, u32)>,
    ) -> Option<Bands> {
        let mut is_free = vec![false; keys.len()];
        for slot in &free {
            let free = is_free.get_mut(*slot as usize)?;
            if std::mem::replace(free, true) {
                return None;
            }
        }
        let listed = |slot: u32| is_free.get(slot as usize) == Some(&false);
        if !sorted.windows(2).all(|pair| pair[0] < pair[1])
            || !sorted.iter().all(|(_, slot)| listed(*slot))
        {
            return None;
        }
        let mut slots = FxHashMap::default();
        slots.reserve(keys.len() - free.len());
        for (slot, key) in keys.iter().enumerate() {
            if listed(slot as u32) && slots.insert(*key, slot as u32).is_some() {
                return None;
            }
        }
        Some(Bands {
            table: Table::new(sorted),
            keys,
            slots,
            free,
            ..Bands::default()
        })
    }

    /// Items listed.
    pub(super) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Pairs listed (an item counts once per distinct band key it is listed under).
    #[cfg(test)]
    pub(super) fn entries(&self) -> usize {
        let keys: std::collections::BTreeSet<u32> = self
            .table
            .pairs()
            .iter()
            .map(|(band, _)| *band)
            .chain(self.recent.keys().copied())
            .collect();
        keys.into_iter().map(|band| self.listed(band).count()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> ItemKey {
        ItemKey([n; 16])
    }

    fn bands(seed: u32) -> BandKeys {
        std::array::from_fn(|band| seed * 100 + band as u32)
    }

    #[test]
    fn items_sharing_bands_are_found_and_removed_ones_are_not() {
        let mut index = Bands::default();
        let (a, b, c) = (bands(1), bands(2), bands(3));
        let mut half_a = bands(2);
        half_a[..8].copy_from_slice(&a[..8]);
        index.insert(key(1), &a);
        index.insert(key(2), &half_a);
        index.insert(key(3), &c);
        index.insert(key(3), &c);
        assert_eq!(index.len(), 3);
        let found = index.shared(&a);
        assert_eq!(found.get(&key(1)), Some(&BANDS));
        assert_eq!(found.get(&key(2)), Some(&8));
        assert_eq!(found.get(&key(3)), None);
        assert_eq!(index.shared(&b).get(&key(2)), Some(&8));

        // The first listed goes: the second takes its place under the shared keys.
        index.remove(&key(1), &a);
        assert_eq!(index.shared(&a).get(&key(2)), Some(&8));
        assert_eq!(index.shared(&a).get(&key(1)), None);
        // A slot freed is reused without the old item coming back.
        index.insert(key(4), &a);
        assert_eq!(index.shared(&a).len(), 2);
        index.remove(&key(2), &half_a);
        index.remove(&key(3), &c);
        index.remove(&key(4), &a);
        assert_eq!(index.len(), 0);
        assert_eq!(index.entries(), 0);
    }

    /// What the index must answer, kept the plain way: each band key's list of items.
    #[derive(Default)]
    struct Model(std::collections::HashMap<u32, Vec<ItemKey>>);

    impl Model {
        fn insert(&mut self, key: ItemKey, bands: &BandKeys) {
            for (at, band) in bands.iter().enumerate() {
                let listed = self.0.entry(*band).or_default();
                if !bands[..at].contains(band) && listed.len() < MAX_PER_BAND {
                    listed.push(key);
                }
            }
        }

        fn remove(&mut self, key: &ItemKey) {
            for listed in self.0.values_mut() {
                listed.retain(|listed| listed != key);
            }
        }

        fn shared(&self, bands: &BandKeys) -> FxHashMap<ItemKey, usize> {
            let mut counts = FxHashMap::default();
            for (at, band) in bands.iter().enumerate() {
                if bands[..at].contains(band) {
                    continue;
                }
                for key in self.0.get(band).into_iter().flatten() {
                    *counts.entry(*key).or_default() += 1;
                }
            }
            counts
        }
    }

    fn wide_key(n: u32) -> ItemKey {
        let mut key = [0u8; 16];
        key[..4].copy_from_slice(&n.to_be_bytes());
        ItemKey(key)
    }

    #[test]
    fn merges_and_removals_answer_as_plain_lists_do() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        // Band keys from a small range: many items share bands, many up to the cap.
        let draw = |rng: &mut rand::rngs::StdRng| -> BandKeys {
            std::array::from_fn(|_| rng.random_range(0..1_000))
        };
        let (mut index, mut model) = (Bands::default(), Model::default());
        let mut stored: Vec<(ItemKey, BandKeys)> = Vec::new();
        for n in 0..6_000u32 {
            if n % 3 == 2 && !stored.is_empty() {
                let (key, bands) = stored.swap_remove(rng.random_range(0..stored.len()));
                index.remove(&key, &bands);
                model.remove(&key);
            } else {
                let bands = draw(&mut rng);
                index.insert(wide_key(n), &bands);
                model.insert(wide_key(n), &bands);
                stored.push((wide_key(n), bands));
            }
            if n % 500 == 0 {
                for _ in 0..20 {
                    let probe = draw(&mut rng);
                    assert_eq!(index.shared(&probe), model.shared(&probe), "after {n}");
                }
            }
        }
        assert_eq!(index.len(), stored.len());
        for (_, bands) in stored.iter().take(200) {
            assert_eq!(index.shared(bands), model.shared(bands));
        }
    }

    #[test]
    fn an_index_loaded_at_once_answers_as_one_built_item_by_item() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let items: Vec<(ItemKey, BandKeys)> = (0..3_000u32)
            .map(|n| {
                (
                    wide_key(n),
                    std::array::from_fn(|_| rng.random_range(0..500)),
                )
            })
            .collect();
        let (mut loading, mut model) = (Loading::new(), Model::default());
        for (key, bands) in &items {
            loading.add(*key, bands);
            model.insert(*key, bands);
        }
        let index = loading.done();
        assert_eq!(index.len(), items.len());
        for (_, bands) in &items {
            assert_eq!(index.shared(bands), model.shared(bands));
        }
    }

    #[test]
    fn a_band_shared_by_very_many_items_stops_growing() {
        let mut index = Bands::default();
        let common = bands(9);
        for n in 0..100u8 {
            index.insert(key(n), &common);
        }
        let found = index.shared(&common);
        assert_eq!(found.len(), MAX_PER_BAND);
        assert!(found.contains_key(&key(0)));
        assert!(!found.contains_key(&key(99)));
    }
}

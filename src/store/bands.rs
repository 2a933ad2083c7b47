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
//! 32-bit item slots, with the rare shared band in a second map, about 200 bytes per item).

use rustc_hash::FxHashMap;

use crate::model::ItemKey;
use crate::normalize::near_dup::{BANDS, Fingerprint};

/// An item's band keys, one per band.
pub(super) type BandKeys = [u32; BANDS];

/// Items listed per band key at most: a band shared by very many items is a boilerplate
/// text, not a reprint, and its list stops growing.
pub(super) const MAX_PER_BAND: usize = 64;

/// An item's band keys: the low 32 bits of each band hash. Two bands that meet by chance
/// only make a candidate, which the comparison of the texts turns down.
pub(super) fn band_keys(fingerprint: &Fingerprint) -> BandKeys {
    fingerprint.bands.map(|hash| hash as u32)
}

/// The `fingerprints` record of an item: its band keys, big-endian.
pub(super) fn to_record(keys: &BandKeys) -> [u8; BANDS * 4] {
    let mut record = [0u8; BANDS * 4];
    for (chunk, key) in record.chunks_exact_mut(4).zip(keys) {
        chunk.copy_from_slice(&key.to_be_bytes());
    }
    record
}

/// The band keys of a `fingerprints` record; `None` for a damaged one.
pub(super) fn from_record(bytes: &[u8]) -> Option<BandKeys> {
    if bytes.len() != BANDS * 4 {
        return None;
    }
    let mut keys = [0u32; BANDS];
    for (key, chunk) in keys.iter_mut().zip(bytes.chunks_exact(4)) {
        *key = u32::from_be_bytes(chunk.try_into().ok()?);
    }
    Some(keys)
}

/// The index: band key → the slots of the items that have it.
#[derive(Default)]
pub(super) struct Bands {
    /// The first item listed under a band key (most band keys have one).
    first: FxHashMap<u32, u32>,
    /// The items listed after the first.
    more: FxHashMap<u32, Vec<u32>>,
    /// Slot → item.
    keys: Vec<ItemKey>,
    /// Item → slot.
    slots: FxHashMap<ItemKey, u32>,
    /// Slots of removed items, for reuse.
    free: Vec<u32>,
}

impl Bands {
    /// Lists an item under its band keys (once; listing it again changes nothing).
    pub(super) fn insert(&mut self, key: ItemKey, bands: &BandKeys) {
        if self.slots.contains_key(&key) {
            return;
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
        for (at, band) in bands.iter().enumerate() {
            if bands[..at].contains(band) {
                continue;
            }
            match self.first.entry(*band) {
                std::collections::hash_map::Entry::Vacant(vacant) => {
                    vacant.insert(slot);
                }
                std::collections::hash_map::Entry::Occupied(_) => {
                    let more = self.more.entry(*band).or_default();
                    if more.len() + 1 < MAX_PER_BAND {
                        more.push(slot);
                    }
                }
            }
        }
    }

    /// Takes an item out of the index; `bands` are its band keys as listed.
    pub(super) fn remove(&mut self, key: &ItemKey, bands: &BandKeys) {
        let Some(slot) = self.slots.remove(key) else {
            return;
        };
        for band in bands {
            if self.first.get(band) == Some(&slot) {
                match self.more.get_mut(band) {
                    Some(more) => {
                        let next = more.remove(0);
                        if more.is_empty() {
                            self.more.remove(band);
                        }
                        self.first.insert(*band, next);
                    }
                    None => {
                        self.first.remove(band);
                    }
                }
            } else if let Some(more) = self.more.get_mut(band) {
                more.retain(|listed| *listed != slot);
                if more.is_empty() {
                    self.more.remove(band);
                }
            }
        }
        self.free.push(slot);
    }

    /// Items listed under at least one of `bands`, with how many of them each shares.
    pub(super) fn shared(&self, bands: &BandKeys) -> FxHashMap<ItemKey, usize> {
        let mut counts = FxHashMap::default();
        for (at, band) in bands.iter().enumerate() {
            if bands[..at].contains(band) {
                continue;
            }
            let Some(first) = self.first.get(band) else {
                continue;
            };
            let more = self.more.get(band).map_or(&[][..], Vec::as_slice);
            for slot in std::iter::once(first).chain(more) {
                *counts.entry(self.keys[*slot as usize]).or_default() += 1;
            }
        }
        counts
    }

    /// Items listed.
    pub(super) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Entries of all band lists (an item counts once per distinct band key it is listed
    /// under).
    #[cfg(test)]
    pub(super) fn entries(&self) -> usize {
        self.first.len() + self.more.values().map(Vec::len).sum::<usize>()
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
    fn records_read_back_and_damaged_ones_do_not() {
        let keys = bands(7);
        assert_eq!(from_record(&to_record(&keys)), Some(keys));
        assert_eq!(from_record(&to_record(&keys)[..10]), None);
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

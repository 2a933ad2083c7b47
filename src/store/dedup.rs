//! The near-duplicate index: each item's MinHash bands, kept in one sled tree whose key is
//! `band, band hash` and whose value lists the items with that band. Finding the items
//! that share a band with a new one is one point lookup per band, whatever the size of
//! the store (point lookups, not range scans: sled's iterators cost several times more).

use crate::normalize::ItemKey;
use crate::normalize::near_dup::{Fingerprint, SAME_ARTICLE, similarity};
use crate::normalize::plain_text;

use super::{NewItem, Store, StoreError, StoredItem};

/// Candidates confirmed at most per new item.
const MAX_CANDIDATES: usize = 64;
/// Items listed per band at most: a band shared by very many items is a boilerplate text,
/// not a reprint, and its list stops growing.
pub(super) const MAX_PER_BAND: usize = 64;

/// What the index says about an item that matched no identity.
#[derive(Debug)]
pub(super) enum Near {
    /// The item matched an identity: no lookup was made.
    NotLooked,
    /// A stored item is the same article.
    Duplicate { into: ItemKey, similarity: f32 },
    /// No stored item is; the fingerprint (when the text is long enough) is to be indexed.
    Distinct(Option<Box<Fingerprint>>),
}

/// `band (1 byte) band-hash (8)`; the value is the 16-byte keys of its items.
pub(super) fn band_key(band: usize, hash: u64) -> [u8; 9] {
    let mut key = [0u8; 9];
    key[0] = band as u8;
    key[1..].copy_from_slice(&hash.to_be_bytes());
    key
}

/// A band's list of items with `key` added, or `None` when the list is full.
pub(super) fn listed_with(list: Option<&[u8]>, key: &ItemKey) -> Option<Vec<u8>> {
    let mut list = list.map(<[u8]>::to_vec).unwrap_or_default();
    (list.len() < MAX_PER_BAND * 16).then(|| {
        list.extend_from_slice(&key.0);
        list
    })
}

/// The text an item is compared by: its body, else its summary. Not the title: reprints
/// retitle.
pub(super) fn text_of(content: Option<&str>, summary: Option<&str>) -> String {
    plain_text(content.or(summary).unwrap_or(""))
}

impl Store {
    /// The stored item that `new` would be merged into, with the similarity: what
    /// `upsert` decides for an item that matches no identity (for inspection and
    /// benchmarks).
    pub fn near_duplicate_of(&self, new: &NewItem) -> Result<Option<(ItemKey, f32)>, StoreError> {
        Ok(match self.near_duplicate(new)? {
            Near::Duplicate { into, similarity } => Some((into, similarity)),
            _ => None,
        })
    }

    /// Looks for a stored item that is the same article as `new`.
    pub(super) fn near_duplicate(&self, new: &NewItem) -> Result<Near, StoreError> {
        let text = text_of(new.content.as_deref(), new.summary.as_deref());
        let Some(fingerprint) = Fingerprint::of(&text) else {
            return Ok(Near::Distinct(None));
        };
        let mut best: Option<(ItemKey, f64)> = None;
        for candidate in self.candidates(&fingerprint)? {
            let Some(stored) = self.item(&candidate)? else {
                continue;
            };
            let score = similarity(&text, &stored_text(&stored));
            if score >= SAME_ARTICLE && best.is_none_or(|(_, top)| score > top) {
                best = Some((candidate, score));
            }
        }
        Ok(match best {
            Some((into, score)) => Near::Duplicate {
                into,
                similarity: score as f32,
            },
            None => Near::Distinct(Some(Box::new(fingerprint))),
        })
    }

    /// [`Store::near_duplicate`] for an item of a batch whose earlier items (`earlier`,
    /// with what was decided for them) are not stored yet: one of those that is the same
    /// article is found too.
    pub(super) fn near_duplicate_in_batch(
        &self,
        source: &str,
        new: &NewItem,
        earlier: &[NewItem],
        decided: &[Option<Near>],
    ) -> Result<Near, StoreError> {
        let near = self.near_duplicate(new)?;
        let Near::Distinct(Some(fingerprint)) = &near else {
            return Ok(near);
        };
        let mut text = None;
        let mut best: Option<(ItemKey, f64)> = None;
        for (item, plan) in earlier.iter().zip(decided) {
            let Some(Near::Distinct(Some(theirs))) = plan else {
                continue;
            };
            if !fingerprint.collides(theirs) {
                continue;
            }
            let text =
                text.get_or_insert_with(|| text_of(new.content.as_deref(), new.summary.as_deref()));
            let score = similarity(
                text,
                &text_of(item.content.as_deref(), item.summary.as_deref()),
            );
            if score >= SAME_ARTICLE && best.is_none_or(|(_, top)| score > top) {
                best = Some((ItemKey::for_identity(&item.primary_identity(source)), score));
            }
        }
        Ok(match best {
            Some((into, score)) => Near::Duplicate {
                into,
                similarity: score as f32,
            },
            None => near,
        })
    }

    /// Rebuilds the band index from the stored items' texts: after the fingerprint scheme
    /// changed, the stored band hashes no longer meet new items' hashes.
    pub(super) fn reindex_near_duplicates(&self) -> Result<(), StoreError> {
        let items = self.items.len();
        if items > 0 {
            tracing::info!(
                items,
                "re-indexing near-duplicates for a new fingerprint scheme"
            );
        }
        self.lsh.clear()?;
        for entry in self.items.iter() {
            let (_, bytes) = entry?;
            let item = super::decode_item(&bytes)?;
            let Some(fingerprint) = Fingerprint::of(&stored_text(&item)) else {
                continue;
            };
            for (band, hash) in fingerprint.bands.iter().enumerate() {
                let entry = band_key(band, *hash);
                if let Some(list) = listed_with(self.lsh.get(entry)?.as_deref(), &item.key) {
                    self.lsh.insert(entry, list)?;
                }
            }
        }
        Ok(())
    }

    /// Items that share at least one band with `fingerprint`, most shared bands first.
    fn candidates(&self, fingerprint: &Fingerprint) -> Result<Vec<ItemKey>, StoreError> {
        let mut counts: std::collections::HashMap<ItemKey, usize> =
            std::collections::HashMap::new();
        for (band, hash) in fingerprint.bands.iter().enumerate() {
            let Some(list) = self.lsh.get(band_key(band, *hash))? else {
                continue;
            };
            for key in list.chunks_exact(16).filter_map(ItemKey::from_slice) {
                *counts.entry(key).or_default() += 1;
            }
        }
        let mut ranked: Vec<(ItemKey, usize)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(ranked
            .into_iter()
            .take(MAX_CANDIDATES)
            .map(|(key, _)| key)
            .collect())
    }
}

fn stored_text(item: &StoredItem) -> String {
    text_of(item.content.as_deref(), item.summary.as_deref())
}

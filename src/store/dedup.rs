//! The near-duplicate index: each item's MinHash bands, kept in one sled tree as
//! `band, band hash, item key` so that finding the items that share a band with a new one
//! is a prefix scan per band, whatever the size of the store.

use crate::normalize::ItemKey;
use crate::normalize::near_dup::{Fingerprint, SAME_ARTICLE, similarity};
use crate::normalize::plain_text;

use super::{NewItem, Store, StoreError, StoredItem};

/// Candidates confirmed at most per new item: a band shared by very many items is a
/// boilerplate text, not a reprint.
const MAX_CANDIDATES: usize = 64;

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

/// `band (1 byte) band-hash (8) item (16)`.
pub(super) fn band_entry(band: usize, hash: u64, item: &ItemKey) -> Vec<u8> {
    let mut key = Vec::with_capacity(25);
    key.push(band as u8);
    key.extend_from_slice(&hash.to_be_bytes());
    key.extend_from_slice(&item.0);
    key
}

/// The text an item is compared by: its body, else its summary. Not the title: reprints
/// retitle.
pub(super) fn text_of(content: Option<&str>, summary: Option<&str>) -> String {
    plain_text(content.or(summary).unwrap_or(""))
}

impl Store {
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

    /// Items that share at least one band with `fingerprint`, most shared bands first.
    fn candidates(&self, fingerprint: &Fingerprint) -> Result<Vec<ItemKey>, StoreError> {
        let mut counts: std::collections::HashMap<ItemKey, usize> =
            std::collections::HashMap::new();
        for (band, hash) in fingerprint.bands.iter().enumerate() {
            let mut prefix = Vec::with_capacity(9);
            prefix.push(band as u8);
            prefix.extend_from_slice(&hash.to_be_bytes());
            for entry in self.lsh.scan_prefix(&prefix).keys().take(MAX_CANDIDATES) {
                if let Some(key) = entry?.get(9..).and_then(ItemKey::from_slice) {
                    *counts.entry(key).or_default() += 1;
                }
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

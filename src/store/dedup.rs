//! Finding the stored item a new one is a reprint of: candidates from the band index
//! (`bands`), confirmed by comparing the texts; and rebuilding the `fingerprints` tree
//! the index is made from.

use std::sync::MutexGuard;

use crate::normalize::ItemKey;
use crate::normalize::near_dup::{Fingerprint, SAME_ARTICLE, similarity};
use crate::normalize::plain_text;

use super::bands::{Bands, Loading, band_keys, from_record, to_record};
use super::{NewItem, Store, StoreError, StoredItem, TREE_FINGERPRINTS};

/// Candidates confirmed at most per new item.
const MAX_CANDIDATES: usize = 64;

/// What is known of an item before it is written: the stored item it is, or else what
/// the near-duplicate index says of it.
#[derive(Debug)]
pub(super) enum Near {
    /// The item is the stored item under this key (by an identity): no lookup was made.
    Known(ItemKey),
    /// A stored item is the same article.
    Duplicate { into: ItemKey, similarity: f32 },
    /// No stored item is; the fingerprint (when the text is long enough) is to be indexed.
    Distinct(Option<Box<Fingerprint>>),
}

/// The text an item is compared by: its body, else its summary. Not the title: reprints
/// retitle.
pub(super) fn text_of(content: Option<&str>, summary: Option<&str>) -> String {
    plain_text(content.or(summary).unwrap_or(""))
}

impl Store {
    /// The store's write lock, which also holds the band index (`None` until a writer
    /// first needs it). Item writes and pruning hold it for their whole step.
    pub(super) fn write_lock(&self) -> MutexGuard<'_, Option<Bands>> {
        self.writes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The band index under `lock`: loaded from the saved index, or built from the
    /// `fingerprints` tree, if it is not yet.
    pub(super) fn bands<'a>(
        &self,
        lock: &'a mut Option<Bands>,
    ) -> Result<&'a mut Bands, StoreError> {
        if lock.is_none() {
            *lock = self.saved.load();
        }
        if lock.is_none() {
            let mut loading = Loading::new();
            for entry in self.fingerprints.iter() {
                let (key, record) = entry?;
                match (ItemKey::from_slice(&key), from_record(&record)) {
                    (Some(key), Some(keys)) => loading.add(key, &keys),
                    // Only this item's reprints go unrecognised: nothing stops.
                    _ => tracing::warn!(
                        tree = TREE_FINGERPRINTS,
                        key = ?key.as_ref(),
                        bytes = record.len(),
                        "damaged record skipped"
                    ),
                }
            }
            let bands = loading.done();
            tracing::debug!(items = bands.len(), "near-duplicate index built");
            *lock = Some(bands);
        }
        Ok(lock.get_or_insert_with(Bands::default))
    }

    /// Builds the band index now, so that the first source run does not wait for it (a
    /// daemon does this when it starts).
    pub fn prepare_near_duplicates(&self) -> Result<(), StoreError> {
        let mut lock = self.write_lock();
        self.bands(&mut lock)?;
        Ok(())
    }

    /// The stored item that `new` would be merged into, with the similarity: what
    /// `upsert` decides for an item that matches no identity (for inspection and
    /// benchmarks).
    pub fn near_duplicate_of(&self, new: &NewItem) -> Result<Option<(ItemKey, f32)>, StoreError> {
        let mut lock = self.write_lock();
        let bands = self.bands(&mut lock)?;
        Ok(match self.near_duplicate(bands, new)? {
            Near::Duplicate { into, similarity } => Some((into, similarity)),
            _ => None,
        })
    }

    /// Looks for a stored item that is the same article as `new`.
    pub(super) fn near_duplicate(&self, bands: &Bands, new: &NewItem) -> Result<Near, StoreError> {
        self.near_duplicate_of_text(bands, &new_text(new))
    }

    /// [`Store::near_duplicate`] of an item whose text is `text`.
    fn near_duplicate_of_text(&self, bands: &Bands, text: &str) -> Result<Near, StoreError> {
        let Some(fingerprint) = Fingerprint::of(text) else {
            return Ok(Near::Distinct(None));
        };
        let mut scored = Vec::new();
        for candidate in candidates(bands, &fingerprint) {
            if let Some(stored) = self.item(&candidate)? {
                scored.push((candidate, similarity(text, &stored_text(&stored))));
            }
        }
        Ok(same_article(scored).unwrap_or(Near::Distinct(Some(Box::new(fingerprint)))))
    }

    /// [`Store::near_duplicate`] for an item of a batch whose earlier items (`earlier`,
    /// with what was decided for them) are not stored yet: one of those that is the same
    /// article is found too.
    pub(super) fn near_duplicate_in_batch(
        &self,
        bands: &Bands,
        source: &str,
        new: &NewItem,
        earlier: &[NewItem],
        decided: &[Option<Near>],
    ) -> Result<Near, StoreError> {
        let text = new_text(new);
        let near = self.near_duplicate_of_text(bands, &text)?;
        let Near::Distinct(Some(fingerprint)) = &near else {
            return Ok(near);
        };
        let scored = earlier
            .iter()
            .zip(decided)
            .filter_map(|(item, plan)| match plan {
                Some(Near::Distinct(Some(theirs))) if fingerprint.collides(theirs) => Some((
                    ItemKey::for_identity(&item.primary_identity(source)),
                    similarity(&text, &new_text(item)),
                )),
                _ => None,
            });
        Ok(same_article(scored).unwrap_or(near))
    }

    /// Rebuilds the `fingerprints` tree from the stored items' texts (after the
    /// fingerprint scheme changed, or from a store that kept its bands another way); the
    /// band index is built from it again when next needed.
    pub(super) fn reindex_near_duplicates(&self) -> Result<(), StoreError> {
        let mut lock = self.write_lock();
        let items = self.items.len();
        if items > 0 {
            tracing::info!(
                items,
                "re-indexing near-duplicates for a new fingerprint scheme"
            );
        }
        self.saved.release();
        self.fingerprints.clear()?;
        for entry in self.items.iter() {
            let (_, bytes) = entry?;
            let item = super::decode_item(&bytes)?;
            if let Some(fingerprint) = Fingerprint::of(&stored_text(&item)) {
                self.fingerprints
                    .insert(item.key.0, &to_record(&band_keys(&fingerprint))[..])?;
            }
        }
        *lock = None;
        Ok(())
    }
}

/// Items that share at least one band with `fingerprint`, most shared bands first.
fn candidates(bands: &Bands, fingerprint: &Fingerprint) -> Vec<ItemKey> {
    let mut ranked: Vec<(ItemKey, usize)> =
        bands.shared(&band_keys(fingerprint)).into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
        .into_iter()
        .take(MAX_CANDIDATES)
        .map(|(key, _)| key)
        .collect()
}

/// The candidate most the same article as the text they were scored against, if any is.
fn same_article(scored: impl IntoIterator<Item = (ItemKey, f64)>) -> Option<Near> {
    let mut best: Option<(ItemKey, f64)> = None;
    for (key, score) in scored {
        if score >= SAME_ARTICLE && best.is_none_or(|(_, top)| score > top) {
            best = Some((key, score));
        }
    }
    best.map(|(into, score)| Near::Duplicate {
        into,
        similarity: score as f32,
    })
}

fn new_text(item: &NewItem) -> String {
    text_of(item.content.as_deref(), item.summary.as_deref())
}

fn stored_text(item: &StoredItem) -> String {
    text_of(item.content.as_deref(), item.summary.as_deref())
}

#[cfg(test)]
mod tests {
    use crate::store::{
        META_FINGERPRINT, NewItem, Store, TEST_BODY, Upserted, test_article, test_item,
        test_origin, test_reprint,
    };

    /// Stores the article, lets `damage` leave the store as something else might have,
    /// opens it again and checks that the reprint still joins the article.
    fn reopened_after(damage: impl FnOnce(&Store)) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store
                .upsert(&test_origin("paper", "dz"), &test_article(), 1000)
                .unwrap();
            damage(&store);
            store.flush().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert!(matches!(
            store
                .upsert(&test_origin("portal", "gov"), &test_reprint(), 2000)
                .unwrap(),
            Upserted::Merged { .. }
        ));
        (dir, store)
    }

    #[test]
    fn a_store_indexed_by_an_older_fingerprint_scheme_is_reindexed_when_opened() {
        let (_dir, store) = reopened_after(|store| {
            // As an older scheme left it: band keys that meet nothing new.
            let key = store.fingerprints.iter().next().unwrap().unwrap().0;
            store.fingerprints.insert(key, &[0u8; 64][..]).unwrap();
            store
                .meta
                .insert(META_FINGERPRINT, &1u32.to_be_bytes())
                .unwrap();
        });
        assert!(
            store
                .fingerprints
                .iter()
                .all(|e| e.unwrap().1.as_ref() != [0u8; 64])
        );
    }

    #[test]
    fn a_closed_store_hands_its_index_to_the_next_writer_and_never_a_stale_one() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(crate::store::saved_index::FILE_NAME);
        // A second story and its reprint: the first one's text backwards, whole and cut.
        let backwards: String = TEST_BODY
            .trim_start_matches("<p>")
            .trim_end_matches("</p>")
            .chars()
            .rev()
            .collect();
        let second = NewItem {
            content: Some(format!("<p>{backwards}</p>")),
            ..test_item("//paper.example/a2.htm", "第二篇")
        };
        let second_reprint = NewItem {
            content: Some(format!(
                "<p>{}</p>",
                backwards.chars().skip(8).collect::<String>()
            )),
            ..test_item("//www.gov.example/t2.shtml", "第二篇转载")
        };
        let merged = |store: &Store, item: &NewItem| {
            let outcome = store
                .upsert(&test_origin("portal", "gov"), item, 2000)
                .unwrap();
            matches!(outcome, Upserted::Merged { .. })
        };
        {
            let store = Store::open(dir.path()).unwrap();
            store
                .upsert(&test_origin("paper", "dz"), &test_article(), 1000)
                .unwrap();
            store.close().unwrap();
        }
        assert!(file.exists());
        // Reading, loading the index and pruning nothing leave it where it is.
        {
            let store = Store::open(dir.path()).unwrap();
            store.feed_items("paper", 10).unwrap();
            store.prepare_near_duplicates().unwrap();
            assert!(store.near_duplicate_of(&test_reprint()).unwrap().is_some());
            // A prune that deletes nothing changes no fingerprint.
            store.prune(&[], 3000, 0).unwrap();
        }
        assert!(file.exists());
        {
            // Without its fingerprint record only the saved index knows the article.
            let store = Store::open(dir.path()).unwrap();
            store.fingerprints.clear().unwrap();
            store.flush().unwrap();
        }
        {
            let store = Store::open(dir.path()).unwrap();
            assert!(
                merged(&store, &test_reprint()),
                "found through the saved index"
            );
            assert!(file.exists(), "a merge records no fingerprint");
            store
                .upsert(&test_origin("paper", "dz"), &second, 1500)
                .unwrap();
            assert!(
                !file.exists(),
                "taken off the disk by the first write of a fingerprint"
            );
            store.flush().unwrap();
            // Not closed, as in a crash.
        }
        // The index is built from the store, so it holds the second story.
        let store = Store::open(dir.path()).unwrap();
        assert!(merged(&store, &second_reprint));
        store.close().unwrap();
        assert!(file.exists());
        // A prune that deletes items changes fingerprints: the file goes first.
        let keep = ["paper", "portal"].map(|feed| crate::store::Keep {
            feed,
            older_than: None,
            newest: Some(0),
        });
        let pruned = store.prune(&keep, 4000, 0).unwrap();
        assert!(pruned.deleted > 0);
        assert!(!file.exists());
    }

    #[test]
    fn a_damaged_fingerprint_record_is_skipped_and_the_other_items_still_match() {
        reopened_after(|store| {
            store
                .fingerprints
                .insert([7u8; 16], &b"not a record"[..])
                .unwrap();
        });
    }
}

//! The band index saved in a file beside the store when a writer closes it, so that the
//! next writer loads it instead of reading every fingerprint record through sled, whose
//! cache then keeps those records' pages (about 10 MB at 50,000 items) and which takes
//! seconds at a million.
//!
//! The file stands for the store only while its fingerprints do not change: loading it
//! leaves it, the first writer that records or deletes fingerprints takes it off the
//! disk before it writes, and only a close writes it again (when it was taken). A file of another store, of another schema or fingerprint scheme, or
//! damaged, is removed unused, and the index is built from the `fingerprints` tree as
//! before. (A paperboy from before this file does not remove it when it writes: after a
//! downgrade that stores items, then an upgrade, the file would still list items deleted
//! since, which are skipped, and miss those stored since, whose reprints go unmerged.)
//!
//! Written by hand: a flat file of the index's own tables (see `Bands::tables`), checked
//! by a CRC-32.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::bands::Bands;
use crate::model::ItemKey;

/// The file, in the store's directory.
pub(super) const FILE_NAME: &str = "near-duplicates.index";

const MAGIC: &[u8; 8] = b"pbbands1";

/// The saved index of one store, and whether its file may be on disk.
pub(super) struct SavedIndex {
    path: PathBuf,
    /// What the file must begin with to be this store's: its schema version, creation
    /// time and fingerprint scheme.
    stamp: Vec<u8>,
    on_disk: AtomicBool,
}

impl SavedIndex {
    /// The saved index of the store in `dir`, stamped `stamp`.
    pub(super) fn new(dir: &Path, stamp: Vec<u8>) -> SavedIndex {
        let path = dir.join(FILE_NAME);
        let on_disk = AtomicBool::new(path.exists());
        SavedIndex {
            path,
            stamp,
            on_disk,
        }
    }

    /// None: for a store while it opens.
    pub(super) fn none() -> SavedIndex {
        SavedIndex {
            path: PathBuf::new(),
            stamp: Vec::new(),
            on_disk: AtomicBool::new(false),
        }
    }

    /// The index in the file, when it is this store's and whole (a file that is not is
    /// removed). The file stays until [`SavedIndex::release`].
    pub(super) fn load(&self) -> Option<Bands> {
        if !self.on_disk.load(Ordering::SeqCst) {
            return None;
        }
        let bands = match std::fs::read(&self.path) {
            Ok(bytes) => decode(&bytes, &self.stamp),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                self.on_disk.store(false, Ordering::SeqCst);
                return None;
            }
            Err(err) => {
                tracing::warn!(path = %self.path.display(), error = %err, "cannot read the saved near-duplicate index");
                None
            }
        };
        if let Some(bands) = &bands {
            tracing::debug!(items = bands.len(), path = %self.path.display(), "near-duplicate index loaded");
        } else {
            tracing::warn!(
                path = %self.path.display(),
                "saved near-duplicate index not used (not this store's, or damaged); building it from the store"
            );
            self.release();
        }
        bands
    }

    /// Takes the file off the disk: called by a writer before it writes, so that the file
    /// is never read after writes it does not hold.
    pub(super) fn release(&self) {
        if !self.on_disk.swap(false, Ordering::SeqCst) {
            return;
        }
        match std::fs::remove_file(&self.path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                tracing::error!(path = %self.path.display(), error = %err, "cannot remove the saved near-duplicate index; remove it before paperboy starts again");
            }
            _ => {}
        }
    }

    /// Writes the file (whole or not at all: a temporary file renamed into place), unless
    /// the one on disk still holds this index (nothing released it since it was loaded or
    /// saved).
    pub(super) fn save(&self, bands: &mut Bands) -> std::io::Result<()> {
        if self.on_disk.load(Ordering::SeqCst) {
            return Ok(());
        }
        let bytes = encode(bands, &self.stamp);
        let temp = self.path.with_extension("index.tmp");
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, &self.path)?;
        self.on_disk.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// magic, stamp length (u32) and stamp, item count (u32) and keys, free count (u32) and
/// slots, pair count (u64) and pairs, CRC-32 of all before it; little-endian.
fn encode(bands: &mut Bands, stamp: &[u8]) -> Vec<u8> {
    let (keys, free, sorted) = bands.tables();
    let mut out =
        Vec::with_capacity(32 + stamp.len() + keys.len() * 16 + free.len() * 4 + sorted.len() * 8);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(stamp.len() as u32).to_le_bytes());
    out.extend_from_slice(stamp);
    out.extend_from_slice(&(keys.len() as u32).to_le_bytes());
    for key in keys {
        out.extend_from_slice(&key.0);
    }
    out.extend_from_slice(&(free.len() as u32).to_le_bytes());
    for slot in free {
        out.extend_from_slice(&slot.to_le_bytes());
    }
    out.extend_from_slice(&(sorted.len() as u64).to_le_bytes());
    for (band, slot) in sorted {
        out.extend_from_slice(&band.to_le_bytes());
        out.extend_from_slice(&slot.to_le_bytes());
    }
    let mut crc = flate2::Crc::new();
    crc.update(&out);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out
}

/// The index in `bytes`, when they are whole and stamped `stamp`.
fn decode(bytes: &[u8], stamp: &[u8]) -> Option<Bands> {
    let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(4)?)?;
    let mut crc = flate2::Crc::new();
    crc.update(body);
    if crc.sum().to_le_bytes() != sum {
        return None;
    }
    let mut read = Reader(body);
    if read.take(MAGIC.len())? != MAGIC {
        return None;
    }
    let stamp_len = read.u32()? as usize;
    if read.take(stamp_len)? != stamp {
        return None;
    }
    let count = read.u32()? as usize;
    let keys = read
        .take(count.checked_mul(16)?)?
        .chunks_exact(16)
        .map(|key| ItemKey::from_slice(key).expect("16 bytes"))
        .collect();
    let count = read.u32()? as usize;
    let free = (0..count).map(|_| read.u32()).collect::<Option<_>>()?;
    let count = usize::try_from(read.u64()?).ok()?;
    if read.0.len() != count.checked_mul(8)? {
        return None;
    }
    let sorted = (0..count)
        .map(|_| Some((read.u32()?, read.u32()?)))
        .collect::<Option<_>>()?;
    Bands::from_tables(keys, free, sorted)
}

/// Reads a file's fields in order.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::bands::BandKeys;

    fn key(n: u32) -> ItemKey {
        let mut key = [0u8; 16];
        key[..4].copy_from_slice(&n.to_be_bytes());
        ItemKey(key)
    }

    fn bands(seed: u32) -> BandKeys {
        std::array::from_fn(|band| seed * 7 + band as u32)
    }

    #[test]
    fn a_saved_index_answers_as_the_one_saved_until_released() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = Bands::default();
        for n in 0..300 {
            index.insert(key(n), &bands(n));
        }
        for n in (0..300).step_by(3) {
            index.remove(&key(n), &bands(n));
        }
        let saved = SavedIndex::new(dir.path(), b"stamp".to_vec());
        saved.save(&mut index).unwrap();
        assert!(dir.path().join(FILE_NAME).exists());

        let again = SavedIndex::new(dir.path(), b"stamp".to_vec());
        let loaded = again.load().expect("loaded");
        assert!(dir.path().join(FILE_NAME).exists(), "loading leaves it");
        again.release();
        assert!(!dir.path().join(FILE_NAME).exists(), "released");
        assert!(again.load().is_none(), "gone once released");
        assert_eq!(loaded.len(), index.len());
        for n in 0..300 {
            assert_eq!(
                loaded.shared(&bands(n)),
                index.shared(&bands(n)),
                "item {n}"
            );
        }
    }

    #[test]
    fn a_file_of_another_store_or_damaged_is_removed_unused() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = Bands::default();
        index.insert(key(1), &bands(1));
        let path = dir.path().join(FILE_NAME);

        SavedIndex::new(dir.path(), b"one".to_vec())
            .save(&mut index)
            .unwrap();
        assert!(
            SavedIndex::new(dir.path(), b"two".to_vec())
                .load()
                .is_none()
        );
        assert!(!path.exists());

        SavedIndex::new(dir.path(), b"one".to_vec())
            .save(&mut index)
            .unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.len() - 10;
        bytes[at] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(
            SavedIndex::new(dir.path(), b"one".to_vec())
                .load()
                .is_none()
        );
        assert!(!path.exists());

        std::fs::write(&path, &bytes[..20]).unwrap();
        assert!(
            SavedIndex::new(dir.path(), b"one".to_vec())
                .load()
                .is_none()
        );
    }

    #[test]
    fn tables_that_do_not_fit_together_are_refused() {
        let keys = vec![key(0), key(1)];
        assert!(Bands::from_tables(keys.clone(), vec![], vec![(1, 0), (2, 1)]).is_some());
        assert!(Bands::from_tables(keys.clone(), vec![], vec![(1, 2)]).is_none());
        assert!(Bands::from_tables(keys.clone(), vec![1], vec![(1, 1)]).is_none());
        assert!(Bands::from_tables(keys.clone(), vec![0, 0], vec![]).is_none());
        assert!(Bands::from_tables(keys.clone(), vec![], vec![(2, 1), (1, 0)]).is_none());
        assert!(Bands::from_tables(vec![key(0), key(0)], vec![], vec![]).is_none());
    }
}

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
//! by a CRC-32, written and read a chunk at a time.

use std::io::{Read, Write};
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
        let bands = match read(&self.path, &self.stamp) {
            Ok(bands) => bands,
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
        // The removal is made durable before the writes it precedes: after a power loss
        // that kept the writes but not the removal, the file would come back and be read
        // as this store's index.
        match std::fs::remove_file(&self.path) {
            Ok(()) => {
                if let Err(err) = sync_dir(&self.path) {
                    tracing::error!(path = %self.path.display(), error = %err, "cannot sync the directory of the removed near-duplicate index; if the machine loses power before the next clean stop, remove the file before paperboy starts again");
                }
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                tracing::error!(path = %self.path.display(), error = %err, "cannot remove the saved near-duplicate index; remove it before paperboy starts again");
            }
        }
    }

    /// Writes the file (whole or not at all: a temporary file renamed into place), unless
    /// the one on disk still holds this index (nothing released it since it was loaded or
    /// saved).
    pub(super) fn save(&self, bands: &mut Bands) -> std::io::Result<()> {
        if self.on_disk.load(Ordering::SeqCst) {
            return Ok(());
        }
        let temp = self.path.with_extension("index.tmp");
        let mut out = Summed::new(std::io::BufWriter::new(std::fs::File::create(&temp)?));
        write(&mut out, bands, &self.stamp)?;
        let sum = out.crc.sum();
        out.inner.write_all(&sum.to_le_bytes())?;
        out.inner
            .into_inner()
            .map_err(|err| err.into_error())?
            .sync_all()?;
        std::fs::rename(&temp, &self.path)?;
        // On disk from here on, synced or not: a writer must take it off again.
        self.on_disk.store(true, Ordering::SeqCst);
        sync_dir(&self.path)
    }
}

/// Makes the entries of the directory holding `path` durable: a removal or a rename
/// there survives a power loss only once its directory is synced.
fn sync_dir(path: &Path) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    std::fs::File::open(dir.unwrap_or(Path::new(".")))?.sync_all()
}

/// Elements read or written at a time.
const CHUNK: usize = 8192;

/// magic, stamp length (u32) and stamp, item count (u32) and keys, free count (u32) and
/// slots, pair count (u64) and pairs, then (written by the caller) the CRC-32 of all
/// before it; little-endian. Written as it goes: the index is not copied whole.
fn write(out: &mut Summed<impl Write>, bands: &mut Bands, stamp: &[u8]) -> std::io::Result<()> {
    let (keys, free, sorted) = bands.tables();
    out.put(MAGIC)?;
    out.put(&(stamp.len() as u32).to_le_bytes())?;
    out.put(stamp)?;
    out.put(&(keys.len() as u32).to_le_bytes())?;
    let mut buffer = Vec::with_capacity(CHUNK * 16);
    for chunk in keys.chunks(CHUNK) {
        buffer.clear();
        chunk
            .iter()
            .for_each(|key| buffer.extend_from_slice(&key.0));
        out.put(&buffer)?;
    }
    out.put(&(free.len() as u32).to_le_bytes())?;
    for chunk in free.chunks(CHUNK) {
        buffer.clear();
        chunk
            .iter()
            .for_each(|slot| buffer.extend_from_slice(&slot.to_le_bytes()));
        out.put(&buffer)?;
    }
    out.put(&(sorted.len() as u64).to_le_bytes())?;
    for chunk in sorted.chunks(CHUNK) {
        buffer.clear();
        for (band, slot) in chunk {
            buffer.extend_from_slice(&band.to_le_bytes());
            buffer.extend_from_slice(&slot.to_le_bytes());
        }
        out.put(&buffer)?;
    }
    Ok(())
}

/// The index in the file at `path`, when it is whole and stamped `stamp` (`Ok(None)` when
/// it is not). Read as it goes, with every count checked against the file's length.
fn read(path: &Path, stamp: &[u8]) -> std::io::Result<Option<Bands>> {
    let file = std::fs::File::open(path)?;
    let mut left = file.metadata()?.len();
    let mut read = Summed::new(std::io::BufReader::new(file));
    // What `count` elements of `size` bytes need: `None` when the file has not that many.
    let mut fits = |count: u64, size: u64| {
        let bytes = count.checked_mul(size)?;
        left = left.checked_sub(bytes)?;
        usize::try_from(count).ok()
    };
    let whole = (|| -> std::io::Result<Option<Bands>> {
        if read.array::<8>()? != *MAGIC
            || read.array::<4>()? != (stamp.len() as u32).to_le_bytes()
            || read.bytes(stamp.len())? != stamp
        {
            return Ok(None);
        }
        let Some(count) = fits(u32::from_le_bytes(read.array()?).into(), 16) else {
            return Ok(None);
        };
        let keys = read.elements(count, 16, |bytes| {
            ItemKey::from_slice(bytes).expect("16 bytes")
        })?;
        let Some(count) = fits(u32::from_le_bytes(read.array()?).into(), 4) else {
            return Ok(None);
        };
        let free = read.elements(count, 4, |bytes| {
            u32::from_le_bytes(bytes.try_into().expect("4 bytes"))
        })?;
        let Some(count) = fits(u64::from_le_bytes(read.array()?), 8) else {
            return Ok(None);
        };
        let sorted = read.elements(count, 8, |bytes| {
            let (band, slot) = bytes.split_at(4);
            let u32_of = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("4 bytes"));
            (u32_of(band), u32_of(slot))
        })?;
        let sum = read.crc.sum();
        let mut tail = [0u8; 5];
        let got = read.inner.read(&mut tail[..4])?;
        if got != 4 || tail[..4] != sum.to_le_bytes() || read.inner.read(&mut tail[4..])? != 0 {
            return Ok(None);
        }
        Ok(Bands::from_tables(keys, free, sorted))
    })();
    match whole {
        // A file cut short is a damaged one, not a failure to read.
        Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
        other => other,
    }
}

/// A reader or writer that keeps the CRC-32 of what passes through it.
struct Summed<T> {
    inner: T,
    crc: flate2::Crc,
}

impl<T> Summed<T> {
    fn new(inner: T) -> Summed<T> {
        Summed {
            inner,
            crc: flate2::Crc::new(),
        }
    }
}

impl<W: Write> Summed<W> {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.crc.update(bytes);
        self.inner.write_all(bytes)
    }
}

impl<R: Read> Summed<R> {
    fn bytes(&mut self, len: usize) -> std::io::Result<Vec<u8>> {
        let mut bytes = vec![0u8; len];
        self.inner.read_exact(&mut bytes)?;
        self.crc.update(&bytes);
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> std::io::Result<[u8; N]> {
        let mut bytes = [0u8; N];
        self.inner.read_exact(&mut bytes)?;
        self.crc.update(&bytes);
        Ok(bytes)
    }

    /// `count` elements of `size` bytes each, made by `make`, read a chunk at a time.
    fn elements<T>(
        &mut self,
        count: usize,
        size: usize,
        make: impl Fn(&[u8]) -> T,
    ) -> std::io::Result<Vec<T>> {
        let mut out = Vec::with_capacity(count);
        let mut buffer = vec![0u8; CHUNK.min(count) * size];
        while out.len() < count {
            let chunk = &mut buffer[..(count - out.len()).min(CHUNK) * size];
            self.inner.read_exact(chunk)?;
            self.crc.update(chunk);
            out.extend(chunk.chunks_exact(size).map(&make));
        }
        Ok(out)
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

        // A count the file cannot hold (before the CRC could tell): refused, not allocated.
        let at = MAGIC.len() + 4 + b"one".len();
        bytes[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
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

    #[test]
    fn the_directory_synced_is_the_one_holding_the_file() {
        let dir = tempfile::tempdir().unwrap();
        // The file itself need not exist (it was just removed).
        sync_dir(&dir.path().join(FILE_NAME)).unwrap();
        assert!(sync_dir(&dir.path().join("gone").join(FILE_NAME)).is_err());
    }
}

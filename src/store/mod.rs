//! The only code that touches sled: items, indexes and per-source state.
//!
//! One tree per keyspace, named by a constant below. Writes that belong together (an item
//! and its indexes) go in one transaction; callers flush after a batch that must be
//! durable, because sled on its own syncs only every 500 ms. A schema version is written
//! when the store is created and checked at every open.

mod attach;
mod bands;
mod dedup;
mod enclosures;
mod health;
mod identity;
mod items;
mod keys;
mod migrate;
mod places;
mod read;
mod records;
mod retention;
mod saved_index;
mod tx;

use std::path::{Path, PathBuf};

use crate::model::ItemKey;

pub use crate::model::NewItem;
pub use items::ITEMS_PER_TRANSACTION;
pub use records::{Origin, Place, SourceState, StoredItem, Upserted, Version};
pub use retention::{Keep, Pruned};

/// Version of the record layouts; bump on any change to `records.rs`, and teach
/// `migrate` the step from the one before.
const SCHEMA_VERSION: u32 = 5;

const TREE_META: &str = "meta";
const TREE_ITEMS: &str = "items";
const TREE_URLS: &str = "urls";
const TREE_GUIDS: &str = "guids";
const TREE_IDS: &str = "ids";
const TREE_FEED_TIME: &str = "feed_time";
/// Items per feed: `slug` → count (u64), kept with the time index.
const TREE_FEED_COUNTS: &str = "feed_counts";
const TREE_SOURCES: &str = "sources";
/// Item key → its near-duplicate band keys (see `bands`).
const TREE_FINGERPRINTS: &str = "fingerprints";
/// Old key → new key of items that moved to their primary place's key.
const TREE_ALIASES: &str = "aliases";
/// Source name → items its recent runs listed (big-endian u32s, oldest first).
const TREE_YIELDS: &str = "yields";
/// Source name (or `config`) → its standing (healthy, or failing since when).
const TREE_STANDINGS: &str = "standings";
/// Time and id → a source's breaking or recovering.
const TREE_EVENTS: &str = "health_events";
/// An identity of a pruned item → when a source last listed it (see `retention`).
const TREE_TOMBSTONES: &str = "tombstones";
/// URL identity → a file that goes with the item (an e-paper page's PDF).
const TREE_ENCLOSURES: &str = "enclosures";

const META_SCHEMA: &[u8] = b"schema_version";
const META_CREATED: &[u8] = b"created";
const META_HEALTH: &[u8] = b"health";
const META_IMAGE_KEY: &[u8] = b"image_key";
/// Present once the per-feed counts were made from the time index.
const META_FEED_COUNTS: &[u8] = b"feed_counts";
/// The near-duplicate fingerprint scheme the `fingerprints` tree was made with.
const META_FINGERPRINT: &[u8] = b"fingerprint_scheme";

/// How long opening waits for the store's lock, and how often it tries.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);
const LOCK_RETRY: std::time::Duration = std::time::Duration::from_millis(50);

/// Errors of the store, naming what failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store at {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error(
        "the store at {path} has schema version {found}; this paperboy reads version {SCHEMA_VERSION}"
    )]
    Schema { path: PathBuf, found: u32 },
    #[error("store: {}", describe(.0))]
    Sled(#[from] sled::Error),
    #[error("store: damaged record in `{tree}`: {message}")]
    Corrupt { tree: &'static str, message: String },
    /// A write failed earlier (see [`Store::failure`]).
    #[error("{0}; no feed is rendered from the store until paperboy restarts")]
    Failed(String),
}

impl StoreError {
    /// Whether the store's files could not be read or written (a full disk, most often).
    fn is_io(&self) -> bool {
        matches!(self, StoreError::Sled(sled::Error::Io(_)))
    }
}

/// sled's error, said plainly: a failed write is most often a full disk.
fn describe(err: &sled::Error) -> String {
    match err {
        sled::Error::Io(io) => format!(
            "cannot read or write the store's files: {io} (is the disk full, or a file-size limit reached?)"
        ),
        other => other.to_string(),
    }
}

/// Handle on the store; cheap to clone (sled's handles are reference-counted).
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    meta: sled::Tree,
    items: sled::Tree,
    urls: sled::Tree,
    guids: sled::Tree,
    ids: sled::Tree,
    feed_time: sled::Tree,
    feed_counts: sled::Tree,
    sources: sled::Tree,
    fingerprints: sled::Tree,
    aliases: sled::Tree,
    yields: sled::Tree,
    standings: sled::Tree,
    events: sled::Tree,
    tombstones: sled::Tree,
    enclosures: sled::Tree,
    /// Serializes new items: a near-duplicate lookup and the write that follows it are
    /// one step, so two reprints stored at once still merge. It holds the band index,
    /// built when a writer first needs it.
    writes: std::sync::Arc<std::sync::Mutex<Option<bands::Bands>>>,
    /// The band index saved by the last close, until a writer takes it.
    saved: std::sync::Arc<saved_index::SavedIndex>,
    /// Why a write failed, once one did: sled then refuses every write until the store is
    /// opened again, and what it still reads may hold writes never made durable.
    failure: std::sync::Arc<std::sync::OnceLock<String>>,
}

impl Store {
    /// Opens (or creates) the store in `dir` with the default cache.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Store::open_with_cache(dir, crate::config::DEFAULT_STORE_CACHE)
    }

    /// Opens (or creates) the store in `dir`, caching up to `cache` bytes of it in memory.
    pub fn open_with_cache(dir: &Path, cache: u64) -> Result<Store, StoreError> {
        let open_error = |message: String| StoreError::Open {
            path: dir.to_path_buf(),
            message,
        };
        std::fs::create_dir_all(dir).map_err(|err| open_error(err.to_string()))?;
        let config = sled::Config::new().path(dir).cache_capacity(cache);
        // The lock of a store just closed (by this process or one that is exiting) can
        // outlive it briefly, until sled's background work lets go of its files.
        let mut waited = std::time::Duration::ZERO;
        let db = loop {
            match config.open() {
                Ok(db) => break db,
                Err(err) if err.to_string().contains("lock") => {
                    if waited >= LOCK_WAIT {
                        return Err(open_error(format!("{err} (is another paperboy using it?)")));
                    }
                    std::thread::sleep(LOCK_RETRY);
                    waited += LOCK_RETRY;
                }
                Err(err) => return Err(open_error(err.to_string())),
            }
        };
        let tree = |name: &str| db.open_tree(name);
        let mut store = Store {
            meta: tree(TREE_META)?,
            items: tree(TREE_ITEMS)?,
            urls: tree(TREE_URLS)?,
            guids: tree(TREE_GUIDS)?,
            ids: tree(TREE_IDS)?,
            feed_time: tree(TREE_FEED_TIME)?,
            feed_counts: tree(TREE_FEED_COUNTS)?,
            sources: tree(TREE_SOURCES)?,
            fingerprints: tree(TREE_FINGERPRINTS)?,
            aliases: tree(TREE_ALIASES)?,
            yields: tree(TREE_YIELDS)?,
            standings: tree(TREE_STANDINGS)?,
            events: tree(TREE_EVENTS)?,
            tombstones: tree(TREE_TOMBSTONES)?,
            enclosures: tree(TREE_ENCLOSURES)?,
            writes: Default::default(),
            saved: std::sync::Arc::new(saved_index::SavedIndex::none()),
            failure: Default::default(),
            db,
        };
        match store.meta.get(META_SCHEMA)? {
            Some(bytes) => {
                let found = bytes
                    .as_ref()
                    .try_into()
                    .map(u32::from_be_bytes)
                    .unwrap_or(0);
                if (2..SCHEMA_VERSION).contains(&found) {
                    migrate::upgrade(&store, found)?;
                } else if found != SCHEMA_VERSION {
                    return Err(StoreError::Schema {
                        path: dir.to_path_buf(),
                        found,
                    });
                }
            }
            None => {
                store
                    .meta
                    .insert(META_SCHEMA, &SCHEMA_VERSION.to_be_bytes())?;
                let now = chrono::Utc::now().timestamp_millis();
                store.meta.insert(META_CREATED, &now.to_be_bytes())?;
                store.meta.insert(
                    META_FINGERPRINT,
                    &crate::normalize::near_dup::SCHEME.to_be_bytes(),
                )?;
                store.db.flush()?;
            }
        }
        if store.meta.get(META_FEED_COUNTS)?.is_none() {
            store.recount_feeds()?;
            store.meta.insert(META_FEED_COUNTS, &[])?;
            store.db.flush()?;
        }
        let scheme = store.meta.get(META_FINGERPRINT)?;
        if scheme.as_deref() != Some(&crate::normalize::near_dup::SCHEME.to_be_bytes()[..]) {
            store.reindex_near_duplicates()?;
            store.meta.insert(
                META_FINGERPRINT,
                &crate::normalize::near_dup::SCHEME.to_be_bytes(),
            )?;
            store.db.flush()?;
        }
        let stamp = [
            SCHEMA_VERSION.to_be_bytes().as_slice(),
            &store.created()?.to_be_bytes(),
            &crate::normalize::near_dup::SCHEME.to_be_bytes(),
        ]
        .concat();
        store.saved = std::sync::Arc::new(saved_index::SavedIndex::new(dir, stamp));
        Ok(store)
    }

    /// When the store was created (UTC milliseconds): the `updated` of an empty feed.
    pub fn created(&self) -> Result<i64, StoreError> {
        let bytes = self.meta.get(META_CREATED)?;
        Ok(bytes
            .and_then(|b| b.as_ref().try_into().ok())
            .map_or(0, i64::from_be_bytes))
    }

    /// Makes every write so far durable.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(|err| self.failed(err))?;
        Ok(())
    }

    /// Makes every write durable and saves the near-duplicate index in a file for the
    /// next process that writes, which then need not build it from every stored item
    /// (see `saved_index`). What a process that wrote does last with the store; a
    /// failure to save is logged, and costs only that rebuild.
    pub fn close(&self) -> Result<(), StoreError> {
        self.flush()?;
        let mut lock = self.write_lock();
        if let (Some(bands), None) = (lock.as_mut(), self.failure()) {
            if let Err(err) = self.saved.save(bands) {
                tracing::warn!(error = %err, file = saved_index::FILE_NAME, "cannot save the near-duplicate index");
            }
        }
        Ok(())
    }

    /// A write's error from sled, remembered when it is the files' (see [`Store::failure`]).
    fn failed(&self, err: sled::Error) -> StoreError {
        let err = StoreError::Sled(err);
        if err.is_io() {
            let _ = self.failure.set(err.to_string());
        }
        err
    }

    /// Why the store's files failed a write, once one did: nothing read from it since can
    /// be trusted to be on disk, until it is opened again.
    pub fn failure(&self) -> Option<&str> {
        self.failure.get().map(String::as_str)
    }

    /// The secret that signs image-proxy addresses: 32 random bytes made with the store,
    /// kept in it (in `data_dir`), never sent anywhere.
    pub fn image_key(&self) -> Result<Vec<u8>, StoreError> {
        if let Some(key) = self.meta.get(META_IMAGE_KEY)? {
            return Ok(key.to_vec());
        }
        let key: [u8; 32] = rand::random();
        // Two first callers at once: the first key written wins for both.
        let _ =
            self.meta
                .compare_and_swap(META_IMAGE_KEY, None as Option<&[u8]>, Some(&key[..]))?;
        self.db.flush()?;
        Ok(self
            .meta
            .get(META_IMAGE_KEY)?
            .map_or(key.to_vec(), |k| k.to_vec()))
    }

    /// Bytes the store takes on disk.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(self.db.size_on_disk()?)
    }

    /// A small durable write, for health checks.
    pub fn check_writable(&self) -> Result<(), StoreError> {
        let now = chrono::Utc::now().timestamp_millis();
        self.meta.insert(META_HEALTH, &now.to_be_bytes())?;
        self.flush()
    }

    pub fn source_state(&self, source: &str) -> Result<SourceState, StoreError> {
        match self.sources.get(source.as_bytes())? {
            Some(bytes) => decode(TREE_SOURCES, &bytes),
            None => Ok(SourceState::default()),
        }
    }

    pub fn save_source_state(&self, source: &str, state: &SourceState) -> Result<(), StoreError> {
        self.sources.insert(source.as_bytes(), encode(state))?;
        Ok(())
    }
}

/// A small item for the store's unit tests.
#[cfg(test)]
fn test_item(url: &str, title: &str) -> NewItem {
    NewItem {
        url_identity: Some(url.to_string()),
        link: Some(format!("https:{url}")),
        title: title.to_string(),
        content: Some("<p>正文</p>".into()),
        ..NewItem::default()
    }
}

/// The text of the store's reprint tests: a newspaper's story (滨州日报).
#[cfg(test)]
const TEST_BODY: &str = "<p>坐到群众炕头、想到群众心头、干到群众点头。“学党史，为群众办实事”，滨州聚焦群众“急难愁盼”，本着“小切口、大作为、好影响”的标准，滨州市精准制定两批40项重点民生项目清单，把实事办实办好。截至2021年12月9日，市级两批40项124小项重点民生项目清单全部完成；至12月15日，县级18批435项610小项重点民生项目清单全部完成。滨州全市累计为群众办实事66315件。</p>";

/// The newspaper's article with [`TEST_BODY`].
#[cfg(test)]
fn test_article() -> NewItem {
    NewItem {
        content: Some(TEST_BODY.into()),
        ..test_item("//paper.example/a1.htm", "66315件实事擦亮民生底色")
    }
}

/// A portal's reprint of [`test_article`]: retitled, its first clause cut.
#[cfg(test)]
fn test_reprint() -> NewItem {
    NewItem {
        content: Some(TEST_BODY.replace("<p>坐到群众炕头、", "<p>")),
        ..test_item("//www.gov.example/t1.shtml", "滨州：为群众办实事66315件")
    }
}

/// Alias hops followed at most (an item re-owned several times).
const MAX_ALIAS_HOPS: usize = 8;

/// The bytes of the item under `key`, following the aliases a re-owned item leaves
/// behind; `item` and `alias` read the two trees (in or out of a transaction).
fn follow_aliases<E>(
    key: ItemKey,
    mut item: impl FnMut(&ItemKey) -> Result<Option<sled::IVec>, E>,
    mut alias: impl FnMut(&ItemKey) -> Result<Option<sled::IVec>, E>,
) -> Result<Option<sled::IVec>, E> {
    let mut key = key;
    for _ in 0..MAX_ALIAS_HOPS {
        if let Some(bytes) = item(&key)? {
            return Ok(Some(bytes));
        }
        match alias(&key)?.as_deref().and_then(ItemKey::from_slice) {
            Some(next) => key = next,
            None => return Ok(None),
        }
    }
    Ok(None)
}

/// Where a unit test's write comes from.
#[cfg(test)]
fn test_origin<'a>(feed: &'a str, source: &'a str) -> Origin<'a> {
    Origin {
        feed,
        source,
        rank: 0,
    }
}

fn encode<T: serde::Serialize>(value: &T) -> Vec<u8> {
    postcard::to_allocvec(value).expect("records always serialize")
}

/// An item's record, as [`StoredItem::to_record`] writes it.
fn decode_item(bytes: &[u8]) -> Result<StoredItem, StoreError> {
    StoredItem::from_record(bytes).map_err(|err| StoreError::Corrupt {
        tree: TREE_ITEMS,
        message: err.to_string(),
    })
}

fn decode<T: serde::de::DeserializeOwned>(
    tree: &'static str,
    bytes: &[u8],
) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|err| StoreError::Corrupt {
        tree,
        message: err.to_string(),
    })
}

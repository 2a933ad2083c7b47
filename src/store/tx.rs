//! The transaction every item write runs in: the trees it touches, together.

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};

use super::keys::feed_entry;
use super::{Store, StoreError};
use crate::normalize::ItemKey;

pub(super) type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

/// The trees one upsert touches, inside a transaction.
pub(super) struct Tx<'a> {
    pub(super) items: &'a TransactionalTree,
    pub(super) urls: &'a TransactionalTree,
    pub(super) guids: &'a TransactionalTree,
    pub(super) ids: &'a TransactionalTree,
    pub(super) feed_time: &'a TransactionalTree,
    pub(super) feed_counts: &'a TransactionalTree,
    pub(super) fingerprints: &'a TransactionalTree,
    pub(super) aliases: &'a TransactionalTree,
}

impl Store {
    /// Runs `work` in one transaction over the trees an item write touches. sled re-runs
    /// the closure on a conflict, so it must only read and write through `tx`.
    pub(super) fn transact<T>(
        &self,
        work: impl Fn(&Tx<'_>) -> TxResult<T>,
    ) -> Result<T, StoreError> {
        let trees = (
            &self.items,
            &self.urls,
            &self.guids,
            &self.ids,
            &self.feed_time,
            &self.feed_counts,
            &self.fingerprints,
            &self.aliases,
        );
        trees
            .transaction(
                |(items, urls, guids, ids, feed_time, feed_counts, fingerprints, aliases)| {
                    work(&Tx {
                        items,
                        urls,
                        guids,
                        ids,
                        feed_time,
                        feed_counts,
                        fingerprints,
                        aliases,
                    })
                },
            )
            .map_err(|err| match err {
                TransactionError::Abort(err) => err,
                TransactionError::Storage(err) => self.failed(err),
            })
    }
}

impl Tx<'_> {
    /// Adds an item to a feed's time index (and its count, when it was not there).
    pub(super) fn enter_feed(&self, slug: &str, time: i64, key: &ItemKey) -> TxResult<()> {
        if self
            .feed_time
            .insert(feed_entry(slug, time, key), &[])?
            .is_none()
        {
            self.count_feed(slug, 1)?;
        }
        Ok(())
    }

    /// Takes an item out of a feed's time index (and its count, when it was there).
    pub(super) fn leave_feed(&self, slug: &str, time: i64, key: &ItemKey) -> TxResult<()> {
        if self
            .feed_time
            .remove(feed_entry(slug, time, key))?
            .is_some()
        {
            self.count_feed(slug, -1)?;
        }
        Ok(())
    }

    fn count_feed(&self, slug: &str, by: i64) -> TxResult<()> {
        let count = self.feed_counts.get(slug)?.map_or(0, |v| decode_count(&v));
        self.feed_counts.insert(
            slug.as_bytes(),
            &count.saturating_add_signed(by).to_be_bytes(),
        )?;
        Ok(())
    }
}

/// A feed's stored count (a damaged value counts as none).
pub(super) fn decode_count(bytes: &[u8]) -> u64 {
    bytes.try_into().map_or(0, u64::from_be_bytes)
}

pub(super) fn abort(err: StoreError) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(err)
}

//! The transaction every item write runs in: the trees it touches, together.

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};

use super::{Store, StoreError};

pub(super) type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

/// The trees one upsert touches, inside a transaction.
pub(super) struct Tx<'a> {
    pub(super) items: &'a TransactionalTree,
    pub(super) urls: &'a TransactionalTree,
    pub(super) guids: &'a TransactionalTree,
    pub(super) ids: &'a TransactionalTree,
    pub(super) feed_time: &'a TransactionalTree,
    pub(super) lsh: &'a TransactionalTree,
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
            &self.lsh,
            &self.aliases,
        );
        trees
            .transaction(|(items, urls, guids, ids, feed_time, lsh, aliases)| {
                work(&Tx {
                    items,
                    urls,
                    guids,
                    ids,
                    feed_time,
                    lsh,
                    aliases,
                })
            })
            .map_err(|err| match err {
                TransactionError::Abort(err) => err,
                TransactionError::Storage(err) => StoreError::Sled(err),
            })
    }
}

pub(super) fn abort(err: StoreError) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(err)
}

//! An item's identities: whether a new item is one stored already (by guid within its
//! source, declared id, URL or primary identity), which stored item that is, and pointing
//! a stored item's identities at it.

use super::keys::guid_key;
use super::tx::{Tx, TxResult, abort};
use super::{NewItem, Store, StoreError, StoredItem, decode_item, follow_aliases};
use crate::normalize::ItemKey;

/// The indexes an item is found by.
#[derive(Clone, Copy)]
enum Index {
    Guid,
    Id,
    Url,
}

/// `new`'s identities as index keys, in the order they are asked: guid within the
/// source, declared id, URL. Outside a transaction and in one, an item is found alike.
fn identities(source: &str, new: &NewItem) -> impl Iterator<Item = (Index, Vec<u8>)> {
    [
        new.guid
            .as_ref()
            .map(|guid| (Index::Guid, guid_key(source, guid))),
        new.declared_id
            .as_ref()
            .map(|id| (Index::Id, id.as_bytes().to_vec())),
        new.url_identity
            .as_ref()
            .map(|url| (Index::Url, url.as_bytes().to_vec())),
    ]
    .into_iter()
    .flatten()
}

impl Store {
    fn index_tree(&self, index: Index) -> &sled::Tree {
        match index {
            Index::Guid => &self.guids,
            Index::Id => &self.ids,
            Index::Url => &self.urls,
        }
    }

    /// The key of the stored item one of `new`'s identities points at (the first found
    /// decides, as in [`Tx::find`]).
    fn indexed(&self, source: &str, new: &NewItem) -> Result<Option<ItemKey>, StoreError> {
        for (index, lookup) in identities(source, new) {
            if let Some(bytes) = self.index_tree(index).get(lookup)? {
                return Ok(ItemKey::from_slice(&bytes));
            }
        }
        Ok(None)
    }

    /// The key of the stored item `new` is, by one of its identities or its primary
    /// identity; `None` when it is new.
    pub(super) fn known(&self, source: &str, new: &NewItem) -> Result<Option<ItemKey>, StoreError> {
        if let Some(key) = self.indexed(source, new)? {
            return Ok(Some(key));
        }
        let primary = ItemKey::for_identity(&new.primary_identity(source));
        Ok(self.items.contains_key(primary.0)?.then_some(primary))
    }

    /// The stored item `new` is, read outside a transaction: found as [`Tx::find`] finds
    /// it (guid within the source, else declared id, else URL).
    pub(super) fn stored_for(
        &self,
        source: &str,
        new: &NewItem,
    ) -> Result<Option<StoredItem>, StoreError> {
        match self.indexed(source, new)? {
            Some(key) => self.item(&key),
            None => Ok(None),
        }
    }
}

impl Tx<'_> {
    fn index_tree(&self, index: Index) -> &sled::transaction::TransactionalTree {
        match index {
            Index::Guid => self.guids,
            Index::Id => self.ids,
            Index::Url => self.urls,
        }
    }

    /// The stored item this one is: by guid within the source, else by declared id or URL.
    pub(super) fn find(&self, source: &str, new: &NewItem) -> TxResult<Option<ItemKey>> {
        for (index, lookup) in identities(source, new) {
            if let Some(bytes) = self.index_tree(index).get(lookup)? {
                return Ok(ItemKey::from_slice(&bytes));
            }
        }
        Ok(None)
    }

    /// The item under `key`, following the aliases a re-owned item leaves behind.
    pub(super) fn load(&self, key: &ItemKey) -> TxResult<Option<StoredItem>> {
        let bytes = follow_aliases(*key, |k| self.items.get(k.0), |k| self.aliases.get(k.0))?;
        bytes.map(|b| decode_item(&b).map_err(abort)).transpose()
    }

    /// Points every identity of `new` at the item.
    pub(super) fn index(&self, item: &StoredItem, source: &str, new: &NewItem) -> TxResult<()> {
        let key = &item.key.0;
        if let Some(guid) = &new.guid {
            self.guids.insert(guid_key(source, guid), key)?;
        }
        if let Some(id) = &new.declared_id {
            self.ids.insert(id.as_bytes(), key)?;
        }
        if let Some(url) = &new.url_identity {
            self.urls.insert(url.as_bytes(), key)?;
        }
        Ok(())
    }
}

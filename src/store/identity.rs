//! An item's identities: whether a new item is one stored already (by guid within its
//! source, declared id, URL or primary identity), which stored item that is, and pointing
//! a stored item's identities at it.

use super::keys::guid_key;
use super::tx::{Tx, TxResult, abort};
use super::{NewItem, Store, StoreError, StoredItem, decode_item, follow_aliases};
use crate::normalize::ItemKey;

impl Store {
    /// Whether one of the item's identities is stored already.
    pub(super) fn identity_known(&self, source: &str, item: &NewItem) -> Result<bool, StoreError> {
        if let Some(guid) = &item.guid {
            if self.guids.contains_key(guid_key(source, guid))? {
                return Ok(true);
            }
        }
        if self.contains(item.declared_id.as_deref(), item.url_identity.as_deref())? {
            return Ok(true);
        }
        Ok(self
            .items
            .contains_key(ItemKey::for_identity(&item.primary_identity(source)).0)?)
    }

    /// The stored item `new` is, read outside a transaction: found as [`Tx::find`] finds
    /// it (guid within the source, else declared id, else URL).
    pub(super) fn stored_for(
        &self,
        source: &str,
        new: &NewItem,
    ) -> Result<Option<StoredItem>, StoreError> {
        let lookups = [
            new.guid
                .as_ref()
                .map(|guid| (&self.guids, guid_key(source, guid))),
            new.declared_id
                .as_ref()
                .map(|id| (&self.ids, id.as_bytes().to_vec())),
            new.url_identity
                .as_ref()
                .map(|url| (&self.urls, url.as_bytes().to_vec())),
        ];
        for (tree, lookup) in lookups.into_iter().flatten() {
            if let Some(key) = tree.get(lookup)?.as_deref().and_then(ItemKey::from_slice) {
                return self.item(&key);
            }
        }
        Ok(None)
    }
}

impl Tx<'_> {
    /// The stored item this one is: by guid within the source, else by declared id or URL.
    pub(super) fn find(&self, source: &str, new: &NewItem) -> TxResult<Option<ItemKey>> {
        let lookups = [
            new.guid
                .as_ref()
                .map(|guid| (self.guids, guid_key(source, guid))),
            new.declared_id
                .as_ref()
                .map(|id| (self.ids, id.as_bytes().to_vec())),
            new.url_identity
                .as_ref()
                .map(|url| (self.urls, url.as_bytes().to_vec())),
        ];
        for (tree, lookup) in lookups.into_iter().flatten() {
            if let Some(bytes) = tree.get(lookup)? {
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

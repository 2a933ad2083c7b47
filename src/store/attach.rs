//! A source attaching itself to a stored item it lists, found by declared id or URL,
//! without the item's page being fetched again.

use super::places::place;
use super::records::Origin;
use super::{NewItem, Store, StoreError, Upserted};

impl Store {
    /// Records that `origin`'s source carries the stored item with this declared id or
    /// URL identity, without touching its content: the page need not be fetched again.
    /// `None` when no such item is stored.
    pub fn attach(
        &self,
        origin: &Origin<'_>,
        declared_id: Option<&str>,
        url_identity: Option<&str>,
        link: Option<&str>,
        now: i64,
    ) -> Result<Option<Upserted>, StoreError> {
        let probe = NewItem {
            declared_id: declared_id.map(str::to_string),
            url_identity: url_identity.map(str::to_string),
            link: link.map(str::to_string),
            ..NewItem::default()
        };
        if (probe.declared_id.is_some() || probe.url_identity.is_some())
            && self.tombstoned(origin, &probe, now)?
        {
            return Ok(Some(Upserted::Pruned));
        }
        // Most articles a listing names are new: looked up first, they cost no
        // transaction (each of which sled writes and syncs to its log on its own). One
        // stored between this look and a later write merges then as it would have here.
        if !self.contains(probe.declared_id.as_deref(), probe.url_identity.as_deref())? {
            return Ok(None);
        }
        self.transact(|tx| {
            let Some(key) = tx.find(origin.source, &probe)? else {
                return Ok(None);
            };
            let Some(mut item) = tx.load(&key)? else {
                return Ok(None);
            };
            let mut outcome = Upserted::Unchanged;
            if !item
                .places
                .iter()
                .any(|place| place.source == origin.source)
            {
                item.places.push(place(origin, &probe, None));
                outcome = Upserted::New;
            }
            if !item.feeds.iter().any(|slug| slug == origin.feed) {
                item.feeds.push(origin.feed.to_string());
                tx.enter_feed(origin.feed, item.sort_time(), &item.key)?;
                outcome = Upserted::New;
            }
            if outcome == Upserted::New {
                tx.index(&item, origin.source, &probe)?;
                tx.items.insert(&item.key.0, item.to_record())?;
            }
            Ok(Some(outcome))
        })
    }
}

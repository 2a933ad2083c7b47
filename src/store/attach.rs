//! A source attaching itself to a stored item it lists, found by declared id or URL,
//! without the item's page being fetched again.

use super::places::place;
use super::records::Origin;
use super::{NewItem, Store, StoreError, StoredItem, Upserted};

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
        // Looked up first, outside a transaction (sled writes and syncs its log at each
        // one): an article a listing names is mostly new, or stored and carried by this
        // source's feed already, and then nothing is to be written. One stored or changed
        // between this look and a later write is taken then as it would have been here.
        match self.stored_for(origin.source, &probe)? {
            None => return Ok(None),
            Some(item) if carries(&item, origin) == (true, true) => {
                return Ok(Some(Upserted::Unchanged));
            }
            Some(_) => {}
        }
        self.transact(|tx| {
            let Some(key) = tx.find(origin.source, &probe)? else {
                return Ok(None);
            };
            let Some(mut item) = tx.load(&key)? else {
                return Ok(None);
            };
            let mut outcome = Upserted::Unchanged;
            let (has_place, in_feed) = carries(&item, origin);
            if !has_place {
                item.places.push(place(origin, &probe, None));
                outcome = Upserted::New;
            }
            if !in_feed {
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

/// Whether `origin`'s source has a place in the item, and whether its feed carries it.
fn carries(item: &StoredItem, origin: &Origin<'_>) -> (bool, bool) {
    (
        item.places
            .iter()
            .any(|place| place.source == origin.source),
        item.feeds.iter().any(|slug| slug == origin.feed),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{test_item, test_origin};

    #[test]
    fn an_article_is_attached_once_to_each_source_and_feed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let first = test_origin("news", "a");
        let url = Some("//x.cn/1");
        assert_eq!(store.attach(&first, None, url, None, 1).unwrap(), None);
        store
            .upsert(&first, &test_item("//x.cn/1", "标题"), 1)
            .unwrap();
        let attach = |origin: &Origin<'_>| store.attach(origin, None, url, None, 2).unwrap();
        assert_eq!(attach(&first), Some(Upserted::Unchanged));
        // Another source of the same feed, then a source of another feed.
        for origin in [test_origin("news", "b"), test_origin("world", "c")] {
            assert_eq!(attach(&origin), Some(Upserted::New));
            assert_eq!(attach(&origin), Some(Upserted::Unchanged));
        }
        let item = store.item_for_url("//x.cn/1").unwrap().unwrap();
        assert_eq!(item.places.len(), 3);
        assert_eq!(item.feeds, ["news", "world"]);
        assert_eq!(store.feed_len("world"), 1);
    }
}

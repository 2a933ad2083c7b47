//! Byte layouts of the store's keys. Times are big-endian with the sign bit flipped, so
//! a range scan returns them in time order.

use crate::normalize::ItemKey;

/// Orderable encoding of a signed time.
pub fn time_bytes(time: i64) -> [u8; 8] {
    ((time as u64) ^ (1 << 63)).to_be_bytes()
}

/// Prefix of a feed's entries in the time index: `slug \0`.
pub fn feed_prefix(slug: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(slug.len() + 25);
    key.extend_from_slice(slug.as_bytes());
    key.push(0);
    key
}

/// `slug \0 time item-key`: one entry of a feed's time index.
pub fn feed_entry(slug: &str, time: i64, item: &ItemKey) -> Vec<u8> {
    let mut key = feed_prefix(slug);
    key.extend_from_slice(&time_bytes(time));
    key.extend_from_slice(&item.0);
    key
}

/// The item key at the end of a time-index entry.
pub fn item_of_feed_entry(key: &[u8]) -> Option<ItemKey> {
    ItemKey::from_slice(key.get(key.len().checked_sub(16)?..)?)
}

/// `source \0 guid`: a guid is only meaningful within its source.
pub fn guid_key(source: &str, guid: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(source.len() + guid.len() + 1);
    key.extend_from_slice(source.as_bytes());
    key.push(0);
    key.extend_from_slice(guid.as_bytes());
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_sort_as_bytes() {
        let times = [-5_000i64, -1, 0, 1, 1_793_491_200_000];
        for pair in times.windows(2) {
            assert!(time_bytes(pair[0]) < time_bytes(pair[1]));
        }
    }

    #[test]
    fn entries_roundtrip_their_item() {
        let item = ItemKey([7; 16]);
        let key = feed_entry("news", 42, &item);
        assert!(key.starts_with(&feed_prefix("news")));
        assert_eq!(item_of_feed_entry(&key), Some(item));
    }
}

//! Item identity: the key an item is stored under, and the Atom id derived from it.
//!
//! The key is a 128-bit xxh3 hash of the identity of the item's primary place (a declared
//! id, a canonical URL, or a source-scoped guid). xxh3 is stable across builds and
//! platforms, which a persisted hash needs (std's hashers are not).

use std::fmt;

/// The stored key of an item.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct ItemKey(pub [u8; 16]);

impl ItemKey {
    /// Key for an identity string such as `url://host/path` or `guid:<source>:<guid>`.
    /// `key:<32 hex digits>` names a key itself (items whose first identity is unknown).
    pub fn for_identity(identity: &str) -> ItemKey {
        if let Some(key) = identity
            .strip_prefix("key:")
            .and_then(|hex| u128::from_str_radix(hex, 16).ok())
        {
            return ItemKey(key.to_be_bytes());
        }
        ItemKey(xxhash_rust::xxh3::xxh3_128(identity.as_bytes()).to_be_bytes())
    }

    /// The identity string that names this key itself.
    pub fn identity_of_key(key: &ItemKey) -> String {
        format!("key:{:032x}", u128::from_be_bytes(key.0))
    }

    pub fn from_slice(bytes: &[u8]) -> Option<ItemKey> {
        bytes.try_into().ok().map(ItemKey)
    }

    /// The entry's Atom id: the key written as a version-8 (custom) UUID URN, which is a
    /// valid IRI every feed reader accepts and needs no domain of ours.
    pub fn atom_id(&self) -> String {
        let mut b = self.0;
        b[6] = (b[6] & 0x0f) | 0x80;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
        format!(
            "urn:uuid:{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }
}

impl fmt::Debug for ItemKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in &self.0[..6] {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atom_ids_are_stable_uuid_urns() {
        let key = ItemKey::for_identity("url://news.example/a/1.html");
        assert_eq!(key, ItemKey::for_identity("url://news.example/a/1.html"));
        let id = key.atom_id();
        assert!(id.starts_with("urn:uuid:") && id.len() == 45, "{id}");
        assert_eq!(&id[23..24], "8");
        // Pinned: a change here would change every published id.
        assert_eq!(
            ItemKey::for_identity("url://news.example/a/1.html").atom_id(),
            "urn:uuid:a076bdf5-8d56-8697-95a7-a226f69146a9"
        );
    }
}

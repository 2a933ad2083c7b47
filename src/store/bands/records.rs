//! An item's band keys and their `fingerprints` record, the form the index is built from.

use crate::normalize::near_dup::{BANDS, Fingerprint};

/// An item's band keys, one per band.
pub(in crate::store) type BandKeys = [u32; BANDS];

/// An item's band keys: the low 32 bits of each band hash. Two bands that meet by chance
/// only make a candidate, which the comparison of the texts turns down.
pub(in crate::store) fn band_keys(fingerprint: &Fingerprint) -> BandKeys {
    fingerprint.bands.map(|hash| hash as u32)
}

/// The `fingerprints` record of an item: its band keys, big-endian.
pub(in crate::store) fn to_record(keys: &BandKeys) -> [u8; BANDS * 4] {
    let mut record = [0u8; BANDS * 4];
    for (chunk, key) in record.chunks_exact_mut(4).zip(keys) {
        chunk.copy_from_slice(&key.to_be_bytes());
    }
    record
}

/// The band keys of a `fingerprints` record; `None` for a damaged one.
pub(in crate::store) fn from_record(bytes: &[u8]) -> Option<BandKeys> {
    if bytes.len() != BANDS * 4 {
        return None;
    }
    let mut keys = [0u32; BANDS];
    for (key, chunk) in keys.iter_mut().zip(bytes.chunks_exact(4)) {
        *key = u32::from_be_bytes(chunk.try_into().ok()?);
    }
    Some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_and_damaged_ones_do_not() {
        let keys: BandKeys = std::array::from_fn(|band| 700 + band as u32);
        assert_eq!(from_record(&to_record(&keys)), Some(keys));
        assert_eq!(from_record(&to_record(&keys)[..10]), None);
    }
}

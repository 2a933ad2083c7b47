//! Files that go with items (an e-paper page's PDF), by the item's URL identity: kept
//! beside the item records, so adding them changed no record layout.

use super::{Store, StoreError};

impl Store {
    /// Records the file that goes with the item at `url_identity`.
    pub fn set_enclosure(&self, url_identity: &str, file: &str) -> Result<(), StoreError> {
        self.enclosures
            .insert(url_identity.as_bytes(), file.as_bytes())?;
        Ok(())
    }

    /// The file that goes with the item at `url_identity`.
    pub fn enclosure(&self, url_identity: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .enclosures
            .get(url_identity.as_bytes())?
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
    }
}

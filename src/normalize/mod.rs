//! From raw items to storable ones: canonical URLs, item identity and clean content.
//!
//! Nothing here knows which source kind an item came from, nor touches the store.

mod canonical_url;
mod content;
mod identity;

pub use crate::model::ItemKey;
pub use canonical_url::{clean_url, url_identity};
pub use content::{plain_text, sanitize_html};
pub use identity::declared_id;
mod item;
pub mod near_dup;

pub use item::new_item;

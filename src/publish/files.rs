//! Feeds written out as files (`paperboy publish --out`).

use std::path::Path;

use super::copies::write_whole;
use super::{Format, health, render};
use crate::config::Settings;
use crate::store::{Store, StoreError};

/// Why feeds could not be written out.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// Writes every feed, and the health feed, as `<dir>/<slug>.atom`, `.rss` and `.json`.
pub fn write_files(settings: &Settings, store: &Store, dir: &Path) -> Result<usize, PublishError> {
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PublishError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(failed(dir))?;
    let documents = settings
        .feeds
        .iter()
        .map(|feed| render(settings, feed, store))
        .chain([health::render(settings, store)]);
    let mut written = 0;
    for document in documents {
        let document = document?;
        for format in Format::ALL {
            let path = dir.join(format!("{}.{}", document.slug, format.extension()));
            let bytes = &document.body(format).bytes;
            write_whole(&path, bytes, document.updated.into()).map_err(failed(&path))?;
        }
        written += 1;
    }
    Ok(written)
}

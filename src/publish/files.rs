//! Feeds written out as files (`paperboy publish --out`).

use std::path::Path;

use super::copies::write_whole;
use super::{Format, health, prepare};
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
    // Written plain, as read: a file is not served compressed by paperboy, so no gzip is
    // made for it (a fifth of a `publish`'s CPU, BENCHMARKS.md).
    let feeds = settings
        .feeds
        .iter()
        .map(|feed| prepare(settings, feed, store))
        .chain([health::prepare(settings, store)]);
    let mut written = 0;
    for feed in feeds {
        let feed = feed?;
        for format in Format::ALL {
            let path = dir.join(format!("{}.{}", feed.slug(), format.extension()));
            let bytes = feed.write(format);
            write_whole(&path, &bytes, feed.updated.into()).map_err(failed(&path))?;
        }
        written += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{NewItem, Origin};

    #[test]
    fn files_hold_what_the_daemon_serves() {
        let config = tempfile::tempdir().unwrap();
        let settings = super::super::test_settings(config.path(), "yaowen");
        let store = Store::open(&config.path().join("data")).unwrap();
        let origin = Origin {
            feed: "yaowen",
            source: "a",
            rank: 0,
        };
        for i in 0..3 {
            let item = NewItem {
                url_identity: Some(format!("//example.com/{i}")),
                link: Some(format!("https://example.com/{i}")),
                title: format!("第{i}条"),
                content: Some(format!("<p>正文{i}</p>")),
                published: Some((1_700_000_000_000 + i * 1000, 8 * 3600)),
                ..NewItem::default()
            };
            store.upsert(&origin, &item, 1_700_000_100_000).unwrap();
        }
        let out = config.path().join("out");
        assert_eq!(write_files(&settings, &store, &out).unwrap(), 2);
        let feed = super::super::render(&settings, settings.feed("yaowen").unwrap(), &store);
        for document in [feed.unwrap(), health::render(&settings, &store).unwrap()] {
            for format in Format::ALL {
                let file = out.join(format!("{}.{}", document.slug, format.extension()));
                let written = std::fs::read(&file).unwrap();
                assert_eq!(written, document.body(format).bytes, "{}", file.display());
            }
        }
        let atom = std::fs::read_to_string(out.join("yaowen.atom")).unwrap();
        assert_eq!(atom.matches("<entry>").count(), 3, "{atom}");
    }
}

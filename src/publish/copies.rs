//! The last rendered document of each feed, kept on disk beside the store: what the
//! daemon serves when its store cannot be read (a full disk), so serving a feed never
//! depends on its having been rendered since the daemon started.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use chrono::{DateTime, Utc};

use super::{Body, Document, Format, render};
use crate::config::{FeedDef, Settings};
use crate::store::{Store, StoreError};

/// The directory under `data_dir`.
const DIR: &str = "documents";

/// Where a daemon's copies are.
pub fn dir(settings: &Settings) -> PathBuf {
    settings.data_dir.join(DIR)
}

/// Kept gzipped, as it is served to most readers: a fifth of the bytes written per render.
fn path(dir: &Path, slug: &str, format: Format) -> PathBuf {
    dir.join(format!("{slug}.{}.gz", format.extension()))
}

/// Writes `bytes` to `path` through a file of its own beside it, renamed over it once
/// written: a reader never sees half a document, and two renders of one feed at once
/// never write into one file. Its modification time is `modified`. (Created as
/// `File::create` creates, so the umask decides who may read it, as for any file.)
pub(super) fn write_whole(path: &Path, bytes: &[u8], modified: SystemTime) -> std::io::Result<()> {
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let n = WRITES.fetch_add(1, Ordering::Relaxed);
    let temp = path.with_file_name(format!(".{name}.{}-{n}.tmp", std::process::id()));
    let written = std::fs::File::create_new(&temp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.set_modified(modified)?;
        std::fs::rename(&temp, path)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// Keeps `document`'s formats as `<dir>/<slug>.<ext>.gz`, each file dated by the
/// document's `updated`.
pub fn write(dir: &Path, document: &Document) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for format in Format::ALL {
        write_whole(
            &path(dir, &document.slug, format),
            &document.body(format).gzip,
            document.updated.into(),
        )?;
    }
    Ok(())
}

/// Renders a feed, and keeps its copy. A copy that cannot be written (a full disk) is
/// logged: the document is served all the same, and the copy before it stays.
pub fn render_and_keep(
    settings: &Settings,
    def: &FeedDef,
    store: &Store,
) -> Result<Document, StoreError> {
    let document = render(settings, def, store)?;
    let dir = dir(settings);
    if let Err(err) = write(&dir, &document) {
        tracing::warn!(feed = def.slug, dir = %dir.display(), error = %err, "cannot keep a copy of the feed");
    }
    Ok(document)
}

/// Whether a feed has a copy in every format.
pub fn has(dir: &Path, slug: &str) -> bool {
    Format::ALL
        .into_iter()
        .all(|format| path(dir, slug, format).is_file())
}

/// A feed's copy in one format, ready to serve, with the document's `updated`.
pub fn read(dir: &Path, slug: &str, format: Format) -> std::io::Result<(Body, DateTime<Utc>)> {
    let path = path(dir, slug, format);
    let gzip = std::fs::read(&path)?;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(&gzip[..]).read_to_end(&mut bytes)?;
    let updated = std::fs::metadata(&path)?.modified()?;
    Ok((Body::compressed(bytes, gzip), updated.into()))
}

/// Removes the copies of feeds `settings` does not have (renamed or removed ones).
pub fn remove_others(dir: &Path, settings: &Settings) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let document = name.strip_suffix(".gz").unwrap_or(&name);
        let slug = document.rsplit_once('.').map_or(document, |(slug, _)| slug);
        if settings.feed(slug).is_none() {
            if let Err(err) = std::fs::remove_file(entry.path()) {
                tracing::warn!(path = %entry.path().display(), error = %err, "cannot remove an old copy");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::post::{Channel, History};
    use chrono::TimeZone;

    fn document(slug: &str, title: &str) -> Document {
        let channel = Channel {
            slug: slug.into(),
            title: title.into(),
            description: None,
            home: url::Url::parse("http://127.0.0.1/").unwrap(),
            updated: chrono::FixedOffset::east_opt(8 * 3600)
                .unwrap()
                .timestamp_opt(1_700_000_000, 0)
                .unwrap(),
            history: History {
                archive: None,
                prev: None,
            },
        };
        let updated = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        Document::new(&channel, Vec::new(), updated, 0)
    }

    #[test]
    fn a_copy_reads_back_as_it_was_served() {
        let dir = tempfile::tempdir().unwrap();
        let kept = document("yaowen", "要闻");
        write(dir.path(), &kept).unwrap();
        assert!(has(dir.path(), "yaowen"));
        for format in Format::ALL {
            let (body, updated) = read(dir.path(), "yaowen", format).unwrap();
            let served = kept.body(format);
            assert_eq!(body.bytes, served.bytes);
            assert_eq!(body.gzip, served.gzip);
            assert_eq!(body.etag, served.etag);
            assert_eq!(updated, kept.updated);
        }
        // A newer render replaces it whole, and leaves nothing beside it.
        let newer = document("yaowen", "要闻 2");
        write(dir.path(), &newer).unwrap();
        let (body, _) = read(dir.path(), "yaowen", Format::Atom).unwrap();
        assert_eq!(body.bytes, newer.body(Format::Atom).bytes);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
        assert!(!has(dir.path(), "other"));
    }

    #[test]
    fn copies_of_feeds_no_longer_configured_go() {
        let config = tempfile::tempdir().unwrap();
        let settings = super::super::test_settings(config.path(), "kept");
        let dir = tempfile::tempdir().unwrap();
        for slug in ["kept", "gone"] {
            write(dir.path(), &document(slug, "要闻")).unwrap();
        }
        remove_others(dir.path(), &settings);
        assert!(has(dir.path(), "kept"));
        assert!(!has(dir.path(), "gone"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[test]
    fn renders_of_one_feed_at_once_each_write_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (document("yaowen", "要闻"), document("yaowen", "要闻 二"));
        std::thread::scope(|scope| {
            for kept in [&a, &b] {
                scope.spawn(|| {
                    for _ in 0..50 {
                        write(dir.path(), kept).unwrap();
                    }
                });
            }
        });
        let (body, _) = read(dir.path(), "yaowen", Format::Atom).unwrap();
        assert!(
            [&a, &b]
                .iter()
                .any(|d| d.body(Format::Atom).bytes == body.bytes)
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[cfg(unix)]
    #[test]
    fn a_written_file_may_be_read_as_any_new_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::File::create(&plain).unwrap();
        let written = dir.path().join("written");
        write_whole(&written, b"x", SystemTime::now()).unwrap();
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode(&written), mode(&plain));
    }
}

//! One feed rendered: its formats, each body ready to serve (plain and gzip, with its
//! ETag), and the document that holds them.

use std::io::Write;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use url::Url;

use super::post::{Channel, Post};
use super::{atom, json_feed, rss};

/// The formats every feed is published in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Atom,
    Rss,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Atom, Format::Rss, Format::Json];

    /// The file extension: `/feeds/<slug>.<ext>`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Atom => "atom",
            Format::Rss => "rss",
            Format::Json => "json",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml",
            Format::Rss => "application/rss+xml",
            Format::Json => "application/feed+json",
        }
    }

    /// The `Content-Type` it is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }

    pub fn of_extension(extension: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.extension() == extension)
    }

    /// Where the feed `slug` is served in this format.
    pub fn url(self, base: &Url, slug: &str) -> Url {
        base.join(&format!("feeds/{slug}.{}", self.extension()))
            .expect("a slug is a valid path segment")
    }

    fn write(self, channel: &Channel, posts: &[Post]) -> Vec<u8> {
        match self {
            Format::Atom => atom::write(channel, posts),
            Format::Rss => rss::write(channel, posts),
            Format::Json => json_feed::write(channel, posts),
        }
    }
}

/// One format of a document, ready to serve.
#[derive(Debug)]
pub struct Body {
    /// Shared, not copied, by every response that sends it.
    pub bytes: Bytes,
    /// `bytes`, gzip-compressed once here rather than on every request.
    pub gzip: Bytes,
    /// Strong validator of `bytes` (the gzip variant appends `-gz`).
    pub etag: String,
}

impl Body {
    pub(super) fn of(bytes: Vec<u8>) -> Body {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder
            .write_all(&bytes)
            .expect("writing to memory does not fail");
        let gzip = encoder.finish().expect("writing to memory does not fail");
        Body::compressed(bytes, gzip)
    }

    /// `bytes` with `gzip`, the same bytes compressed.
    pub(super) fn compressed(bytes: Vec<u8>, gzip: Vec<u8>) -> Body {
        Body {
            etag: format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&bytes)),
            bytes: Bytes::from(bytes),
            gzip: Bytes::from(gzip),
        }
    }
}

/// A feed as read from the store, not yet written in any format.
pub struct Prepared {
    pub(super) channel: Channel,
    pub(super) posts: Vec<Post>,
    pub(super) updated: DateTime<Utc>,
    pub(super) stored: usize,
}

impl Prepared {
    /// Every format, plain and gzip, ready to serve.
    pub fn render(self) -> Document {
        Document::new(&self.channel, self.posts, self.updated, self.stored)
    }

    /// One format, plain: what a file written out holds (`publish --out`), with no gzip
    /// made for it.
    pub fn write(&self, format: Format) -> Vec<u8> {
        format.write(&self.channel, &self.posts)
    }

    pub fn slug(&self) -> &str {
        &self.channel.slug
    }
}

/// One rendered feed in every format.
#[derive(Debug)]
pub struct Document {
    pub slug: String,
    bodies: [Body; 3],
    pub updated: DateTime<Utc>,
    /// Items stored for this feed (the document holds at most `entries` of them).
    pub stored: usize,
    /// The entries, as the HTML pages show them.
    pub posts: Vec<Post>,
}

impl Document {
    pub(super) fn new(
        channel: &Channel,
        posts: Vec<Post>,
        updated: DateTime<Utc>,
        stored: usize,
    ) -> Document {
        // The formats are written and compressed side by side: a render is what a reader
        // waits for after a change, and each format takes about as long as another. A
        // format whose thread cannot be started is written here after the first.
        let body = |format: Format| Body::of(format.write(channel, &posts));
        let bodies = std::thread::scope(|scope| {
            let others = [Format::Rss, Format::Json].map(|format| {
                let thread = std::thread::Builder::new().spawn_scoped(scope, move || body(format));
                (format, thread)
            });
            let atom = body(Format::Atom);
            let [rss, json] = others.map(|(format, thread)| match thread {
                Ok(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => body(format),
            });
            [atom, rss, json]
        });
        Document {
            slug: channel.slug.clone(),
            bodies,
            updated,
            stored,
            posts,
        }
    }

    /// Bytes it holds in memory, about: every body, plain and gzip, and the entries'
    /// texts.
    pub(super) fn size(&self) -> usize {
        let bodies: usize = self
            .bodies
            .iter()
            .map(|b| b.bytes.len() + b.gzip.len())
            .sum();
        let posts: usize = self
            .posts
            .iter()
            .map(|p| {
                p.content.as_ref().map_or(0, String::len)
                    + p.summary.as_ref().map_or(0, String::len)
                    + 512
            })
            .sum();
        bodies + posts
    }

    pub fn body(&self, format: Format) -> &Body {
        &self.bodies[Format::ALL
            .iter()
            .position(|f| *f == format)
            .expect("every format is rendered")]
    }
}

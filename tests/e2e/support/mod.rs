//! Shared helpers of the end-to-end tests: a fixture HTTP server on 127.0.0.1, a
//! paperboy installation in a temporary directory driven through the real binary, and
//! readers for what it publishes.

pub mod articles;
pub mod atom;
pub mod fixture;
pub mod install;

pub use articles::{Article, article_page, column_page, html_source, numbered, rss};
pub use atom::{Entry, entries, feed_link};
pub use fixture::{Fixture, Reply};
pub use install::Install;

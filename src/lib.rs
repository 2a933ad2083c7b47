//! paperboy: Chinese news sources in, clean deduplicated Atom feeds out.
//!
//! The data flow is schedule → fetch → source kind → normalize → store → publish → server;
//! [`pipeline::refresh`] reads as that whole line for one source.

pub mod add;
pub mod admin;
pub mod allocator;
pub mod blocking;
pub mod charset;
pub mod config;
pub mod daemon;
pub mod dates;
pub mod extract;
pub mod fetch;
pub mod image_proxy;
pub mod import;
pub mod model;
pub mod names;
pub mod normalize;
pub mod pages;
pub mod pipeline;
pub mod prune;
pub mod publish;
pub mod reload;
pub mod runner;
pub mod schedule;
pub mod server;
pub mod source;
pub mod status;
pub mod store;
pub mod telemetry;

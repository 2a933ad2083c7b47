//! End-to-end tests: the real `paperboy` binary against fixture servers on 127.0.0.1.

mod support;

mod add;
mod admin;
mod archives;
mod bad_input;
mod browser;
mod cli;
mod crash;
mod dedup;
mod extract_pages;
mod extract_quality;
mod feed_shapes;
mod filters;
mod health;
mod images;
mod import;
mod near_duplicates;
mod pages;
mod reader;
mod reload;
mod reprints;
mod retention;
mod robustness;
mod serving;
mod sites;

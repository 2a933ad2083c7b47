//! The daemon's settings: `paperboy.toml` and the `feeds/*.toml` files, parsed and validated.
//!
//! Raw file shapes live in `daemon_file.rs` and `feed_file.rs` as inert serde structs; [`load`] turns them into
//! [`Settings`], the validated form every other module receives. `paperboy check` runs
//! exactly this step. Errors name the file, and the line and key where the file gives them.

mod cron_expr;
mod daemon_file;
mod feed_file;
mod invalid;
pub mod presets;
mod source_kind;
#[cfg(test)]
mod tests;
mod toml_file;
mod units;

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono_tz::Tz;
use url::Url;

pub use cron_expr::parse_schedule;
pub use invalid::InvalidValue;
pub use source_kind::{
    EditionTemplate, EpaperRules, FieldRef, JsonRules, SourceKind, TemplateError,
};
pub use units::{parse_duration, parse_size};

/// Where the config file is looked for when `-c` is not given.
pub fn default_config_path() -> PathBuf {
    if let Some(path) = std::env::var_os("PAPERBOY_CONFIG") {
        return PathBuf::from(path);
    }
    let local = PathBuf::from("config/paperboy.toml");
    if local.exists() {
        local
    } else {
        PathBuf::from("/etc/paperboy/paperboy.toml")
    }
}

/// Validated daemon settings with every feed file.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    /// Public URL of the server, always ending in `/`.
    pub base_url: Url,
    pub data_dir: PathBuf,
    /// Bytes of the store kept in memory.
    pub store_cache: u64,
    pub feeds_dir: PathBuf,
    pub timezone: Tz,
    pub fetch: FetchSettings,
    /// Entries per published feed unless a feed file says otherwise.
    pub entries: usize,
    /// How long items are kept unless a feed file says otherwise.
    pub retention: Retention,
    /// The image proxy (`[images]`).
    pub images: ImageSettings,
    pub feeds: Vec<FeedDef>,
    /// The daemon file these settings were read from (reloads read it again).
    pub config_path: PathBuf,
}

/// The image proxy: content images served through `/img/<signature>/<address>`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImageSettings {
    pub proxy: bool,
    /// Largest image passed on, in bytes.
    pub max_size: u64,
}

/// How long a feed's items are kept: both limits apply when both are set; none, forever.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    /// Items older than this go (`keep = "90d"`).
    pub keep: Option<Duration>,
    /// Only the newest this many stay (`keep_items = N`).
    pub keep_items: Option<usize>,
}

impl Retention {
    /// Whether anything is ever pruned.
    pub fn prunes(&self) -> bool {
        self.keep.is_some() || self.keep_items.is_some()
    }

    /// These limits, each unset one taken from `fallback`.
    pub fn or(self, fallback: Retention) -> Retention {
        Retention {
            keep: self.keep.or(fallback.keep),
            keep_items: self.keep_items.or(fallback.keep_items),
        }
    }
}

/// HTTP client settings (`[fetch]`).
#[derive(Debug, Clone)]
pub struct FetchSettings {
    pub user_agent: String,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_body: u64,
    pub concurrency: usize,
    pub host_delay: Duration,
    /// Longest wait between retries of a failing source.
    pub retry_max: Duration,
    /// Allow every source addresses on loopback and private networks.
    pub allow_private: bool,
}

impl Default for FetchSettings {
    fn default() -> Self {
        daemon_file::default_fetch()
    }
}

/// One published feed: one `feeds/<slug>.toml` file.
#[derive(Debug, Clone)]
pub struct FeedDef {
    pub slug: String,
    pub title: String,
    pub description: Option<String>,
    pub entries: usize,
    /// Its own `keep`/`keep_items`, else the daemon's.
    pub retention: Retention,
    /// Which of its items it shows (`[filter]`).
    pub filter: Filter,
    /// Traditional ↔ Simplified conversion of what it shows (`convert`).
    pub convert: Option<Conversion>,
    /// Shared: each source's loop in the daemon holds one (a thousand sources would
    /// otherwise hold a thousand copies).
    pub sources: Vec<Arc<SourceDef>>,
    /// Set for a topic feed, which gathers from other feeds instead of sources.
    pub select: Option<Select>,
}

/// What a topic feed gathers.
#[derive(Debug, Clone)]
pub struct Select {
    pub feeds: FeedChoice,
    pub filter: Filter,
}

/// A script conversion of titles and text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    /// Traditional to Simplified (`"t2s"`).
    ToSimplified,
    /// Simplified to Traditional (`"s2t"`).
    ToTraditional,
}

impl Conversion {
    pub fn parse(text: &str) -> Option<Conversion> {
        match text {
            "t2s" => Some(Conversion::ToSimplified),
            "s2t" => Some(Conversion::ToTraditional),
            _ => None,
        }
    }
}

/// Which items a feed or a source shows: by words in the title or text, and a pattern.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Keep items whose title or text contains one of these (all when empty).
    pub any: Vec<String>,
    /// ...and none of these.
    pub none: Vec<String>,
    /// ...and that match this pattern (over the title, a newline, the text).
    pub regex: Option<regex::Regex>,
}

impl Filter {
    /// Whether it keeps every item.
    pub fn is_empty(&self) -> bool {
        self.any.is_empty() && self.none.is_empty() && self.regex.is_none()
    }

    /// Whether an item with this title and (plain) text is kept. Words match without
    /// regard to case.
    pub fn keeps(&self, title: &str, text: &str) -> bool {
        if self.is_empty() {
            return true;
        }
        let haystack = format!("{title}\n{text}");
        let lower = haystack.to_lowercase();
        let found = |words: &[String]| words.iter().any(|w| lower.contains(&w.to_lowercase()));
        (self.any.is_empty() || found(&self.any))
            && !found(&self.none)
            && self.regex.as_ref().is_none_or(|r| r.is_match(&haystack))
    }
}

/// The feeds a topic feed gathers from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedChoice {
    /// Every feed with sources (`["*"]`).
    All,
    Slugs(Vec<String>),
}

impl Select {
    /// Whether an item with this title and text belongs in the topic.
    pub fn keeps(&self, title: &str, text: &str) -> bool {
        self.filter.keeps(title, text)
    }
}

/// Memory sled may use for its page cache unless configured (`store_cache`). Items are
/// looked up at random (identities, near-duplicate candidates): a smaller cache makes each
/// stored item dearer in a large store, a larger one takes more memory, and sled's nodes
/// take about twice on the heap what it counts against this. 16 MiB against 32 MiB: a
/// thousand sources' run peaks at 134–142 MB instead of 143–152; in a store of 100,000
/// items, finding an item's reprints costs 41–56 µs instead of 36 (see the `dedup`,
/// `memory` and `large_store` benchmarks).
pub const DEFAULT_STORE_CACHE: u64 = 16 << 20;
/// Slug of the built-in feed of sources breaking and recovering (`/feeds/health.atom`).
pub const HEALTH_FEED: &str = "health";

/// One source of a feed.
#[derive(Debug, Clone)]
pub struct SourceDef {
    pub name: String,
    /// Slug of the feed this source belongs to.
    pub feed: String,
    pub schedule: cron::Schedule,
    pub kind: SourceKind,
    /// Hash of the source's whole config table: stored validators are only used while it
    /// matches, so an edited source is fetched afresh.
    pub config_hash: u64,
    /// Position among all sources in config order (feed files by name, sources as
    /// written): decides between places of an article published at the same time.
    pub rank: u32,
    /// Whether it may fetch from loopback and private networks.
    pub allow_private: bool,
    /// Which of its items its feed shows (`[sources.filter]`).
    pub filter: Filter,
}

impl SourceDef {
    /// The address the source is configured with, for messages (an e-paper's is a
    /// template).
    pub fn address(&self) -> String {
        match &self.kind {
            SourceKind::Feed { url } | SourceKind::Html { url, .. } => url.to_string(),
            SourceKind::Json(rules) => rules.url.to_string(),
            SourceKind::Epaper(rules) => rules.edition.as_str().to_string(),
        }
    }
}

impl Settings {
    /// Every source of every feed, in file order.
    pub fn sources(&self) -> impl Iterator<Item = &Arc<SourceDef>> {
        self.feeds.iter().flat_map(|feed| feed.sources.iter())
    }

    pub fn feed(&self, slug: &str) -> Option<&FeedDef> {
        self.feeds.iter().find(|feed| feed.slug == slug)
    }

    /// The feeds a topic feed gathers from (empty for a feed with sources).
    pub fn selected<'a>(&'a self, topic: &'a FeedDef) -> Vec<&'a str> {
        match topic.select.as_ref().map(|s| &s.feeds) {
            None => Vec::new(),
            Some(FeedChoice::All) => self
                .feeds
                .iter()
                .filter(|f| f.select.is_none())
                .map(|f| f.slug.as_str())
                .collect(),
            Some(FeedChoice::Slugs(slugs)) => slugs.iter().map(String::as_str).collect(),
        }
    }

    /// The topic feeds that gather from `slug`.
    pub fn topics_of<'a>(&'a self, slug: &'a str) -> impl Iterator<Item = &'a FeedDef> + 'a {
        self.feeds
            .iter()
            .filter(move |topic| topic.select.is_some() && self.selected(topic).contains(&slug))
    }

    /// URL of a feed's Atom document on this server.
    pub fn feed_url(&self, slug: &str) -> Url {
        self.base_url
            .join(&format!("feeds/{slug}.atom"))
            .expect("a slug is a valid path segment")
    }
}

/// One problem in one config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if let Some(key) = &self.key {
            write!(f, "`{key}`: ")?;
        }
        write!(f, "{}", self.message)
    }
}

/// Every problem found in the config; the daemon refuses to start while there is one.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ConfigError(pub Vec<ConfigIssue>);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{issue}")?;
        }
        Ok(())
    }
}

/// Reads and validates the daemon file and every feed file it points to.
pub fn load(config_path: &Path) -> Result<Settings, ConfigError> {
    let mut issues = Vec::new();
    let Some(settings) = daemon_file::read_daemon(config_path, &mut issues) else {
        return Err(ConfigError(issues));
    };
    let mut settings = settings;
    settings.config_path = config_path.to_path_buf();
    settings.feeds = feed_file::read_feeds(&settings, &mut issues);
    for (rank, source) in settings
        .feeds
        .iter_mut()
        .flat_map(|feed| feed.sources.iter_mut())
        .enumerate()
    {
        // Not shared yet: nothing is cloned.
        let source = Arc::make_mut(source);
        source.rank = u32::try_from(rank).unwrap_or(u32::MAX);
        source.allow_private |= settings.fetch.allow_private;
    }
    check_unique_sources(&settings.feeds, &settings.feeds_dir, &mut issues);
    check_selections(&settings, &mut issues);
    if issues.is_empty() {
        Ok(settings)
    } else {
        Err(ConfigError(issues))
    }
}

/// A topic feed gathers from feeds with sources that exist.
fn check_selections(settings: &Settings, issues: &mut Vec<ConfigIssue>) {
    for topic in settings.feeds.iter().filter(|f| f.select.is_some()) {
        for slug in settings.selected(topic) {
            let message = match settings.feed(slug) {
                None => format!("there is no feed `{slug}` (feeds/{slug}.toml)"),
                Some(feed) if feed.select.is_some() => {
                    format!("`{slug}` is a topic feed itself; select feeds with sources")
                }
                Some(_) => continue,
            };
            issues.push(ConfigIssue {
                path: settings.feeds_dir.join(format!("{}.toml", topic.slug)),
                line: None,
                key: Some("select.feeds".into()),
                message,
            });
        }
    }
}

fn check_unique_sources(feeds: &[FeedDef], feeds_dir: &Path, issues: &mut Vec<ConfigIssue>) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for feed in feeds {
        for source in &feed.sources {
            if let Some(first) = seen.insert(&source.name, &feed.slug) {
                issues.push(ConfigIssue {
                    path: feeds_dir.join(format!("{}.toml", feed.slug)),
                    line: None,
                    key: Some("sources.name".into()),
                    message: format!(
                        "source name `{}` is already used in {}.toml; names must be unique across all feed files",
                        source.name, first
                    ),
                });
            }
        }
    }
}

//! `paperboy.toml`: its raw shape (inert, documented, unknown keys are errors) and its
//! validation into [`Settings`].

use std::net::SocketAddr;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use super::toml_file::{FileIssues, read_toml, resolve};
use super::{
    ConfigIssue, FetchSettings, ImageSettings, Retention, Settings, parse_duration, parse_size,
};

/// Largest image the proxy passes on unless configured.
const DEFAULT_IMAGE_SIZE: u64 = 5 << 20;

/// Default user agent: several Chinese news sites refuse clients that do not look like a
/// browser, so this looks like one and still says who is asking.
pub const DEFAULT_USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 \
     (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 paperboy/0.1";

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
const DEFAULT_TIMEZONE: &str = "Asia/Shanghai";
const DEFAULT_ENTRIES: usize = 100;

/// `paperboy.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DaemonFile {
    /// Address the HTTP server listens on (default `127.0.0.1:8080`).
    listen: Option<Spanned<String>>,
    /// Public URL of the server, used in feed self links (default `http://<listen>/`).
    base_url: Option<Spanned<String>>,
    /// Directory of the sled store, relative to this file (default `../data`).
    data_dir: Option<String>,
    /// Directory of the feed files, relative to this file (default `../feeds`).
    feeds_dir: Option<String>,
    /// IANA zone for cron schedules and for times pages give without a zone.
    timezone: Option<Spanned<String>>,
    /// Entries per published feed (default 100).
    entries: Option<usize>,
    /// Memory for the store's page cache (default `16MiB`).
    store_cache: Option<Spanned<String>>,
    /// Prune items older than this, e.g. `"90d"` (default: keep forever).
    keep: Option<Spanned<String>>,
    /// Keep only the newest N items of each feed (default: all).
    keep_items: Option<Spanned<usize>>,
    #[serde(default)]
    fetch: FetchSection,
    #[serde(default)]
    images: ImagesSection,
}

/// `[images]` of `paperboy.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImagesSection {
    /// Serve the images of entries through `/img/…` (default false).
    proxy: Option<bool>,
    /// Largest image the proxy passes on (default `5MiB`).
    max_size: Option<Spanned<String>>,
}

/// `[fetch]` of `paperboy.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FetchSection {
    /// User-Agent header (default: a browser-like string).
    user_agent: Option<String>,
    /// Total time one request may take, body included (default `20s`).
    timeout: Option<Spanned<String>>,
    /// Time to establish a connection (default: the smaller of `10s` and `timeout`).
    connect_timeout: Option<Spanned<String>>,
    /// Largest body read, after decompression (default `16MiB`).
    max_body: Option<Spanned<String>>,
    /// Requests in flight in total (default 8).
    concurrency: Option<usize>,
    /// Least time between two requests to one host (default `1.2s`).
    host_delay: Option<Spanned<String>>,
    /// Longest wait before retrying a failing source (default `6h`).
    retry_max: Option<Spanned<String>>,
    /// Allow every source addresses on loopback and private networks (default false).
    allow_private: Option<bool>,
}

/// `feeds/<slug>.toml`.
pub(super) fn read_daemon(path: &Path, issues: &mut Vec<ConfigIssue>) -> Option<Settings> {
    let (file, text) = read_toml::<DaemonFile>(path, issues)?;
    let before = issues.len();
    let mut out = FileIssues {
        path,
        text: &text,
        issues,
    };
    let dir = path.parent().unwrap_or(Path::new("."));

    let listen_text = file
        .listen
        .as_ref()
        .map_or(DEFAULT_LISTEN, |s| s.get_ref().as_str());
    let listen = listen_text.parse::<SocketAddr>().unwrap_or_else(|err| {
        out.at(
            file.listen.as_ref(),
            "listen",
            format!("`{listen_text}` is not host:port: {err}"),
        );
        SocketAddr::from(([127, 0, 0, 1], 8080))
    });
    let base_text = file
        .base_url
        .as_ref()
        .map_or_else(|| format!("http://{listen}/"), |s| s.get_ref().clone());
    let base_url = match Url::parse(&base_text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => with_trailing_slash(url),
        Ok(_) | Err(_) => {
            out.at(
                file.base_url.as_ref(),
                "base_url",
                format!("`{base_text}` is not an http(s) URL"),
            );
            Url::parse("http://127.0.0.1:8080/").expect("valid")
        }
    };
    let tz_text = file
        .timezone
        .as_ref()
        .map_or(DEFAULT_TIMEZONE, |s| s.get_ref().as_str());
    let timezone = tz_text.parse::<chrono_tz::Tz>().unwrap_or_else(|_| {
        out.at(
            file.timezone.as_ref(),
            "timezone",
            format!("`{tz_text}` is not an IANA time zone such as \"Asia/Shanghai\""),
        );
        chrono_tz::Asia::Shanghai
    });
    let fetch = fetch_settings(&file.fetch, &mut out);
    let entries = file.entries.unwrap_or(DEFAULT_ENTRIES);
    if entries == 0 {
        out.at::<()>(None, "entries", "must be at least 1".into());
    }
    let store_cache = match &file.store_cache {
        None => super::DEFAULT_STORE_CACHE,
        Some(text) => parse_size(text.get_ref()).unwrap_or_else(|err| {
            out.at(Some(text), "store_cache", err.to_string());
            super::DEFAULT_STORE_CACHE
        }),
    };
    let retention = retention(file.keep.as_ref(), file.keep_items.as_ref(), &mut out);
    let images = ImageSettings {
        proxy: file.images.proxy.unwrap_or(false),
        max_size: match &file.images.max_size {
            None => DEFAULT_IMAGE_SIZE,
            Some(text) => parse_size(text.get_ref()).unwrap_or_else(|err| {
                out.at(Some(text), "images.max_size", err.to_string());
                DEFAULT_IMAGE_SIZE
            }),
        },
    };
    let settings = Settings {
        store_cache,
        retention,
        images,
        config_path: path.to_path_buf(),
        listen,
        base_url,
        data_dir: resolve(dir, file.data_dir.as_deref().unwrap_or("../data")),
        feeds_dir: resolve(dir, file.feeds_dir.as_deref().unwrap_or("../feeds")),
        timezone,
        fetch,
        entries,
        feeds: Vec::new(),
    };
    (issues.len() == before).then_some(settings)
}

/// `keep` and `keep_items` of the daemon file or a feed file.
pub(super) fn retention(
    keep: Option<&Spanned<String>>,
    keep_items: Option<&Spanned<usize>>,
    out: &mut FileIssues,
) -> Retention {
    let keep = keep.and_then(|text| match parse_duration(text.get_ref()) {
        Ok(d) if d.is_zero() => {
            out.at(Some(text), "keep", "must be longer than 0".into());
            None
        }
        Ok(d) => Some(d),
        Err(err) => {
            out.at(Some(text), "keep", err.to_string());
            None
        }
    });
    let keep_items = keep_items.and_then(|n| {
        if *n.get_ref() == 0 {
            out.at(Some(n), "keep_items", "must be at least 1".into());
            None
        } else {
            Some(*n.get_ref())
        }
    });
    Retention { keep, keep_items }
}

fn with_trailing_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

fn fetch_settings(section: &FetchSection, out: &mut FileIssues) -> FetchSettings {
    let mut duration = |value: &Option<Spanned<String>>, key: &str, default: &str| {
        let text = value.as_ref().map_or(default, |s| s.get_ref().as_str());
        parse_duration(text).unwrap_or_else(|err| {
            out.at(value.as_ref(), key, err.to_string());
            parse_duration(default).expect("valid default")
        })
    };
    let timeout = duration(&section.timeout, "fetch.timeout", "20s");
    let connect_default = if timeout.as_secs() < 10 { "0" } else { "10s" };
    let mut connect_timeout = duration(
        &section.connect_timeout,
        "fetch.connect_timeout",
        connect_default,
    );
    if connect_timeout.is_zero() {
        connect_timeout = timeout;
    }
    let host_delay = duration(&section.host_delay, "fetch.host_delay", "1.2s");
    let retry_max = duration(&section.retry_max, "fetch.retry_max", "6h");
    if timeout.is_zero() {
        out.at(
            section.timeout.as_ref(),
            "fetch.timeout",
            "must be more than zero".into(),
        );
    }
    let max_body_text = section
        .max_body
        .as_ref()
        .map_or("16MiB", |s| s.get_ref().as_str());
    let max_body = parse_size(max_body_text).unwrap_or_else(|err| {
        out.at(section.max_body.as_ref(), "fetch.max_body", err.to_string());
        16 << 20
    });
    let concurrency = section.concurrency.unwrap_or(8);
    if concurrency == 0 {
        out.at::<()>(None, "fetch.concurrency", "must be at least 1".into());
    }
    FetchSettings {
        user_agent: section
            .user_agent
            .clone()
            .unwrap_or_else(|| DEFAULT_USER_AGENT.to_string()),
        timeout,
        connect_timeout,
        max_body,
        concurrency: concurrency.max(1),
        host_delay,
        retry_max,
        allow_private: section.allow_private.unwrap_or(false),
    }
}

/// The `[fetch]` settings of a config that sets none.
pub(super) fn default_fetch() -> FetchSettings {
    let mut issues = Vec::new();
    let mut out = FileIssues {
        path: Path::new(""),
        text: "",
        issues: &mut issues,
    };
    fetch_settings(&FetchSection::default(), &mut out)
}

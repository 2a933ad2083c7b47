//! `feeds/<slug>.toml`: the raw shape of a feed file (inert, documented, unknown keys
//! are errors) and its validation into [`FeedDef`]s.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::source_kind::{self, KindKeys};
use super::toml_file::{FileIssues, read_toml};
use super::{
    ConfigIssue, Conversion, FeedChoice, FeedDef, Filter, HEALTH_FEED, Select, Settings, SourceDef,
    parse_schedule,
};

/// Default schedule of a source whose feed file names none: every 30 minutes.
pub const DEFAULT_SCHEDULE: &str = "*/30 * * * *";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedFile {
    /// Title of the published feed.
    title: String,
    /// Subtitle of the published feed.
    description: Option<String>,
    /// Default schedule of the sources below (default every 30 minutes).
    schedule: Option<Spanned<String>>,
    /// Entries in the published feed (default: the daemon's `entries`).
    entries: Option<usize>,
    /// Prune this feed's items older than this, e.g. `"30d"` (default: the daemon's).
    keep: Option<Spanned<String>>,
    /// Keep only this feed's newest N items (default: the daemon's).
    keep_items: Option<Spanned<usize>>,
    #[serde(default)]
    sources: Vec<SourceTable>,
    /// A topic feed: gathers from other feeds instead of sources.
    select: Option<Spanned<SelectTable>>,
    /// Which items the feed shows.
    filter: Option<Spanned<FilterTable>>,
    /// `"t2s"` (Traditional to Simplified) or `"s2t"`: converts titles and text.
    convert: Option<Spanned<String>>,
}

/// `[filter]` of a feed file, or `[sources.filter]` of one source.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct FilterTable {
    /// Keep items whose title or text contains one of these (all items when empty).
    #[serde(default)]
    any: Vec<String>,
    /// ...and none of these.
    #[serde(default)]
    none: Vec<String>,
    /// ...and that match this regular expression (title, newline, text).
    regex: Option<String>,
}

/// `[select]` of a topic feed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SelectTable {
    /// Slugs of the feeds to gather from, or `["*"]` for every feed with sources.
    feeds: Vec<String>,
    /// Keep items whose title or text contains one of these (all items when empty).
    #[serde(default)]
    any: Vec<String>,
    /// ...and none of these.
    #[serde(default)]
    none: Vec<String>,
    /// ...and that match this regular expression (title, newline, text).
    regex: Option<String>,
}

/// One `[[sources]]` table. Which keys apply depends on `kind` (see `source_kind.rs`).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct SourceTable {
    /// Unique name across all feed files, `[a-z0-9-]`.
    name: Spanned<String>,
    /// `feed`, `html`, `json` or `epaper`.
    kind: Spanned<String>,
    /// What to fetch: a feed, a list page, a JSON API, or an e-paper edition's first page
    /// with `{date:<strftime>}` in it.
    url: Option<Spanned<String>>,
    /// Overrides the feed file's schedule.
    schedule: Option<Spanned<String>>,
    /// html, epaper: CSS selector of the article links on a list page or e-paper page.
    links: Option<Spanned<String>>,
    /// epaper: CSS selector of the links to the edition's other pages (版面).
    pages: Option<Spanned<String>>,
    /// epaper: editions to read, today first (default 1).
    days: Option<Spanned<u32>>,
    /// epaper: a family from `config/epapers.toml` that supplies the edition template
    /// (from `url` as the paper's root) and the selectors.
    #[serde(skip_serializing_if = "Option::is_none")]
    preset: Option<Spanned<String>>,
    /// epaper: each article carries its page's PDF as an enclosure (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pdf: Option<Spanned<bool>>,
    /// html, epaper: CSS selector of the body on article pages; json: pointer to the body.
    content: Option<Spanned<String>>,
    /// html, epaper: CSS selector of the headline; json: pointer to the title.
    title: Option<Spanned<String>>,
    /// html, epaper: CSS selector of the time; json: pointer to the time.
    date: Option<Spanned<String>>,
    /// html, epaper: CSS selectors of parts of the body to leave out.
    exclude: Option<Spanned<Vec<String>>>,
    /// json: pointer to the array of items.
    items: Option<Spanned<String>>,
    /// json: pointer to an item's stable id.
    id: Option<Spanned<String>>,
    /// json: pointer to the summary.
    summary: Option<Spanned<String>>,
    /// json: pointer to the byline.
    author: Option<Spanned<String>>,
    /// json: pointer to the outlet (来源).
    outlet: Option<Spanned<String>>,
    /// json: the article's address, a pointer or a `{field}` template.
    link: Option<Spanned<String>>,
    /// json: a per-item document with the body, a pointer or a `{field}` template.
    detail: Option<Spanned<String>>,
    /// json: pointer to the body in the `detail` document.
    detail_content: Option<Spanned<String>>,
    /// Allow addresses on loopback and private networks (default: the `[fetch]` table's).
    allow_private: Option<bool>,
    /// Which of this source's items the feed shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<FilterTable>,
}

/// A filter table made a [`Filter`]; a pattern that does not compile is an issue at `key`.
fn filter(
    any: &[String],
    none: &[String],
    regex: Option<&str>,
    key: &str,
    span: Option<&Spanned<FilterTable>>,
    out: &mut FileIssues,
) -> Filter {
    let regex = regex.and_then(|pattern| match regex::Regex::new(pattern) {
        Ok(regex) => Some(regex),
        Err(err) => {
            out.at(
                span,
                key,
                format!("`{pattern}` is not a regular expression: {err}"),
            );
            None
        }
    });
    Filter {
        any: any.to_vec(),
        none: none.to_vec(),
        regex,
    }
}

pub(super) fn read_feeds(settings: &Settings, issues: &mut Vec<ConfigIssue>) -> Vec<FeedDef> {
    let dir = &settings.feeds_dir;
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            issues.push(ConfigIssue {
                path: dir.clone(),
                line: None,
                key: None,
                message: format!("cannot read the feeds directory: {err}"),
            });
            return Vec::new();
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|path| read_feed(path, settings, issues))
        .collect()
}

fn read_feed(path: &Path, settings: &Settings, issues: &mut Vec<ConfigIssue>) -> Option<FeedDef> {
    let slug = path.file_stem()?.to_string_lossy().into_owned();
    let (file, text) = read_toml::<FeedFile>(path, issues)?;
    let mut out = FileIssues {
        path,
        text: &text,
        issues,
    };
    if !is_slug(&slug) {
        out.at::<()>(
            None,
            "file name",
            format!("`{slug}` must be made of a-z, 0-9 and - (it is the feed's URL)"),
        );
    } else if slug == HEALTH_FEED {
        out.at::<()>(
            None,
            "file name",
            format!("`{HEALTH_FEED}` is the built-in health feed's name; choose another"),
        );
    }
    let select = file.select.as_ref().map(|table| {
        let table = table.get_ref();
        let feeds = if table.feeds.iter().any(|f| f == "*") {
            FeedChoice::All
        } else {
            FeedChoice::Slugs(table.feeds.clone())
        };
        let filter = filter(
            &table.any,
            &table.none,
            table.regex.as_deref(),
            "select.regex",
            None,
            &mut out,
        );
        Select { feeds, filter }
    });
    let feed_filter = file.filter.as_ref().map_or_else(Filter::default, |table| {
        let t = table.get_ref();
        filter(
            &t.any,
            &t.none,
            t.regex.as_deref(),
            "filter.regex",
            Some(table),
            &mut out,
        )
    });
    match (&select, file.sources.is_empty()) {
        (None, true) => out.at::<()>(
            None,
            "sources",
            "a feed needs [[sources]] tables, or a [select] table (a topic feed)".into(),
        ),
        (Some(_), false) => out.at(
            file.select.as_ref(),
            "select",
            "a topic feed gathers from other feeds: it has no [[sources]]".into(),
        ),
        (
            Some(Select {
                feeds: FeedChoice::Slugs(slugs),
                ..
            }),
            true,
        ) if slugs.is_empty() => out.at(
            file.select.as_ref(),
            "select.feeds",
            "names no feed (use [\"*\"] for all)".into(),
        ),
        _ => {}
    }
    let default_schedule = file.schedule.as_ref();
    if let Some(schedule) = default_schedule {
        if let Err(err) = parse_schedule(schedule.get_ref()) {
            out.at(Some(schedule), "schedule", err.to_string());
        }
    }
    let sources: Vec<Arc<SourceDef>> = file
        .sources
        .iter()
        .enumerate()
        .filter_map(|(i, table)| source_def(i, table, &slug, default_schedule, &mut out))
        .map(Arc::new)
        .collect();
    let entries = file.entries.unwrap_or(settings.entries);
    if entries == 0 {
        out.at::<()>(None, "entries", "must be at least 1".into());
    }
    let retention =
        super::daemon_file::retention(file.keep.as_ref(), file.keep_items.as_ref(), &mut out)
            .or(settings.retention);
    let convert = file.convert.as_ref().and_then(|text| {
        let conversion = Conversion::parse(text.get_ref());
        if conversion.is_none() {
            out.at(
                Some(text),
                "convert",
                format!(
                    "`{}` is not a conversion (\"t2s\" or \"s2t\")",
                    text.get_ref()
                ),
            );
        }
        conversion
    });
    // Kept even when the file has problems, so that duplicate names across files are
    // reported too; `load` fails on any problem anyway.
    Some(FeedDef {
        slug,
        title: file.title,
        description: file.description,
        entries,
        retention,
        filter: feed_filter,
        convert,
        sources,
        select,
    })
}

fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn source_def(
    index: usize,
    table: &SourceTable,
    slug: &str,
    default_schedule: Option<&Spanned<String>>,
    out: &mut FileIssues,
) -> Option<SourceDef> {
    let key = |field: &str| format!("sources[{index}].{field}");
    let mut ok = true;
    let name = table.name.get_ref();
    if !is_slug(name) {
        out.at(
            Some(&table.name),
            &key("name"),
            format!("`{name}` must be made of a-z, 0-9 and -"),
        );
        ok = false;
    }
    let keys = KindKeys {
        url: table.url.as_ref(),
        links: table.links.as_ref(),
        pages: table.pages.as_ref(),
        content: table.content.as_ref(),
        title: table.title.as_ref(),
        date: table.date.as_ref(),
        exclude: table.exclude.as_ref(),
        items: table.items.as_ref(),
        id: table.id.as_ref(),
        summary: table.summary.as_ref(),
        author: table.author.as_ref(),
        outlet: table.outlet.as_ref(),
        link: table.link.as_ref(),
        detail: table.detail.as_ref(),
        detail_content: table.detail_content.as_ref(),
        days: table.days.as_ref(),
        preset: table.preset.as_ref(),
        pdf: table.pdf.as_ref(),
    };
    let kind = source_kind::build(&table.kind, &keys, &key, out);
    let spanned_schedule = table.schedule.as_ref().or(default_schedule);
    let schedule_text = spanned_schedule.map_or(DEFAULT_SCHEDULE, |s| s.get_ref().as_str());
    let schedule = match parse_schedule(schedule_text) {
        Ok(schedule) => Some(schedule),
        Err(err) => {
            // The feed file's own schedule was reported once already.
            if table.schedule.is_some() {
                out.at(table.schedule.as_ref(), &key("schedule"), err.to_string());
            }
            None
        }
    };
    let config_hash = xxhash_rust::xxh3::xxh3_64(
        serde_json::to_string(table)
            .expect("a source table serializes")
            .as_bytes(),
    );
    let source_filter = table.filter.as_ref().map_or_else(Filter::default, |t| {
        filter(
            &t.any,
            &t.none,
            t.regex.as_deref(),
            &key("filter.regex"),
            None,
            out,
        )
    });
    match (ok, kind, schedule) {
        (true, Some(kind), Some(schedule)) => Some(SourceDef {
            filter: source_filter,
            name: name.clone(),
            feed: slug.to_string(),
            schedule,
            kind,
            config_hash,
            rank: 0,
            // `[fetch] allow_private` is added when all files are read.
            allow_private: table.allow_private.unwrap_or(false),
        }),
        _ => None,
    }
}

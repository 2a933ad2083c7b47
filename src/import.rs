//! `paperboy import FILE.opml`: a feed reader's export becomes feed files. Each OPML
//! folder (at any depth) with feeds in it becomes one feed file, titled by its folder
//! path; feeds outside any folder go to one file titled by the export's own title.
//! Slugs and source names come from the titles (Chinese in pinyin), unique against each
//! other and the configured ones; a feed listed twice, or already configured, is
//! imported once.

use std::collections::HashSet;
use std::path::PathBuf;

use serde::Serialize;
use url::Url;

use crate::config::{HEALTH_FEED, Settings};
use crate::names::{slug_of, unique};
use crate::normalize::url_identity;

/// What an import would write, and what it left out.
#[derive(Debug, Default)]
pub struct Plan {
    pub files: Vec<FeedFile>,
    /// Feeds left out, and why.
    pub skipped: Vec<String>,
}

/// One feed file to write.
#[derive(Debug)]
pub struct FeedFile {
    pub slug: String,
    pub path: PathBuf,
    pub title: String,
    pub sources: usize,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("not an OPML document: {0}")]
    Opml(String),
    #[error("the OPML document lists no feed (outlines with an xmlUrl)")]
    Empty,
}

#[derive(Serialize)]
struct FileText<'a> {
    title: &'a str,
    sources: Vec<SourceText<'a>>,
}

#[derive(Serialize)]
struct SourceText<'a> {
    name: String,
    kind: &'static str,
    url: &'a str,
}

/// A folder of the export and its feeds (title, address).
struct Folder {
    title: String,
    feeds: Vec<(String, String)>,
}

/// Plans the feed files for an OPML document named `file_name`.
pub fn plan(opml: &str, file_name: &str, settings: &Settings) -> Result<Plan, ImportError> {
    let document = opml::OPML::from_str(opml).map_err(|err| ImportError::Opml(err.to_string()))?;
    let top_title = document
        .head
        .as_ref()
        .and_then(|head| head.title.clone())
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| "导入的订阅".to_string());
    let mut folders = vec![Folder {
        title: top_title,
        feeds: Vec::new(),
    }];
    walk(&document.body.outlines, &[], &mut folders);
    if folders.iter().all(|f| f.feeds.is_empty()) {
        return Err(ImportError::Empty);
    }

    let mut plan = Plan::default();
    let feeds_dir = settings
        .feeds_dir
        .canonicalize()
        .unwrap_or_else(|_| settings.feeds_dir.clone());
    let mut slugs: HashSet<String> = HashSet::from([HEALTH_FEED.to_string()]);
    let mut names: HashSet<String> = settings.sources().map(|s| s.name.clone()).collect();
    // Configured feeds, except those of files this import writes again (`--force`).
    let mut targets = Vec::new();
    for folder in folders.iter().filter(|f| !f.feeds.is_empty()) {
        let slug = unique(slug_of(&folder.title, "feed"), &mut slugs);
        targets.push(slug);
    }
    let mut seen: Vec<(String, String)> = settings
        .sources()
        .filter(|s| !targets.contains(&s.feed))
        .filter_map(|s| {
            let url = Url::parse(&s.address()).ok()?;
            Some((
                url_identity(&url),
                format!("already the source `{}`", s.name),
            ))
        })
        .collect();
    for (folder, slug) in folders.iter().filter(|f| !f.feeds.is_empty()).zip(targets) {
        let mut sources = Vec::new();
        for (title, address) in &folder.feeds {
            let url = match Url::parse(address.trim()) {
                Ok(url) if matches!(url.scheme(), "http" | "https") => url,
                _ => {
                    plan.skipped
                        .push(format!("{title} ({address}): not an http(s) address"));
                    continue;
                }
            };
            let identity = url_identity(&url);
            if let Some((_, why)) = seen.iter().find(|(id, _)| *id == identity) {
                plan.skipped.push(format!("{title} ({url}): {why}"));
                continue;
            }
            seen.push((identity, format!("listed before under {}", folder.title)));
            let name = unique(slug_of(title, "source"), &mut names);
            sources.push((name, address.trim()));
        }
        if sources.is_empty() {
            continue;
        }
        let text = FileText {
            title: &folder.title,
            sources: sources
                .iter()
                .map(|(name, url)| SourceText {
                    name: name.clone(),
                    kind: "feed",
                    url,
                })
                .collect(),
        };
        let body = toml::to_string(&text).expect("a feed file serializes");
        plan.files.push(FeedFile {
            path: feeds_dir.join(format!("{slug}.toml")),
            slug,
            title: folder.title.clone(),
            sources: sources.len(),
            text: format!("# Imported from {file_name}\n{body}"),
        });
    }
    Ok(plan)
}

/// Gathers feeds by folder: a folder's title is its path (`新闻 / 国内`); feeds at the
/// top go to the first folder.
fn walk(outlines: &[opml::Outline], path: &[String], folders: &mut Vec<Folder>) {
    for outline in outlines {
        let title = outline
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| outline.text.clone());
        if let Some(url) = &outline.xml_url {
            let index = match path {
                [] => 0,
                _ => {
                    let folder = path.join(" / ");
                    match folders.iter().position(|f| f.title == folder) {
                        Some(i) => i,
                        None => {
                            folders.push(Folder {
                                title: folder,
                                feeds: Vec::new(),
                            });
                            folders.len() - 1
                        }
                    }
                }
            };
            folders[index].feeds.push((title.clone(), url.clone()));
        }
        if !outline.outlines.is_empty() {
            let mut inner = path.to_vec();
            inner.push(title.trim().to_string());
            walk(&outline.outlines, &inner, folders);
        }
    }
}

//! The `epaper` kind: for each of the last `days` editions (today first, in `timezone`),
//! the first page → its `pages` links (版面) → each page's `links` → article pages.
//!
//! An edition that does not exist (404: not published yet, weekends) is normal. An article
//! linked from two pages (导读 on page 1, "见第01版" jumps) is one item; its page name
//! (`第08版`) becomes an Atom category: the page whose link reads as the article's own
//! headline, since 导读 and jump links add words of their own. An article without a time
//! of its own gets the issue date at 00:00.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use regex::Regex;
use reqwest::StatusCode;
use scraper::{Html, Selector};
use url::Url;

use super::html::{Link, links_on};
use super::{BodyFrom, Candidate, Empty, Listing, Pages, RawItem, SourceError, ToFetch, redirect};
use crate::blocking;
use crate::config::EpaperRules;
use crate::normalize::url_identity;

static PAGE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:第\s*)?([A-Za-z]?\d{1,3})\s*版").expect("valid regex"));
static CURRENT_PAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"当前版\s*[:：]?\s*([A-Za-z]?\d{1,3})\s*版").expect("valid regex")
});

/// Reads the last `days` editions, today (in `timezone`) first: every article once, with
/// its issue date as fallback time and the pages that list it.
pub async fn read<P: Pages>(
    pages: &P,
    rules: &EpaperRules,
    timezone: Tz,
) -> Result<Listing, SourceError> {
    let today = Utc::now().with_timezone(&timezone).date_naive();
    let mut listing = Listing::default();
    let mut read = 0;
    let mut first_error = None;
    for back in 0..rules.days {
        let date = today - chrono::Days::new(u64::from(back));
        match edition(pages, rules, date, timezone, &mut listing).await {
            Ok(true) => read += 1,
            Ok(false) => listing.missing_editions += 1,
            Err(err) => {
                tracing::warn!(%date, error = %err, "edition failed");
                let url = rules.edition.url(date).ok();
                if let Some(url) = url {
                    listing.failed.push((url, err.to_string()));
                }
                first_error.get_or_insert(err);
            }
        }
    }
    match first_error {
        // Every edition that exists failed: the source failed.
        Some(err) if read == 0 => Err(err),
        _ => Ok(listing),
    }
}

/// One page of an edition, as read from its HTML.
struct PageLinks {
    /// This page's own name, when the page states it (`当前版:08版`).
    name: Option<String>,
    /// Links to the edition's pages with their names.
    pages: Vec<(Url, String)>,
    articles: Vec<Link>,
    /// The page's PDF, when the source asks for it (`pdf = true`).
    pdf: Option<Url>,
}

fn read_page(html: &str, url: &Url, rules: &EpaperRules) -> PageLinks {
    let document = Html::parse_document(html);
    let mut pages = Vec::new();
    let mut seen = HashSet::new();
    for element in document.select(&rules.pages) {
        let anchors: Vec<_> = if element.value().name() == "a" {
            vec![element]
        } else {
            let a = Selector::parse("a[href]").expect("valid selector");
            element.select(&a).collect()
        };
        for anchor in anchors {
            let Some(href) = anchor.value().attr("href") else {
                continue;
            };
            let Ok(target) = url.join(href.trim()) else {
                continue;
            };
            if !matches!(target.scheme(), "http" | "https") || !seen.insert(url_identity(&target)) {
                continue;
            }
            let text: String = anchor.text().collect();
            pages.push((
                target,
                page_name(&text).unwrap_or_else(|| text.trim().to_string()),
            ));
        }
    }
    let text: String = document.root_element().text().collect();
    let name = CURRENT_PAGE
        .captures(&text)
        .map(|caps| format!("第{:0>2}版", &caps[1]));
    let pdf = rules.pdf.as_ref().and_then(|selector| {
        document
            .select(selector)
            .find_map(|a| url.join(a.value().attr("href")?.trim()).ok())
    });
    PageLinks {
        name,
        pages,
        articles: links_on(html, url, &rules.links),
        pdf,
    }
}

/// `第08版：民生`, `A06版` → `第08版`, `第A06版`.
fn page_name(text: &str) -> Option<String> {
    PAGE_NUMBER
        .captures(text)
        .map(|caps| format!("第{:0>2}版", &caps[1]))
}

/// Reads one edition into `listing`; `false` when it is not published.
async fn edition<P: Pages>(
    pages: &P,
    rules: &EpaperRules,
    date: NaiveDate,
    timezone: Tz,
    listing: &mut Listing,
) -> Result<bool, SourceError> {
    let url = rules.edition.url(date)?;
    let first = match pages.get(&url).await {
        Ok(page) => page,
        Err(err) if err.status() == Some(StatusCode::NOT_FOUND) => return Ok(false),
        Err(err) => return Err(err.into()),
    };
    let first = redirect::follow(pages, first).await?;
    let first_url = first.url.clone();
    let page_rules = rules.clone();
    let links = blocking::run(move || read_page(first.text(), &first.url, &page_rules)).await?;

    let first_name = links
        .pages
        .iter()
        .find(|(page, _)| url_identity(page) == url_identity(&first_url))
        .map(|(_, name)| name.clone())
        .or(links.name.clone())
        .unwrap_or_else(|| "第01版".to_string());
    // Each article once, in page order, with every (page, link text) that points to it.
    let mut articles: Vec<Url> = Vec::new();
    let mut seen_on: HashMap<String, Vec<(String, String)>> = HashMap::new();
    // The PDF of the page that lists an article first.
    let mut pdf_of: HashMap<String, Url> = HashMap::new();
    let mut add = |found: Vec<Link>, page: &str, pdf: Option<Url>, articles: &mut Vec<Url>| {
        for link in found {
            let identity = url_identity(&link.url);
            let places = seen_on.entry(identity.clone()).or_default();
            if places.is_empty() {
                articles.push(link.url.clone());
                if let Some(pdf) = &pdf {
                    pdf_of.insert(identity, pdf.clone());
                }
            }
            places.push((page.to_string(), link.text));
        }
    };
    add(links.articles, &first_name, links.pdf, &mut articles);
    for (page_url, name) in &links.pages {
        if url_identity(page_url) == url_identity(&first_url) {
            continue;
        }
        let page = match pages.get(page_url).await {
            Ok(page) => page,
            Err(err) => {
                listing.failed.push((page_url.clone(), err.to_string()));
                continue;
            }
        };
        let page_rules = rules.clone();
        let found = blocking::run(move || read_page(page.text(), &page.url, &page_rules)).await?;
        let name = found.name.clone().unwrap_or_else(|| name.clone());
        add(found.articles, &name, found.pdf, &mut articles);
    }
    if articles.is_empty() {
        listing.empty.get_or_insert(Empty::Edition(format!(
            "the {date} edition lists no article (`links` matched nothing on {url})"
        )));
    }

    let issue = crate::dates::in_zone(
        date.and_hms_opt(0, 0, 0).expect("midnight exists"),
        timezone,
    );
    for link in articles {
        let listed_as = seen_on.remove(&url_identity(&link)).unwrap_or_default();
        let enclosure = pdf_of.remove(&url_identity(&link));
        listing.candidates.push(Candidate {
            item: RawItem {
                link: Some(link.clone()),
                enclosure,
                ..RawItem::default()
            },
            fetch: Some(ToFetch {
                url: link,
                body: BodyFrom::Article(rules.article.clone()),
            }),
            fallback_date: issue,
            listed_as,
        });
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_names() {
        assert_eq!(page_name("第08版：民生").as_deref(), Some("第08版"));
        assert_eq!(page_name("A06版").as_deref(), Some("第A06版"));
        assert_eq!(page_name("第 3 版 要闻").as_deref(), Some("第03版"));
        assert_eq!(page_name("下一版"), None);
    }
}

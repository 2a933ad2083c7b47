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
use regex::Regex;
use reqwest::StatusCode;
use scraper::{Html, Selector};
use url::Url;

use super::html::{Link, links_on};
use super::{article, redirect};
use crate::config::EpaperRules;
use crate::extract::Precision;
use crate::normalize::url_identity;
use crate::pipeline::{Run, RunError, blocking};

static PAGE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:第\s*)?([A-Za-z]?\d{1,3})\s*版").expect("valid regex"));
static CURRENT_PAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"当前版\s*[:：]?\s*([A-Za-z]?\d{1,3})\s*版").expect("valid regex")
});

/// Reads the last `days` editions.
pub async fn run(run: &mut Run<'_>, rules: &EpaperRules) -> Result<(), RunError> {
    let today = Utc::now().with_timezone(&run.timezone()).date_naive();
    let mut read = 0;
    let mut first_error = None;
    for back in 0..rules.days {
        let date = today - chrono::Days::new(u64::from(back));
        match edition(run, rules, date).await {
            Ok(true) => read += 1,
            Ok(false) => run.report.missing_editions += 1,
            Err(err) => {
                tracing::warn!(source = %run.source.name, %date, error = %err, "edition failed");
                first_error.get_or_insert(err);
            }
        }
    }
    match first_error {
        // Every edition that exists failed: the source failed.
        Some(err) if read == 0 => Err(err),
        Some(_) => {
            run.report.failed += 1;
            Ok(())
        }
        None => Ok(()),
    }
}

/// One page of an edition, as read from its HTML.
struct PageLinks {
    /// This page's own name, when the page states it (`当前版:08版`).
    name: Option<String>,
    /// Links to the edition's pages with their names.
    pages: Vec<(Url, String)>,
    articles: Vec<Link>,
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
    PageLinks {
        name,
        pages,
        articles: links_on(html, url, &rules.links),
    }
}

/// The page an article is on: the one whose link text is its headline, else the first.
fn page_of(places: &[(String, String)], title: &str) -> Option<String> {
    let squeeze = |text: &str| {
        text.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
    };
    let title = squeeze(title);
    places
        .iter()
        .find(|(_, text)| squeeze(text) == title)
        .or(places.first())
        .map(|(page, _)| page.clone())
}

/// `第08版：民生`, `A06版` → `第08版`, `第A06版`.
fn page_name(text: &str) -> Option<String> {
    PAGE_NUMBER
        .captures(text)
        .map(|caps| format!("第{:0>2}版", &caps[1]))
}

/// Reads one edition; `false` when it is not published.
async fn edition(
    run: &mut Run<'_>,
    rules: &EpaperRules,
    date: NaiveDate,
) -> Result<bool, RunError> {
    let url = rules.edition.url(date).map_err(RunError::Internal)?;
    let first = match run.get(&url).await {
        Ok(page) => page,
        Err(err) if err.status() == Some(StatusCode::NOT_FOUND) => return Ok(false),
        Err(err) => return Err(err.into()),
    };
    let first = redirect::follow(run, first).await?;
    let first_url = first.url.clone();
    let page_rules = rules.clone();
    let links = blocking(move || Ok(read_page(&first.text(), &first.url, &page_rules))).await?;

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
    let mut add = |found: Vec<Link>, page: &str, articles: &mut Vec<Url>| {
        for link in found {
            let places = seen_on.entry(url_identity(&link.url)).or_default();
            if places.is_empty() {
                articles.push(link.url.clone());
            }
            places.push((page.to_string(), link.text));
        }
    };
    add(links.articles, &first_name, &mut articles);
    for (page_url, name) in &links.pages {
        if url_identity(page_url) == url_identity(&first_url) {
            continue;
        }
        let page = match run.get(page_url).await {
            Ok(page) => page,
            Err(err) => {
                run.failed(page_url, &err.into());
                continue;
            }
        };
        let page_rules = rules.clone();
        let found = blocking(move || Ok(read_page(&page.text(), &page.url, &page_rules))).await?;
        let name = found.name.clone().unwrap_or_else(|| name.clone());
        add(found.articles, &name, &mut articles);
    }
    if articles.is_empty() {
        run.warn(format!(
            "`links` matched no article in the {date} edition ({url})"
        ));
    }

    let issue = crate::dates::in_zone(
        date.and_hms_opt(0, 0, 0).expect("midnight exists"),
        run.timezone(),
    );
    for link in &articles {
        if !run.wants(None, Some(link)).await? {
            continue;
        }
        match article::fetch(run, link, &rules.article).await {
            Ok(mut fetched) => {
                let own_time = fetched.precision.is_some_and(|p| p >= Precision::Minute)
                    && fetched
                        .item
                        .published
                        .zip(issue)
                        .is_some_and(|(t, i)| (t - i).num_hours().abs() <= 48);
                if !own_time {
                    fetched.item.published = issue;
                }
                let places = seen_on
                    .get(&url_identity(link))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                fetched.item.categories =
                    page_of(places, &fetched.item.title).into_iter().collect();
                run.store(fetched.item, link).await?;
            }
            Err(err) => run.failed(link, &err),
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_is_on_the_page_whose_link_is_its_headline() {
        let places = [
            (
                "第01版".to_string(),
                "多措并举惠民生（详见08版）".to_string(),
            ),
            ("第08版".to_string(), "多措并举 惠民生".to_string()),
        ];
        assert_eq!(
            page_of(&places, "多措并举惠民生").as_deref(),
            Some("第08版")
        );
        assert_eq!(page_of(&places, "另一个标题").as_deref(), Some("第01版"));
    }

    #[test]
    fn page_names() {
        assert_eq!(page_name("第08版：民生").as_deref(), Some("第08版"));
        assert_eq!(page_name("A06版").as_deref(), Some("第A06版"));
        assert_eq!(page_name("第 3 版 要闻").as_deref(), Some("第03版"));
        assert_eq!(page_name("下一版"), None);
    }
}

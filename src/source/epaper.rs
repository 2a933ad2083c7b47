//! The `epaper` kind: for each of the last `days` editions (today first, in `timezone`),
//! the first page → its `pages` links (版面) → each page's `links` → article pages.
//!
//! An edition that does not exist (404: not published yet, weekends) is normal. An article
//! linked from two pages (导读 on page 1) is one item; its page name (`第08版`) becomes an
//! Atom category, taken from the last page that links it, since page 1 only points ahead.
//! An article without a time of its own gets the issue date at 00:00.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use chrono::{NaiveDate, Utc};
use regex::Regex;
use reqwest::StatusCode;
use scraper::{Html, Selector};
use url::Url;

use super::{article, html::links_on, redirect};
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
    articles: Vec<Url>,
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
    let mut articles: Vec<Url> = Vec::new();
    let mut page_of: HashMap<String, String> = HashMap::new();
    let mut add = |found: &[Url], name: &str, articles: &mut Vec<Url>| {
        for article in found {
            if page_of
                .insert(url_identity(article), name.to_string())
                .is_none()
            {
                articles.push(article.clone());
            }
        }
    };
    add(&links.articles, &first_name, &mut articles);
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
        add(
            &found.articles,
            found.name.as_deref().unwrap_or(name),
            &mut articles,
        );
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
        if !run.wants(None, Some(link))? {
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
                fetched.item.categories = page_of
                    .get(&url_identity(link))
                    .cloned()
                    .into_iter()
                    .collect();
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
    fn page_names() {
        assert_eq!(page_name("第08版：民生").as_deref(), Some("第08版"));
        assert_eq!(page_name("A06版").as_deref(), Some("第A06版"));
        assert_eq!(page_name("第 3 版 要闻").as_deref(), Some("第03版"));
        assert_eq!(page_name("下一版"), None);
    }
}

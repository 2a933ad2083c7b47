//! A candidate's body: its article page fetched, decoded and extracted — following the
//! pages it continues on — or the text of its JSON detail document; then the candidate
//! completed with it.

use url::Url;

use super::{Plain, RunError};
use crate::blocking;
use crate::extract::{self, Article, Overrides, Precision};
use crate::source::{BodyFrom, Candidate, Pages, ParseError, RawItem, ToFetch, json, redirect};

/// Pages of one article read at most, the first included.
const MAX_PAGES: usize = 10;

/// How far an article's own time may be from its listing's fallback date (an e-paper's
/// issue) and still be its time.
const OWN_TIME_WITHIN_HOURS: i64 = 48;

/// What the body's page says.
pub struct Body {
    pub item: RawItem,
    pub precision: Option<Precision>,
    /// Override selectors that matched nothing on the page.
    pub unmatched: Vec<&'static str>,
}

/// Reads the body a candidate points to.
pub async fn fetch(
    ctx: &super::Context,
    source: &crate::config::SourceDef,
    target: &ToFetch,
) -> Result<Body, RunError> {
    let timezone = ctx.settings.timezone;
    let pages = Plain {
        fetcher: &ctx.fetcher,
        allow_private: source.allow_private,
    };
    match &target.body {
        BodyFrom::JsonPointer(pointer) => {
            let page = pages.get(&target.url).await?;
            let pointer = pointer.clone();
            let content = blocking::run(move || json::field_of(&page, &pointer)).await??;
            Ok(Body {
                item: RawItem {
                    content: Some(content),
                    ..RawItem::default()
                },
                precision: None,
                unmatched: Vec::new(),
            })
        }
        BodyFrom::Article(rules) => article(&pages, &target.url, rules, timezone).await,
    }
}

/// Fetches and extracts the article at `url`, with the pages it continues on (same host,
/// at most [`MAX_PAGES`]).
async fn article(
    pages: &Plain<'_>,
    url: &Url,
    rules: &Overrides,
    timezone: chrono_tz::Tz,
) -> Result<Body, RunError> {
    let mut article = extract_page(pages, url, rules, timezone).await?;
    if article.title.is_empty() && article.text.is_empty() {
        return Err(RunError::Parse(ParseError {
            url: url.clone(),
            message: "no article found on the page".into(),
        }));
    }
    let mut seen = vec![url.clone()];
    let mut next = article.next_page.take();
    while let Some(page_url) = next.take() {
        if seen.len() >= MAX_PAGES || seen.contains(&page_url) {
            break;
        }
        seen.push(page_url.clone());
        match extract_page(pages, &page_url, rules, timezone).await {
            Ok(mut page) => {
                join(&mut article, &page);
                next = page.next_page.take();
            }
            // What the first pages hold is kept; the rest is reported.
            Err(err) => {
                tracing::warn!(%url, page = seen.len(), error = %err, "continuation page not read");
            }
        }
    }
    Ok(Body {
        precision: article.precision,
        unmatched: article.unmatched,
        item: RawItem {
            title: article.title,
            content: Some(article.html).filter(|html| !html.is_empty()),
            author: article.author,
            outlet: article.source,
            published: article.published,
            ..RawItem::default()
        },
    })
}

/// Appends a continuation page's body to the article.
fn join(article: &mut Article, page: &Article) {
    if page.text.is_empty() {
        return;
    }
    if !article.text.is_empty() {
        article.text.push('\n');
    }
    article.text.push_str(&page.text);
    article.html.push_str(&page.html);
}

/// Fetches the page at `url`, follows its HTML redirects and extracts its article; the
/// page is decoded once, off the async threads, for both.
async fn extract_page(
    pages: &Plain<'_>,
    url: &Url,
    rules: &Overrides,
    timezone: chrono_tz::Tz,
) -> Result<Article, RunError> {
    let page = pages.get(url).await?;
    let page = redirect::follow(pages, page).await?;
    let rules = rules.clone();
    Ok(
        blocking::run(move || extract::extract(page.text(), Some(&page.url), &rules, timezone))
            .await?,
    )
}

/// The candidate completed with its body. What the listing says wins (its declared id,
/// title, time, author); the body gives the text and fills the rest. An article's own
/// time replaces the listing's fallback date only when precise to the minute and close
/// to it.
pub fn complete(candidate: Candidate, body: Body) -> RawItem {
    let category = candidate.category_for(if candidate.item.title.is_empty() {
        &body.item.title
    } else {
        &candidate.item.title
    });
    let Candidate {
        item: listed,
        fetch,
        fallback_date,
        ..
    } = candidate;
    let page = body.item;
    let own_time = page.published.filter(|time| match fallback_date {
        None => true,
        Some(fallback) => {
            body.precision.is_some_and(|p| p >= Precision::Minute)
                && (*time - fallback).num_hours().abs() <= OWN_TIME_WITHIN_HOURS
        }
    });
    let mut categories = listed.categories;
    if categories.is_empty() {
        categories.extend(category);
    }
    RawItem {
        guid: listed.guid,
        declared_id: listed.declared_id,
        link: listed.link.or(fetch.map(|f| f.url)),
        title: if listed.title.is_empty() {
            page.title
        } else {
            listed.title
        },
        summary: listed.summary,
        content: page.content.or(listed.content),
        author: listed.author.or(page.author),
        outlet: listed.outlet.or(page.outlet),
        published: listed.published.or(own_time).or(fallback_date),
        categories,
        enclosure: listed.enclosure,
    }
}

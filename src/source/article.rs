//! Article pages of `html` and `epaper` sources: fetched politely, decoded, extracted, and
//! followed to their next pages when an article is split over several.

use url::Url;

use super::RawItem;
use crate::extract::{self, Article, Overrides, Precision};
use crate::pipeline::{Run, RunError, blocking};

/// Pages of one article read at most, the first included.
const MAX_PAGES: usize = 10;

/// An extracted article and how precise its own time is.
pub struct Fetched {
    pub item: RawItem,
    pub precision: Option<Precision>,
    /// Override selectors that matched nothing on the page.
    pub unmatched: Vec<&'static str>,
}

/// Fetches and extracts the article at `url`, with the pages it continues on (same
/// host, at most [`MAX_PAGES`]). The item keeps `url` as its link (the address its list
/// gave), whatever redirects the server made.
pub async fn fetch(run: &mut Run<'_>, url: &Url, rules: &Overrides) -> Result<Fetched, RunError> {
    let mut article = fetch_page(run, url, rules).await?;
    if article.title.is_empty() && article.text.is_empty() {
        return Err(RunError::Parse(super::ParseError {
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
        match fetch_page(run, &page_url, rules).await {
            Ok(mut page) => {
                join(&mut article, &page);
                next = page.next_page.take();
            }
            // What the first pages hold is kept; the rest is reported.
            Err(err) => run.warn(format!("{url}: page {} not read: {err}", seen.len())),
        }
    }
    for key in &article.unmatched {
        run.warn(format!(
            "`{key}` selector matched nothing on {url}; extracted automatically"
        ));
    }
    Ok(Fetched {
        precision: article.precision,
        unmatched: article.unmatched,
        item: RawItem {
            guid: None,
            declared_id: None,
            link: Some(url.clone()),
            title: article.title,
            summary: None,
            content: Some(article.html).filter(|html| !html.is_empty()),
            author: article.author,
            outlet: article.source,
            published: article.published,
            categories: Vec::new(),
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

async fn fetch_page(run: &Run<'_>, url: &Url, rules: &Overrides) -> Result<Article, RunError> {
    let page = run.get(url).await?;
    let page = super::redirect::follow(run, page).await?;
    let (rules, timezone) = (rules.clone(), run.timezone());
    blocking(move || {
        let html = page.text();
        Ok(extract::extract(&html, Some(&page.url), &rules, timezone))
    })
    .await
}

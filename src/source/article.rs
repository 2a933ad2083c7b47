//! Article pages of `html` and `epaper` sources: fetched politely, decoded, extracted.

use url::Url;

use super::RawItem;
use crate::extract::{self, Overrides, Precision};
use crate::pipeline::{Run, RunError, blocking};

/// An extracted article and how precise its own time is.
pub struct Fetched {
    pub item: RawItem,
    pub precision: Option<Precision>,
    /// Override selectors that matched nothing on the page.
    pub unmatched: Vec<&'static str>,
}

/// Fetches and extracts the article at `url`. The item keeps `url` as its link (the
/// address its list gave), whatever redirects the server made.
pub async fn fetch(run: &mut Run<'_>, url: &Url, rules: &Overrides) -> Result<Fetched, RunError> {
    let fetched = fetch_page(run, url, rules).await?;
    for key in &fetched.unmatched {
        run.warn(format!(
            "`{key}` selector matched nothing on {url}; extracted automatically"
        ));
    }
    Ok(fetched)
}

async fn fetch_page(run: &Run<'_>, url: &Url, rules: &Overrides) -> Result<Fetched, RunError> {
    let page = run.get(url).await?;
    let page = super::redirect::follow(run, page).await?;
    let (rules, timezone, link) = (rules.clone(), run.timezone(), url.clone());
    blocking(move || {
        let html = page.text();
        let article = extract::extract(&html, Some(&page.url), &rules, timezone);
        if article.title.is_empty() && article.text.is_empty() {
            return Err(RunError::Parse(super::ParseError {
                url: page.url.clone(),
                message: "no article found on the page".into(),
            }));
        }
        Ok(Fetched {
            precision: article.precision,
            unmatched: article.unmatched,
            item: RawItem {
                guid: None,
                declared_id: None,
                link: Some(link),
                title: article.title,
                summary: None,
                content: Some(article.html).filter(|html| !html.is_empty()),
                author: article.author,
                outlet: article.source,
                published: article.published,
                categories: Vec::new(),
            },
        })
    })
    .await
}

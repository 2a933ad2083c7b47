//! The `html` kind: a list (column) page whose `links` lead to article pages.

use scraper::{Html, Selector};
use url::Url;

use super::{BodyFrom, Candidate, Empty, Listing, RawItem, ToFetch};
use crate::extract::Overrides;
use crate::fetch::Page;
use crate::normalize::url_identity;

/// The articles a list page links to, each to fetch and extract.
pub fn read(page: &Page, links: &Selector, rules: &Overrides) -> Listing {
    let found = links_on(page.text(), &page.url, links);
    let mut listing = Listing::default();
    if found.is_empty() {
        listing.empty = Some(Empty::NothingMatched(format!(
            "`links` matched no article link on {}",
            page.url
        )));
    }
    listing.candidates = found
        .into_iter()
        .map(|link| Candidate {
            item: RawItem {
                link: Some(link.url.clone()),
                ..RawItem::default()
            },
            fetch: Some(ToFetch {
                url: link.url,
                body: BodyFrom::Article(rules.clone()),
            }),
            ..Candidate::default()
        })
        .collect();
    listing
}

/// A link found on a list or e-paper page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub url: Url,
    /// The link's text, whitespace folded.
    pub text: String,
}

/// Links matched by `selector` (an `<a>`, or links inside the matched element), made
/// absolute against the page (or its `<base href>`), web pages only, each article once,
/// in page order.
pub fn links_on(html: &str, page_url: &Url, selector: &Selector) -> Vec<Link> {
    let document = Html::parse_document(html);
    let base_selector = Selector::parse("base[href]").expect("valid selector");
    let base = document
        .select(&base_selector)
        .next()
        .and_then(|b| b.value().attr("href"))
        .and_then(|href| page_url.join(href).ok())
        .unwrap_or_else(|| page_url.clone());
    let anchors = Selector::parse("a[href]").expect("valid selector");
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for element in document.select(selector) {
        let found: Vec<_> = if element.value().name() == "a" {
            vec![element]
        } else {
            element.select(&anchors).collect()
        };
        for anchor in found {
            let Some(href) = anchor.value().attr("href") else {
                continue;
            };
            let href = href.trim();
            if href.is_empty() || href.starts_with('#') {
                continue;
            }
            let Ok(url) = base.join(href) else { continue };
            if !matches!(url.scheme(), "http" | "https") {
                continue;
            }
            if seen.insert(url_identity(&url)) {
                let text = crate::normalize::plain_text(&anchor.text().collect::<String>());
                out.push(Link { url, text });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_absolute_deduplicated_and_in_order() {
        let html = r#"<base href="http://www.example.gov.cn/xwdt/">
            <div class="list"><a class="t" href="202111/t20211116_1.shtml">一</a>
            <a class="t" href="javascript:void(0)">x</a><a class="t" href="202111/t20211115_2.shtml#top">二</a>
            <a class="t" href="http://www.example.gov.cn/xwdt/202111/t20211116_1.shtml?utm_source=x">一again</a></div>
            <ul class="more"><li><a href="/other.shtml">其他</a></li></ul>"#;
        let page = Url::parse("http://www.example.gov.cn/xwdt/index.shtml").unwrap();
        let links = links_on(html, &page, &Selector::parse("a.t").unwrap());
        assert_eq!(links[0].text, "一");
        let links: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            links,
            [
                "http://www.example.gov.cn/xwdt/202111/t20211116_1.shtml",
                "http://www.example.gov.cn/xwdt/202111/t20211115_2.shtml#top"
            ]
        );
        // A selector matching a container takes the links inside it.
        assert_eq!(
            links_on(html, &page, &Selector::parse("ul.more").unwrap()).len(),
            1
        );
    }
}

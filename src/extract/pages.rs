//! Articles split over several pages: the link to the next page of the same article.
//!
//! A continuation is a link labelled as the next page (`下一页`, `next`, `»`) or with a
//! page number, whose address is this page's with a page number added or raised:
//! `t20211116_3391234.shtml` → `t20211116_3391234_1.shtml` (TRS counts the second page
//! as 1), `a.html` → `a_2.html`, `a-2.html` → `a-3.html`, `?page=2` → `?page=3`. Links
//! to other articles never share the stem, so a related list cannot be taken for a page.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{Html, Selector};
use url::Url;

/// `stem` + `_N`/`-N` + extension.
static NUMBERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<stem>.+?)(?:[_-](?P<n>\d{1,3}))?(?P<ext>\.[A-Za-z]{2,6})?$")
        .expect("valid regex")
});

/// Link texts that mean "the next page".
const NEXT: &[&str] = &[
    "下一页",
    "下页",
    "下一頁",
    "下頁",
    "next",
    "next page",
    ">",
    "»",
    "›",
    ">>",
];

/// The page number and the address without it, of a path and query.
fn place(url: &Url) -> Option<(String, u32)> {
    for (key, value) in url.query_pairs() {
        if matches!(key.as_ref(), "page" | "p" | "pn" | "pageno" | "page_no") {
            let n = value.parse().ok()?;
            let mut stem = url.clone();
            let rest: Vec<(String, String)> = url
                .query_pairs()
                .filter(|(k, _)| k != &key)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            stem.query_pairs_mut().clear().extend_pairs(rest);
            return Some((format!("{}?{}", stem.path(), stem.query().unwrap_or("")), n));
        }
    }
    let caps = NUMBERED.captures(url.path())?;
    let n = caps
        .name("n")
        .map_or(Some(0), |n| n.as_str().parse().ok())?;
    let stem = format!(
        "{}{}?{}",
        &caps["stem"],
        caps.name("ext").map_or("", |e| e.as_str()),
        url.query().unwrap_or("")
    );
    Some((stem, n))
}

/// The next page of the article at `url`, when the page links to one.
pub fn next(document: &Html, url: &Url) -> Option<Url> {
    let (stem, current) = place(url)?;
    let links = Selector::parse("a[href]").expect("valid selector");
    document
        .select(&links)
        .filter_map(|a| {
            let text: String = a.text().collect::<String>().trim().to_lowercase();
            let labelled = NEXT.contains(&text.as_str()) || text.parse::<u32>().is_ok();
            if !labelled {
                return None;
            }
            let target = url.join(a.value().attr("href")?.trim()).ok()?;
            if target.host_str() != url.host_str() || target == *url {
                return None;
            }
            let (target_stem, n) = place(&target)?;
            (target_stem == stem && n > current).then_some((n, target))
        })
        .min_by_key(|(n, _)| *n)
        .map(|(_, target)| target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next_of(url: &str, body: &str) -> Option<String> {
        next(&Html::parse_document(body), &Url::parse(url).unwrap()).map(String::from)
    }

    #[test]
    fn the_next_page_of_the_same_article() {
        let pager = r#"<a href="t20211116_3391234.shtml">1</a> <a href="t20211116_3391234_1.shtml">2</a>
            <a href="t20211116_3391234_1.shtml">下一页</a> <a href="t20211116_3391235.shtml">另一篇</a>"#;
        assert_eq!(
            next_of("http://gov.example/xw/t20211116_3391234.shtml", pager).as_deref(),
            Some("http://gov.example/xw/t20211116_3391234_1.shtml")
        );
        assert_eq!(
            next_of("http://gov.example/xw/t20211116_3391234_1.shtml", pager),
            None
        );
        assert_eq!(
            next_of(
                "https://news.example/a/123.html",
                r#"<a href="/a/123_2.html">下一页</a>"#
            )
            .as_deref(),
            Some("https://news.example/a/123_2.html")
        );
        assert_eq!(
            next_of(
                "https://news.example/a?id=9&page=2",
                r#"<a href="?id=9&page=3">»</a>"#
            )
            .as_deref(),
            Some("https://news.example/a?id=9&page=3")
        );
    }

    #[test]
    fn other_articles_and_hosts_are_not_pages() {
        assert_eq!(
            next_of(
                "https://news.example/a/123.html",
                r#"<a href="/a/124.html">下一页</a>"#
            ),
            None
        );
        assert_eq!(
            next_of(
                "https://news.example/a/123.html",
                r#"<a href="https://other.example/a/123_2.html">2</a>"#
            ),
            None
        );
        assert_eq!(
            next_of(
                "https://news.example/a/123.html",
                r#"<a href="/a/123_2.html">相关阅读</a>"#
            ),
            None
        );
    }
}

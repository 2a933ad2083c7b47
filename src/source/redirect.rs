//! Entry pages that redirect in HTML rather than HTTP: `<meta http-equiv="refresh">` and
//! script `location` assignments, as e-paper entry pages (`PaperIndex.htm` →
//! `IssueIndex.htm` → `Page01NU.htm`) do.
//!
//! Only stub pages are followed: a full page with a script that sends phones to a mobile
//! site is not a redirect.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use super::{Pages, SourceError};
use crate::blocking;
use crate::fetch::Page;

/// HTML redirects followed in a row at most.
const MAX_HOPS: usize = 3;
/// A page with more visible text than this is a page, not a redirect stub.
const STUB_TEXT: usize = 300;

static META_REFRESH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["']?\s*(\d+)\s*[;,]\s*url\s*=\s*['"]?([^"'>\s]+)"#)
        .expect("valid regex")
});
static SCRIPT_LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:window\.|document\.|self\.|top\.)?location(?:\.href)?\s*(?:=|\.replace\(|\.assign\()\s*["']([^"']+)["']"#)
        .expect("valid regex")
});
static TAGS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<script.*?</script>|<style.*?</style>|<[^>]*>").expect("valid regex")
});

/// Where a stub page sends the reader, if it is one.
pub fn target(html: &str, base: &Url) -> Option<Url> {
    // The redirect first: most pages have none, and the regexes skip ahead to their
    // `<meta` and `location`, where counting the text reads up to the first paragraphs.
    let href = META_REFRESH
        .captures(html)
        .filter(|caps| caps[1].parse::<u32>().is_ok_and(|delay| delay <= 5))
        .map(|caps| caps[2].to_string())
        .or_else(|| {
            SCRIPT_LOCATION
                .captures(html)
                .map(|caps| caps[1].to_string())
        })?;
    if !is_stub(html) {
        return None;
    }
    base.join(href.trim())
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url != base)
}

/// Whether a page shows at most [`STUB_TEXT`] characters outside its tags, scripts and
/// styles. Counted between the tags as they come, up to the first character past the
/// limit: a full page is told after its first paragraphs, without a copy of its text.
fn is_stub(html: &str) -> bool {
    let mut visible = 0;
    for text in TAGS.split(html) {
        visible += text.chars().filter(|c| !c.is_whitespace()).count();
        if visible > STUB_TEXT {
            return false;
        }
    }
    true
}

/// Follows HTML redirects from `page`. Each page is checked on the blocking pool, where
/// it is decoded: the text stays in the page for whoever reads it next.
pub async fn follow<P: Pages>(pages: &P, mut page: Page) -> Result<Page, SourceError> {
    for _ in 0..MAX_HOPS {
        let (checked, next) = blocking::run(move || {
            let next = target(page.text(), &page.url);
            (page, next)
        })
        .await?;
        let Some(next) = next else {
            return Ok(checked);
        };
        page = pages.get(&next).await?;
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_refresh_and_script_location() {
        let base = Url::parse("http://paper.example/dzrb/content/PaperIndex.htm").unwrap();
        let meta = r#"<html><head><meta http-equiv="Refresh" content="0; URL=20211116/IssueIndex.htm"></head></html>"#;
        assert_eq!(
            target(meta, &base).unwrap().as_str(),
            "http://paper.example/dzrb/content/20211116/IssueIndex.htm"
        );
        let script =
            r#"<script language="javascript">window.location.href = "Page01NU.htm";</script>"#;
        assert_eq!(
            target(script, &base).unwrap().as_str(),
            "http://paper.example/dzrb/content/Page01NU.htm"
        );
        let replace = r#"<script>location.replace('/m/index.html')</script>"#;
        assert_eq!(
            target(replace, &base).unwrap().as_str(),
            "http://paper.example/m/index.html"
        );
    }

    #[test]
    fn full_pages_and_slow_refreshes_are_not_redirects() {
        let base = Url::parse("http://news.example/a.html").unwrap();
        let page = format!(
            "<script>if(mobile)location.href='m.html'</script><p>{}</p>",
            "正文".repeat(400)
        );
        assert_eq!(target(&page, &base), None);
        let refresh = r#"<meta http-equiv="refresh" content="300; url=a.html">"#;
        assert_eq!(target(refresh, &base), None);
    }

    #[test]
    fn visible_text_is_counted_across_tags_and_without_spaces() {
        let page = |before: usize, after: usize| {
            format!(
                "<meta http-equiv=\"refresh\" content=\"0; url=b.html\"><p>{}</p>\n <b>{}</b><script>{}</script>",
                "字 ".repeat(before),
                "字".repeat(after),
                "x".repeat(1000),
            )
        };
        assert!(is_stub(&page(150, 150)));
        assert!(!is_stub(&page(150, 151)));
        let base = Url::parse("http://news.example/a.html").unwrap();
        assert!(target(&page(150, 150), &base).is_some());
        assert_eq!(target(&page(150, 151), &base), None);
    }
}

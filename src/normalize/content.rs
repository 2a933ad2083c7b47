//! Content cleaning: HTML is sanitized with an allow-list (ammonia) before it is stored,
//! and relative links and images are made absolute against the item's URL.

use ammonia::{Builder, UrlRelative};
use url::Url;

/// Sanitizes an HTML fragment: no script, style, iframe, event handler or `javascript:`
/// URL survives; relative URLs resolve against `base`, or are dropped without one.
pub fn sanitize_html(html: &str, base: Option<&Url>) -> String {
    thread_local! {
        // The allow-lists are built once per thread, not once per item.
        static CLEANER: std::cell::RefCell<Builder<'static>> = std::cell::RefCell::new({
            let mut builder = Builder::default();
            builder.add_tag_attributes("img", ["loading"]);
            builder
        });
    }
    let cleaned = CLEANER.with_borrow_mut(|builder| {
        builder.url_relative(match base {
            Some(base) => UrlRelative::RewriteWithBase(base.clone()),
            None => UrlRelative::Deny,
        });
        builder.clean(html).to_string()
    });
    match cleaned.trim() {
        trimmed if trimmed.len() == cleaned.len() => cleaned,
        trimmed => trimmed.to_string(),
    }
}

/// Plain text of an HTML fragment (titles, names): tags removed, entities decoded,
/// whitespace runs folded to one space, control characters dropped.
pub fn plain_text(fragment: &str) -> String {
    let text: String = if fragment.contains(['<', '&']) {
        let document = scraper::Html::parse_fragment(fragment);
        document.root_element().text().collect()
    } else {
        fragment.to_string()
    };
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_markup_is_removed() {
        let html = r#"<p onclick="x()">正文<script>alert(1)</script></p><style>p{}</style>
            <a href="javascript:alert(1)">链接</a><iframe src="https://e.example"></iframe>
            <img src="a.png" onerror="alert(2)">"#;
        let clean = sanitize_html(
            html,
            Some(&Url::parse("https://news.example/a/b.html").unwrap()),
        );
        for bad in [
            "script",
            "alert",
            "onclick",
            "onerror",
            "style",
            "iframe",
            "javascript",
        ] {
            assert!(!clean.contains(bad), "{bad} in {clean}");
        }
        assert!(clean.contains("正文"));
        assert!(
            clean.contains(r#"src="https://news.example/a/a.png""#),
            "{clean}"
        );
    }

    #[test]
    fn relative_links_become_absolute() {
        let base = Url::parse("http://paper.example/html/2026-11/01/content_1.htm").unwrap();
        let clean = sanitize_html(
            r#"<a href="../02/node_2.htm">下一版</a><img src="/pic/1.jpg">"#,
            Some(&base),
        );
        assert!(
            clean.contains(r#"href="http://paper.example/html/2026-11/02/node_2.htm""#),
            "{clean}"
        );
        assert!(
            clean.contains(r#"src="http://paper.example/pic/1.jpg""#),
            "{clean}"
        );
    }

    #[test]
    fn plain_text_decodes_and_folds() {
        assert_eq!(
            plain_text("  标题&nbsp;<b>加粗</b>\n  第二行 "),
            "标题 加粗 第二行"
        );
        assert_eq!(plain_text("A &amp; B"), "A & B");
    }
}

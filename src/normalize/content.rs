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

/// Plain text of an HTML fragment (titles, names, an item's text for comparing): tags
/// removed, entities decoded, whitespace runs folded to one space, control characters
/// dropped.
pub fn plain_text(fragment: &str) -> String {
    let text: String = if fragment.contains(['<', '&']) {
        markup_text(fragment)
    } else {
        fragment.to_string()
    };
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of an HTML fragment in document order, as a parsed tree's text nodes give it,
/// from html5ever's tokenizer alone: no tree is built (text is all that is wanted, and
/// building the tree took a third of the time). Written here: html5ever has the tokenizer but
/// no text-only sink. Elements whose content the tree builder reads as raw text (script,
/// style, textarea, title…) are switched to it the same way, so `a < b` inside them
/// stays text.
fn markup_text(fragment: &str) -> String {
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::states::RawKind;
    use html5ever::tokenizer::{
        BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer,
    };
    use std::cell::RefCell;

    struct Text(RefCell<String>);

    impl TokenSink for Text {
        type Handle = ();

        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            match token {
                Token::CharacterTokens(text) => self.0.borrow_mut().push_str(&text),
                Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                    return match &*tag.name {
                        "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                            TokenSinkResult::RawData(RawKind::Rawtext)
                        }
                        "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
                        "plaintext" => TokenSinkResult::Plaintext,
                        _ => TokenSinkResult::Continue,
                    };
                }
                _ => {}
            }
            TokenSinkResult::Continue
        }
    }

    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(fragment));
    let tokenizer = Tokenizer::new(
        Text(RefCell::new(String::with_capacity(fragment.len()))),
        Default::default(),
    );
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `plain_text` gave when it built the tree: its text nodes, folded the same way.
    fn tree_text(fragment: &str) -> String {
        let document = scraper::Html::parse_fragment(fragment);
        let text: String = document.root_element().text().collect();
        text.split(|c: char| c.is_whitespace() || c.is_control())
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn text_without_a_tree_is_the_trees_text() {
        let fragments = [
            "滨州&nbsp;日报 &amp; 大众日报 &lt;p&gt; &#x4E2D;&#25991; &unknown; &amp",
            "<p>第一段<br>第二段</p><p>第三段 <b>加粗</b><i>斜体</p>未闭合",
            "a < b and c > d, 3<4",
            "<script>if (a < b) { x = '</p>'; }</script>正文<style>p > a { }</style>",
            "<textarea><b>不是标签</b> &amp;</textarea><title>标题 &lt;</title>",
            "<!-- 注释 --><![CDATA[数据]]>文字<?php echo 1; ?>",
            "<noscript><img src=x>请启用脚本</noscript><xmp><b>原样</b></xmp>",
            "<div><span>嵌套<em>很深</em></span>的</div>文字\u{0}空字符\r\n换行",
            "<img alt=\"图片说明\" src=\"a.png\">后面 <a href=\"/x\">链接</a>",
            "",
            "<",
            "&",
        ];
        for fragment in fragments {
            assert_eq!(plain_text(fragment), tree_text(fragment), "{fragment:?}");
        }
        // Whole pages, and what the store compares: their cleaned bodies.
        let pages = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pages");
        let mut compared = 0;
        for entry in std::fs::read_dir(pages).unwrap() {
            let html = String::from_utf8_lossy(&std::fs::read(entry.unwrap().path()).unwrap())
                .into_owned();
            let body = sanitize_html(&html, None);
            assert_eq!(plain_text(&body), tree_text(&body));
            assert_eq!(plain_text(&html), tree_text(&html));
            compared += 1;
        }
        assert!(compared >= 5);
    }

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

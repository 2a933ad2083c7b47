//! The chosen body as lines of text and of HTML: a line per paragraph (block or `<br>`),
//! images kept with absolute URLs, inline links and emphasis kept, everything else
//! dropped. The HTML is sanitized again by the caller before anyone sees it.

use ego_tree::iter::Edge;
use scraper::{Html, Node};
use url::Url;

use super::dom::{NodeId, NodeSet, breaks_line, is_block, visible};

/// One paragraph of the body.
#[derive(Debug, Clone, Default)]
pub struct Line {
    pub text: String,
    pub html: String,
    /// Non-whitespace characters of `text` inside links.
    pub link_chars: usize,
}

/// Inline elements kept in the HTML (with no attributes but `href`).
const INLINE_KEPT: &[&str] = &["a", "strong", "b", "em", "i", "u", "sub", "sup"];

/// Attributes that hold an image's address, lazy-load ones first.
const LAZY_SOURCES: &[&str] = &[
    "data-original",
    "data-src",
    "data-url",
    "data-lazy-src",
    "data-actualsrc",
    "data-echo",
    "original",
    "src",
];

/// Image URLs that are page furniture, not article pictures.
const FURNITURE: &[&str] = &[
    "icon",
    "logo",
    "qrcode",
    "erweima",
    "ewm",
    "share",
    "spacer",
    "blank.gif",
    "c.gif",
    "b.gif",
    "loading",
    "arrow",
    "btn",
    "button",
    "weixin",
];

struct Lines<'a> {
    base: Option<&'a Url>,
    out: Vec<Line>,
    current: Line,
    /// Open `<a>` elements around the current text.
    links: usize,
}

impl Lines<'_> {
    fn flush(&mut self) {
        let text = self.current.text.trim().to_string();
        let html = self.current.html.trim().to_string();
        if !text.is_empty() || html.contains("<img") {
            let link_chars = self.current.link_chars;
            self.out.push(Line {
                text,
                html,
                link_chars,
            });
        }
        self.current = Line::default();
    }

    fn push_text(&mut self, text: &str) {
        let mut folded = String::with_capacity(text.len());
        let mut space = self.current.text.ends_with(' ') || self.current.text.is_empty();
        for c in text.chars() {
            if c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}' {
                if !space {
                    folded.push(' ');
                    space = true;
                }
            } else if !c.is_control() {
                folded.push(c);
                space = false;
            }
        }
        if self.links > 0 {
            self.current.link_chars += folded.chars().filter(|c| *c != ' ').count();
        }
        self.current.text.push_str(&folded);
        self.current
            .html
            .push_str(&quick_xml::escape::escape(&folded));
    }

    fn absolute(&self, link: &str) -> Option<String> {
        let link = link.trim();
        if link.is_empty() || link.starts_with("data:") {
            return None;
        }
        match self.base {
            Some(base) => base.join(link).ok().map(String::from),
            None => Url::parse(link).ok().map(String::from),
        }
    }
}

/// Renders the roots, leaving out `removed` nodes.
pub fn lines(
    document: &Html,
    roots: &[NodeId],
    removed: &NodeSet,
    base: Option<&Url>,
) -> Vec<Line> {
    let mut lines = Lines {
        base,
        out: Vec::new(),
        current: Line::default(),
        links: 0,
    };
    for root in roots {
        let Some(root) = document.tree.get(*root) else {
            continue;
        };
        for edge in visible(root, removed) {
            match edge {
                Edge::Open(node) => match node.value() {
                    Node::Element(element) => {
                        let name = element.name();
                        if breaks_line(element) {
                            lines.flush();
                        } else if name == "img" {
                            // Lazy-loading pages keep the real address in a data
                            // attribute and a placeholder in `src`.
                            let source = LAZY_SOURCES.iter().find_map(|attr| {
                                element.attr(attr).filter(|v| !v.trim().is_empty())
                            });
                            let source = source.and_then(|s| lines.absolute(s));
                            if let Some(src) = source.filter(|s| !is_furniture(s, element)) {
                                let alt = element.attr("alt").unwrap_or("");
                                lines.current.html.push_str(&format!(
                                    "<img src=\"{}\" alt=\"{}\">",
                                    quick_xml::escape::escape(&src),
                                    quick_xml::escape::escape(alt)
                                ));
                            }
                        } else if INLINE_KEPT.contains(&name) {
                            lines.links += usize::from(name == "a");
                            let href = (name == "a")
                                .then(|| element.attr("href").and_then(|h| lines.absolute(h)))
                                .flatten();
                            match href {
                                Some(href) => lines.current.html.push_str(&format!(
                                    "<a href=\"{}\">",
                                    quick_xml::escape::escape(&href)
                                )),
                                None if name == "a" => lines.current.html.push_str("<a>"),
                                None => lines.current.html.push_str(&format!("<{name}>")),
                            }
                        }
                    }
                    Node::Text(text) => lines.push_text(text),
                    _ => {}
                },
                Edge::Close(node) => {
                    if let Node::Element(element) = node.value() {
                        let name = element.name();
                        if is_block(element) {
                            lines.flush();
                        } else if INLINE_KEPT.contains(&name) {
                            if name == "a" {
                                lines.links = lines.links.saturating_sub(1);
                            }
                            lines.current.html.push_str(&format!("</{name}>"));
                        }
                    }
                }
            }
        }
        lines.flush();
    }
    lines.out
}

fn is_furniture(src: &str, element: &scraper::node::Element) -> bool {
    let lower = src.to_ascii_lowercase();
    let tiny = ["width", "height"].iter().any(|attr| {
        element
            .attr(attr)
            .and_then(|v| v.trim_end_matches("px").parse::<u32>().ok())
            .is_some_and(|v| v < 40)
    });
    tiny || FURNITURE
        .iter()
        .any(|word| lower.rsplit('/').next().unwrap_or("").contains(word))
}

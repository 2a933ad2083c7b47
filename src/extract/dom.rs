//! The page as the extractor sees it: which elements never count (scripts, hidden
//! elements, forms' controls), block structure, and the text units that scoring works on.
//!
//! A text unit is all the text whose nearest block ancestor is one element: a `<p>`, or a
//! `<div>`/`<td>` holding text broken by `<br>`, as e-papers and portals often do.

use ego_tree::NodeRef;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node};

pub type NodeId = ego_tree::NodeId;

/// Maps and sets keyed by node: FxHash, since a node id is a small integer of the page's
/// own tree, which SipHash's defence against chosen keys does not need.
pub type NodeMap<V> = rustc_hash::FxHashMap<NodeId, V>;
pub type NodeSet = rustc_hash::FxHashSet<NodeId>;

/// Elements whose content is never article text. Media elements (`video`, `audio`,
/// `object`) are not among them: a page that leaves one unclosed has the parser put the
/// rest of the article inside it.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "button", "select",
    "option", "textarea", "input", "head", "title", "embed", "map",
];

/// A hidden element holding at least this much punctuated text is the page's prose
/// waiting for a script to show it (WeChat's `#js_content`, tabbed or paged articles).
const REVEALED_PROSE: usize = 150;

/// Elements that start a new line of text.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

pub fn is_block(name: &str) -> bool {
    BLOCKS.contains(&name)
}

/// Whether an element and everything in it is left out of the article: what no reader
/// ever sees, and what the markup hides unless it holds the page's prose — judged by
/// what a reader sees once the page's scripts have run.
pub fn is_skipped(node: NodeRef<'_, Node>) -> bool {
    let Some(element) = node.value().as_element() else {
        return false;
    };
    if SKIPPED.contains(&element.name()) {
        return true;
    }
    is_hidden_by_markup(element) && !holds_prose(node)
}

/// `hidden`, `aria-hidden` or an inline style that hides the element.
fn is_hidden_by_markup(element: &scraper::node::Element) -> bool {
    if element.attr("hidden").is_some() || element.attr("aria-hidden") == Some("true") {
        return true;
    }
    element.attr("style").is_some_and(|style| {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        style.contains("display:none")
            || style.contains("visibility:hidden")
            || style.contains("opacity:0;")
            || style.ends_with("opacity:0")
    })
}

/// Whether a subtree holds sentences rather than a menu, a list or a template: enough
/// characters, few of them in links, and Chinese commas and full stops among them.
fn holds_prose(node: NodeRef<'_, Node>) -> bool {
    let (mut chars, mut link_chars, mut stops) = (0usize, 0usize, 0usize);
    // Open `<a>` and skipped elements around the current text: one walk, no look-ups.
    let (mut links, mut skipped) = (0usize, 0usize);
    let counts = |el: &scraper::node::Element| (el.name() == "a", SKIPPED.contains(&el.name()));
    for edge in node.traverse() {
        match edge {
            Edge::Open(child) => match child.value() {
                Node::Element(el) => {
                    let (link, skip) = counts(el);
                    links += usize::from(link);
                    skipped += usize::from(skip);
                }
                Node::Text(text) if skipped == 0 => {
                    for c in text.chars().filter(|c| !c.is_whitespace()) {
                        chars += 1;
                        link_chars += usize::from(links > 0);
                        stops += usize::from(matches!(c, '，' | '。' | '！' | '？'));
                    }
                }
                _ => {}
            },
            Edge::Close(child) => {
                if let Node::Element(el) = child.value() {
                    let (link, skip) = counts(el);
                    links -= usize::from(link);
                    skipped -= usize::from(skip);
                }
            }
        }
    }
    chars >= REVEALED_PROSE && link_chars * 4 < chars && stops * 60 >= chars && stops >= 5
}

/// `class` and `id` of an element, lower-cased, for pattern tests.
pub fn class_and_id(element: &scraper::node::Element) -> String {
    let mut out = String::new();
    for name in ["class", "id"] {
        if let Some(value) = element.attr(name) {
            out.push_str(&value.to_ascii_lowercase());
            out.push(' ');
        }
    }
    out
}

/// Characters that make a line read as prose. ASCII `,` and `.` count only between
/// words, not inside numbers (`18,652.59` is a stock quote, not a sentence).
pub fn is_sentence_punctuation(c: char, next: Option<char>) -> bool {
    match c {
        '，' | '。' | '！' | '？' | '；' | '：' | '、' | '“' | '”' | '!' | '?' | ';' => {
            true
        }
        ',' | '.' => !next.is_some_and(|n| n.is_ascii_digit()),
        _ => false,
    }
}

/// The traversal edges of a subtree that a reader could see: skipped elements (and
/// `removed` ones) are left out with everything inside them. Every walk over a page's
/// text goes through this.
pub fn visible<'a>(
    root: NodeRef<'a, Node>,
    removed: &'a NodeSet,
) -> impl Iterator<Item = Edge<'a, Node>> + 'a {
    let mut skipping: Option<NodeId> = None;
    root.traverse().filter(move |edge| match edge {
        Edge::Open(node) if skipping.is_none() => {
            // The root was chosen by the caller: markup that hides it (a body a script
            // reveals, a selector's element) does not hide it from the caller.
            let hidden = removed.contains(&node.id())
                || if node.id() == root.id() {
                    node.value()
                        .as_element()
                        .is_some_and(|el| SKIPPED.contains(&el.name()))
                } else {
                    is_skipped(*node)
                };
            if hidden {
                skipping = Some(node.id());
            }
            !hidden
        }
        Edge::Close(node) if skipping == Some(node.id()) => {
            skipping = None;
            false
        }
        _ => skipping.is_none(),
    })
}

/// Nothing removed: for [`visible`] walks of the whole page.
pub fn nothing_removed() -> &'static NodeSet {
    static EMPTY: std::sync::OnceLock<NodeSet> = std::sync::OnceLock::new();
    EMPTY.get_or_init(NodeSet::default)
}

/// What a piece of text is made of: non-whitespace characters, sentence punctuation and
/// letters of any script.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    pub chars: usize,
    pub punctuation: usize,
    pub letters: usize,
}

pub fn tally(text: &str) -> Tally {
    let mut out = Tally::default();
    let mut rest = text.chars().filter(|c| !c.is_whitespace()).peekable();
    while let Some(c) = rest.next() {
        out.chars += 1;
        out.letters += usize::from(c.is_alphabetic());
        out.punctuation += usize::from(is_sentence_punctuation(c, rest.peek().copied()));
    }
    out
}

/// Text counted per block element.
#[derive(Debug, Clone, Default)]
pub struct Unit {
    /// Non-whitespace characters.
    pub chars: usize,
    /// Of which inside links.
    pub link_chars: usize,
    pub punctuation: usize,
    /// Letters of any script (digits and symbols are not).
    pub letters: usize,
    /// The unit's own text (whitespace dropped), kept only while short: headings and
    /// labels are told apart by their words.
    pub text: String,
}

impl Unit {
    pub fn link_density(&self) -> f64 {
        if self.chars == 0 {
            0.0
        } else {
            self.link_chars as f64 / self.chars as f64
        }
    }
}

/// Text units of a subtree, keyed by their block element, in document order.
pub struct Units {
    pub order: Vec<NodeId>,
    pub by_block: NodeMap<Unit>,
}

/// Collects the text units below `root`.
pub fn units(root: NodeRef<'_, Node>) -> Units {
    let mut order = Vec::new();
    let mut by_block: NodeMap<Unit> = NodeMap::default();
    let mut blocks: Vec<NodeId> = vec![root.id()];
    let mut links = 0usize;
    for edge in visible(root, nothing_removed()) {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(element) => {
                    if is_block(element.name()) {
                        blocks.push(node.id());
                    } else if element.name() == "a" {
                        links += 1;
                    }
                }
                Node::Text(text) => {
                    let block = *blocks.last().expect("the root is a block");
                    let Tally {
                        chars,
                        punctuation,
                        letters,
                    } = tally(text);
                    if chars == 0 {
                        continue;
                    }
                    let unit = by_block.entry(block).or_insert_with(|| {
                        order.push(block);
                        Unit::default()
                    });
                    unit.chars += chars;
                    unit.punctuation += punctuation;
                    unit.letters += letters;
                    if unit.chars <= 32 {
                        unit.text
                            .extend(text.chars().filter(|c| !c.is_whitespace()));
                    }
                    if links > 0 {
                        unit.link_chars += chars;
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(element) = node.value() {
                    if is_block(element.name())
                        && blocks.len() > 1
                        && blocks.last() == Some(&node.id())
                    {
                        blocks.pop();
                    } else if element.name() == "a" {
                        links = links.saturating_sub(1);
                    }
                }
            }
        }
    }
    Units { order, by_block }
}

/// Visible text of an element with whitespace runs folded to one space.
pub fn text_of(element: ElementRef<'_>) -> String {
    let mut out = String::new();
    for edge in visible(*element, nothing_removed()) {
        if let Edge::Open(node) = edge {
            match node.value() {
                Node::Element(el) if is_block(el.name()) || el.name() == "br" => out.push(' '),
                Node::Text(text) => out.push_str(text),
                _ => {}
            }
        }
    }
    fold_whitespace(&out)
}

pub fn fold_whitespace(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The document's `<body>`, or its root element when there is none.
pub fn body(document: &Html) -> ElementRef<'_> {
    let selector = scraper::Selector::parse("body").expect("valid selector");
    document
        .select(&selector)
        .next()
        .unwrap_or_else(|| document.root_element())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visible_text(html: &str) -> String {
        let document = Html::parse_document(html);
        let mut out = String::new();
        for edge in visible(*body(&document), nothing_removed()) {
            if let Edge::Open(node) = edge {
                if let Node::Text(text) = node.value() {
                    out.push_str(text);
                }
            }
        }
        out
    }

    #[test]
    fn hidden_prose_is_shown_and_hidden_menus_are_not() {
        let prose = "自党史学习教育开展以来，我市把实践活动作为落脚点，聚焦群众急难愁盼，统筹推进实事项目落实落地。".repeat(4);
        let page = format!(
            r#"<div id="js_content" style="visibility: hidden;"><p>{prose}</p></div>
               <ul style="display:none"><li><a href="/a">首页</a></li><li><a href="/b">新闻</a></li></ul>
               <div hidden><p>登录后查看更多</p></div>
               <script>var x = "不是正文，是脚本。";</script>"#
        );
        let text = visible_text(&page);
        assert!(text.contains(&prose));
        assert!(!text.contains("首页") && !text.contains("登录") && !text.contains("脚本"));
    }

    #[test]
    fn an_unclosed_video_does_not_swallow_the_article() {
        let text = visible_text(
            "<div><video src=a.mp4><p>视频之后的正文段落，仍然是文章的一部分。</p></div>",
        );
        assert!(text.contains("视频之后的正文段落"));
    }
}

//! The page as the extractor sees it: which elements never count (scripts, hidden
//! elements, forms' controls), block structure, and the text units that scoring works on.
//!
//! A text unit is all the text whose nearest block ancestor is one element: a `<p>`, or a
//! `<div>`/`<td>` holding text broken by `<br>`, as e-papers and portals often do.

use ego_tree::NodeRef;
use ego_tree::iter::Edge;
use html5ever::local_name;
use scraper::node::Element;
use scraper::{ElementRef, Html, Node};

pub type NodeId = ego_tree::NodeId;

/// Maps and sets keyed by node: FxHash, since a node id is a small integer of the page's
/// own tree, which SipHash's defence against chosen keys does not need.
pub type NodeMap<V> = rustc_hash::FxHashMap<NodeId, V>;
pub type NodeSet = rustc_hash::FxHashSet<NodeId>;

/// Whether an element's content is never article text. Media elements (`video`,
/// `audio`, `object`) are not among them: a page that leaves one unclosed has the parser
/// put the rest of the article inside it. Names are compared as the parser's interned
/// atoms, not as strings: these tests run for every element of every walk.
fn is_skipped_name(element: &Element) -> bool {
    matches!(
        element.name.local,
        local_name!("script")
            | local_name!("style")
            | local_name!("noscript")
            | local_name!("template")
            | local_name!("iframe")
            | local_name!("svg")
            | local_name!("canvas")
            | local_name!("button")
            | local_name!("select")
            | local_name!("option")
            | local_name!("textarea")
            | local_name!("input")
            | local_name!("head")
            | local_name!("title")
            | local_name!("embed")
            | local_name!("map")
    )
}

/// A hidden element holding at least this much punctuated text is the page's prose
/// waiting for a script to show it (WeChat's `#js_content`, tabbed or paged articles).
const REVEALED_PROSE: usize = 150;

/// Whether an element starts a new line of text.
pub fn is_block(element: &Element) -> bool {
    matches!(
        element.name.local,
        local_name!("address")
            | local_name!("article")
            | local_name!("aside")
            | local_name!("blockquote")
            | local_name!("body")
            | local_name!("center")
            | local_name!("dd")
            | local_name!("details")
            | local_name!("dialog")
            | local_name!("div")
            | local_name!("dl")
            | local_name!("dt")
            | local_name!("fieldset")
            | local_name!("figcaption")
            | local_name!("figure")
            | local_name!("footer")
            | local_name!("form")
            | local_name!("h1")
            | local_name!("h2")
            | local_name!("h3")
            | local_name!("h4")
            | local_name!("h5")
            | local_name!("h6")
            | local_name!("header")
            | local_name!("hr")
            | local_name!("html")
            | local_name!("li")
            | local_name!("main")
            | local_name!("nav")
            | local_name!("ol")
            | local_name!("p")
            | local_name!("pre")
            | local_name!("section")
            | local_name!("summary")
            | local_name!("table")
            | local_name!("tbody")
            | local_name!("td")
            | local_name!("tfoot")
            | local_name!("th")
            | local_name!("thead")
            | local_name!("tr")
            | local_name!("ul")
    )
}

/// A line break or the start of a block: where a walk of the text puts a space.
pub fn breaks_line(element: &Element) -> bool {
    is_block(element) || element.name.local == local_name!("br")
}

/// Whether an element and everything in it is left out of the article: what no reader
/// ever sees, and what the markup hides unless it holds the page's prose — judged by
/// what a reader sees once the page's scripts have run.
pub fn is_skipped(node: NodeRef<'_, Node>) -> bool {
    let Some(element) = node.value().as_element() else {
        return false;
    };
    if is_skipped_name(element) {
        return true;
    }
    is_hidden_by_markup(element) && !holds_prose(node)
}

/// `hidden`, `aria-hidden` or an inline style that hides the element.
/// One pass over the attributes: looking each name up would intern it first.
fn is_hidden_by_markup(element: &Element) -> bool {
    element.attrs().any(|(name, value)| match name {
        "hidden" => true,
        "aria-hidden" => value == "true",
        "style" => {
            let style: String = value
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            style.contains("display:none")
                || style.contains("visibility:hidden")
                || style.contains("opacity:0;")
                || style.ends_with("opacity:0")
        }
        _ => false,
    })
}

/// Whether a subtree holds sentences rather than a menu, a list or a template: enough
/// characters, few of them in links, and Chinese commas and full stops among them.
fn holds_prose(node: NodeRef<'_, Node>) -> bool {
    let (mut chars, mut link_chars, mut stops) = (0usize, 0usize, 0usize);
    // Open `<a>` and skipped elements around the current text: one walk, no look-ups.
    let (mut links, mut skipped) = (0usize, 0usize);
    let counts = |el: &Element| (el.name.local == local_name!("a"), is_skipped_name(el));
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
pub fn class_and_id(element: &Element) -> String {
    let mut out = String::new();
    for value in class_then_id(element) {
        out.extend(value.chars().map(|c| c.to_ascii_lowercase()));
        out.push(' ');
    }
    out
}

/// The `class` value, then the `id` value, of those an element has: read in one pass
/// over its attributes, as looking each name up would intern it first.
pub fn class_then_id(element: &Element) -> impl Iterator<Item = &str> {
    let (mut class, mut id) = (None, None);
    for (name, value) in element.attrs() {
        match name {
            "class" => class = Some(value),
            "id" => id = Some(value),
            _ => {}
        }
    }
    [class, id].into_iter().flatten()
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
                    node.value().as_element().is_some_and(is_skipped_name)
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
                    if is_block(element) {
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
                    if is_block(element) && blocks.len() > 1 && blocks.last() == Some(&node.id()) {
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
                Node::Element(el) if breaks_line(el) => out.push(' '),
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

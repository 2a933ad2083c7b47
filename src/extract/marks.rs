//! What an element's `class` and `id` say about it: content, page chrome, or nothing.
//!
//! Names are split into words (`TRS_Editor` → `trs editor`, `commentList` → `comment
//! list`) and each word is compared by its stem, never as a substring of the whole
//! attribute: `common-detail-page-printer` holds an article, and `head-line` is no ad.
//! Chrome words come in two strengths. *Strong* ones (comments, related lists, sidebars,
//! footers) mark chrome whatever they hold; *weak* ones (share, print, editor, tools,
//! report…) also name the containers of articles on real sites, so they mark chrome only
//! where the element holds little text or mostly links — the caller decides that.

use std::sync::LazyLock;

/// What the words of an element's `class`/`id` mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Named like an article's own container (`article-content-share` too).
    Content,
    /// Chrome whatever it holds.
    Strong,
    /// Chrome when it is small or mostly links.
    Weak,
    None,
}

/// Stems of words that mark chrome whatever the element holds.
const STRONG: &[&str] = &[
    "comment",
    "pinglun",
    "reply",
    "related",
    "relate",
    "recommend",
    "tuijian",
    "xiangguan",
    "sidebar",
    "aside",
    "footer",
    "copyright",
    "banquan",
    "hotnews",
    "rank",
    "morestor",
    "reward",
    "dashang",
    "jubao",
    "disclaimer",
    "shengming",
    "guess",
    "youlike",
];

/// Stems of words that mark chrome only in small or link-heavy elements.
const WEAK: &[&str] = &[
    "share",
    "bdshare",
    "jiathis",
    "social",
    "foot",
    "qrcode",
    "erweima",
    "ewm",
    "weixin",
    "wechat",
    "follow",
    "breadcrumb",
    "crumb",
    "position",
    "location",
    "fontsize",
    "zihao",
    "print",
    "toolbar",
    "tool",
    "pager",
    "pagination",
    "pagenav",
    "prevnext",
    "advert",
    "guanggao",
    "editor",
    "bianji",
    "zeren",
    "keyword",
    "tag",
    "menu",
    "navbar",
    "nav",
    "login",
    "search",
    "hot",
    "vote",
    "report",
    "download",
    "app",
    "stream",
    "statement",
    "declare",
    "side",
    "ad",
    "ads",
    "banner",
    "sponsor",
    "promo",
];

/// Words that exactly name a chrome region but are too short to be stems.
const SHORT_WEAK: &[&str] = &["ad", "ads", "nav", "hot", "app", "tag", "side"];

/// Words of content containers.
const CONTENT: &[&str] = &[
    "content", "article", "zoom", "detail", "text", "artibody", "neirong", "zhengwen", "body",
    "post", "entry", "story",
];

/// The words of an element's `class` and `id`, lower-cased.
pub fn words(element: &scraper::node::Element) -> Vec<String> {
    let mut out = Vec::new();
    for value in super::dom::class_then_id(element) {
        let mut word = String::new();
        let mut previous_lower = false;
        for c in value.chars() {
            let boundary = !c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && previous_lower);
            if boundary && !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            if c.is_ascii_alphanumeric() {
                word.push(c.to_ascii_lowercase());
            }
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}

/// How a word must hold a stem: be it (the shortest ones), start with it, or — for stems
/// of five letters and more — hold it inside a compound (`wxfollow`, `sinacomment`).
#[derive(Clone, Copy)]
enum Holds {
    Exactly,
    AtStart,
    Anywhere,
}

/// Each stem of `stems` with how a word must hold it, decided once rather than for every
/// word of every element.
fn stems_with_rule(stems: &[&'static str]) -> Vec<(&'static str, Holds)> {
    stems
        .iter()
        .map(|stem| {
            let rule = if SHORT_WEAK.contains(stem) {
                Holds::Exactly
            } else if stem.len() >= 5 {
                Holds::Anywhere
            } else {
                Holds::AtStart
            };
            (*stem, rule)
        })
        .collect()
}

static STRONG_STEMS: LazyLock<Vec<(&str, Holds)>> = LazyLock::new(|| stems_with_rule(STRONG));
static WEAK_STEMS: LazyLock<Vec<(&str, Holds)>> = LazyLock::new(|| stems_with_rule(WEAK));

/// Whether a word carries one of the stems.
fn stem_matches(word: &str, stems: &[(&str, Holds)]) -> bool {
    stems.iter().any(|&(stem, rule)| match rule {
        Holds::Exactly => word == stem,
        Holds::AtStart => word.starts_with(stem),
        Holds::Anywhere => word.contains(stem),
    })
}

/// What an element's `class`/`id` mark. Strong chrome words win over content words
/// (`article-comment` is comments), content words over weak ones (`article-share` is
/// still the article).
pub fn of(element: &scraper::node::Element) -> Mark {
    let words = words(element);
    if words.is_empty() {
        return Mark::None;
    }
    if words.iter().any(|w| stem_matches(w, &STRONG_STEMS)) {
        Mark::Strong
    } else if words.iter().any(|w| CONTENT.contains(&w.as_str())) {
        Mark::Content
    } else if words.iter().any(|w| stem_matches(w, &WEAK_STEMS)) {
        Mark::Weak
    } else {
        Mark::None
    }
}

/// Whether the element is named like chrome of either strength.
pub fn is_chrome(element: &scraper::node::Element) -> bool {
    matches!(of(element), Mark::Strong | Mark::Weak)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn mark(html: &str) -> Mark {
        let fragment = Html::parse_fragment(html);
        let element = fragment
            .root_element()
            .children()
            .find_map(scraper::ElementRef::wrap)
            .unwrap();
        of(element.value())
    }

    #[test]
    fn names_are_compared_by_word_not_substring() {
        assert_eq!(
            mark(r#"<div class="common-detail-page-printer"></div>"#),
            Mark::Content
        );
        assert_eq!(mark(r#"<div class="page-printer"></div>"#), Mark::Weak);
        assert_eq!(mark(r#"<div class="TRS_Editor"></div>"#), Mark::Weak);
        assert_eq!(mark(r#"<div class="head-line"></div>"#), Mark::None);
        assert_eq!(mark(r#"<div class="thread-ad"></div>"#), Mark::Weak);
        assert_eq!(mark(r#"<div id="commentList"></div>"#), Mark::Strong);
        assert_eq!(mark(r#"<div class="blk-wxfollow"></div>"#), Mark::Weak);
        assert_eq!(mark(r#"<div class="article-share"></div>"#), Mark::Content);
        assert_eq!(mark(r#"<div class="article-comment"></div>"#), Mark::Strong);
        assert_eq!(mark(r#"<div class="main-nav-box"></div>"#), Mark::Weak);
        assert_eq!(mark(r#"<div class="shadow"></div>"#), Mark::None);
        assert_eq!(mark(r#"<div></div>"#), Mark::None);
    }
}

//! One article page → what a reader should see: headline, time, author and outlet, and
//! the body as clean text and sanitized HTML, without the page around it.
//!
//! Stages: [`metadata`] (what the page says about itself), [`title`], [`body`] (which
//! element holds the article, and the chrome inside it), [`render`] (lines of text and
//! HTML), [`trim`] (where the article ends inside its element), then line filters for the
//! chrome that only its words give away, [`published`] and [`byline`]. Per-source CSS selectors override the automatic choices.

mod body;
mod byline;
mod dom;
mod lines;
mod marks;
mod metadata;
pub mod pages;
mod published;
mod render;
pub mod sites;
mod title;
mod trim;

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use ego_tree::iter::Edge;
use scraper::{Html, Node, Selector};
use url::Url;

pub use published::{Found, Precision};

/// What a source's config may say about its article pages.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub content: Option<Selector>,
    pub title: Option<Selector>,
    pub date: Option<Selector>,
    /// The byline and the outlet (site rules only, for now).
    pub author: Option<Selector>,
    pub source: Option<Selector>,
    pub exclude: Vec<Selector>,
}

impl Overrides {
    /// These overrides, with `fallback`'s selectors where these have none; excludes of both.
    fn or(&self, fallback: &Overrides) -> Overrides {
        let pick = |own: &Option<Selector>, other: &Option<Selector>| {
            own.clone().or_else(|| other.clone())
        };
        Overrides {
            content: pick(&self.content, &fallback.content),
            title: pick(&self.title, &fallback.title),
            date: pick(&self.date, &fallback.date),
            author: pick(&self.author, &fallback.author),
            source: pick(&self.source, &fallback.source),
            exclude: self
                .exclude
                .iter()
                .chain(&fallback.exclude)
                .cloned()
                .collect(),
        }
    }
}

/// An extracted article.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Article {
    pub title: String,
    #[serde(serialize_with = "rfc3339")]
    pub published: Option<DateTime<FixedOffset>>,
    #[serde(skip)]
    pub precision: Option<Precision>,
    pub author: Option<String>,
    pub source: Option<String>,
    /// Plain text, a paragraph a line.
    pub text: String,
    /// Sanitized HTML with absolute URLs.
    pub html: String,
    /// Override selectors (`content`, `title`, `date`) that matched nothing on the page.
    #[serde(skip)]
    pub unmatched: Vec<&'static str>,
    /// The next page of an article split over several.
    #[serde(skip)]
    pub next_page: Option<Url>,
}

fn rfc3339<S: serde::Serializer>(
    time: &Option<DateTime<FixedOffset>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match time {
        Some(time) => serializer.serialize_str(&time.to_rfc3339()),
        None => serializer.serialize_none(),
    }
}

/// Characters of page text after the headline searched for its date and byline line.
const UNDER_HEADLINE: usize = 300;
/// Characters before the headline searched for a byline.
const ABOVE_HEADLINE: usize = 80;

/// Extracts the article from a decoded page. `url` is the page's address: it resolves
/// relative links and may carry the date.
pub fn extract(html: &str, url: Option<&Url>, overrides: &Overrides, tz: Tz) -> Article {
    let document = Html::parse_document(html);
    let with_site_rule;
    let overrides = match sites::for_page(&document, url) {
        Some(rule) => {
            with_site_rule = overrides.or(&rule.overrides);
            &with_site_rule
        }
        None => overrides,
    };
    let unmatched = [
        ("content", &overrides.content),
        ("title", &overrides.title),
        ("date", &overrides.date),
    ]
    .into_iter()
    .filter(|(_, selector)| {
        selector
            .as_ref()
            .is_some_and(|s| document.select(s).next().is_none())
    })
    .map(|(name, _)| name)
    .collect();
    let meta = metadata::read(&document);
    let mut body = body::find(&document, overrides.content.as_ref(), &overrides.exclude);
    let headline = title::find(&document, &meta, overrides.title.as_ref(), body.first_prose);
    body.removed.extend(headline.node);
    let page = flatten(&document, headline.node);

    let rendered = render::lines(&document, &body.roots, &body.removed, url);
    let lead: String = rendered
        .iter()
        .take(3)
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let tail: String = rendered
        .iter()
        .rev()
        .take(4)
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let kept = lines::keep_article(trim::article_lines(rendered), &headline.text);

    let chosen_date = overrides
        .date
        .as_ref()
        .and_then(|selector| document.select(selector).next())
        .map(dom::text_of);
    let under = page.after_headline(UNDER_HEADLINE);
    let found = published::find(
        &published::Evidence {
            chosen: chosen_date.as_deref(),
            under_headline: under,
            meta: &meta.published,
            modified: &meta.modified,
            page: &page.text,
            url,
        },
        tz,
    );
    let header = format!("{} {}", page.before_headline(ABOVE_HEADLINE), under);
    let byline = byline::find(
        &document,
        &meta,
        &byline::Around {
            header: &header,
            under_headline: under,
            headline: &headline.text,
            lead: &lead,
            tail: &tail,
        },
    );

    let chosen = |selector: &Option<Selector>| {
        selector.as_ref().and_then(|s| {
            document
                .select(s)
                .map(dom::text_of)
                .find(|t| metadata::is_name(t))
        })
    };
    let author = chosen(&overrides.author).or(byline.author);
    let source = chosen(&overrides.source).or(byline.source);
    let text = kept
        .iter()
        .map(|line| line.text.as_str())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let html: String = kept
        .iter()
        .map(|line| format!("<p>{}</p>", line.html))
        .collect();
    Article {
        title: headline.text,
        published: found.map(|f| f.time),
        precision: found.map(|f| f.precision),
        author,
        source,
        text,
        html: crate::normalize::sanitize_html(&html, url),
        unmatched,
        next_page: url.and_then(|url| pages::next(&document, url)),
    }
}

/// The page's visible text, and where the headline sits in it.
struct PageText {
    text: String,
    headline_start: Option<usize>,
    headline_end: Option<usize>,
}

impl PageText {
    fn after_headline(&self, chars: usize) -> &str {
        let Some(end) = self.headline_end else {
            return "";
        };
        let rest = &self.text[end..];
        let cut = rest
            .char_indices()
            .nth(chars)
            .map_or(rest.len(), |(i, _)| i);
        &rest[..cut]
    }

    fn before_headline(&self, chars: usize) -> &str {
        let Some(start) = self.headline_start else {
            return "";
        };
        let head = &self.text[..start];
        let from = head.char_indices().rev().nth(chars).map_or(0, |(i, _)| i);
        &head[from..]
    }
}

fn flatten(document: &Html, headline: Option<dom::NodeId>) -> PageText {
    let body = dom::body(document);
    let mut text = String::new();
    let (mut start, mut end) = (None, None);
    for edge in dom::visible(*body, dom::nothing_removed()) {
        match edge {
            Edge::Open(node) => {
                if Some(node.id()) == headline {
                    start = Some(text.len());
                }
                match node.value() {
                    Node::Element(el) if dom::breaks_line(el) => text.push(' '),
                    Node::Text(t) => {
                        for c in t.chars() {
                            let space = c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}';
                            if !(space && text.ends_with(' ')) {
                                text.push(if space { ' ' } else { c });
                            }
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if Some(node.id()) == headline {
                    end = Some(text.len());
                }
            }
        }
    }
    PageText {
        text,
        headline_start: start,
        headline_end: end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selector(css: &str) -> Option<Selector> {
        Some(Selector::parse(css).unwrap())
    }

    #[test]
    fn a_wechat_article_time_comes_from_its_script() {
        let page = r#"<html><head><meta property="og:title" content="十堰发布：办好民生实事"></head><body>
            <h1 class="rich_media_title" id="activity-name">十堰发布：办好民生实事</h1>
            <div id="meta_content"><span id="js_name">十堰发布</span><em id="publish_time"></em></div>
            <div class="rich_media_content" id="js_content"><p>今年以来，我市聚焦群众急难愁盼，办成一批民生实事。</p></div>
            <script>var ct = "1637021709"; var nickname = "十堰发布";</script></body></html>"#;
        let article = extract(page, None, &Overrides::default(), chrono_tz::Asia::Shanghai);
        assert_eq!(
            article.published.unwrap().to_rfc3339(),
            "2021-11-16T08:15:09+08:00"
        );
        assert_eq!(article.title, "十堰发布：办好民生实事");
    }

    #[test]
    fn a_body_split_by_a_block_of_ad_links_is_joined() {
        let para = "自党史学习教育开展以来，我市把实践活动作为落脚点，聚焦群众急难愁盼，统筹推进实事项目落实落地。";
        let ads: String = (0..20)
            .map(|i| format!("<li><a href=\"/ad{i}\">限时特惠楼盘火热认购中欢迎垂询</a></li>"))
            .collect();
        let page = format!(
            r#"<html><body><h1>解急难愁盼 办民生实事</h1><div class="main">
            <div class="part"><p>第一部分。{para}</p><p>{para}</p><p>{para}</p></div>
            <ul class="box">{ads}</ul>
            <div class="part"><p>第二部分。{para}</p><p>{para}</p></div>
            </div><div class="footer"><a href="/">首页</a></div></body></html>"#
        );
        let article = extract(
            &page,
            None,
            &Overrides::default(),
            chrono_tz::Asia::Shanghai,
        );
        assert!(article.text.starts_with("第一部分。"), "{}", article.text);
        assert!(article.text.contains("第二部分。"), "{}", article.text);
        assert!(!article.text.contains("楼盘"), "{}", article.text);
    }

    #[test]
    fn override_selectors_take_precedence() {
        let page = r#"<html><head><title>站点首页</title></head><body>
            <div class="hd"><span class="t">真正的标题</span><span class="when">刊发 2021-11-16 08:15</span></div>
            <div id="main"><p>第一段正文，内容充实。</p><div class="ad">广告：买一送一，欢迎选购。</div><p>第二段正文，依然充实。</p></div>
            <div id="other"><p>另一个很长的段落，标点很多，文字也很多，很多很多很多，真的很多，但它不是正文。</p></div>
            </body></html>"#;
        let overrides = Overrides {
            content: selector("#main"),
            title: selector("span.t"),
            date: selector("span.when"),
            exclude: vec![Selector::parse(".ad").unwrap()],
            ..Overrides::default()
        };
        let article = extract(page, None, &overrides, chrono_tz::Asia::Shanghai);
        assert_eq!(article.title, "真正的标题");
        assert_eq!(
            article.published.unwrap().to_rfc3339(),
            "2021-11-16T08:15:00+08:00"
        );
        assert_eq!(
            article.text,
            "第一段正文，内容充实。\n第二段正文，依然充实。"
        );
        assert!(article.unmatched.is_empty());
        let missing = Overrides {
            content: selector("#nothing"),
            ..Overrides::default()
        };
        assert_eq!(
            extract(page, None, &missing, chrono_tz::Asia::Shanghai).unmatched,
            ["content"]
        );
    }
}

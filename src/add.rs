//! `paperboy add URL`: what a page is, and the sources that could read it. A feed (or a
//! page that names its feed with `<link rel="alternate">`) is a `feed` source; a page of
//! a known e-paper family (`config/epapers.toml`) an `epaper` source with its preset; a
//! list page an `html` source whose `links` selector is the page's repeated group of
//! article-like links; a single article is said to be one, with its column suggested.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::config::presets::{self, Family};
use crate::fetch::Page;

/// Links of one group that make a list page.
const MIN_LIST: usize = 3;
/// Characters of body text that make a page an article.
const MIN_ARTICLE: usize = 200;

/// An address with a date in it, or a long number as its last part: an article's.
static ARTICLE_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:19|20)\d{2}[-_/]?(?:0[1-9]|1[0-2])(?:[-_/]?(?:0[1-9]|[12]\d|3[01]))?[/_]",
        r"|(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])",
        r"|/[^/?]*\d{5,}[^/?]*\.(?:s?html?|htm|php|aspx?)$",
    ))
    .expect("valid regex")
});

/// A source that could read the address, as the keys of its table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidate {
    Feed {
        url: Url,
    },
    /// `url` is the paper's root (with `preset`'s edition template) or a template.
    Epaper {
        family: &'static str,
        url: String,
    },
    Html {
        url: Url,
        links: String,
    },
}

impl Candidate {
    /// The `[[sources]]` table for it, named `name`.
    pub fn table(&self, name: &str) -> String {
        let quoted = |text: &str| toml::Value::String(text.to_string()).to_string();
        match self {
            Candidate::Feed { url } => format!(
                "[[sources]]\nname = {}\nkind = \"feed\"\nurl  = {}\n",
                quoted(name),
                quoted(url.as_str())
            ),
            Candidate::Epaper { family, url } => format!(
                "[[sources]]\nname   = {}\nkind   = \"epaper\"\npreset = {}\nurl    = {}\ndays   = 2\n",
                quoted(name),
                quoted(family),
                quoted(url)
            ),
            Candidate::Html { url, links } => format!(
                "[[sources]]\nname  = {}\nkind  = \"html\"\nurl   = {}\nlinks = {}\n",
                quoted(name),
                quoted(url.as_str()),
                quoted(links)
            ),
        }
    }

    /// What kind of source it is, for messages.
    pub fn describe(&self) -> String {
        match self {
            Candidate::Feed { url } => format!("a feed at {url}"),
            Candidate::Epaper { family, url } => {
                let what = presets::family(family).map_or("", |f| f.description.as_str());
                format!("a `{family}` e-paper ({what}) at {url}")
            }
            Candidate::Html { url, links } => format!("a list page at {url} (links `{links}`)"),
        }
    }
}

/// What the page at an address is.
#[derive(Debug, Default)]
pub struct Reading {
    /// Sources to try, the likeliest first.
    pub candidates: Vec<Candidate>,
    /// The page's title, for the feed file's.
    pub title: Option<String>,
    /// Set when the page is a single article: its column's likely address.
    pub article_of: Option<Url>,
    /// A family whose markup the page carries, though its address is not the family's.
    pub looks_like: Option<&'static str>,
}

/// Reads a fetched page (its redirects followed; `asked` is the address the user gave).
pub fn read(page: &Page, asked: &Url) -> Reading {
    let mut reading = Reading::default();
    let text = page.text();
    if looks_like_feed(page, text) {
        reading.candidates.push(Candidate::Feed {
            url: page.url.clone(),
        });
        return reading;
    }
    let html = Html::parse_document(text);
    reading.title = title(&html);
    for url in alternates(&html, &page.url) {
        reading.candidates.push(Candidate::Feed { url });
    }
    for url in [page.url.as_str(), asked.as_str()] {
        epaper(url, &mut reading.candidates);
    }
    // An article's address and an article's body: its links to other articles (related,
    // more from the column) do not make it a list.
    if reading.candidates.is_empty() {
        reading.looks_like = presets::by_markers(text).map(family_name);
    }
    let article = ARTICLE_LIKE.is_match(page.url.path()) && is_article(text, &page.url);
    if article {
        if reading.candidates.is_empty() {
            reading.article_of = Some(column_of(&page.url));
        }
    } else if let Some(links) = list_links(&html, &page.url) {
        reading.candidates.push(Candidate::Html {
            url: page.url.clone(),
            links,
        });
    }
    reading
}

/// The e-paper sources a dated page address of a known family gives: the family's own
/// edition template from the paper's root, then the address itself with its date made a
/// template (for papers whose first page is named otherwise).
fn epaper(url: &str, out: &mut Vec<Candidate>) {
    let Some((family, root, _)) = presets::recognize(url) else {
        return;
    };
    let root_candidate = Candidate::Epaper {
        family: family_name(family),
        url: root,
    };
    if !out.contains(&root_candidate) {
        out.push(root_candidate);
    }
    if let Some((family, template)) = presets::templated(url) {
        let page_candidate = Candidate::Epaper {
            family: family_name(family),
            url: template,
        };
        if !out.contains(&page_candidate) {
            out.push(page_candidate);
        }
    }
}

fn family_name(family: &'static Family) -> &'static str {
    &family.name
}

fn looks_like_feed(page: &Page, text: &str) -> bool {
    let start = text
        .trim_start()
        .get(..300)
        .unwrap_or(text.trim_start())
        .to_ascii_lowercase();
    let typed = page
        .content_type
        .as_deref()
        .is_some_and(|t| t.contains("rss") || t.contains("atom") || t.contains("feed+json"));
    let shaped = start.contains("<rss")
        || start.contains("<feed")
        || start.contains("<rdf:rdf")
        || (start.starts_with('{') && start.contains("jsonfeed.org"));
    (typed || shaped) && crate::source::feed::read(page, chrono_tz::Asia::Shanghai).is_ok()
}

fn title(html: &Html) -> Option<String> {
    let selector = Selector::parse("title").expect("valid selector");
    let text: String = html.select(&selector).next()?.text().collect();
    let text = text.trim();
    // `要闻_十堰市人民政府门户网站` → `要闻`: the page's own part.
    let own = text
        .split(['_', '|', '-', '—'])
        .map(str::trim)
        .find(|part| !part.is_empty())
        .unwrap_or(text);
    (!own.is_empty()).then(|| own.to_string())
}

/// Feeds the page names: `<link rel="alternate">` of a feed type.
fn alternates(html: &Html, base: &Url) -> Vec<Url> {
    let selector = Selector::parse("link[rel~='alternate'][href]").expect("valid selector");
    html.select(&selector)
        .filter(|link| {
            link.value().attr("type").is_some_and(|t| {
                let t = t.to_ascii_lowercase();
                t.contains("rss") || t.contains("atom") || t.contains("feed+json")
            })
        })
        .filter_map(|link| base.join(link.value().attr("href")?.trim()).ok())
        .collect()
}

/// A CSS name part that needs no escaping.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit() || c == '-')
}

/// `tag#id` or `tag.class` for an element that has either, plainly written.
fn named(element: ElementRef<'_>) -> Option<String> {
    let value = element.value();
    if let Some(id) = value.id().filter(|id| plain_name(id)) {
        return Some(format!("{}#{id}", value.name()));
    }
    value
        .classes()
        .find(|class| plain_name(class))
        .map(|class| format!("{}.{class}", value.name()))
}

/// The selector of the page's largest group of article-like links on its own host: the
/// links' shared class, else their nearest named container.
fn list_links(html: &Html, base: &Url) -> Option<String> {
    let anchors = Selector::parse("a[href]").expect("valid selector");
    let mut groups: HashMap<String, Vec<ElementRef<'_>>> = HashMap::new();
    for anchor in html.select(&anchors) {
        let Some(url) = anchor
            .value()
            .attr("href")
            .and_then(|h| base.join(h.trim()).ok())
        else {
            continue;
        };
        if url.host_str() != base.host_str() || !ARTICLE_LIKE.is_match(url.path()) {
            continue;
        }
        let container = anchor
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find_map(named);
        if let Some(container) = container {
            groups.entry(container).or_default().push(anchor);
        }
    }
    let (container, members) = groups
        .into_iter()
        .filter(|(_, members)| members.len() >= MIN_LIST)
        .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.cmp(&a.0)))?;
    // A class every link of the group carries, when no other link carries it.
    let shared = members[0]
        .value()
        .classes()
        .filter(|class| plain_name(class))
        .find(|class| {
            members
                .iter()
                .all(|m| m.value().classes().any(|c| c == *class))
        })
        .map(|class| format!("a.{class}"));
    for candidate in shared.into_iter().chain([format!("{container} a")]) {
        let Ok(selector) = Selector::parse(&candidate) else {
            continue;
        };
        let matched = html.select(&selector).count();
        if matched >= members.len() && matched <= members.len() * 2 {
            return Some(candidate);
        }
    }
    None
}

fn is_article(text: &str, url: &Url) -> bool {
    let article = crate::extract::extract(
        text,
        Some(url),
        &Default::default(),
        chrono_tz::Asia::Shanghai,
    );
    !article.title.is_empty() && article.text.chars().count() >= MIN_ARTICLE
}

/// The column an article address is likely in: its directory, less dated parts.
fn column_of(url: &Url) -> Url {
    let mut column = url.clone();
    let segments: Vec<&str> = url.path_segments().map(|s| s.collect()).unwrap_or_default();
    let kept: Vec<&str> = segments[..segments.len().saturating_sub(1)]
        .iter()
        .copied()
        .take_while(|segment| !segment.chars().any(|c| c.is_ascii_digit()))
        .collect();
    column.set_path(&format!("/{}/", kept.join("/")).replace("//", "/"));
    column.set_query(None);
    column.set_fragment(None);
    column
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str, content_type: &str, body: &str) -> Page {
        Page::new(
            Url::parse(url).unwrap(),
            Some(content_type.to_string()),
            Default::default(),
            body.as_bytes().to_vec(),
        )
    }

    #[test]
    fn a_column_page_gives_its_repeated_article_links() {
        let body = r#"<html><head><title>十堰要闻_十堰市人民政府</title></head><body>
          <div class="nav"><a href="/">首页</a><a href="/xwdt/">新闻</a><a href="/zwgk/">政务</a></div>
          <ul class="news"><li><a class="t" href="./202201/t20220125_3456789.shtml">一</a></li>
          <li><a class="t" href="./202201/t20220121_3455555.shtml">二</a></li>
          <li><a class="t" href="./202111/t20211116_3391234.shtml">三</a></li></ul>
          <div class="page"><a href="index_1.shtml">下一页</a></div></body></html>"#;
        let url = "http://www.shiyan.gov.cn/xwdt/syyw/index.shtml";
        let reading = read(&page(url, "text/html", body), &Url::parse(url).unwrap());
        assert_eq!(reading.title.as_deref(), Some("十堰要闻"));
        assert_eq!(
            reading.candidates,
            [Candidate::Html {
                url: Url::parse(url).unwrap(),
                links: "a.t".into()
            }]
        );
    }

    #[test]
    fn a_family_page_at_another_address_is_known_by_its_markup() {
        let body = r##"<html><body><ul id="layoutlist"><li><a href="a.html">第01版</a></li></ul>
          <img usemap="#PagePicMap"><div id="ozoom"><founder-content><p>正文</p></founder-content></div></body></html>"##;
        let url = "http://epaper.example.cn/today.html";
        let reading = read(&page(url, "text/html", body), &Url::parse(url).unwrap());
        assert!(reading.candidates.is_empty());
        assert_eq!(reading.looks_like, Some("founder-new"));
    }

    #[test]
    fn articles_point_to_their_column() {
        let url = Url::parse("http://www.shiyan.gov.cn/xwdt/syyw/202111/t20211116_3391234.shtml")
            .unwrap();
        assert_eq!(
            column_of(&url).as_str(),
            "http://www.shiyan.gov.cn/xwdt/syyw/"
        );
    }
}

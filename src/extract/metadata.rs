//! What a page says about itself outside its visible text: `<title>`, `<meta>` tags,
//! JSON-LD, e-paper hidden inputs and the data objects news apps embed in scripts.

use std::sync::LazyLock;

use html5ever::local_name;
use regex::Regex;
use scraper::{ElementRef, Html, Selector};

use super::dom::fold_whitespace;

/// Everything found, strongest first within each list.
#[derive(Debug, Default, Clone)]
pub struct Metadata {
    pub page_title: Option<String>,
    /// Headline candidates with a weight for the title scorer.
    pub titles: Vec<(String, f64)>,
    pub site_name: Option<String>,
    /// Raw date strings, strongest first.
    pub published: Vec<String>,
    /// Update times: never the article's time, but they give the year of a date shown
    /// without one.
    pub modified: Vec<String>,
    pub authors: Vec<String>,
    pub sources: Vec<String>,
    /// Outlets named in scripts' data objects: weaker than meta tags, as a page's scripts
    /// also describe the stories it links to.
    pub script_sources: Vec<String>,
    /// The platform account that published the page (a WeChat or Toutiao account).
    pub accounts: Vec<String>,
}

/// `<meta>` names (or properties, itemprops) and what they say.
const TITLE_META: &[(&str, f64)] = &[
    ("og:title", 2.0),
    ("twitter:title", 1.5),
    ("articletitle", 2.0),
    ("headline", 2.0),
    ("title", 1.0),
];
const DATE_META: &[&str] = &[
    "article:published_time",
    "og:release_date",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publishtime",
    "publish_time",
    "ptime",
    "dc.date.issued",
    "dc.date",
    "sailthru.date",
    "og:published_time",
    "releasedate",
    "firstpublishedtime",
];
const MODIFIED_META: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dateupdate",
    "lastmodified",
    "last-modified",
];
const AUTHOR_META: &[&str] = &[
    "author",
    "article:author",
    "og:article:author",
    "dc.creator",
    "byl",
];
const SOURCE_META: &[&str] = &["source", "mediaid", "contentsource", "og:article:source"];

/// `"field": "value"` in JSON, `field: 'value'` in object literals, `var field = "value"`.
static SCRIPT_FIELDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:["']|\b)(pubDate|pubtime|publishTime|publish_time|datePublished|media|mediaName|source|AuthorName|nickname)["']?\s*[:=]\s*(?:[A-Za-z_]+\()?["']([^"'\\]{2,40})["']"#)
        .expect("valid regex")
});

/// WeChat article pages fill their visible time by script from `var ct = "<epoch>"`.
static WECHAT_TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\bvar\s+ct\s*=\s*["'](\d{10})["']"#).expect("valid regex"));

/// The elements [`read`] looks at, found in one walk of the page.
#[derive(Default)]
struct Found<'a> {
    title: Option<ElementRef<'a>>,
    metas: Vec<ElementRef<'a>>,
    /// The first of each of [`HIDDEN_INPUTS`].
    inputs: [Option<ElementRef<'a>>; 3],
    time: Option<ElementRef<'a>>,
    scripts: Vec<ElementRef<'a>>,
}

/// E-paper systems keep the article's fields in hidden inputs: title, date, author.
/// Selectors, as the document's mode decides how an id is compared.
static HIDDEN_INPUTS: LazyLock<[Selector; 3]> = LazyLock::new(|| {
    ["input#Text_title", "input#Text_date", "input#Text_author"]
        .map(|css| Selector::parse(css).expect("valid selector"))
});

impl<'a> Found<'a> {
    /// Each kind in the order `Html::select` would give it (the tree's nodes, attached ones
    /// only), from one walk instead of one per kind.
    fn walk(document: &'a Html) -> Self {
        let mut found = Found::default();
        for node in document.tree.nodes() {
            let Some(element) = ElementRef::wrap(node) else {
                continue;
            };
            if node.parent().is_none() {
                continue;
            }
            let el = element.value();
            match el.name.local {
                local_name!("title") if found.title.is_none() => found.title = Some(element),
                local_name!("meta") if el.attr("content").is_some() => found.metas.push(element),
                local_name!("input") => {
                    for (slot, selector) in found.inputs.iter_mut().zip(HIDDEN_INPUTS.iter()) {
                        if slot.is_none() && selector.matches(&element) {
                            *slot = Some(element);
                        }
                    }
                }
                local_name!("time") if found.time.is_none() && el.attr("datetime").is_some() => {
                    found.time = Some(element)
                }
                local_name!("script") => found.scripts.push(element),
                _ => {}
            }
        }
        found
    }
}

pub fn read(document: &Html) -> Metadata {
    let found = Found::walk(document);
    let mut meta = Metadata {
        page_title: found
            .title
            .map(|t| fold_whitespace(&t.text().collect::<String>()))
            .filter(|t| !t.is_empty()),
        ..Metadata::default()
    };

    let mut dates: Vec<(usize, String)> = Vec::new();
    for element in &found.metas {
        let el = element.value();
        let key = el
            .attr("property")
            .or(el.attr("name"))
            .or(el.attr("itemprop"))
            .unwrap_or("")
            .to_ascii_lowercase();
        let value = fold_whitespace(el.attr("content").unwrap_or(""));
        if value.is_empty() {
            continue;
        }
        if let Some((_, weight)) = TITLE_META.iter().find(|(name, _)| *name == key) {
            meta.titles.push((value.clone(), *weight));
        }
        if let Some(rank) = DATE_META.iter().position(|name| *name == key) {
            dates.push((rank, value.clone()));
        }
        if MODIFIED_META.contains(&key.as_str()) {
            meta.modified.push(value.clone());
        }
        if AUTHOR_META.contains(&key.as_str()) && is_name(&value) {
            meta.authors.push(value.clone());
        }
        if SOURCE_META.contains(&key.as_str()) && is_name(&value) {
            meta.sources.push(value.clone());
        }
        if matches!(key.as_str(), "og:site_name" | "application-name") {
            meta.site_name.get_or_insert(value);
        }
    }
    dates.sort_by_key(|(rank, _)| *rank);
    meta.published
        .extend(dates.into_iter().map(|(_, value)| value));

    for (slot, input) in found.inputs.iter().enumerate() {
        let Some(value) = input.and_then(|e| e.value().attr("value")) else {
            continue;
        };
        let value = fold_whitespace(value);
        if value.is_empty() {
            continue;
        }
        match slot {
            0 => meta.titles.push((value, 3.0)),
            1 => meta.published.insert(0, value),
            _ => meta.authors.insert(0, value),
        }
    }

    if let Some(time) = found.time.and_then(|t| t.value().attr("datetime")) {
        meta.published.push(time.to_string());
    }
    read_scripts(&found.scripts, &mut meta);
    if meta.site_name.is_none() {
        meta.site_name = meta.page_title.as_deref().and_then(site_name_of_title);
    }
    meta
}

/// JSON-LD objects, then `"field": "value"` pairs in other scripts.
fn read_scripts(scripts: &[ElementRef<'_>], meta: &mut Metadata) {
    for script in scripts {
        let text: String = script.text().collect();
        if script
            .value()
            .attr("type")
            .is_some_and(|t| t.contains("ld+json"))
        {
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(text.trim()) {
                read_json_ld(&value, meta);
                continue;
            }
        }
        if text.len() > 2_000_000 {
            continue;
        }
        if let Some(capture) = WECHAT_TIME.captures(&text) {
            meta.published.push(capture[1].to_string());
        }
        for capture in SCRIPT_FIELDS.captures_iter(&text).take(50) {
            let value = fold_whitespace(&capture[2]);
            match &capture[1] {
                "pubDate" | "pubtime" | "publishTime" | "publish_time" | "datePublished" => {
                    meta.published.push(value)
                }
                "AuthorName" if is_name(&value) => meta.authors.push(value),
                "media" | "mediaName" if is_name(&value) => meta.sources.push(value),
                "source" if is_name(&value) => meta.script_sources.push(value),
                // The account that published a post (WeChat's `var nickname`).
                "nickname" if is_name(&value) => meta.accounts.push(value),
                _ => {}
            }
        }
    }
}

fn read_json_ld(value: &serde_json::Value, meta: &mut Metadata) {
    match value {
        serde_json::Value::Array(items) => items.iter().for_each(|item| read_json_ld(item, meta)),
        serde_json::Value::Object(object) => {
            if let Some(graph) = object.get("@graph") {
                read_json_ld(graph, meta);
            }
            if let Some(headline) = object.get("headline").and_then(|v| v.as_str()) {
                meta.titles.push((fold_whitespace(headline), 2.0));
            }
            for key in ["datePublished", "pubDate"] {
                if let Some(date) = object.get(key).and_then(|v| v.as_str()) {
                    meta.published.insert(0, date.to_string());
                }
            }
            if let Some(author) = object.get("author") {
                let names: Vec<&str> = match author {
                    serde_json::Value::Array(list) => list.iter().filter_map(person_name).collect(),
                    other => person_name(other).into_iter().collect(),
                };
                meta.authors
                    .extend(names.into_iter().filter(|n| is_name(n)).map(str::to_string));
            }
        }
        _ => {}
    }
}

fn person_name(value: &serde_json::Value) -> Option<&str> {
    value
        .as_str()
        .or_else(|| value.get("name").and_then(|n| n.as_str()))
}

/// A plausible person or outlet name: not a number, a URL or a sentence.
/// Whether a value can name a person or an outlet: not a URL, an address, a sentence, a
/// form's placeholder (`name, email@gmail.com`) or a licence notice (`我已授权`).
pub fn is_name(value: &str) -> bool {
    let length = value.chars().count();
    (2..=30).contains(&length)
        && !value
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_punctuation())
        && !value.contains("://")
        && !value.contains(['。', '@', '，', '！', '？'])
        && !value.contains(", ")
        && ![
            "授权",
            "版权",
            "email",
            "E-mail",
            "邮箱",
            "placeholder",
            "null",
            "undefined",
        ]
        .iter()
        .any(|word| value.contains(word))
}

/// The last segment of a `<title>` such as `标题_铜雀历史网`.
fn site_name_of_title(title: &str) -> Option<String> {
    let tail = title.rsplit(['_', '-', '|', '｜', '—']).next()?.trim();
    let length = tail.chars().count();
    ((2..=16).contains(&length) && tail != title.trim()).then(|| tail.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_element_is_read_in_its_order() {
        let page = r#"<html><head><title> 第一 标题 </title><title>第二</title>
            <meta property="og:title" content="开放图标题">
            <meta name="pubdate" content="2024-05-01 08:00">
            <meta name="author" content="张三">
            <script type="application/ld+json">{"headline":"结构化标题","datePublished":"2024-05-02"}</script>
            </head><body>
            <input type="hidden" id="Text_date" value="2024-05-03">
            <input type="hidden" id="Text_date" value="2024-05-09">
            <input type="hidden" id="Text_author" value="李四">
            <time datetime="2024-05-04T10:00:00+08:00">五月四日</time>
            <time datetime="2024-05-05">五月五日</time>
            <script>var nickname = "晨读公众号";</script>
            </body></html>"#;
        let meta = read(&Html::parse_document(page));
        assert_eq!(meta.page_title.as_deref(), Some("第一 标题"));
        assert_eq!(
            meta.titles,
            [
                ("开放图标题".to_string(), 2.0),
                ("结构化标题".to_string(), 2.0)
            ]
        );
        assert_eq!(
            meta.published,
            [
                "2024-05-02",
                "2024-05-03",
                "2024-05-01 08:00",
                "2024-05-04T10:00:00+08:00"
            ]
        );
        assert_eq!(meta.authors, ["李四", "张三"]);
        assert_eq!(meta.accounts, ["晨读公众号"]);
    }
}

//! Per-site extraction rules shipped in `config/sites.toml`: host (or a marker in the
//! markup) → the same selectors a source's config may give.
//!
//! Site knowledge lives in that data file, never in the extractor's code: the generic
//! methods stay generic, and a site that needs more gets a rule here.

use std::sync::LazyLock;

use scraper::{Html, Selector};
use serde::Deserialize;
use url::Url;

use super::Overrides;

/// The shipped rules, built into the binary.
const SHIPPED: &str = include_str!("../../config/sites.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    site: Vec<RuleText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleText {
    name: String,
    #[serde(default)]
    hosts: Vec<String>,
    detect: Option<String>,
    content: Option<String>,
    title: Option<String>,
    date: Option<String>,
    author: Option<String>,
    source: Option<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

/// One site's rule, its selectors parsed.
pub struct SiteRule {
    pub name: String,
    hosts: Vec<String>,
    detect: Option<Selector>,
    pub overrides: Overrides,
}

/// A rules file that cannot be used: names the rule and the key.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("site rules: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("site rule `{rule}`: `{key}` = `{value}` is not a CSS selector")]
    Selector {
        rule: String,
        key: &'static str,
        value: String,
    },
}

/// Parses a rules file.
pub fn parse(text: &str) -> Result<Vec<SiteRule>, RulesError> {
    let file: RulesFile = toml::from_str(text)?;
    file.site.into_iter().map(build).collect()
}

fn build(text: RuleText) -> Result<SiteRule, RulesError> {
    let selector = |key: &'static str, value: &str| {
        Selector::parse(value).map_err(|_| RulesError::Selector {
            rule: text.name.clone(),
            key,
            value: value.to_string(),
        })
    };
    let optional = |key: &'static str, value: &Option<String>| {
        value.as_deref().map(|v| selector(key, v)).transpose()
    };
    Ok(SiteRule {
        detect: optional("detect", &text.detect)?,
        overrides: Overrides {
            content: optional("content", &text.content)?,
            title: optional("title", &text.title)?,
            date: optional("date", &text.date)?,
            author: optional("author", &text.author)?,
            source: optional("source", &text.source)?,
            exclude: text
                .exclude
                .iter()
                .map(|v| selector("exclude", v))
                .collect::<Result<_, _>>()?,
        },
        hosts: text.hosts.iter().map(|h| h.to_ascii_lowercase()).collect(),
        name: text.name.clone(),
    })
}

static RULES: LazyLock<Vec<SiteRule>> =
    LazyLock::new(|| parse(SHIPPED).expect("config/sites.toml is checked by a unit test"));

/// The shipped rule for a page, if one applies: by the page's host, else by its markup.
pub fn for_page(document: &Html, url: Option<&Url>) -> Option<&'static SiteRule> {
    let host = url.and_then(Url::host_str).map(str::to_ascii_lowercase);
    RULES.iter().find(|rule| {
        let by_host = host.as_deref().is_some_and(|host| {
            rule.hosts
                .iter()
                .any(|h| host == h || host.ends_with(&format!(".{h}")))
        });
        by_host
            || rule
                .detect
                .as_ref()
                .is_some_and(|d| document.select(d).next().is_some())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rules_parse() {
        let rules = parse(SHIPPED).unwrap();
        assert!(
            rules
                .iter()
                .any(|r| r.hosts.contains(&"mp.weixin.qq.com".to_string()))
        );
    }

    #[test]
    fn a_bad_selector_names_its_rule_and_key() {
        let err = parse("[[site]]\nname = \"x\"\ncontent = \"div[\"\n")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("`x`") && err.contains("`content`"), "{err}");
    }

    #[test]
    fn rules_apply_by_host_or_by_markup() {
        let page =
            Html::parse_document("<div id=\"js_content\" class=\"rich_media_content\"></div>");
        let other = Html::parse_document("<p>x</p>");
        let wechat = Url::parse("https://mp.weixin.qq.com/s/abc").unwrap();
        let elsewhere = Url::parse("https://example.com/").unwrap();
        assert!(for_page(&other, Some(&wechat)).is_some());
        assert!(for_page(&page, Some(&elsewhere)).is_some());
        assert!(for_page(&other, Some(&elsewhere)).is_none());
    }
}

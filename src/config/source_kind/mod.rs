//! Source kinds and their keys: what `kind = "feed" | "html" | "json" | "epaper"` means,
//! validated from a `[[sources]]` table (selectors compiled, pointers and templates
//! checked) so that a bad key fails `paperboy check`, not a run. The e-paper and JSON
//! kinds' rules have a module each; `values` checks the values keys share.

mod edition;
mod epaper;
mod json;
mod values;

use scraper::Selector;
use toml::Spanned;
use url::Url;

use super::toml_file::FileIssues;
use crate::extract::Overrides;
use values::{http_url, overrides, required_selector};

pub use edition::{EditionTemplate, TemplateError};
pub use epaper::EpaperRules;
pub use json::{FieldRef, JsonRules};

/// What a source's URL serves, with the keys of that kind.
// Built once per source when the config loads: boxing the larger variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum SourceKind {
    /// An RSS 0.9x/1.0/2.0, Atom or JSON Feed document.
    Feed { url: Url },
    /// A list (column) page whose `links` lead to article pages.
    Html {
        url: Url,
        links: Selector,
        article: Overrides,
    },
    /// A JSON list API.
    Json(JsonRules),
    /// A newspaper's e-paper: editions by date, pages (版面), articles.
    Epaper(EpaperRules),
}

#[derive(Debug, Default)]
pub(super) struct KindKeys<'a> {
    pub url: Option<&'a Spanned<String>>,
    pub links: Option<&'a Spanned<String>>,
    pub pages: Option<&'a Spanned<String>>,
    pub content: Option<&'a Spanned<String>>,
    pub title: Option<&'a Spanned<String>>,
    pub date: Option<&'a Spanned<String>>,
    pub exclude: Option<&'a Spanned<Vec<String>>>,
    pub items: Option<&'a Spanned<String>>,
    pub id: Option<&'a Spanned<String>>,
    pub summary: Option<&'a Spanned<String>>,
    pub author: Option<&'a Spanned<String>>,
    pub outlet: Option<&'a Spanned<String>>,
    pub link: Option<&'a Spanned<String>>,
    pub detail: Option<&'a Spanned<String>>,
    pub detail_content: Option<&'a Spanned<String>>,
    pub days: Option<&'a Spanned<u32>>,
    pub preset: Option<&'a Spanned<String>>,
    pub pdf: Option<&'a Spanned<bool>>,
}

/// Validates the keys for `kind`; `key` names a field for messages.
pub(super) fn build(
    kind: &Spanned<String>,
    keys: &KindKeys<'_>,
    key: &dyn Fn(&str) -> String,
    out: &mut FileIssues,
) -> Option<SourceKind> {
    let before = out.issues.len();
    let allowed: &[&str] = match kind.get_ref().as_str() {
        "feed" => &["url"],
        "html" => &["url", "links", "content", "title", "date", "exclude"],
        "json" => &[
            "url",
            "items",
            "id",
            "title",
            "date",
            "summary",
            "content",
            "author",
            "outlet",
            "link",
            "detail",
            "detail_content",
        ],
        "epaper" => &[
            "url", "pages", "links", "days", "content", "title", "date", "exclude", "preset", "pdf",
        ],
        other => {
            out.at(
                Some(kind),
                &key("kind"),
                format!("`{other}` is not a source kind (feed, html, json or epaper)"),
            );
            return None;
        }
    };
    let present = [
        ("links", keys.links.map(|s| s.span())),
        ("pages", keys.pages.map(|s| s.span())),
        ("content", keys.content.map(|s| s.span())),
        ("title", keys.title.map(|s| s.span())),
        ("date", keys.date.map(|s| s.span())),
        ("exclude", keys.exclude.map(|s| s.span())),
        ("items", keys.items.map(|s| s.span())),
        ("id", keys.id.map(|s| s.span())),
        ("summary", keys.summary.map(|s| s.span())),
        ("author", keys.author.map(|s| s.span())),
        ("outlet", keys.outlet.map(|s| s.span())),
        ("link", keys.link.map(|s| s.span())),
        ("detail", keys.detail.map(|s| s.span())),
        ("detail_content", keys.detail_content.map(|s| s.span())),
        ("days", keys.days.map(|s| s.span())),
        ("preset", keys.preset.map(|s| s.span())),
        ("pdf", keys.pdf.map(|s| s.span())),
    ];
    for (name, span) in present {
        if let Some(span) = span {
            if !allowed.contains(&name) {
                let spanned = Spanned::new(span, ());
                out.at(
                    Some(&spanned),
                    &key(name),
                    format!("does not apply to kind `{}`", kind.get_ref()),
                );
            }
        }
    }
    let Some(url_text) = keys.url else {
        out.at(Some(kind), &key("url"), "every source needs a `url`".into());
        return None;
    };
    let kind = match kind.get_ref().as_str() {
        "feed" => http_url(url_text, &key("url"), out).map(|url| SourceKind::Feed { url }),
        "html" => {
            let url = http_url(url_text, &key("url"), out);
            let links = required_selector(keys.links, "links", key, out, kind);
            let article = overrides(keys, key, out);
            match (url, links) {
                (Some(url), Some(links)) => Some(SourceKind::Html {
                    url,
                    links,
                    article,
                }),
                _ => None,
            }
        }
        "json" => json::build(url_text, keys, key, out, kind).map(SourceKind::Json),
        _ => epaper::build(url_text, keys, key, out, kind).map(SourceKind::Epaper),
    };
    (out.issues.len() == before).then_some(kind).flatten()
}

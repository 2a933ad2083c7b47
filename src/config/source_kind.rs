//! Source kinds and their keys: what `kind = "feed" | "html" | "json" | "epaper"` means,
//! validated from a `[[sources]]` table (selectors compiled, pointers and templates
//! checked) so that a bad key fails `paperboy check`, not a run.

use chrono::NaiveDate;
use scraper::Selector;
use toml::Spanned;
use url::Url;

use super::presets::{self, Family};
use super::toml_file::FileIssues;
use crate::extract::Overrides;

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

/// The `json` kind's keys: JSON Pointers (RFC 6901) into the list and its items.
#[derive(Debug, Clone)]
pub struct JsonRules {
    pub url: Url,
    /// Pointer to the array of items.
    pub items: String,
    /// Pointer to an item's stable id (e.g. an infoCode).
    pub id: Option<String>,
    pub title: String,
    pub date: Option<String>,
    pub summary: Option<String>,
    pub content: Option<String>,
    pub author: Option<String>,
    pub outlet: Option<String>,
    /// The article's address.
    pub link: Option<FieldRef>,
    /// A per-item document holding the body: JSON (read at `detail_content`) or an
    /// article page (extracted).
    pub detail: Option<FieldRef>,
    pub detail_content: Option<String>,
}

/// A value taken from an item: a pointer (`/url`) or a template (`https://h/a?id={infoCode}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldRef {
    Pointer(String),
    Template(String),
}

/// The `epaper` kind's keys.
#[derive(Debug, Clone)]
pub struct EpaperRules {
    pub edition: EditionTemplate,
    /// Links from a page to the edition's other pages (版面).
    pub pages: Selector,
    /// Links from a page to its articles.
    pub links: Selector,
    /// Editions to read, today first.
    pub days: u32,
    pub article: Overrides,
    /// With `pdf = true`: the link to a page's PDF, carried by its articles.
    pub pdf: Option<Selector>,
}

/// The URL of an edition's first page with `{date:<strftime>}` in it.
#[derive(Debug, Clone)]
pub struct EditionTemplate(String);

impl EditionTemplate {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first page of the edition of `date`.
    pub fn url(&self, date: NaiveDate) -> Result<Url, TemplateError> {
        self.fill(date).map_err(|message| TemplateError {
            template: self.0.clone(),
            message,
        })
    }

    fn fill(&self, date: NaiveDate) -> Result<Url, String> {
        let mut out = String::new();
        let mut rest = self.0.as_str();
        while let Some(start) = rest.find("{date:") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 6..];
            let end = after.find('}').ok_or("`{date:` is not closed by `}`")?;
            let format = &after[..end];
            let items: Vec<_> = chrono::format::StrftimeItems::new(format).collect();
            if items
                .iter()
                .any(|item| matches!(item, chrono::format::Item::Error))
            {
                return Err(format!("`{format}` is not a strftime format"));
            }
            out.push_str(&date.format_with_items(items.into_iter()).to_string());
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Url::parse(&out).map_err(|err| format!("`{out}` is not a URL: {err}"))
    }
}

/// An edition template that gives no URL for a date.
#[derive(Debug, thiserror::Error)]
#[error("edition template `{template}`: {message}")]
pub struct TemplateError {
    pub template: String,
    pub message: String,
}

/// The kind-specific keys of a `[[sources]]` table, as written.
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
        "json" => json_rules(url_text, keys, key, out, kind).map(SourceKind::Json),
        _ => {
            let family = keys.preset.and_then(|name| {
                let family = presets::family(name.get_ref());
                if family.is_none() {
                    let known: Vec<&str> = presets::families()
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect();
                    out.at(
                        Some(name),
                        &key("preset"),
                        format!(
                            "`{}` is not an e-paper family ({})",
                            name.get_ref(),
                            known.join(", ")
                        ),
                    );
                }
                family
            });
            // With a family, `url` may be the paper's root: the family has the rest.
            let template = match family {
                Some(family) if !url_text.get_ref().contains("{date:") => {
                    family.edition_for(url_text.get_ref())
                }
                _ => url_text.get_ref().clone(),
            };
            let edition = EditionTemplate(template);
            let sample = NaiveDate::from_ymd_opt(2021, 11, 16).expect("a valid date");
            if !edition.0.contains("{date:") {
                out.at(
                    Some(url_text),
                    &key("url"),
                    "an e-paper url needs the issue date in it, e.g. `{date:%Y%m%d}`".into(),
                );
            } else if let Err(err) = edition.url(sample) {
                out.at(Some(url_text), &key("url"), err.message);
            }
            let from_family = |own: Option<&Spanned<String>>, pick: fn(&Family) -> &String| {
                own.cloned()
                    .or_else(|| family.map(|f| Spanned::new(url_text.span(), pick(f).clone())))
            };
            let pages = from_family(keys.pages, |f| &f.pages);
            let links = from_family(keys.links, |f| &f.links);
            let pages = required_selector(pages.as_ref(), "pages", key, out, kind);
            let links = required_selector(links.as_ref(), "links", key, out, kind);
            let days = keys.days.map_or(1, |d| *d.get_ref());
            if !(1..=31).contains(&days) {
                out.at(keys.days, &key("days"), "must be from 1 to 31".into());
            }
            let mut article = overrides(keys, key, out);
            if let Some(family) = family {
                let parse =
                    |text: &Option<String>| text.as_deref().and_then(|t| Selector::parse(t).ok());
                article.content = article.content.or_else(|| parse(&family.content));
                article.title = article.title.or_else(|| parse(&family.title));
            }
            let pdf = keys.pdf.is_some_and(|on| *on.get_ref()).then(|| {
                let text = family
                    .and_then(|f| f.pdf.as_deref())
                    .unwrap_or("a[href$='.pdf'], a[href$='.PDF']");
                Selector::parse(text).expect("the families' selectors are checked by a test")
            });
            match (pages, links) {
                (Some(pages), Some(links)) => Some(SourceKind::Epaper(EpaperRules {
                    edition,
                    pages,
                    links,
                    days,
                    article,
                    pdf,
                })),
                _ => None,
            }
        }
    };
    (out.issues.len() == before).then_some(kind).flatten()
}

fn http_url(text: &Spanned<String>, key: &str, out: &mut FileIssues) -> Option<Url> {
    match Url::parse(text.get_ref()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Some(url),
        Ok(_) => {
            out.at(
                Some(text),
                key,
                format!("`{}` is not an http(s) URL", text.get_ref()),
            );
            None
        }
        Err(err) => {
            out.at(
                Some(text),
                key,
                format!("`{}` is not a URL: {err}", text.get_ref()),
            );
            None
        }
    }
}

fn selector(text: &Spanned<String>, key: &str, out: &mut FileIssues) -> Option<Selector> {
    Selector::parse(text.get_ref())
        .map_err(|err| {
            out.at(
                Some(text),
                key,
                format!("`{}` is not a CSS selector: {err}", text.get_ref()),
            )
        })
        .ok()
}

fn required_selector(
    text: Option<&Spanned<String>>,
    name: &str,
    key: &dyn Fn(&str) -> String,
    out: &mut FileIssues,
    kind: &Spanned<String>,
) -> Option<Selector> {
    match text {
        Some(text) => selector(text, &key(name), out),
        None => {
            out.at(
                Some(kind),
                &key(name),
                format!("kind `{}` needs `{name}` (a CSS selector)", kind.get_ref()),
            );
            None
        }
    }
}

fn overrides(keys: &KindKeys<'_>, key: &dyn Fn(&str) -> String, out: &mut FileIssues) -> Overrides {
    let mut one = |text: Option<&Spanned<String>>, name: &str| {
        text.and_then(|t| selector(t, &key(name), out))
    };
    let content = one(keys.content, "content");
    let title = one(keys.title, "title");
    let date = one(keys.date, "date");
    let mut exclude = Vec::new();
    if let Some(list) = keys.exclude {
        for text in list.get_ref() {
            match Selector::parse(text) {
                Ok(selector) => exclude.push(selector),
                Err(err) => out.at(
                    Some(list),
                    &key("exclude"),
                    format!("`{text}` is not a CSS selector: {err}"),
                ),
            }
        }
    }
    Overrides {
        content,
        title,
        date,
        exclude,
        ..Overrides::default()
    }
}

fn pointer(
    text: Option<&Spanned<String>>,
    name: &str,
    key: &dyn Fn(&str) -> String,
    out: &mut FileIssues,
) -> Option<String> {
    let text = text?;
    let value = text.get_ref();
    if !value.is_empty() && !value.starts_with('/') {
        out.at(
            Some(text),
            &key(name),
            format!("`{value}` is not a JSON Pointer (RFC 6901): it must start with `/`"),
        );
    }
    Some(value.clone())
}

fn field_ref(
    text: Option<&Spanned<String>>,
    name: &str,
    key: &dyn Fn(&str) -> String,
    out: &mut FileIssues,
) -> Option<FieldRef> {
    let text = text?;
    let value = text.get_ref();
    if value.starts_with('/') {
        return Some(FieldRef::Pointer(value.clone()));
    }
    let opens = value.matches('{').count();
    if opens == 0 || opens != value.matches('}').count() {
        out.at(Some(text), &key(name), format!("`{value}` is neither a JSON Pointer (`/field`) nor a template with `{{field}}` in it"));
    }
    Some(FieldRef::Template(value.clone()))
}

fn json_rules(
    url: &Spanned<String>,
    keys: &KindKeys<'_>,
    key: &dyn Fn(&str) -> String,
    out: &mut FileIssues,
    kind: &Spanned<String>,
) -> Option<JsonRules> {
    let url = http_url(url, &key("url"), out);
    let items = pointer(keys.items, "items", key, out);
    let title = pointer(keys.title, "title", key, out);
    for (name, value) in [("items", items.is_some()), ("title", title.is_some())] {
        if !value {
            out.at(
                Some(kind),
                &key(name),
                format!("kind `json` needs `{name}` (a JSON Pointer)"),
            );
        }
    }
    let rules = JsonRules {
        url: url?,
        items: items?,
        id: pointer(keys.id, "id", key, out),
        title: title?,
        date: pointer(keys.date, "date", key, out),
        summary: pointer(keys.summary, "summary", key, out),
        content: pointer(keys.content, "content", key, out),
        author: pointer(keys.author, "author", key, out),
        outlet: pointer(keys.outlet, "outlet", key, out),
        link: field_ref(keys.link, "link", key, out),
        detail: field_ref(keys.detail, "detail", key, out),
        detail_content: pointer(keys.detail_content, "detail_content", key, out),
    };
    if rules.detail_content.is_some() && rules.detail.is_none() {
        out.at(
            keys.detail_content,
            &key("detail_content"),
            "needs `detail` (the URL of the document it points into)".into(),
        );
    }
    Some(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edition_templates_take_strftime() {
        let date = NaiveDate::from_ymd_opt(2021, 11, 6).unwrap();
        let t = EditionTemplate("http://paper.example/html/{date:%Y-%m/%d}/node_1.htm".into());
        assert_eq!(
            t.url(date).unwrap().as_str(),
            "http://paper.example/html/2021-11/06/node_1.htm"
        );
        let t = EditionTemplate("http://p.example/{date:%Y%m%d}/Page01NU.htm?d={date:%d}".into());
        assert_eq!(
            t.url(date).unwrap().as_str(),
            "http://p.example/20211106/Page01NU.htm?d=06"
        );
        assert!(
            EditionTemplate("http://p.example/{date:%Q}".into())
                .url(date)
                .is_err()
        );
        assert!(
            EditionTemplate("http://p.example/{date:%Y".into())
                .url(date)
                .is_err()
        );
    }
}

//! The `json` kind's keys: JSON Pointers (RFC 6901) into a list API and its items, and
//! `{field}` templates for addresses.

use toml::Spanned;
use url::Url;

use super::KindKeys;
use super::values::http_url;
use crate::config::toml_file::FileIssues;

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

/// Validates a `json` table's keys.
pub(super) fn build(
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

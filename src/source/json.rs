//! The `json` kind: a JSON list API read through JSON Pointers (RFC 6901), with an
//! optional per-item detail document (JSON, or an article page to extract).

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use serde_json::Value;
use url::Url;

use super::{BodyFrom, Candidate, Empty, Listing, ParseError, RawItem, ToFetch};
use crate::config::{FieldRef, JsonRules};
use crate::fetch::Page;

/// The items of a list document: complete ones, or ones whose body is at a detail URL
/// (a JSON document's `detail_content`, or an article page).
pub fn read(page: &Page, rules: &JsonRules, timezone: Tz) -> Result<Listing, ParseError> {
    let items = parse_list(page, rules, timezone)?;
    let mut listing = Listing::default();
    if items.is_empty() {
        listing.empty = Some(Empty::NothingMatched(format!(
            "`items` {} holds no usable item at {}",
            rules.items, rules.url
        )));
    }
    listing.candidates = items
        .into_iter()
        .map(|(item, detail)| Candidate {
            item,
            fetch: detail.map(|url| ToFetch {
                url,
                body: match &rules.detail_content {
                    Some(pointer) => BodyFrom::JsonPointer(pointer.clone()),
                    None => BodyFrom::Article(Default::default()),
                },
            }),
            ..Candidate::default()
        })
        .collect();
    Ok(listing)
}

/// The text at `pointer` in a JSON (or JSONP) document.
pub fn field_of(page: &Page, pointer: &str) -> Result<String, ParseError> {
    parse_json(page)?
        .pointer(pointer)
        .and_then(as_text)
        .ok_or_else(|| ParseError {
            url: page.url.clone(),
            message: format!("`detail_content` pointer `{pointer}` finds no text"),
        })
}

/// The items of a list document, each with its detail URL when the source has one.
pub fn parse_list(
    page: &Page,
    rules: &JsonRules,
    timezone: Tz,
) -> Result<Vec<(RawItem, Option<Url>)>, ParseError> {
    let document = parse_json(page)?;
    let items = document
        .pointer(&rules.items)
        .and_then(Value::as_array)
        .ok_or_else(|| ParseError {
            url: page.url.clone(),
            message: format!("`items` pointer `{}` finds no array", rules.items),
        })?;
    Ok(items
        .iter()
        .filter_map(|item| read_item(item, rules, &page.url, timezone))
        .collect())
}

/// JSON, or JSONP (`callback({...})`), decoded by the charset rules.
fn parse_json(page: &Page) -> Result<Value, ParseError> {
    let text = page.text();
    let trimmed = text.trim().trim_end_matches(';');
    let body = match (trimmed.find('('), trimmed.ends_with(')')) {
        (Some(open), true)
            if trimmed[..open]
                .chars()
                .all(|c| c.is_alphanumeric() || "_$.".contains(c))
                && open > 0 =>
        {
            &trimmed[open + 1..trimmed.len() - 1]
        }
        _ => trimmed,
    };
    serde_json::from_str(body).map_err(|err| ParseError {
        url: page.url.clone(),
        message: format!("malformed JSON: {err}"),
    })
}

fn read_item(
    item: &Value,
    rules: &JsonRules,
    base: &Url,
    timezone: Tz,
) -> Option<(RawItem, Option<Url>)> {
    let text = |pointer: &Option<String>| {
        pointer
            .as_deref()
            .and_then(|p| item.pointer(p))
            .and_then(as_text)
    };
    let title = item.pointer(&rules.title).and_then(as_text)?;
    let raw = RawItem {
        guid: None,
        declared_id: text(&rules.id),
        link: rules
            .link
            .as_ref()
            .and_then(|field| resolve(field, item, base)),
        title,
        summary: text(&rules.summary),
        content: text(&rules.content),
        author: text(&rules.author),
        outlet: text(&rules.outlet),
        published: rules
            .date
            .as_deref()
            .and_then(|p| item.pointer(p))
            .and_then(|v| as_time(v, timezone)),
        categories: Vec::new(),
        enclosure: None,
    };
    let detail = rules
        .detail
        .as_ref()
        .and_then(|field| resolve(field, item, base));
    Some((raw, detail))
}

/// A string or number as text.
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(list) => {
            let parts: Vec<String> = list.iter().filter_map(as_text).collect();
            (!parts.is_empty()).then(|| parts.join("、"))
        }
        _ => None,
    }
}

/// A time as text (zone-less means `timezone`) or epoch seconds/milliseconds.
fn as_time(value: &Value, timezone: Tz) -> Option<DateTime<FixedOffset>> {
    match value {
        Value::Number(n) => crate::dates::from_epoch(n.as_i64()?),
        Value::String(s) if s.trim().chars().all(|c| c.is_ascii_digit()) && s.trim().len() >= 9 => {
            crate::dates::from_epoch(s.trim().parse().ok()?)
        }
        Value::String(s) => crate::dates::parse_date(s, timezone),
        _ => None,
    }
}

/// A pointer's value, or a template with each `{field}` (a top-level key or a `/pointer`)
/// filled in, as a URL against `base`.
pub fn resolve(field: &FieldRef, item: &Value, base: &Url) -> Option<Url> {
    let text = match field {
        FieldRef::Pointer(pointer) => item.pointer(pointer).and_then(as_text)?,
        FieldRef::Template(template) => {
            let mut out = String::new();
            let mut rest = template.as_str();
            while let Some(open) = rest.find('{') {
                let close = open + rest[open..].find('}')?;
                out.push_str(&rest[..open]);
                let name = &rest[open + 1..close];
                let value = if name.starts_with('/') {
                    item.pointer(name)
                } else {
                    item.get(name)
                };
                let value = as_text(value?)?;
                if template.trim() == format!("{{{name}}}") {
                    out.push_str(&value);
                } else {
                    out.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
                }
                rest = &rest[close + 1..];
            }
            out.push_str(rest);
            out
        }
    };
    base.join(text.trim())
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;
    use serde_json::json;

    fn rules() -> JsonRules {
        JsonRules {
            url: Url::parse("http://api.example/list").unwrap(),
            items: "/record".into(),
            id: Some("/infoCode".into()),
            title: "/title".into(),
            date: Some("/datetime".into()),
            summary: None,
            content: Some("/body".into()),
            author: Some("/authors".into()),
            outlet: Some("/medianame".into()),
            link: Some(FieldRef::Template(
                "https://h.example/NewsShare.html?infoCode={infoCode}".into(),
            )),
            detail: Some(FieldRef::Template(
                "/NewsData/GetNewsText.do?id={infoCode}".into(),
            )),
            detail_content: Some("/text".into()),
        }
    }

    fn page(body: &str) -> Page {
        Page::new(
            Url::parse("http://api.example/list").unwrap(),
            None,
            Default::default(),
            body.as_bytes().to_vec(),
        )
    }

    #[test]
    fn items_through_pointers_and_templates() {
        let body = json!({"record": [
            {"infoCode": "NW202201252260222591", "title": "标题", "datetime": "2022-01-25 09:36:09", "medianame": "大众日报", "authors": ["姜斌", "王五"], "body": "<p>x</p>"},
            {"infoCode": 7, "title": "", "datetime": 1643074569},
            {"title": "毫秒", "datetime": 1643074569000_i64},
        ]});
        let items = parse_list(&page(&body.to_string()), &rules(), Shanghai).unwrap();
        assert_eq!(items.len(), 2, "an item without a title is skipped");
        let (first, detail) = &items[0];
        assert_eq!(first.declared_id.as_deref(), Some("NW202201252260222591"));
        assert_eq!(
            first.published.unwrap().to_rfc3339(),
            "2022-01-25T09:36:09+08:00"
        );
        assert_eq!(first.author.as_deref(), Some("姜斌、王五"));
        assert_eq!(
            first.link.as_ref().unwrap().as_str(),
            "https://h.example/NewsShare.html?infoCode=NW202201252260222591"
        );
        assert_eq!(
            detail.as_ref().unwrap().as_str(),
            "http://api.example/NewsData/GetNewsText.do?id=NW202201252260222591"
        );
        assert_eq!(
            items[1].0.published.unwrap().timestamp(),
            1_643_074_569,
            "epoch milliseconds"
        );
    }

    #[test]
    fn times_in_common_forms() {
        let at = |v: Value| as_time(&v, Shanghai).map(|t| t.timestamp());
        assert_eq!(at(json!("2022-01-25T01:36:09Z")), Some(1_643_074_569));
        assert_eq!(at(json!("2022-01-25 09:36:09")), Some(1_643_074_569));
        assert_eq!(at(json!(1_643_074_569)), Some(1_643_074_569));
        assert_eq!(at(json!("1643074569000")), Some(1_643_074_569));
        assert_eq!(at(json!("soon")), None);
    }

    #[test]
    fn jsonp_and_malformed_documents() {
        let items = parse_list(
            &page("jQuery123_456({\"record\": [{\"title\": \"t\"}]});"),
            &rules(),
            Shanghai,
        )
        .unwrap();
        assert_eq!(items.len(), 1);
        let err = parse_list(&page("{\"record\": [1, 2"), &rules(), Shanghai).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("http://api.example/list: malformed JSON: "),
            "{err}"
        );
        let err = parse_list(&page("{\"data\": []}"), &rules(), Shanghai).unwrap_err();
        assert!(
            err.to_string()
                .contains("`items` pointer `/record` finds no array"),
            "{err}"
        );
    }
}

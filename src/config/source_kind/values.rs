//! Checking the values keys share: an http(s) URL, a CSS selector, a required selector,
//! the article overrides (`content`, `title`, `date`, `exclude`).

use scraper::Selector;
use toml::Spanned;
use url::Url;

use super::KindKeys;
use crate::config::toml_file::FileIssues;
use crate::extract::Overrides;

pub(super) fn http_url(text: &Spanned<String>, key: &str, out: &mut FileIssues) -> Option<Url> {
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

pub(super) fn required_selector(
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

pub(super) fn overrides(
    keys: &KindKeys<'_>,
    key: &dyn Fn(&str) -> String,
    out: &mut FileIssues,
) -> Overrides {
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

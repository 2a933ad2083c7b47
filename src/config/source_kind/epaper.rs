//! The `epaper` kind's keys: an edition template (or a family's `preset` and the paper's
//! root), the page and article link selectors, days to read, a page's PDF.

use chrono::NaiveDate;
use scraper::Selector;
use toml::Spanned;

use super::KindKeys;
use super::edition::EditionTemplate;
use super::values::{overrides, required_selector};
use crate::config::presets::{self, Family};
use crate::config::toml_file::FileIssues;
use crate::extract::Overrides;

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

/// Validates an `epaper` table's keys.
pub(super) fn build(
    url_text: &Spanned<String>,
    keys: &KindKeys<'_>,
    key: &dyn Fn(&str) -> String,
    out: &mut FileIssues,
    kind: &Spanned<String>,
) -> Option<EpaperRules> {
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
    let edition = EditionTemplate::new(template);
    let sample = NaiveDate::from_ymd_opt(2021, 11, 16).expect("a valid date");
    if !edition.as_str().contains("{date:") {
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
        let parse = |text: &Option<String>| text.as_deref().and_then(|t| Selector::parse(t).ok());
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
        (Some(pages), Some(links)) => Some(EpaperRules {
            edition,
            pages,
            links,
            days,
            article,
            pdf,
        }),
        _ => None,
    }
}

//! An e-paper's edition template: its URL with `{date:<strftime>}` in it.

use chrono::NaiveDate;
use url::Url;

/// The URL of an edition's first page with `{date:<strftime>}` in it.
#[derive(Debug, Clone)]
pub struct EditionTemplate(String);

impl EditionTemplate {
    pub(super) fn new(template: String) -> EditionTemplate {
        EditionTemplate(template)
    }

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

//! E-paper families as data (`config/epapers.toml`, built into the binary): each family's
//! edition template, selectors, and how its addresses and pages look, for
//! `preset = "<family>"` on an `epaper` source and for `paperboy add`.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use serde::Deserialize;

const SHIPPED: &str = include_str!("../../config/epapers.toml");

/// One family of e-paper systems.
#[derive(Debug, Clone)]
pub struct Family {
    pub name: String,
    pub description: String,
    /// The edition template, `{root}` standing for the paper's root address.
    pub edition: String,
    pub pages: String,
    pub links: String,
    pub content: Option<String>,
    pub title: Option<String>,
    /// Links to a page's PDF.
    pub pdf: Option<String>,
    addresses: Vec<Regex>,
    markers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    family: Vec<FamilyTable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FamilyTable {
    name: String,
    description: String,
    edition: String,
    pages: String,
    links: String,
    content: Option<String>,
    title: Option<String>,
    pdf: Option<String>,
    #[serde(default)]
    addresses: Vec<String>,
    #[serde(default)]
    markers: Vec<String>,
}

fn parse(text: &str) -> Result<Vec<Family>, String> {
    let file: File = toml::from_str(text).map_err(|err| err.to_string())?;
    file.family
        .into_iter()
        .map(|table| {
            let addresses = table
                .addresses
                .iter()
                .map(|pattern| {
                    let regex =
                        Regex::new(pattern).map_err(|err| format!("{}: {err}", table.name))?;
                    if regex.capture_names().flatten().any(|n| n == "root") {
                        Ok(regex)
                    } else {
                        Err(format!("{}: `{pattern}` has no `root` group", table.name))
                    }
                })
                .collect::<Result<_, String>>()?;
            if !table.edition.contains("{root}") || !table.edition.contains("{date:") {
                return Err(format!(
                    "{}: `edition` needs {{root}} and {{date:…}}",
                    table.name
                ));
            }
            Ok(Family {
                name: table.name,
                description: table.description,
                edition: table.edition,
                pages: table.pages,
                links: table.links,
                content: table.content,
                title: table.title,
                pdf: table.pdf,
                addresses,
                markers: table.markers,
            })
        })
        .collect()
}

static FAMILIES: LazyLock<Vec<Family>> =
    LazyLock::new(|| parse(SHIPPED).expect("config/epapers.toml is checked by a unit test"));

/// Every known family.
pub fn families() -> &'static [Family] {
    &FAMILIES
}

/// The family named `name`.
pub fn family(name: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.name == name)
}

/// A page address of a known family: the family, the paper's root and the issue date
/// the address carries.
pub fn recognize(url: &str) -> Option<(&'static Family, String, Option<NaiveDate>)> {
    FAMILIES.iter().find_map(|family| {
        family.addresses.iter().find_map(|regex| {
            let caps = regex.captures(url)?;
            let number = |name: &str| caps.name(name)?.as_str().parse::<u32>().ok();
            let date = match (number("y"), number("m"), number("d")) {
                (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y as i32, m, d),
                _ => None,
            };
            Some((family, caps["root"].to_string(), date))
        })
    })
}

/// A dated page address of a known family as an edition template: its date digits
/// become `{date:…}` (`…/content/20261130/Page01NU.htm` →
/// `…/content/{date:%Y}{date:%m}{date:%d}/Page01NU.htm`).
pub fn templated(url: &str) -> Option<(&'static Family, String)> {
    FAMILIES.iter().find_map(|family| {
        family.addresses.iter().find_map(|regex| {
            let caps = regex.captures(url)?;
            let mut parts: Vec<(usize, usize, &str)> = [("y", "%Y"), ("m", "%m"), ("d", "%d")]
                .into_iter()
                .filter_map(|(name, format)| {
                    let m = caps.name(name)?;
                    Some((m.start(), m.end(), format))
                })
                .collect();
            if parts.len() != 3 {
                return None;
            }
            parts.sort_unstable();
            let mut out = String::new();
            let mut at = 0;
            for (start, end, format) in parts {
                out.push_str(&url[at..start]);
                out.push_str(&format!("{{date:{format}}}"));
                at = end;
            }
            out.push_str(&url[at..]);
            Some((family, out))
        })
    })
}

/// The family whose markers a page's HTML carries most of (at least two).
pub fn by_markers(html: &str) -> Option<&'static Family> {
    FAMILIES
        .iter()
        .map(|family| {
            let found = family
                .markers
                .iter()
                .filter(|m| html.contains(m.as_str()))
                .count();
            (family, found)
        })
        .filter(|(_, found)| *found >= 2)
        .max_by_key(|(_, found)| *found)
        .map(|(family, _)| family)
}

impl Family {
    /// The edition template for a paper whose root is `root`.
    pub fn edition_for(&self, root: &str) -> String {
        self.edition.replace("{root}", root.trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_families_load_and_their_selectors_compile() {
        let families = parse(SHIPPED).unwrap();
        assert_eq!(families.len(), 4);
        for family in &families {
            for selector in [
                Some(&family.pages),
                Some(&family.links),
                family.content.as_ref(),
                family.pdf.as_ref(),
            ]
            .into_iter()
            .flatten()
            {
                scraper::Selector::parse(selector)
                    .unwrap_or_else(|err| panic!("{}: `{selector}`: {err}", family.name));
            }
        }
    }

    #[test]
    fn addresses_name_their_family_root_and_date() {
        let cases = [
            (
                "http://paper.example.cn/jxrb/pc/content/202611/30/content_12.html",
                "founder-new",
                "http://paper.example.cn/jxrb",
            ),
            (
                "https://zjrb.example.cn/html/2026-11/30/node_2.htm",
                "founder-classic",
                "https://zjrb.example.cn",
            ),
            (
                "http://paper.dzwww.com/dzrb/content/20261130/Articel01002NU.htm",
                "paperindex",
                "http://paper.dzwww.com/dzrb",
            ),
            (
                "http://epaper.bzrb.net/bzrb/20261130/html/page_03.htm",
                "jinhua",
                "http://epaper.bzrb.net/bzrb",
            ),
        ];
        for (url, name, root) in cases {
            let (family, found_root, date) = recognize(url).unwrap();
            assert_eq!(
                (family.name.as_str(), found_root.as_str()),
                (name, root),
                "{url}"
            );
            assert_eq!(date, NaiveDate::from_ymd_opt(2026, 11, 30));
        }
        assert!(recognize("https://www.chinanews.com.cn/rss/scroll-news.xml").is_none());
        let (_, template) =
            templated("http://paper.dzwww.com/dzrb/content/20261130/Page02NU.htm").unwrap();
        assert_eq!(
            template,
            "http://paper.dzwww.com/dzrb/content/{date:%Y}{date:%m}{date:%d}/Page02NU.htm"
        );
        let family = family("jinhua").unwrap();
        assert_eq!(
            family.edition_for("http://epaper.bzrb.net/bzrb/"),
            "http://epaper.bzrb.net/bzrb/{date:%Y%m%d}/html/page_01.htm"
        );
    }
}

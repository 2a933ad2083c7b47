//! The article's time: the line under the headline, meta tags and JSON-LD, labelled
//! dates anywhere (`发布时间：`), and finally the URL (`t20211116_`, `/202111/16/`).
//!
//! Times without a zone are Beijing time (the configured zone). The precision the page
//! gives is kept: a date alone stays a date, at 00:00.

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike};
use chrono_tz::Tz;
use regex::{Captures, Regex};
use url::Url;

use crate::dates;

/// How precisely a page states a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    Day,
    Minute,
    Second,
}

/// A time found on a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub time: DateTime<FixedOffset>,
    pub precision: Precision,
}

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?:\s*日)?",
        r"(?:(?:\s|T|星期[一二三四五六日天]|週[一二三四五六日]|周[一二三四五六日]|[(（][^)）]{1,3}[)）])*",
        r"(?P<ap>上午|下午|早上|晚上|中午|凌晨)?\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{2})(?:\s*[:：分]\s*(?P<S>\d{2}))?)?",
    ))
    .expect("valid regex")
});

/// A date shown without its year, with its time (`10-08 12:00`, `9月30日 22:46`): the
/// year comes from the page's meta times or its URL.
static YEARLESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:^|[^\d/.-])(?P<m>\d{1,2})\s*[-/月]\s*(?P<d>\d{1,2})\s*日?\s*",
        r"(?P<H>\d{1,2})\s*[:：]\s*(?P<M>\d{2})(?:\s*[:：]\s*(?P<S>\d{2}))?",
    ))
    .expect("valid regex")
});

static LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:发布时间|发布日期|发表时间|发表日期|日期|时间|发布于|更新时间|稿件日期|出版日期)\s*[:：]?\s*")
        .expect("valid regex")
});

static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^\d])(20\d{2})[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12]\d|3[01])(?:[^\d]|\d{3,}|$)",
    )
    .expect("valid regex")
});

/// Where the extractor looked, strongest evidence first.
pub struct Evidence<'a> {
    /// Text of an override selector (`date = "..."` in a source's config).
    pub chosen: Option<&'a str>,
    /// Text right after the headline.
    pub under_headline: &'a str,
    /// Date strings from meta tags and JSON-LD.
    pub meta: &'a [String],
    /// Update times from meta tags: only for the year of a date shown without one.
    pub modified: &'a [String],
    /// All visible text.
    pub page: &'a str,
    pub url: Option<&'a Url>,
}

pub fn find(evidence: &Evidence<'_>, tz: Tz) -> Option<Found> {
    if let Some(found) = evidence.chosen.and_then(|text| first_in(text, tz)) {
        return Some(found);
    }
    // Times labelled as another thing's (`更新于`, `最新推荐文章于`) count only when the
    // line has no other.
    let mut dated: Vec<(bool, Found)> = DATE
        .captures_iter(evidence.under_headline)
        .filter_map(|caps| {
            let start = caps.get(0)?.start();
            let found = from_captures(&caps, tz)?;
            Some((is_other_time(&evidence.under_headline[..start]), found))
        })
        .take(4)
        .collect();
    if dated.iter().any(|(other, _)| !*other) {
        dated.retain(|(other, _)| !*other);
    }
    let mut visible: Vec<Found> = dated.into_iter().map(|(_, found)| found).collect();
    let meta = evidence.meta.iter().find_map(|text| parse_meta(text, tz));
    if visible.is_empty() {
        visible.extend(yearless(evidence, tz));
    }
    match (visible.first(), meta) {
        (Some(_), Some(m)) => {
            // The line under the headline is what readers see, and meta tags can lag (an
            // update time); but the header may show other times too ("latest comment at"),
            // so the visible time closest to the meta time wins, and a visible time far
            // from it is not the article's.
            let closest = visible
                .iter()
                .min_by_key(|v| (v.time - m.time).num_seconds().abs())
                .expect("not empty");
            let close = (closest.time - m.time).num_hours().abs() <= 36;
            Some(if close && closest.precision >= m.precision {
                *closest
            } else {
                m
            })
        }
        (Some(v), None) => Some(*v),
        (None, Some(m)) => Some(m),
        (None, None) => {
            labelled_in(evidence.page, tz).or_else(|| evidence.url.and_then(|url| in_url(url, tz)))
        }
    }
}

/// Words just before a time that make it another thing's: an update, an edit, the
/// latest post of a recommendation box.
fn is_other_time(before: &str) -> bool {
    let tail = before
        .char_indices()
        .rev()
        .nth(11)
        .map_or(before, |(at, _)| &before[at..]);
    [
        "更新",
        "修改",
        "编辑于",
        "最后",
        "最新推荐",
        "推荐文章",
        "最近",
    ]
    .iter()
    .any(|word| tail.contains(word))
}

/// A date without its year under the headline, given the year of a meta time on the
/// same day (published or updated), else the year in the URL.
fn yearless(evidence: &Evidence<'_>, tz: Tz) -> Option<Found> {
    let caps = YEARLESS.captures(evidence.under_headline)?;
    let number = |name: &str| caps.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
    let (month, day) = (number("m")?, number("d")?);
    let years = evidence
        .meta
        .iter()
        .chain(evidence.modified)
        .filter_map(|text| parse_meta(text, tz))
        .map(|found| found.time.date_naive())
        .filter(|date| date.month() == month && date.day() == day)
        .map(|date| date.year())
        .chain(
            evidence
                .url
                .and_then(|u| in_url(u, tz))
                .map(|f| f.time.year()),
        );
    let year = years.into_iter().next()?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let time = date.and_hms_opt(number("H")?, number("M")?, number("S").unwrap_or(0))?;
    Some(Found {
        time: dates::in_zone(time, tz)?,
        precision: if caps.name("S").is_some() {
            Precision::Second
        } else {
            Precision::Minute
        },
    })
}

/// The first date in a text.
pub fn first_in(text: &str, tz: Tz) -> Option<Found> {
    DATE.captures_iter(text)
        .find_map(|caps| from_captures(&caps, tz))
}

/// The first date right after a label such as `发布时间：`.
fn labelled_in(text: &str, tz: Tz) -> Option<Found> {
    LABELLED.find_iter(text).find_map(|label| {
        let rest = &text[label.end()..];
        let caps = DATE.captures(rest.get(..rest.len().min(64)).unwrap_or(rest))?;
        if caps.get(0)?.start() > 4 {
            return None;
        }
        from_captures(&caps, tz)
    })
}

fn parse_meta(text: &str, tz: Tz) -> Option<Found> {
    let text = text.trim();
    if matches!(text.len(), 10 | 13) && text.bytes().all(|b| b.is_ascii_digit()) {
        let time = dates::from_epoch(text.parse().ok()?)?
            .with_timezone(&tz)
            .fixed_offset();
        return Some(Found {
            time,
            precision: Precision::Second,
        });
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        let precision = if time.second() == 0 && !text.contains(":00Z") && text.len() <= 22 {
            Precision::Minute
        } else {
            Precision::Second
        };
        return Some(Found {
            time: time.with_timezone(&tz).fixed_offset(),
            precision,
        });
    }
    if let Some(found) = first_in(text, tz) {
        return Some(found);
    }
    let time = dates::parse_date(text, tz)?;
    Some(Found {
        time,
        precision: Precision::Second,
    })
}

fn from_captures(caps: &Captures<'_>, tz: Tz) -> Option<Found> {
    let number = |name: &str| caps.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
    let date = NaiveDate::from_ymd_opt(number("y")? as i32, number("m")?, number("d")?)?;
    let (mut hour, minute, second) = (number("H"), number("M"), number("S"));
    if let (Some(h), Some(ap)) = (hour, caps.name("ap")) {
        if matches!(ap.as_str(), "下午" | "晚上") && h < 12 {
            hour = Some(h + 12);
        }
    }
    let (time, precision) = match (hour, minute) {
        (Some(h), Some(m)) => (
            date.and_hms_opt(h, m, second.unwrap_or(0))?,
            if second.is_some() {
                Precision::Second
            } else {
                Precision::Minute
            },
        ),
        _ => (date.and_hms_opt(0, 0, 0)?, Precision::Day),
    };
    Some(Found {
        time: dates::in_zone(time, tz)?,
        precision,
    })
}

/// A date in the article's URL, as a last resort.
pub fn in_url(url: &Url, tz: Tz) -> Option<Found> {
    let path = url.path();
    URL_DATE.captures_iter(path).find_map(|caps| {
        let date = NaiveDate::from_ymd_opt(
            caps[1].parse().ok()?,
            caps[2].parse().ok()?,
            caps[3].parse().ok()?,
        )?;
        let time = dates::in_zone(date.and_hms_opt(0, 0, 0)?, tz)?;
        Some(Found {
            time,
            precision: Precision::Day,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    fn at(text: &str) -> String {
        first_in(text, Shanghai)
            .map(|f| f.time.to_rfc3339())
            .unwrap_or_default()
    }

    #[test]
    fn the_forms_pages_write() {
        assert_eq!(
            at("日期: 2021-11-16 08:15:09 来源: 十堰日报"),
            "2021-11-16T08:15:09+08:00"
        );
        assert_eq!(
            at("2024年05月17日08:59 来源：北京青年报"),
            "2024-05-17T08:59:00+08:00"
        );
        assert_eq!(
            at("AUTO.SOHU.COM 2005年05月13日14:15"),
            "2005-05-13T14:15:00+08:00"
        );
        assert_eq!(at("时间：2024.05.11"), "2024-05-11T00:00:00+08:00");
        assert_eq!(
            at("2024年5月22日週三 上午8:21"),
            "2024-05-22T08:21:00+08:00"
        );
        assert_eq!(at("2024/05/22 下午3:05"), "2024-05-22T15:05:00+08:00");
        assert_eq!(at("发布时间：2026-13-01"), "");
    }

    #[test]
    fn dates_in_urls() {
        for (url, day) in [
            (
                "http://www.shiyan.gov.cn/xwdt/szyw/202111/t20211116_3391234.shtml",
                "2021-11-16",
            ),
            (
                "http://news.china.com.cn/2024-05/13/content_117184963.shtml",
                "2024-05-13",
            ),
            (
                "http://health.people.com.cn/n1/2024/0517/c14739-40237861.html",
                "2024-05-17",
            ),
            (
                "https://www.1905.com/news/20240511/1674843.shtml",
                "2024-05-11",
            ),
            (
                "http://epaper.bzrb.net/bzrb/20211116/html/page_08.htm",
                "2021-11-16",
            ),
        ] {
            let found = in_url(&Url::parse(url).unwrap(), Shanghai).unwrap();
            assert_eq!(found.time.date_naive().to_string(), day, "{url}");
        }
    }

    #[test]
    fn an_update_or_a_recommendation_time_is_not_the_articles() {
        let evidence = Evidence {
            chosen: None,
            under_headline: "最新推荐文章于 2024-05-07 22:12:13 发布 于 2024-05-06 15:47:53 发布",
            meta: &[],
            modified: &[],
            page: "",
            url: None,
        };
        assert_eq!(
            find(&evidence, Shanghai).unwrap().time.to_rfc3339(),
            "2024-05-06T15:47:53+08:00"
        );
    }
}

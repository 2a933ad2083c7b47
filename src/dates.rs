//! Reading the date strings news sources write: RFC 3339/2822 and the zone-less forms
//! Chinese sites use (`2026-11-01 08:00:00`, `2026/11/01`, `2026年11月1日 08:00`).
//!
//! A time without a zone is read in the configured `timezone` (Beijing time by default):
//! reading it as UTC is the "eight hours off" bug users report most against feed tools.
//! This module parses one string that is known to be a date; finding dates in page text
//! belongs to extraction.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

/// Zone-less layouts, most precise first.
const LOCAL_LAYOUTS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M:%S",
    "%Y年%m月%d日%H:%M",
];
const LOCAL_DATE_LAYOUTS: &[&str] = &["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"];

/// Parses one date string; zone-less times are in `tz`.
pub fn parse_date(text: &str, tz: Tz) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time);
    }
    // "CST" in a Chinese feed is China Standard Time, not US Central: read it, and the
    // other zone names chrono does not know, as the configured zone.
    let without_zone = text
        .strip_suffix(" CST")
        .or_else(|| text.strip_suffix(" Beijing"))
        .unwrap_or(text);
    if without_zone.len() != text.len() {
        if let Some(time) = parse_rfc2822_local(without_zone, tz) {
            return Some(time);
        }
    }
    if let Ok(time) = DateTime::parse_from_rfc2822(text) {
        return Some(time);
    }
    if let Some(time) = parse_local(without_zone, tz) {
        return Some(time);
    }
    // Some feeds add a weekday that does not match the date; chrono rejects those.
    let no_weekday = text.split_once(", ").map(|(_, rest)| rest)?;
    DateTime::parse_from_rfc2822(no_weekday).ok()
}

/// A zone-less RFC 2822-style time, e.g. `Sun, 01 Nov 2026 08:00:00`.
fn parse_rfc2822_local(text: &str, tz: Tz) -> Option<DateTime<FixedOffset>> {
    let text = text.split_once(", ").map_or(text, |(_, rest)| rest);
    let naive = NaiveDateTime::parse_from_str(text, "%d %b %Y %H:%M:%S").ok()?;
    in_zone(naive, tz)
}

/// A zone-less date or date and time in one of the common layouts, read in `tz`.
pub fn parse_local(text: &str, tz: Tz) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    for layout in LOCAL_LAYOUTS {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, layout) {
            return in_zone(naive, tz);
        }
    }
    for layout in LOCAL_DATE_LAYOUTS {
        if let Ok(date) = NaiveDate::parse_from_str(text, layout) {
            return in_zone(date.and_hms_opt(0, 0, 0)?, tz);
        }
    }
    None
}

/// Epoch seconds or milliseconds (told apart by magnitude).
pub fn from_epoch(value: i64) -> Option<DateTime<FixedOffset>> {
    let millis = if value.abs() >= 100_000_000_000 {
        value
    } else {
        value.checked_mul(1000)?
    };
    DateTime::from_timestamp_millis(millis).map(|time| time.fixed_offset())
}

/// Places a wall-clock time in `tz`; in a DST overlap the earlier instant wins.
pub fn in_zone(naive: NaiveDateTime, tz: Tz) -> Option<DateTime<FixedOffset>> {
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|time| time.fixed_offset())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    fn rfc3339(text: &str) -> String {
        parse_date(text, Shanghai).unwrap().to_rfc3339()
    }

    #[test]
    fn zoned_forms_keep_their_zone() {
        assert_eq!(rfc3339("2026-11-01T08:00:00Z"), "2026-11-01T08:00:00+00:00");
        assert_eq!(
            rfc3339("Sun, 01 Nov 2026 08:00:00 +0800"),
            "2026-11-01T08:00:00+08:00"
        );
        assert_eq!(
            rfc3339("Mon, 01 Nov 2026 08:00:00 GMT"),
            "2026-11-01T08:00:00+00:00"
        );
    }

    #[test]
    fn zone_less_forms_are_beijing_time() {
        assert_eq!(rfc3339("2026-11-01 08:00:00"), "2026-11-01T08:00:00+08:00");
        assert_eq!(rfc3339("2026-11-01 08:00"), "2026-11-01T08:00:00+08:00");
        assert_eq!(rfc3339("2026/11/01 08:00:05"), "2026-11-01T08:00:05+08:00");
        assert_eq!(rfc3339("2026年11月1日 08:00"), "2026-11-01T08:00:00+08:00");
        assert_eq!(rfc3339("2026-11-01"), "2026-11-01T00:00:00+08:00");
        assert_eq!(
            rfc3339("Sun, 01 Nov 2026 08:00:00 CST"),
            "2026-11-01T08:00:00+08:00"
        );
    }

    #[test]
    fn epochs_in_seconds_and_millis() {
        assert_eq!(
            from_epoch(1_793_491_200).unwrap().timestamp(),
            1_793_491_200
        );
        assert_eq!(
            from_epoch(1_793_491_200_000).unwrap().timestamp(),
            1_793_491_200
        );
    }

    #[test]
    fn garbage_is_none() {
        assert!(parse_date("yesterday", Shanghai).is_none());
        assert!(parse_date("", Shanghai).is_none());
        assert!(parse_date("2026-13-45 99:00", Shanghai).is_none());
    }
}

//! Cron schedules as users write them: 5 fields (crontab, minute first) or 6 (seconds first).
//!
//! The `cron` crate wants seconds first and numbers Sunday as 1 (Quartz style). A 5-field
//! line is crontab style, where Sunday is 0 or 7 and `1-5` means Monday to Friday, so its
//! day-of-week numbers are turned into names before the line reaches the crate. A 6-field
//! line is passed through as the crate reads it.

use super::invalid::InvalidValue;
use std::str::FromStr;

use cron::Schedule;

/// Parses a 5- or 6-field cron expression.
pub fn parse_schedule(expr: &str) -> Result<Schedule, InvalidValue> {
    parse(expr).map_err(InvalidValue)
}

fn parse(expr: &str) -> Result<Schedule, String> {
    let fields: Vec<&str> = expr.split_whitespace().collect();
    let six = match fields.len() {
        5 => {
            let dow = crontab_weekdays(fields[4])?;
            format!(
                "0 {} {} {} {} {}",
                fields[0], fields[1], fields[2], fields[3], dow
            )
        }
        6 => fields.join(" "),
        n => {
            return Err(format!(
                "`{expr}` has {n} fields; use 5 (minute hour day month weekday) or 6 (seconds first)"
            ));
        }
    };
    Schedule::from_str(&six).map_err(|err| format!("`{expr}` is not a cron schedule: {err}"))
}

const DAY_NAMES: [&str; 8] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Rewrites crontab day-of-week numbers (0–7, Sunday = 0 or 7) as names.
fn crontab_weekdays(field: &str) -> Result<String, String> {
    let mut parts = Vec::new();
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (part, None),
        };
        let rewritten = match range.split_once('-') {
            // `5-7` ends on Sunday, which the crate numbers first: split off the Sunday.
            Some((from, "7")) if step.is_none() => {
                let from = day_name(from)?;
                if from == "Sun" {
                    "*".to_string()
                } else {
                    format!("{from}-Sat,Sun")
                }
            }
            Some((from, to)) => format!("{}-{}", day_name(from)?, day_name(to)?),
            None if range == "*" || range == "?" => range.to_string(),
            None => day_name(range)?.to_string(),
        };
        match step {
            Some(step) => parts.push(format!("{rewritten}/{step}")),
            None => parts.push(rewritten),
        }
    }
    Ok(parts.join(","))
}

fn day_name(token: &str) -> Result<&str, String> {
    match token.parse::<usize>() {
        Ok(n) if n < DAY_NAMES.len() => Ok(DAY_NAMES[n]),
        Ok(n) => Err(format!("weekday {n} is out of range 0-7")),
        Err(_) => Ok(token),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone, Weekday};

    fn next_days(expr: &str) -> Vec<Weekday> {
        let schedule = parse_schedule(expr).unwrap();
        // 2026-11-22 is a Sunday.
        let start = chrono::Utc
            .with_ymd_and_hms(2026, 11, 22, 12, 0, 0)
            .unwrap();
        schedule
            .after(&start)
            .take(7)
            .map(|t| t.weekday())
            .collect()
    }

    #[test]
    fn five_fields_are_crontab_with_sunday_zero() {
        use Weekday::*;
        assert_eq!(
            next_days("0 6 * * 1-5"),
            vec![Mon, Tue, Wed, Thu, Fri, Mon, Tue]
        );
        assert_eq!(
            next_days("0 6 * * 0"),
            vec![Sun, Sun, Sun, Sun, Sun, Sun, Sun]
        );
        assert_eq!(next_days("0 6 * * 5-7")[..3], [Fri, Sat, Sun]);
        assert_eq!(next_days("0 6 * * Mon-Fri")[0], Mon);
    }

    #[test]
    fn six_fields_are_seconds_first() {
        let schedule = parse_schedule("*/10 * * * * *").unwrap();
        let start = chrono::Utc
            .with_ymd_and_hms(2026, 11, 22, 12, 0, 1)
            .unwrap();
        let next = schedule.after(&start).next().unwrap();
        assert_eq!(
            next,
            chrono::Utc
                .with_ymd_and_hms(2026, 11, 22, 12, 0, 10)
                .unwrap()
        );
    }

    #[test]
    fn bad_lines_are_rejected() {
        assert!(parse_schedule("* * *").is_err());
        assert!(parse_schedule("61 * * * *").is_err());
        assert!(parse_schedule("0 6 * * 9").is_err());
    }
}

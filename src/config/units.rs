//! Durations (`"30s"`, `"1.2s"`, `"15m"`) and sizes (`"16MiB"`) as written in config files.
//!
//! Sizes are parsed by `bytesize`. Durations are parsed here by hand: the common crates
//! either reject decimals (`"1.2s"`, which DESIGN.md uses for `host_delay`) or accept far
//! more than a config file should (`"1 fortnight"`).

use super::invalid::InvalidValue;
use std::time::Duration;

/// Parses `"<number><unit>"` with unit `ms`, `s`, `m`, `h` or `d`; the number may have a
/// decimal part. `"0"` alone is accepted as zero.
pub fn parse_duration(text: &str) -> Result<Duration, InvalidValue> {
    duration(text).map_err(InvalidValue)
}

fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| format!("`{text}` has no unit (use ms, s, m, h or d, e.g. \"30s\")"))?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` does not start with a number"))?;
    let seconds_per_unit = match unit.trim() {
        "ms" => 0.001,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "d" => 86400.0,
        other => {
            return Err(format!(
                "`{other}` in `{text}` is not a unit (use ms, s, m, h or d)"
            ));
        }
    };
    let seconds = value * seconds_per_unit;
    if !seconds.is_finite() || seconds > 366.0 * 86400.0 {
        return Err(format!("`{text}` is longer than a year"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Parses a byte size such as `"16MiB"`, `"512KiB"` or a plain number of bytes.
pub fn parse_size(text: &str) -> Result<u64, InvalidValue> {
    size(text).map_err(InvalidValue)
}

fn size(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<bytesize::ByteSize>()
        .map(|size| size.as_u64())
        .map_err(|err| format!("`{text}` is not a size like \"16MiB\": {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_with_units_and_decimals() {
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("1.2s").unwrap(), Duration::from_millis(1200));
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        assert!(parse_duration("30").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("3 weeks").is_err());
        assert!(parse_duration("1e300h").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("16MiB").unwrap(), 16 * 1024 * 1024);
        assert_eq!(parse_size("1KiB").unwrap(), 1024);
        assert_eq!(parse_size("100").unwrap(), 100);
        assert!(parse_size("lots").is_err());
    }
}

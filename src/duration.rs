//! One grammar for durations, for every flag and every `embarc.toml`
//! value: a number and a unit, as `humantime` reads them (`100ms`, `30s`,
//! `90m`, `12h`, `7d`, `2w`, `1.5h`; units may be combined: `1h 30m`), or
//! `0`.
//!
//! A few flags took a bare number before this grammar existed
//! (`--min-interval 100` in milliseconds, `--timeout 2.5` in seconds,
//! `--max-age 30` in days); [`parse_or`] keeps reading those in that unit.

use std::fmt;
use std::time::Duration;

/// A text that is not a duration, with what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// A duration with its unit (`100ms`, `30s`, `12h`, `7d`), or `0`.
pub fn parse(text: &str) -> Result<Duration, Error> {
    let t = text.trim();
    if t == "0" {
        return Ok(Duration::ZERO);
    }
    humantime::parse_duration(t).map_err(|e| {
        Error(format!(
            "{t:?} is not a duration ({e}); write a number and a unit, e.g. 100ms, 30s, 90m, 12h or 7d"
        ))
    })
}

/// [`parse`], and a bare number (a fraction too) counted in `unit`.
pub fn parse_or(text: &str, unit: Duration) -> Result<Duration, Error> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return t
            .parse::<f64>()
            .ok()
            .and_then(|n| Duration::try_from_secs_f64(n * unit.as_secs_f64()).ok())
            .ok_or_else(|| Error(format!("{t:?} is not a duration")));
    }
    parse(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_grammar() {
        let ms = Duration::from_millis;
        let s = Duration::from_secs;
        for (text, want) in [
            ("100ms", ms(100)),
            ("30s", s(30)),
            ("90m", s(5400)),
            ("12h", s(43_200)),
            ("7d", s(604_800)),
            ("2w", s(1_209_600)),
            ("1h 30m", s(5400)),
            ("1.5h", s(5400)),
            (" 45s ", s(45)),
            ("0", Duration::ZERO),
        ] {
            assert_eq!(parse(text), Ok(want), "{text:?}");
            assert_eq!(parse_or(text, s(1)), Ok(want), "{text:?}");
        }
        for bad in ["", "h", "1", "-1h", "soon", "12 parsecs"] {
            let err = parse(bad).unwrap_err().to_string();
            assert!(
                err.contains("100ms") && err.contains("7d"),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn bare_numbers_count_in_the_flags_old_unit() {
        let ms = Duration::from_millis;
        assert_eq!(parse_or("100", ms(1)), Ok(ms(100)));
        assert_eq!(parse_or("2.5", Duration::from_secs(1)), Ok(ms(2500)));
        assert_eq!(
            parse_or("30", Duration::from_secs(86_400)),
            Ok(Duration::from_secs(30 * 86_400))
        );
        assert_eq!(parse_or("0", ms(1)), Ok(Duration::ZERO));
        assert!(parse_or("1.2.3", ms(1)).is_err());
        assert!(parse_or("1e400", ms(1)).is_err());
        assert!(parse_or(".", ms(1)).is_err());
    }
}

//! Post ids as attributes give them: bare, or written as the post's URL;
//! and X ids that a script rounded to a JavaScript number.
//!
//! Attributes that usually carry a bare id (`data-tweet-id`,
//! `data-tweetid`, `data-id`, `data-video-id`, `data-shortcode`,
//! `data-videoid`, `data-telegram-post`, `data-instgrm-permalink`, …) hold
//! the full post URL on some sites, with or without tracking parameters:
//! [`tweet_id`] and [`from_id_or_url`] read both.
//!
//! **Rounded ids.** A tweet id above 2^53 that passed through a JavaScript
//! number comes back as the nearest double, printed with trailing zeros.
//! But a real id whose low bits are zero (sequence 0, common) looks exactly
//! the same, so an id alone proves nothing and is kept. Only when an embed
//! gives two ids that disagree, one the float rounding of the other, is the
//! rounded one known for what it is ([`resolve`]): the exact one is kept,
//! with a `rounded_id` warning naming both. (A rounded id's Snowflake time
//! is that of the true id to the millisecond, since doubles near 2^60 are
//! 256 apart and the time starts at bit 22: the embed's display date cannot
//! tell them apart, so it is not consulted.)

use super::embeds::from_url;
use super::{Citation, Platform, Warning, urls};

/// The tweet id an attribute value holds: bare digits, or a status URL.
pub(super) fn tweet_id(value: &str) -> Option<String> {
    let v = value.trim();
    if !v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(v.to_string());
    }
    urls::parse_post_url(v)
        .filter(|p| p.platform == Platform::X)
        .and_then(|p| p.post_id)
}

/// An embed citation of `platform` from an attribute holding either a post
/// URL or a bare id, which `url_for` turns into a URL. The URL as written is
/// kept as the source; a bare id leaves the source empty.
pub(super) fn from_id_or_url(
    platform: Platform,
    value: &str,
    shape: &'static str,
    url_for: impl Fn(&str) -> String,
) -> Option<Citation> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if (v.contains('/') || v.contains('.'))
        && let Some(c) = from_url(platform, v, shape)
    {
        return Some(c);
    }
    let mut c = from_url(platform, &url_for(v), shape)?;
    c.source_url = None;
    Some(c)
}

/// `printed` is how JavaScript (or any double) renders the id `exact`: the
/// shortest decimal that reads back as the same double, or that double's
/// exact value, and not `exact` itself.
pub(super) fn is_rounding_of(printed: &str, exact: &str) -> bool {
    let (Ok(p), Ok(n)) = (printed.parse::<u64>(), exact.parse::<u64>()) else {
        return false;
    };
    if p == n || n <= 1 << 53 {
        return false;
    }
    let double = n as f64;
    // Rust prints a double as the shortest round-tripping digits, padded
    // with zeros, as JavaScript's `Number.prototype.toString` does below 1e21.
    printed == format!("{double}") || p == double as u64
}

/// One id from the ids an embed gives in several places, in order of
/// trust (the first wins an unexplained disagreement). An id that is the
/// float rounding of another is set aside for the exact one, with a warning.
pub(super) fn resolve(ids: &[(&str, String)]) -> Option<(String, Option<Warning>)> {
    let (_, first) = ids.first()?;
    let exact = ids
        .iter()
        .find(|(_, id)| {
            ids.iter()
                .all(|(_, other)| other == id || is_rounding_of(other, id))
        })
        .map(|(_, id)| id)
        .unwrap_or(first);
    let rounded = ids.iter().find(|(_, id)| is_rounding_of(id, exact));
    let warning = rounded.map(|(place, id)| Warning {
        kind: "rounded_id",
        detail: format!(
            "{place} holds {id}, a JavaScript rounding of the tweet id {exact}; {exact} is kept"
        ),
    });
    Some((exact.clone(), warning))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_status_urls() {
        assert_eq!(tweet_id(" 20 ").as_deref(), Some("20"));
        assert_eq!(
            tweet_id("https://twitter.com/jack/status/20?s=20&t=abc").as_deref(),
            Some("20")
        );
        assert_eq!(
            tweet_id("https://x.com/i/web/status/1404220535211443200").as_deref(),
            Some("1404220535211443200")
        );
        assert_eq!(tweet_id("https://twitter.com/jack"), None);
        assert_eq!(tweet_id("https://www.instagram.com/p/Bx1/"), None);
        assert_eq!(tweet_id(""), None);
        assert_eq!(tweet_id("123456789012345678901234"), None);
    }

    #[test]
    fn roundings_are_recognised_both_ways_of_printing() {
        // 550196187970560017 as a double is 550196187970560000.
        assert!(is_rounding_of("550196187970560000", "550196187970560017"));
        // A 19-digit id: shortest digits, and the double's exact value.
        let exact = "1581661660728950784";
        assert!(!is_rounding_of(exact, exact));
        let n: u64 = 1_581_661_660_728_950_999;
        let double = n as f64;
        assert!(is_rounding_of(&format!("{double}"), &n.to_string()));
        assert!(is_rounding_of(&(double as u64).to_string(), &n.to_string()));
        // Small ids are exact as doubles; unrelated ids are not roundings.
        assert!(!is_rounding_of("20", "21"));
        assert!(!is_rounding_of(
            "1404220535211443200",
            "1225455484259442691"
        ));
    }

    #[test]
    fn resolve_keeps_the_exact_id() {
        let place = |p: &'static str, id: &str| (p, id.to_string());
        let (id, warning) = resolve(&[
            place("data-tweet-id", "550196187970560000"),
            place("the status link", "550196187970560017"),
        ])
        .unwrap();
        assert_eq!(id, "550196187970560017");
        assert!(warning.unwrap().detail.contains("data-tweet-id holds"));
        // Agreeing ids: no warning.
        let (id, warning) = resolve(&[
            place("a", "1404220535211443200"),
            place("b", "1404220535211443200"),
        ])
        .unwrap();
        assert_eq!(id, "1404220535211443200");
        assert!(warning.is_none());
        // A lone id that looks rounded is kept as it is.
        let (id, warning) = resolve(&[place("a", "550196187970560000")]).unwrap();
        assert_eq!(id, "550196187970560000");
        assert!(warning.is_none());
        // Unexplained disagreement: the first, most trusted, wins.
        let (id, _) = resolve(&[place("a", "20"), place("b", "21")]).unwrap();
        assert_eq!(id, "20");
        assert_eq!(resolve(&[]), None);
    }
}

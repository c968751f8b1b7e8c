//! The verification queue's rules: statuses, which changes are allowed, and
//! how a claim is named in exports. Pure: no SQL, no clock, no I/O (the
//! store applies these rules inside its transactions).
//!
//! Statuses follow Meedan Check's defaults: `unstarted`, `in_progress`,
//! `inconclusive`, `verified`, `false`. Check lets a fact-checker pick any
//! status at any time, and so does embarc, with two rules:
//!
//! 1. A change must change something: setting the status a claim already has
//!    is refused (it would add an event that records nothing, and usually
//!    means two people are deciding the same claim).
//! 2. Changing a decision (moving a claim away from `verified`, `false` or
//!    `inconclusive`) needs a note saying why. A decision may already have
//!    been published as a ClaimReview; reopening or reversing it is normal
//!    when new evidence arrives, but the reason must be on record.
//!
//! A stricter workflow (e.g. a verdict only from `in_progress`) was rejected:
//! small desks decide claims in one step, and the event history already shows
//! who did what when.

use crate::detect::labels::Rules;
use crate::detect::{Citation, Kind, urls};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// The label of a claim queued by hand (`embarc queue add`).
pub const MANUAL_LABEL: &str = "MANUAL";

/// The actor of events embarc records by itself; people cannot use it.
pub const SYSTEM_ACTOR: &str = "embarc";

/// Longest `claimReviewed` in a ClaimReview export, in characters.
pub const CLAIM_REVIEWED_MAX: usize = 75;

/// Where a claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Unstarted,
    InProgress,
    Inconclusive,
    Verified,
    False,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Unstarted,
        Status::InProgress,
        Status::Inconclusive,
        Status::Verified,
        Status::False,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unstarted => "unstarted",
            Status::InProgress => "in_progress",
            Status::Inconclusive => "inconclusive",
            Status::Verified => "verified",
            Status::False => "false",
        }
    }

    /// True for the statuses that are a decision.
    pub fn is_verdict(self) -> bool {
        matches!(
            self,
            Status::Inconclusive | Status::Verified | Status::False
        )
    }

    /// The ClaimReview rating of a decision; `None` while the claim is open.
    pub fn rating(self) -> Option<Rating> {
        let (value, name) = match self {
            Status::False => (1, "False"),
            Status::Inconclusive => (3, "Inconclusive"),
            Status::Verified => (5, "Verified"),
            Status::Unstarted | Status::InProgress => return None,
        };
        Some(Rating { value, name })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;

    /// Accepts the names above, case-insensitively, with `-` or a space for `_`.
    fn from_str(s: &str) -> Result<Status, String> {
        let norm = s.trim().to_lowercase().replace(['-', ' '], "_");
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == norm)
            .ok_or_else(|| {
                format!(
                    "unknown status {s:?}; use one of {}",
                    Status::ALL.map(Status::as_str).join(", ")
                )
            })
    }
}

/// A decision on ClaimReview's scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rating {
    pub value: u8,
    /// The verdict in words (`alternateName`).
    pub name: &'static str,
}

impl Rating {
    pub const WORST: u8 = 1;
    pub const BEST: u8 = 5;
}

/// What a claim event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The claim entered the queue (by label, relabelling, or by hand).
    Created,
    /// The status changed.
    Status,
    /// The claim was given to someone.
    Assign,
    /// A note without a change.
    Note,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Status => "status",
            Action::Assign => "assign",
            Action::Note => "note",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        [
            Action::Created,
            Action::Status,
            Action::Assign,
            Action::Note,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

/// A change the queue refuses, with what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("there is no claim {0} in the archive (`embarc queue` lists the claims and their ids)")]
    UnknownClaim(i64),
    #[error("claim {claim} is already {status}; nothing was changed")]
    SameStatus { claim: i64, status: Status },
    #[error(
        "claim {claim} was decided {from}; changing a decision to {to} needs a note saying why (--note TEXT)"
    )]
    NoteRequired {
        claim: i64,
        from: Status,
        to: Status,
    },
    #[error("claim {claim} is already assigned to {name}; nothing was changed")]
    AlreadyAssigned { claim: i64, name: String },
    #[error("claim {claim} is not assigned to anyone; nothing was changed")]
    NotAssigned { claim: i64 },
    #[error("{what} is empty; {hint}")]
    Empty {
        what: &'static str,
        hint: &'static str,
    },
    #[error("{SYSTEM_ACTOR:?} is the name of embarc's own events; say who you are with --by NAME")]
    ReservedActor,
    #[error(
        "{0:?} is not a link to a single post on a platform embarc knows ({names}); pass the post's own URL",
        names = crate::detect::Platform::names()
    )]
    NotAPostUrl(String),
    #[error("{0:?} is a short link; open it and pass the URL of the post it leads to")]
    ShortLink(String),
    #[error("{url} is already in the queue as claim {claim} (`embarc queue show {claim}`)")]
    AlreadyQueued { url: String, claim: i64 },
}

/// May a claim move from `from` to `to`? (See the module docs.)
pub fn check_status_change(
    claim: i64,
    from: Status,
    to: Status,
    note: Option<&str>,
) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameStatus {
            claim,
            status: from,
        });
    }
    if from.is_verdict() && note.is_none_or(|n| n.trim().is_empty()) {
        return Err(Refusal::NoteRequired { claim, from, to });
    }
    Ok(())
}

/// May a claim assigned to `current` be given to `to` (`None`: to nobody)?
pub fn check_assignment(
    claim: i64,
    current: Option<&str>,
    to: Option<&str>,
) -> Result<(), Refusal> {
    match (current, to) {
        (None, None) => Err(Refusal::NotAssigned { claim }),
        (Some(c), Some(t)) if c == t => Err(Refusal::AlreadyAssigned {
            claim,
            name: t.to_string(),
        }),
        _ => Ok(()),
    }
}

/// A name for events (`--by`) or assignments: trimmed, not empty, not embarc's own.
pub fn person(name: &str, what: &'static str) -> Result<String, Refusal> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Refusal::Empty {
            what,
            hint: "give a person's name",
        });
    }
    if name.eq_ignore_ascii_case(SYSTEM_ACTOR) {
        return Err(Refusal::ReservedActor);
    }
    Ok(name.to_string())
}

/// A note or reason: trimmed and not empty.
pub fn text(s: &str, what: &'static str) -> Result<String, Refusal> {
    let s = s.trim();
    if s.is_empty() {
        return Err(Refusal::Empty {
            what,
            hint: "write what should be on record",
        });
    }
    Ok(s.to_string())
}

/// A time given on the command line: RFC 3339, or a date for its midnight UTC.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc())
}

/// The post a URL names, as a citation the store can record, for queueing a
/// post by hand. Only what the URL says is known (platform, id, handle, and
/// the time an X or Mastodon id encodes).
pub fn post_from_url(raw: &str) -> Result<Citation, Refusal> {
    let parsed = urls::parse_post_url(raw).ok_or_else(|| Refusal::NotAPostUrl(raw.to_string()))?;
    if parsed.unresolved_short_link || parsed.post_id.is_none() {
        return Err(Refusal::ShortLink(raw.to_string()));
    }
    Ok(Citation::new(parsed.platform, Kind::Link, "url")
        .with_url(raw, &parsed)
        .finish())
}

/// The claim a post makes, for people reading a review: the post's text
/// without its urgency label and the separators after it, on one line.
pub fn claim_text(rules: &Rules, post_text: &str) -> String {
    let body = rules.find(post_text).map_or(post_text, |f| f.rest);
    body.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` in at most `max` characters: cut at the last space that fits, with
/// `…` appended (counted in `max`); text without a space that fits (e.g.
/// Chinese or Japanese) is cut between characters.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max || max == 0 {
        return text.chars().take(max).collect();
    }
    // Room for the ellipsis.
    let keep = max - 1;
    let cut = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let head = &text[..cut];
    // A space just after the kept part means the last word is whole.
    let next_is_space = text[cut..].starts_with(char::is_whitespace);
    let at_word = if next_is_space {
        head
    } else {
        head.rfind(char::is_whitespace).map_or(head, |i| &head[..i])
    };
    let trimmed = at_word.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '.' | ',' | ';' | ':' | '-' | '–' | '—' | '(')
    });
    let base = if trimmed.is_empty() { head } else { trimmed };
    format!("{base}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Platform;

    #[test]
    fn statuses_parse_and_print() {
        for st in Status::ALL {
            assert_eq!(st.as_str().parse::<Status>(), Ok(st));
            assert_eq!(st.to_string(), st.as_str());
        }
        assert_eq!("In-Progress".parse(), Ok(Status::InProgress));
        assert_eq!("in progress".parse(), Ok(Status::InProgress));
        let err = "done".parse::<Status>().unwrap_err();
        assert!(
            err.contains("\"done\"") && err.contains("in_progress"),
            "{err}"
        );
    }

    /// Every ordered pair of statuses, with and without a note.
    #[test]
    fn every_transition() {
        for from in Status::ALL {
            for to in Status::ALL {
                let with_note = check_status_change(7, from, to, Some("new evidence"));
                let without = check_status_change(7, from, to, None);
                let blank = check_status_change(7, from, to, Some("  "));
                if from == to {
                    let same = Err(Refusal::SameStatus {
                        claim: 7,
                        status: from,
                    });
                    assert_eq!(with_note, same, "{from} -> {to}");
                    assert_eq!(without, same, "{from} -> {to}");
                } else if from.is_verdict() {
                    assert_eq!(with_note, Ok(()), "{from} -> {to}");
                    let need = Err(Refusal::NoteRequired { claim: 7, from, to });
                    assert_eq!(without, need, "{from} -> {to}");
                    assert_eq!(blank, need, "{from} -> {to}");
                } else {
                    assert_eq!(with_note, Ok(()), "{from} -> {to}");
                    assert_eq!(without, Ok(()), "{from} -> {to}");
                }
            }
        }
    }

    #[test]
    fn refusals_say_what_to_do() {
        let e = check_status_change(3, Status::Verified, Status::False, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "claim 3 was decided verified; changing a decision to false needs a note saying why (--note TEXT)"
        );
        let e = check_status_change(3, Status::Unstarted, Status::Unstarted, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "claim 3 is already unstarted; nothing was changed"
        );
        assert!(Refusal::UnknownClaim(9).to_string().contains("no claim 9"));
    }

    #[test]
    fn verdicts_and_ratings() {
        let rated: Vec<_> = Status::ALL
            .into_iter()
            .filter_map(|s| s.rating().map(|r| (s, r.value, r.name)))
            .collect();
        assert_eq!(
            rated,
            [
                (Status::Inconclusive, 3, "Inconclusive"),
                (Status::Verified, 5, "Verified"),
                (Status::False, 1, "False"),
            ]
        );
        for s in Status::ALL {
            assert_eq!(s.is_verdict(), s.rating().is_some());
        }
    }

    #[test]
    fn assignments() {
        assert_eq!(check_assignment(1, None, Some("ana")), Ok(()));
        assert_eq!(check_assignment(1, Some("bo"), Some("ana")), Ok(()));
        assert_eq!(check_assignment(1, Some("bo"), None), Ok(()));
        assert_eq!(
            check_assignment(1, None, None),
            Err(Refusal::NotAssigned { claim: 1 })
        );
        assert_eq!(
            check_assignment(1, Some("ana"), Some("ana")),
            Err(Refusal::AlreadyAssigned {
                claim: 1,
                name: "ana".into()
            })
        );
    }

    #[test]
    fn people_and_texts() {
        assert_eq!(person("  Ana Li ", "the name"), Ok("Ana Li".into()));
        assert!(matches!(
            person(" ", "the name"),
            Err(Refusal::Empty { .. })
        ));
        assert_eq!(person("Embarc", "the name"), Err(Refusal::ReservedActor));
        assert_eq!(text(" why \n", "the note"), Ok("why".into()));
        let e = text("\n", "the note").unwrap_err();
        assert!(e.to_string().starts_with("the note is empty"), "{e}");
    }

    #[test]
    fn times() {
        let t = |s| parse_time(s).map(|t| t.to_rfc3339());
        assert_eq!(t("2025-03-01"), Some("2025-03-01T00:00:00+00:00".into()));
        assert_eq!(
            t("2025-03-01T12:30:00+02:00"),
            Some("2025-03-01T10:30:00+00:00".into())
        );
        assert_eq!(
            t(" 2025-03-01T12:30:00.5Z "),
            Some("2025-03-01T12:30:00.500+00:00".into())
        );
        assert_eq!(t("yesterday"), None);
        assert_eq!(t("2025-02-30"), None);
    }

    #[test]
    fn posts_from_urls() {
        let c = post_from_url("https://twitter.com/Visegrad24/status/1848631530214654141?s=20")
            .unwrap();
        assert_eq!(c.platform, Platform::X);
        assert_eq!(c.post_id.as_deref(), Some("1848631530214654141"));
        assert_eq!(
            c.post_url.as_deref(),
            Some("https://x.com/Visegrad24/status/1848631530214654141")
        );
        assert_eq!(c.url_handle.as_deref(), Some("Visegrad24"));
        // The time the Snowflake id encodes.
        assert_eq!(c.date.map(|d| d.to_string()).as_deref(), Some("2024-10-22"));
        assert!(c.text.is_none() && c.labels.is_empty());

        let e = post_from_url("https://x.com/visegrad24").unwrap_err();
        assert!(matches!(e, Refusal::NotAPostUrl(_)), "{e}");
        let e = post_from_url("not a url").unwrap_err();
        assert!(e.to_string().contains("\"not a url\""), "{e}");
        let e = post_from_url("https://vm.tiktok.com/ZMabc123/").unwrap_err();
        assert!(matches!(e, Refusal::ShortLink(_)), "{e}");
    }

    #[test]
    fn claim_text_drops_the_label_and_joins_lines() {
        let rules = Rules::default();
        assert_eq!(
            claim_text(
                &rules,
                "🚨 BREAKING:\nSouth Korea is considering\n to send troops"
            ),
            "South Korea is considering to send troops"
        );
        assert_eq!(claim_text(&rules, "No label here"), "No label here");
        let custom = Rules::default()
            .with_extra([("alerta", "BREAKING")])
            .unwrap();
        assert_eq!(claim_text(&custom, "ALERTA: sismo"), "sismo");
    }

    #[test]
    fn shorten_at_a_word_boundary() {
        assert_eq!(shorten("short enough", 75), "short enough");
        let s = "The dam upstream of the town failed overnight and the river rose two metres above the quay";
        let out = shorten(s, 75);
        assert_eq!(
            out,
            "The dam upstream of the town failed overnight and the river rose two…"
        );
        assert!(out.chars().count() <= 75);
        // Exactly at the limit: unchanged.
        let exact: String = "a".repeat(75);
        assert_eq!(shorten(&exact, 75), exact);
        // A word ending right at the cut is kept whole.
        assert_eq!(shorten("abc def ghi", 8), "abc def…");
        // Separators before the cut are not left dangling.
        assert_eq!(shorten("one, two - three four", 12), "one, two…");
    }

    #[test]
    fn shorten_multibyte_text() {
        let ru = "Срочно сообщают, что в центре города произошёл мощный взрыв, есть пострадавшие и разрушения";
        let out = shorten(ru, 75);
        assert!(out.chars().count() <= 75, "{out}");
        assert!(out.ends_with('…'));
        let body = out.trim_end_matches('…');
        assert!(ru.starts_with(body));
        // Cut at a space: the next character in the original is a space.
        assert!(ru[body.len()..].starts_with(' '), "{out}");

        // No spaces at all (Japanese): cut between characters.
        let ja = "東京都内で大規模な停電が発生し、多くの地域で電気が使えない状態が続いています。"
            .repeat(3);
        let out = shorten(&ja, 75);
        assert_eq!(out.chars().count(), 75);
        assert!(ja.starts_with(out.trim_end_matches('…')));

        // Emoji and accented letters count as one character each.
        let em = format!("{} fin", "🇺🇦 é ".repeat(20));
        let out = shorten(&em, 75);
        assert!(out.chars().count() <= 75, "{out}");
        assert!(em.starts_with(out.trim_end_matches('…')));
    }
}

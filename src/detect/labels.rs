//! Urgency labels (BREAKING, JUST IN, ...) that make a post an unverified claim.
//!
//! A label counts only at the very start of the post, after any emoji,
//! symbols or punctuation. Written in capitals it needs only a word boundary
//! after it (`BREAKING South Korea ...`); written in any other case it must be
//! followed by a separator such as `:`, `!`, `|`, a dash, an emoji or the end
//! of the line, so that prose like "Breaking the record ..." or "Just in time
//! ..." is not taken for a label.

/// A label word or phrase and the canonical label it stands for.
struct Rule {
    phrase: &'static str,
    label: &'static str,
}

/// Longest phrases first so `BREAKING NEWS` wins over `BREAKING`.
const RULES: &[Rule] = &[
    Rule {
        phrase: "breaking news",
        label: "BREAKING",
    },
    Rule {
        phrase: "breaking",
        label: "BREAKING",
    },
    Rule {
        phrase: "just in",
        label: "JUST IN",
    },
    Rule {
        phrase: "developing",
        label: "DEVELOPING",
    },
    Rule {
        phrase: "urgente",
        label: "URGENT",
    },
    Rule {
        phrase: "urgent",
        label: "URGENT",
    },
    Rule {
        phrase: "eilmeldung",
        label: "BREAKING",
    },
    Rule {
        phrase: "última hora",
        label: "BREAKING",
    },
    Rule {
        phrase: "ultima hora",
        label: "BREAKING",
    },
    Rule {
        phrase: "срочно",
        label: "BREAKING",
    },
    Rule {
        phrase: "速報",
        label: "BREAKING",
    },
];

/// The labels a post's text opens with (at most one today; a list so that
/// configurable rules can add more).
pub fn labels(text: &str) -> Vec<String> {
    let start = text.trim_start_matches(|c: char| !c.is_alphanumeric());
    for rule in RULES {
        let Some(after) = strip_prefix_ci(start, rule.phrase) else {
            continue;
        };
        let shown = &start[..start.len() - after.len()];
        let capitals = shown.chars().all(|c| !c.is_lowercase());
        let next = after.chars().next();
        let word_ends = next.is_none_or(|c| !c.is_alphanumeric());
        let separated = match next {
            None => true,
            Some(c) => {
                c == '\n' || (!c.is_alphanumeric() && !c.is_whitespace()) || {
                    // "Breaking -", "Breaking |", "Breaking 🚨": look past spaces.
                    let rest = after.trim_start_matches([' ', '\t']);
                    rest.chars().next().is_none_or(|c| {
                        c == '\n' || (!c.is_alphanumeric() && c != '"' && c != '\'')
                    })
                }
            }
        };
        // CJK labels have no word boundary to test.
        let cjk = !rule.phrase.is_ascii() && rule.phrase.chars().all(|c| c as u32 > 0x2E80);
        if (capitals && (word_ends || cjk)) || separated {
            return vec![rule.label.to_string()];
        }
        return Vec::new();
    }
    Vec::new()
}

/// `s` without a case-insensitive `prefix` (Unicode lowercase comparison).
fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let mut rest = s;
    for want in prefix.chars() {
        let mut chars = rest.chars();
        let got = chars.next()?;
        let same = got == want || got.to_lowercase().eq(want.to_lowercase());
        if !same {
            return None;
        }
        rest = chars.as_str();
    }
    Some(rest)
}

#[cfg(test)]
mod tests {
    use super::labels;

    fn l(s: &str) -> Vec<String> {
        labels(s)
    }

    #[test]
    fn opening_labels_in_capitals() {
        assert_eq!(l("BREAKING:\nSouth Korea is considering"), ["BREAKING"]);
        assert_eq!(l("BREAKING South Korea"), ["BREAKING"]);
        assert_eq!(l("BREAKING NEWS: it happened"), ["BREAKING"]);
        assert_eq!(l("JUST IN: Pres.-elect Trump"), ["JUST IN"]);
        assert_eq!(l("DEVELOPING - story"), ["DEVELOPING"]);
        assert_eq!(l("URGENT"), ["URGENT"]);
    }

    #[test]
    fn after_emoji_and_punctuation() {
        assert_eq!(l("🚨 BREAKING: x"), ["BREAKING"]);
        assert_eq!(l("🔴🔴 #BREAKING x"), ["BREAKING"]);
        assert_eq!(l("  ⚡️ Just in: news"), ["JUST IN"]);
        assert_eq!(l("*** Breaking *** news"), ["BREAKING"]);
    }

    #[test]
    fn any_case_with_a_separator() {
        assert_eq!(l("Breaking: the dam failed"), ["BREAKING"]);
        assert_eq!(l("breaking — the dam failed"), ["BREAKING"]);
        assert_eq!(l("Urgent!"), ["URGENT"]);
    }

    #[test]
    fn prose_is_not_a_label() {
        assert!(l("Breaking the record, she ran").is_empty());
        assert!(l("Just in time for the holidays").is_empty());
        assert!(l("She is breaking the record").is_empty());
        assert!(l("Developing countries need aid").is_empty());
        assert!(l("BREAKINGS are rare").is_empty());
        assert!(l("HYDROXYCHLOROQUINE works?").is_empty());
        assert!(l("⚠️ #COVIDー19 | Breaking down the numbers").is_empty());
        assert!(l("").is_empty());
    }

    #[test]
    fn other_languages() {
        assert_eq!(l("EILMELDUNG: Zug entgleist"), ["BREAKING"]);
        assert_eq!(l("ÚLTIMA HORA: sismo"), ["BREAKING"]);
        assert_eq!(l("URGENTE: lluvias"), ["URGENT"]);
        assert_eq!(l("СРОЧНО: взрыв"), ["BREAKING"]);
        assert_eq!(l("【速報】地震"), ["BREAKING"]);
    }
}

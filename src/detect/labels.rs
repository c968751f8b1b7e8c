//! Urgency labels (BREAKING, JUST IN, ...) that make a post an unverified claim.
//!
//! A label counts only at the very start of the post, after any emoji,
//! symbols or punctuation. Written in capitals it needs only a word boundary
//! after it (`BREAKING South Korea ...`); written in any other case it must be
//! followed by a separator such as `:`, `!`, `|`, a dash, an emoji or the end
//! of the line, so that prose like "Breaking the record ..." or "Just in time
//! ..." is not taken for a label.
//!
//! The phrases are a value, [`Rules`]: [`Rules::default`] holds the defaults
//! (docs/platforms.md §7) that [`labels`] applies during detection; an archive's
//! `embarc.toml` can add phrases and turn defaults off, and the caller applies
//! the resulting rules to what detection found.

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

/// A phrase that cannot become a label rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error(
        "label phrase {0:?} must start with a letter or digit (emoji and punctuation before a label are skipped anyway)"
    )]
    BadPhrase(String),
    #[error("label phrase {0:?} needs a label to stand for, e.g. \"BREAKING\"")]
    EmptyLabel(String),
    #[error("cannot disable {0:?}: it is not a default label phrase (the defaults are {1})")]
    NotADefault(String, String),
}

/// A set of label phrases: the defaults, plus or minus an archive's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// (phrase in lowercase, canonical label), longest phrase first.
    rules: Vec<(String, String)>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            rules: RULES
                .iter()
                .map(|r| (r.phrase.to_string(), r.label.to_string()))
                .collect(),
        }
    }
}

/// Where a label was found at the start of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found<'t> {
    /// The canonical label.
    pub label: String,
    /// The text after the label and the separators that follow it.
    pub rest: &'t str,
}

impl Rules {
    /// Label detected citations with these rules (detection applies the
    /// defaults; an archive may configure others).
    pub fn apply(&self, mut citations: Vec<super::Citation>) -> Vec<super::Citation> {
        for c in &mut citations {
            if let Some(text) = &c.text {
                c.labels = self.labels(text);
            }
        }
        citations
    }

    /// Turn off default phrases (each must be one of the defaults).
    pub fn without<S: AsRef<str>>(mut self, phrases: &[S]) -> Result<Rules, RuleError> {
        for phrase in phrases {
            let want = phrase.as_ref().trim().to_lowercase();
            if !RULES.iter().any(|r| r.phrase == want) {
                let defaults: Vec<String> =
                    RULES.iter().map(|r| format!("{:?}", r.phrase)).collect();
                return Err(RuleError::NotADefault(
                    phrase.as_ref().to_string(),
                    defaults.join(", "),
                ));
            }
            self.rules.retain(|(p, _)| *p != want);
        }
        Ok(self)
    }

    /// Add phrases, each with the canonical label it stands for (written in
    /// capitals). A phrase that is already a rule takes its new label.
    pub fn with_extra<P: AsRef<str>, L: AsRef<str>>(
        mut self,
        extra: impl IntoIterator<Item = (P, L)>,
    ) -> Result<Rules, RuleError> {
        for (phrase, label) in extra {
            let phrase = phrase.as_ref().trim();
            if !phrase.chars().next().is_some_and(char::is_alphanumeric) {
                return Err(RuleError::BadPhrase(phrase.to_string()));
            }
            let label = label.as_ref().trim();
            if label.is_empty() {
                return Err(RuleError::EmptyLabel(phrase.to_string()));
            }
            let phrase = phrase.to_lowercase();
            self.rules.retain(|(p, _)| *p != phrase);
            self.rules.push((phrase, label.to_uppercase()));
        }
        // Longest first, so a phrase wins over any shorter phrase it starts with.
        self.rules
            .sort_by_key(|(p, _)| std::cmp::Reverse(p.chars().count()));
        Ok(self)
    }

    /// The labels a post's text opens with (at most one: the longest phrase
    /// that matches).
    pub fn labels(&self, text: &str) -> Vec<String> {
        self.find(text).map(|f| f.label).into_iter().collect()
    }

    /// The label a text opens with, and the text after it.
    pub fn find<'t>(&self, text: &'t str) -> Option<Found<'t>> {
        find(
            self.rules.iter().map(|(p, l)| (p.as_str(), l.as_str())),
            text,
        )
    }
}

/// The labels a post's text opens with, by the default rules (at most one
/// today; a list so that configurable rules can add more).
pub fn labels(text: &str) -> Vec<String> {
    find(RULES.iter().map(|r| (r.phrase, r.label)), text)
        .map(|f| f.label)
        .into_iter()
        .collect()
}

/// The first of `rules` (phrase, label) that `text` opens with. A phrase that
/// starts the text but fails its boundary test lets the next one try.
fn find<'r, 't>(
    rules: impl IntoIterator<Item = (&'r str, &'r str)>,
    text: &'t str,
) -> Option<Found<'t>> {
    let start = text.trim_start_matches(|c: char| !c.is_alphanumeric());
    for (phrase, label) in rules {
        let Some(after) = strip_prefix_ci(start, phrase) else {
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
        let cjk = !phrase.is_ascii() && phrase.chars().all(|c| c as u32 > 0x2E80);
        if (capitals && (word_ends || cjk)) || separated {
            // Separators after the label: punctuation, emoji, spaces; not the
            // quotes, brackets, hashtags or mentions that open the claim.
            let rest = after
                .trim_start_matches(|c: char| !c.is_alphanumeric() && !"\"'“‘«„(#@$".contains(c));
            return Some(Found {
                label: label.to_string(),
                rest,
            });
        }
    }
    None
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
    use super::{RuleError, Rules, labels};

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

    #[test]
    fn default_rules_value_matches_the_function() {
        let rules = Rules::default();
        for s in [
            "BREAKING: x",
            "Just in: y",
            "Breaking the record",
            "速報 地震",
            "",
        ] {
            assert_eq!(rules.labels(s), l(s), "{s:?}");
        }
    }

    #[test]
    fn extra_phrases_map_to_their_label() {
        let rules = Rules::default()
            .with_extra([
                ("Alerta", "breaking"),
                ("eilt", "BREAKING"),
                ("flash info", "FLASH"),
            ])
            .unwrap();
        assert_eq!(rules.labels("ALERTA: sismo en la costa"), ["BREAKING"]);
        assert_eq!(rules.labels("🚨 Eilt: Zug entgleist"), ["BREAKING"]);
        assert_eq!(rules.labels("FLASH INFO le pont est fermé"), ["FLASH"]);
        // The same boundary rules hold for extra phrases.
        assert!(rules.labels("Alertas de tráfico hoy").is_empty());
        assert!(rules.labels("Eilt sich nicht").is_empty());
        // Defaults still apply.
        assert_eq!(rules.labels("BREAKING: x"), ["BREAKING"]);
        // The detection default is untouched.
        assert!(l("ALERTA: sismo").is_empty());
    }

    #[test]
    fn a_longer_extra_phrase_wins_and_a_shorter_one_still_applies() {
        let rules = Rules::default()
            .with_extra([("breaking news alert", "ALERT")])
            .unwrap();
        assert_eq!(rules.labels("BREAKING NEWS ALERT: x"), ["ALERT"]);
        assert_eq!(rules.labels("BREAKING NEWS: x"), ["BREAKING"]);
        // A phrase that starts the text but fails its boundary test lets
        // shorter phrases try: "BREAKING" alone is a label here.
        assert_eq!(rules.labels("BREAKING NEWSROOM cuts jobs"), ["BREAKING"]);
    }

    #[test]
    fn extra_phrase_replaces_a_default_mapping() {
        let rules = Rules::default()
            .with_extra([("URGENTE", "BREAKING")])
            .unwrap();
        assert_eq!(rules.labels("URGENTE: lluvias"), ["BREAKING"]);
        assert_eq!(rules.labels("URGENT: rain"), ["URGENT"]);
    }

    #[test]
    fn defaults_can_be_disabled() {
        let rules = Rules::default()
            .without(&["developing", "Just In"])
            .unwrap();
        assert!(rules.labels("DEVELOPING: story").is_empty());
        assert!(rules.labels("JUST IN: news").is_empty());
        assert_eq!(rules.labels("BREAKING: x"), ["BREAKING"]);
    }

    #[test]
    fn bad_settings_are_named() {
        let err = Rules::default().without(&["breakin"]).unwrap_err();
        assert!(err.to_string().contains("\"breakin\""), "{err}");
        assert!(err.to_string().contains("\"developing\""), "{err}");
        let err = Rules::default()
            .with_extra([("🚨", "BREAKING")])
            .unwrap_err();
        assert_eq!(err, RuleError::BadPhrase("🚨".into()));
        let err = Rules::default().with_extra([("alerta", " ")]).unwrap_err();
        assert_eq!(err, RuleError::EmptyLabel("alerta".into()));
    }

    #[test]
    fn found_gives_the_text_after_the_label() {
        let rules = Rules::default();
        let f = rules.find("🚨 BREAKING NEWS: 🔴 The dam failed").unwrap();
        assert_eq!((f.label.as_str(), f.rest), ("BREAKING", "The dam failed"));
        let f = rules.find("JUST IN — \"We won\", says mayor").unwrap();
        assert_eq!(f.rest, "\"We won\", says mayor");
        let f = rules.find("СРОЧНО: #Москва взрыв").unwrap();
        assert_eq!(f.rest, "#Москва взрыв");
        assert!(rules.find("Nothing urgent here").is_none());
    }
}

//! The vocabulary of a check: what embarc concluded about a post or an
//! article, and the answer of one endpoint that led there.

use serde::Serialize;

/// The conclusion of one check: a state and, except for `alive`, a reason.
/// Each reason belongs to exactly one state, so the pair cannot disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Alive,
    // gone
    Deleted,
    AccountSuspended,
    AccountDeleted,
    NotFound,
    // restricted
    Protected,
    Private,
    AgeRestricted,
    LoginRequired,
    Withheld,
    // unknown
    RateLimited,
    NetworkError,
    Ambiguous,
    Unsupported,
    /// Not asked: the network policy refused the endpoint's address.
    Blocked,
}

/// The four states a target can be in; stored and shown by [`State::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Alive,
    Gone,
    Restricted,
    Unknown,
}

impl State {
    pub const ALL: [State; 4] = [State::Alive, State::Gone, State::Restricted, State::Unknown];

    /// `alive`, `gone`, `restricted` or `unknown`.
    pub fn name(self) -> &'static str {
        match self {
            State::Alive => "alive",
            State::Gone => "gone",
            State::Restricted => "restricted",
            State::Unknown => "unknown",
        }
    }

    /// The state a stored name names; `None` for one that is not a state.
    pub fn from_name(name: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 15] = [
        Outcome::Alive,
        Outcome::Deleted,
        Outcome::AccountSuspended,
        Outcome::AccountDeleted,
        Outcome::NotFound,
        Outcome::Protected,
        Outcome::Private,
        Outcome::AgeRestricted,
        Outcome::LoginRequired,
        Outcome::Withheld,
        Outcome::RateLimited,
        Outcome::NetworkError,
        Outcome::Ambiguous,
        Outcome::Unsupported,
        Outcome::Blocked,
    ];

    /// The outcome a stored state and reason name (`gone`, `deleted`);
    /// `None` for a pair that is not one.
    pub fn from_parts(state: &str, reason: Option<&str>) -> Option<Outcome> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.state().name() == state && o.reason() == reason)
    }

    /// The state the outcome is a reason within.
    pub fn state(self) -> State {
        use Outcome::*;
        match self {
            Alive => State::Alive,
            Deleted | AccountSuspended | AccountDeleted | NotFound => State::Gone,
            Protected | Private | AgeRestricted | LoginRequired | Withheld => State::Restricted,
            RateLimited | NetworkError | Ambiguous | Unsupported | Blocked => State::Unknown,
        }
    }

    /// The reason within the state; `None` for `alive`.
    pub fn reason(self) -> Option<&'static str> {
        use Outcome::*;
        Some(match self {
            Alive => return None,
            Deleted => "deleted",
            AccountSuspended => "account_suspended",
            AccountDeleted => "account_deleted",
            NotFound => "not_found",
            Protected => "protected",
            Private => "private",
            AgeRestricted => "age_restricted",
            LoginRequired => "login_required",
            Withheld => "withheld",
            RateLimited => "rate_limited",
            NetworkError => "network_error",
            Ambiguous => "ambiguous",
            Unsupported => "unsupported",
            Blocked => "blocked",
        })
    }

    pub fn is_gone(self) -> bool {
        self.state() == State::Gone
    }

    pub fn is_unknown(self) -> bool {
        self.state() == State::Unknown
    }

    /// `gone (deleted)`, `alive`: for people.
    pub fn label(self) -> String {
        match self.reason() {
            Some(r) => format!("{} ({r})", self.state()),
            None => self.state().to_string(),
        }
    }

    /// Serialize as the two stored fields, `state` and `reason`: for rows
    /// that flatten an outcome (`#[serde(flatten, serialize_with = ...)]`).
    pub fn serialize_parts<S: serde::Serializer>(o: &Outcome, s: S) -> Result<S::Ok, S::Error> {
        Outcome::serialize_maybe(&Some(*o), s)
    }

    /// As [`Outcome::serialize_parts`], both fields null for `None`.
    pub fn serialize_maybe<S: serde::Serializer>(
        o: &Option<Outcome>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Outcome", 2)?;
        st.serialize_field("state", &o.map(Outcome::state))?;
        st.serialize_field("reason", &o.and_then(Outcome::reason))?;
        st.end()
    }
}

/// What a post's endpoint showed of it, kept as a snapshot (never for Meta,
/// whose terms forbid keeping oEmbed content).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Content {
    /// The endpoint's name, stored as the snapshot's `source`.
    pub source: &'static str,
    pub text: Option<String>,
    pub author_name: Option<String>,
    pub handle: Option<String>,
    /// RFC 3339 when the endpoint says when the post was made.
    pub posted_at: Option<String>,
    pub lang: Option<String>,
    /// The endpoint's answer as received (JSON or HTML), when small enough.
    pub raw: Option<String>,
}

/// The result of checking one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub outcome: Outcome,
    /// The HTTP status of the answer that decided, if there was one.
    pub http_status: Option<u16>,
    /// What each endpoint answered, in short.
    pub evidence: String,
    /// The endpoints asked, `+`-joined (`x_syndication+x_oembed`).
    pub endpoint: String,
    /// The post as the endpoint returned it.
    pub content: Option<Content>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_belongs_to_one_state() {
        use Outcome::*;
        let all = [
            Alive,
            Deleted,
            AccountSuspended,
            AccountDeleted,
            NotFound,
            Protected,
            Private,
            AgeRestricted,
            LoginRequired,
            Withheld,
            RateLimited,
            NetworkError,
            Ambiguous,
            Unsupported,
            Blocked,
        ];
        let by_state = |s: &str| {
            all.iter()
                .filter(|o| o.state().name() == s)
                .filter_map(|o| o.reason())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            by_state("gone"),
            [
                "deleted",
                "account_suspended",
                "account_deleted",
                "not_found"
            ]
        );
        assert_eq!(
            by_state("restricted"),
            [
                "protected",
                "private",
                "age_restricted",
                "login_required",
                "withheld"
            ]
        );
        assert_eq!(
            by_state("unknown"),
            [
                "rate_limited",
                "network_error",
                "ambiguous",
                "unsupported",
                "blocked"
            ]
        );
        assert_eq!(Alive.reason(), None);
        assert_eq!(Deleted.label(), "gone (deleted)");
        for st in State::ALL {
            assert_eq!(State::from_name(st.name()), Some(st));
            assert_eq!(serde_json::to_value(st).unwrap(), st.name());
        }
        assert_eq!(State::from_name("dead"), None);
        assert_eq!(Outcome::from_parts("gone", Some("deleted")), Some(Deleted));
        assert_eq!(Outcome::from_parts("alive", Some("deleted")), None);
    }
}

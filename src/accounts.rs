//! Accounts for the web desk and the API: roles, password hashing, random
//! tokens and login throttling rules. No SQL and no I/O besides the
//! operating system's random numbers (the store keeps the rows).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// What an account may do; each role may do everything the one before may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads the queue, claims, posts, articles, the report and exports.
    Viewer,
    /// Also changes claims (status, assignee, notes) and queues posts.
    Checker,
    /// Also manages users and tokens.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Checker, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Checker => "checker",
            Role::Admin => "admin",
        }
    }

    /// True when this role may do what `needed` may.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        let norm = s.trim().to_lowercase();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == norm)
            .ok_or_else(|| format!("unknown role {s:?}; use viewer, checker or admin"))
    }
}

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD: usize = 8;

/// A user or token name: 1-64 letters, digits, `.`, `_`, `-` or `@`, so it
/// reads the same in events, URLs and shells.
pub fn check_name(name: &str, what: &str) -> Result<String, String> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !ok {
        return Err(format!(
            "{name:?} is not a valid {what} name: use 1 to 64 letters, digits, '.', '_', '-' or '@'"
        ));
    }
    if name.eq_ignore_ascii_case(crate::queue::SYSTEM_ACTOR) {
        return Err(format!(
            "{name:?} is the name of embarc's own events; choose another {what} name"
        ));
    }
    Ok(name.to_string())
}

/// Hash a password for storage (argon2id, random salt, PHC string).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    if password.chars().count() < MIN_PASSWORD {
        anyhow::bail!("the password is too short: use at least {MIN_PASSWORD} characters");
    }
    let salt = SaltString::encode_b64(&random_bytes::<16>()?)
        .map_err(|e| anyhow::anyhow!("cannot make a salt: {e}"))?;
    let hash = argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?;
    Ok(hash.to_string())
}

/// True when `password` matches the stored hash (false for a broken hash).
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash to verify against when the account does not exist, so an unknown
/// name costs as much time as a wrong password.
pub fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2wNvpjSo2q7v0vbDYyxeTTvQGq1cKyIPyImhnNDjYSY"
}

/// `N` bytes from the operating system's random source.
pub fn random_bytes<const N: usize>() -> anyhow::Result<[u8; N]> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf)
        .map_err(|e| anyhow::anyhow!("the operating system's random source failed: {e}"))?;
    Ok(buf)
}

/// A new secret token (session cookie, CSRF or API token): 32 random bytes
/// as hex.
pub fn new_token() -> anyhow::Result<String> {
    Ok(hex::encode(random_bytes::<32>()?))
}

/// API tokens start with this, so a leaked one is recognisable.
pub const API_TOKEN_PREFIX: &str = "embarc_";

/// What the store keeps of a token: its SHA-256 (tokens are random and long,
/// so a fast hash is enough).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compare secrets without stopping at the first difference.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Login throttling: how failures within [`Throttle::WINDOW`] slow down and
/// then refuse sign-ins, per account and per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    /// Answer now.
    Allow,
    /// Answer after this pause (recent failures).
    Delay(Duration),
    /// Refuse without checking the password until failures age out.
    Refuse,
}

impl Throttle {
    /// Failures older than this are forgotten.
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);
    /// Failures of one account before it is refused for the window.
    pub const ACCOUNT_LIMIT: u32 = 5;
    /// Failures from one address (any account) before it is refused.
    pub const ADDRESS_LIMIT: u32 = 20;

    /// The decision for an attempt, given the recent failures of the account
    /// and of the address.
    pub fn decide(account_failures: u32, address_failures: u32) -> Throttle {
        if account_failures >= Self::ACCOUNT_LIMIT || address_failures >= Self::ADDRESS_LIMIT {
            return Throttle::Refuse;
        }
        let n = account_failures.max(address_failures / 4);
        match n {
            0 | 1 => Throttle::Allow,
            n => Throttle::Delay(Duration::from_millis(250 * u64::from(n - 1))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_order_and_parse() {
        assert!(Role::Admin.allows(Role::Checker));
        assert!(Role::Checker.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Checker));
        assert!(!Role::Checker.allows(Role::Admin));
        assert_eq!("Checker".parse::<Role>(), Ok(Role::Checker));
        assert!(
            "root"
                .parse::<Role>()
                .unwrap_err()
                .contains("viewer, checker or admin")
        );
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse!", &h));
        assert!(!verify_password("correct horse", "not a hash"));
        assert_ne!(h, hash_password("correct horse").unwrap(), "salted");
        assert!(hash_password("short").is_err());
        assert!(!verify_password("anything", dummy_hash()));
    }

    #[test]
    fn names() {
        assert_eq!(check_name(" ana ", "user").unwrap(), "ana");
        assert!(check_name("", "user").is_err());
        assert!(check_name("a b", "user").is_err());
        assert!(check_name("<x>", "user").is_err());
        assert!(check_name("Embarc", "user").is_err());
    }

    #[test]
    fn tokens_are_random_and_compared_whole() {
        assert_ne!(new_token().unwrap(), new_token().unwrap());
        assert_eq!(new_token().unwrap().len(), 64);
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert_eq!(token_hash("x"), token_hash("x"));
    }

    #[test]
    fn throttle_slows_then_refuses() {
        assert_eq!(Throttle::decide(0, 0), Throttle::Allow);
        assert_eq!(Throttle::decide(1, 1), Throttle::Allow);
        assert_eq!(
            Throttle::decide(3, 3),
            Throttle::Delay(Duration::from_millis(500))
        );
        assert_eq!(Throttle::decide(5, 5), Throttle::Refuse);
        assert_eq!(Throttle::decide(0, 20), Throttle::Refuse);
        assert_eq!(
            Throttle::decide(0, 12),
            Throttle::Delay(Duration::from_millis(500))
        );
    }
}

//! Typed SQL for accounts: users, browser sessions, API tokens and failed
//! sign-ins. Secrets arrive hashed ([`crate::accounts`] makes the hashes);
//! nothing here sees a password or a token.

use super::Result;
use super::{Store, format_time};
use crate::accounts::Role;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};
use serde::Serialize;

/// An account change the archive refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("there is no user {0:?} (`embarc user list` shows the users)")]
    UnknownUser(String),
    #[error("there is already a user {0:?}; change its password with `embarc user passwd {0}`")]
    UserExists(String),
    #[error("there is no token {0:?} (`embarc token list` shows the tokens)")]
    UnknownToken(String),
    #[error("there is already a token {0:?}; revoke it first or choose another name")]
    TokenExists(String),
}

/// A person who signs in to the web desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A signed-in browser: who, and the CSRF token its forms must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub csrf: String,
}

/// An API token (its secret is never kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub name: String,
    pub role: Role,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

/// A role as stored (its name); any other text is an error.
impl rusqlite::types::FromSql for Role {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        value
            .as_str()?
            .parse()
            .map_err(|e: String| rusqlite::types::FromSqlError::Other(e.into()))
    }
}

/// Reads the columns of [`USER_COLUMNS`].
fn user_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get("id")?,
        name: r.get("name")?,
        role: r.get("role")?,
        disabled: r.get("disabled")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

const USER_COLUMNS: &str = "u.id, u.name, u.role, u.disabled, u.created_at, u.updated_at";

impl Store {
    /// Add a user; refused when the name is taken (names ignore case).
    pub fn add_user(&self, name: &str, role: Role, password_hash: &str) -> Result<User> {
        let now = self.now();
        let added = self.write().execute(
            "INSERT OR IGNORE INTO users (name, role, password_hash, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![name, role.as_str(), password_hash, now],
        )?;
        if added == 0 {
            return Err(AccountError::UserExists(name.to_string()).into());
        }
        self.user(name)?
            .ok_or_else(|| AccountError::UnknownUser(name.to_string()).into())
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<User>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {USER_COLUMNS} FROM users u ORDER BY u.name COLLATE NOCASE"
        ))?;
        Ok(stmt
            .query_map([], user_row)?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// The user called `name` (ignoring case), disabled or not.
    pub fn user(&self, name: &str) -> Result<Option<User>> {
        Ok(self
            .read()?
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.name = ?1"),
                [name],
                user_row,
            )
            .optional()?)
    }

    /// The user and stored password hash for a sign-in attempt; `None` when
    /// there is no such user or it is disabled.
    pub fn login_user(&self, name: &str) -> Result<Option<(User, String)>> {
        Ok(self
            .read()?
            .query_row(
                &format!(
                    "SELECT {USER_COLUMNS}, u.password_hash FROM users u
                     WHERE u.name = ?1 AND u.disabled = 0"
                ),
                [name],
                |r| Ok((user_row(r)?, r.get(6)?)),
            )
            .optional()?)
    }

    /// Replace a user's password (enabling it again) and end its sessions.
    pub fn set_password(&self, name: &str, password_hash: &str) -> Result<()> {
        let now = self.now();
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE users SET password_hash = ?2, disabled = 0, updated_at = ?3 WHERE name = ?1",
            params![name, password_hash, now],
        )?;
        if changed == 0 {
            return Err(AccountError::UnknownUser(name.to_string()).into());
        }
        tx.execute(
            "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?1)",
            [name],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Disable a user: it can no longer sign in and its sessions end. Its
    /// events stay (they name it).
    pub fn disable_user(&self, name: &str) -> Result<()> {
        let now = self.now();
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE users SET disabled = 1, updated_at = ?2 WHERE name = ?1",
            params![name, now],
        )?;
        if changed == 0 {
            return Err(AccountError::UnknownUser(name.to_string()).into());
        }
        tx.execute(
            "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?1)",
            [name],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Start a session for `user` until `expires`.
    pub fn create_session(
        &self,
        user: i64,
        token_hash: &str,
        csrf: &str,
        expires: DateTime<Utc>,
    ) -> Result<()> {
        let now = self.now();
        let conn = self.write();
        conn.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_hash, user, csrf, now, format_time(expires)],
        )?;
        // Ended sessions are forgotten as new ones begin.
        conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?;
        Ok(())
    }

    /// The live session with this token hash, with its (enabled) user.
    pub fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        Ok(self
            .read()?
            .query_row(
                &format!(
                    "SELECT {USER_COLUMNS}, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
                     WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0"
                ),
                params![token_hash, self.now()],
                |r| {
                    Ok(Session {
                        user: user_row(r)?,
                        csrf: r.get(6)?,
                    })
                },
            )
            .optional()?)
    }

    /// End a session (signing out).
    pub fn end_session(&self, token_hash: &str) -> Result<()> {
        self.write()
            .execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
        Ok(())
    }

    /// Copy every account and API token, with their ids and hashes, into
    /// `into`: the private store that keeps sessions and sign-in failures
    /// for a server over a read-only archive.
    pub fn copy_accounts_into(&self, into: &Store) -> Result<()> {
        let from = self.read()?;
        let mut to = into.write();
        let tx = to.transaction()?;
        for (table, columns) in [
            (
                "users",
                "id, name, role, password_hash, disabled, created_at, updated_at",
            ),
            (
                "api_tokens",
                "id, name, role, token_hash, created_at, revoked_at, last_used_at",
            ),
        ] {
            let width = columns.split(',').count();
            let mut read = from.prepare(&format!("SELECT {columns} FROM {table}"))?;
            let marks = vec!["?"; width].join(", ");
            let mut write =
                tx.prepare(&format!("INSERT INTO {table} ({columns}) VALUES ({marks})"))?;
            let mut rows = read.query([])?;
            while let Some(row) = rows.next()? {
                let values = (0..width)
                    .map(|i| row.get::<_, rusqlite::types::Value>(i))
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                write.execute(rusqlite::params_from_iter(values))?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Add an API token; refused when the name is taken, even by a revoked one.
    pub fn add_token(&self, name: &str, role: Role, token_hash: &str) -> Result<ApiToken> {
        let now = self.now();
        let added = self.write().execute(
            "INSERT OR IGNORE INTO api_tokens (name, role, token_hash, created_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![name, role.as_str(), token_hash, now],
        )?;
        if added == 0 {
            return Err(AccountError::TokenExists(name.to_string()).into());
        }
        Ok(ApiToken {
            name: name.to_string(),
            role,
            created_at: now,
            revoked_at: None,
            last_used_at: None,
        })
    }

    /// Every API token, by name.
    pub fn tokens(&self) -> Result<Vec<ApiToken>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare(
            "SELECT name, role, created_at, revoked_at, last_used_at FROM api_tokens
             ORDER BY name COLLATE NOCASE",
        )?;
        Ok(stmt
            .query_map([], |r| {
                Ok(ApiToken {
                    name: r.get(0)?,
                    role: r.get(1)?,
                    created_at: r.get(2)?,
                    revoked_at: r.get(3)?,
                    last_used_at: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Revoke a token; revoking it twice changes nothing.
    pub fn revoke_token(&self, name: &str) -> Result<()> {
        let now = self.now();
        let found = self.write().execute(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?2) WHERE name = ?1",
            params![name, now],
        )?;
        if found == 0 {
            return Err(AccountError::UnknownToken(name.to_string()).into());
        }
        Ok(())
    }

    /// The live (not revoked) token with this hash: its name and role.
    pub fn token(&self, token_hash: &str) -> Result<Option<(String, Role)>> {
        Ok(self
            .read()?
            .query_row(
                "SELECT name, role FROM api_tokens WHERE token_hash = ?1 AND revoked_at IS NULL",
                [token_hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Record that the token with this hash was used now, unless that was
    /// recorded less than `every` ago: at most one write per token per
    /// `every`, however many requests it makes (a read decides, so a busy
    /// token costs no write lock). Whether it wrote.
    pub fn touch_token(&self, token_hash: &str, every: chrono::Duration) -> Result<bool> {
        let now = self.clock();
        let cutoff = format_time(now - every);
        let last: Option<Option<String>> = self
            .read()?
            .query_row(
                "SELECT last_used_at FROM api_tokens WHERE token_hash = ?1",
                [token_hash],
                |r| r.get(0),
            )
            .optional()?;
        match last {
            None => return Ok(false),
            Some(Some(at)) if at > cutoff => return Ok(false),
            Some(_) => {}
        }
        let n = self.write().execute(
            "UPDATE api_tokens SET last_used_at = ?2
             WHERE token_hash = ?1 AND (last_used_at IS NULL OR last_used_at <= ?3)",
            params![token_hash, format_time(now), cutoff],
        )?;
        Ok(n > 0)
    }

    /// Remember a failed sign-in of `username` from `address`.
    pub fn record_login_failure(&self, username: &str, address: &str) -> Result<()> {
        self.write().execute(
            "INSERT INTO login_failures (username, address, at) VALUES (?1, ?2, ?3)",
            params![username, address, self.now()],
        )?;
        Ok(())
    }

    /// Failed sign-ins since `since`: (of the account, from the address).
    /// Older failures are forgotten here.
    pub fn login_failures(
        &self,
        username: &str,
        address: &str,
        since: DateTime<Utc>,
    ) -> Result<(u32, u32)> {
        let since = format_time(since);
        let conn = self.write();
        conn.execute("DELETE FROM login_failures WHERE at < ?1", [&since])?;
        let count = |column: &str, value: &str| -> Result<u32> {
            Ok(conn.query_row(
                &format!("SELECT COUNT(*) FROM login_failures WHERE {column} = ?1 AND at >= ?2"),
                params![value, since],
                |r| r.get(0),
            )?)
        };
        Ok((count("username", username)?, count("address", address)?))
    }

    /// Forget an account's failures after it signs in.
    pub fn clear_login_failures(&self, username: &str) -> Result<()> {
        self.write()
            .execute("DELETE FROM login_failures WHERE username = ?1", [username])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn store() -> Store {
        Store::open_in_memory().unwrap()
    }

    #[test]
    fn users_add_list_passwd_disable() {
        let s = store();
        let ana = s.add_user("ana", Role::Checker, "h1").unwrap();
        assert_eq!(ana.role, Role::Checker);
        let err = s.add_user("ANA", Role::Admin, "h2").unwrap_err();
        assert!(
            matches!(&err, super::super::Error::Account(AccountError::UserExists(n)) if n == "ANA"),
            "{err:?}"
        );
        s.add_user("bo", Role::Viewer, "h3").unwrap();
        let names: Vec<_> = s.users().unwrap().into_iter().map(|u| u.name).collect();
        assert_eq!(names, ["ana", "bo"]);
        assert_eq!(s.login_user("Ana").unwrap().unwrap().1, "h1");

        let expires = s.clock() + Duration::hours(1);
        s.create_session(ana.id, "t1", "c1", expires).unwrap();
        assert_eq!(s.session("t1").unwrap().unwrap().csrf, "c1");
        s.set_password("ana", "h4").unwrap();
        assert!(s.session("t1").unwrap().is_none(), "passwd ends sessions");
        assert_eq!(s.login_user("ana").unwrap().unwrap().1, "h4");

        s.create_session(ana.id, "t2", "c2", expires).unwrap();
        s.disable_user("ana").unwrap();
        assert!(s.session("t2").unwrap().is_none(), "disable ends sessions");
        assert!(s.login_user("ana").unwrap().is_none());
        assert!(s.user("ana").unwrap().unwrap().disabled);
        assert!(s.disable_user("zed").is_err());
        assert!(s.set_password("zed", "h").is_err());
    }

    #[test]
    fn accounts_copied_into_a_private_store_sign_in_there() {
        let archive = store();
        let ana = archive.add_user("ana", Role::Checker, "hash-a").unwrap();
        archive.add_user("bo", Role::Viewer, "hash-b").unwrap();
        archive.disable_user("bo").unwrap();
        archive.add_token("ci", Role::Admin, "tok").unwrap();
        let private = Store::open_in_memory().unwrap();
        archive.copy_accounts_into(&private).unwrap();
        assert_eq!(private.users().unwrap(), archive.users().unwrap());
        let (user, hash) = private.login_user("ana").unwrap().unwrap();
        assert_eq!((user.id, hash.as_str()), (ana.id, "hash-a"));
        assert_eq!(
            private.token("tok").unwrap().map(|t| t.1),
            Some(Role::Admin)
        );
        let until = private.clock() + Duration::hours(1);
        private.create_session(ana.id, "s", "c", until).unwrap();
        assert_eq!(private.session("s").unwrap().unwrap().user.name, "ana");
        assert!(
            archive.session("s").unwrap().is_none(),
            "the archive is untouched"
        );
    }

    #[test]
    fn sessions_expire_and_end() {
        let s = store();
        let u = s.add_user("ana", Role::Viewer, "h").unwrap();
        let past = s.clock() - Duration::seconds(1);
        s.create_session(u.id, "old", "c", past).unwrap();
        assert!(s.session("old").unwrap().is_none());
        s.create_session(u.id, "new", "c", s.clock() + Duration::hours(1))
            .unwrap();
        assert!(s.session("new").unwrap().is_some());
        s.end_session("new").unwrap();
        assert!(s.session("new").unwrap().is_none());
    }

    #[test]
    fn tokens_add_revoke() {
        let s = store();
        s.add_token("bot", Role::Checker, "th").unwrap();
        assert!(s.add_token("BOT", Role::Viewer, "other").is_err());
        assert_eq!(s.token("th").unwrap(), Some(("bot".into(), Role::Checker)));
        s.revoke_token("bot").unwrap();
        s.revoke_token("bot").unwrap();
        assert_eq!(s.token("th").unwrap(), None);
        assert!(s.tokens().unwrap()[0].revoked_at.is_some());
        assert!(s.revoke_token("nobody").is_err());
    }

    #[test]
    fn token_use_is_recorded_at_most_once_per_interval() {
        let at = |t: &str| t.parse::<DateTime<Utc>>().unwrap();
        let s = Store::open_in_memory()
            .unwrap()
            .with_clock(at("2025-03-01T09:00:00Z"));
        s.add_token("bot", Role::Viewer, "th").unwrap();
        let every = chrono::Duration::seconds(60);
        let last = |s: &Store| s.tokens().unwrap()[0].last_used_at.clone();
        assert_eq!(last(&s), None);
        assert!(s.touch_token("th", every).unwrap());
        assert_eq!(last(&s).as_deref(), Some("2025-03-01T09:00:00.000Z"));
        // Within the minute: nothing written.
        let s = s.with_clock(at("2025-03-01T09:00:59Z"));
        assert!(!s.touch_token("th", every).unwrap());
        assert_eq!(last(&s).as_deref(), Some("2025-03-01T09:00:00.000Z"));
        let s = s.with_clock(at("2025-03-01T09:01:00Z"));
        assert!(s.touch_token("th", every).unwrap());
        assert_eq!(last(&s).as_deref(), Some("2025-03-01T09:01:00.000Z"));
        // Unknown tokens write nothing.
        assert!(!s.touch_token("other", every).unwrap());
    }

    #[test]
    fn login_failures_count_per_account_and_address() {
        let s = store();
        let start = s.clock() - Duration::minutes(1);
        s.record_login_failure("ana", "1.2.3.4").unwrap();
        s.record_login_failure("ana", "5.6.7.8").unwrap();
        s.record_login_failure("bo", "1.2.3.4").unwrap();
        assert_eq!(s.login_failures("ANA", "1.2.3.4", start).unwrap(), (2, 2));
        let later = s.clock() + Duration::minutes(1);
        assert_eq!(s.login_failures("ana", "1.2.3.4", later).unwrap(), (0, 0));
        s.record_login_failure("ana", "1.2.3.4").unwrap();
        s.clear_login_failures("ana").unwrap();
        assert_eq!(s.login_failures("ana", "x", start).unwrap(), (0, 0));
    }
}

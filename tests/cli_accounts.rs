//! `embarc user` and `embarc token` end to end: the binary on a real
//! SQLite archive in a temporary directory.

use embarc::accounts::{self, Role};
use embarc::store::Store;
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

struct Archive {
    tmp: tempfile::TempDir,
}

impl Archive {
    fn new() -> Archive {
        Archive {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn dir(&self) -> PathBuf {
        self.tmp.path().join("archive")
    }

    fn run_with(&self, stdin: &str, args: &[&str]) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_embarc"))
            .arg("--archive")
            .arg(self.dir())
            .args(args)
            .env_remove("EMBARC_ARCHIVE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A command refused before it reads stdin (a bad role) closes it
        // first: a broken pipe here is not the test's concern.
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        child.wait_with_output().unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with("", args)
    }

    fn store(&self) -> Store {
        Store::open(&self.dir().join("embarc.db")).unwrap()
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn user_add_list_passwd_disable() {
    let a = Archive::new();
    let o = a.run_with(
        "first password\n",
        &["user", "add", "ana", "--role", "admin", "--password-stdin"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("added admin ana"), "{}", stderr(&o));
    let (user, hash) = a.store().login_user("ana").unwrap().unwrap();
    assert_eq!(user.role, Role::Admin);
    assert!(hash.starts_with("$argon2id$"), "stored hashed: {hash}");
    assert!(!hash.contains("first password"));
    assert!(accounts::verify_password("first password", &hash));

    // The same name again, in any case, is refused and changes nothing.
    let o = a.run_with(
        "other password\n",
        &["user", "add", "ANA", "--role", "viewer", "--password-stdin"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already a user"), "{}", stderr(&o));

    let o = a.run_with(
        "viewer password\n",
        &["user", "add", "bo", "--role", "viewer", "--password-stdin"],
    );
    assert!(o.status.success(), "{}", stderr(&o));

    let o = a.run(&["user", "list", "--json"]);
    assert!(o.status.success());
    let users: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let users = users.as_array().unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(users[0]["name"], "ana");
    assert_eq!(users[0]["role"], "admin");
    assert_eq!(users[1]["name"], "bo");
    assert_eq!(users[1]["disabled"], false);
    assert!(!stdout(&o).contains("argon2"), "hashes are never listed");

    let o = a.run(&["user", "list"]);
    assert!(stdout(&o).contains("bo  viewer"), "{}", stdout(&o));

    let o = a.run_with(
        "second password\n",
        &["user", "passwd", "ana", "--password-stdin"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, hash) = a.store().login_user("ana").unwrap().unwrap();
    assert!(accounts::verify_password("second password", &hash));
    assert!(!accounts::verify_password("first password", &hash));

    let o = a.run(&["user", "disable", "bo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(a.store().login_user("bo").unwrap().is_none());
    let o = a.run(&["user", "list"]);
    assert!(stdout(&o).contains("disabled"), "{}", stdout(&o));

    let o = a.run(&["user", "disable", "nobody"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no user \"nobody\""), "{}", stderr(&o));
}

#[test]
fn user_add_refuses_bad_input() {
    let a = Archive::new();
    // Short password.
    let o = a.run_with(
        "short\n",
        &["user", "add", "ana", "--role", "admin", "--password-stdin"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("too short"), "{}", stderr(&o));
    // Empty stdin.
    let o = a.run(&["user", "add", "ana", "--role", "admin", "--password-stdin"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no password on stdin"),
        "{}",
        stderr(&o)
    );
    // Not a terminal and no --password-stdin: says what to do.
    let o = a.run(&["user", "add", "ana", "--role", "admin"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--password-stdin"), "{}", stderr(&o));
    // Bad names and roles.
    let o = a.run_with(
        "long enough\n",
        &["user", "add", "<b>", "--role", "admin", "--password-stdin"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not a valid user name"),
        "{}",
        stderr(&o)
    );
    let o = a.run_with(
        "long enough\n",
        &["user", "add", "ana", "--role", "root", "--password-stdin"],
    );
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("viewer"), "{}", stderr(&o));
    assert!(a.store().users().unwrap().is_empty(), "nothing was added");
}

#[test]
fn token_create_list_revoke() {
    let a = Archive::new();
    let o = a.run(&["token", "create", "ci-bot", "--role", "checker"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let secret = stdout(&o).trim().to_string();
    assert!(secret.starts_with("embarc_"), "{secret}");
    assert_eq!(stdout(&o).lines().count(), 1, "only the token on stdout");
    assert_eq!(
        a.store().token(&accounts::token_hash(&secret)).unwrap(),
        Some(("ci-bot".to_string(), Role::Checker))
    );

    let o = a.run(&["token", "create", "ci-bot", "--role", "viewer"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already a token"), "{}", stderr(&o));

    let o = a.run(&["token", "list", "--json"]);
    let tokens: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(tokens[0]["name"], "ci-bot");
    assert_eq!(tokens[0]["role"], "checker");
    assert!(tokens[0]["revoked_at"].is_null());
    assert!(!stdout(&o).contains(&secret), "secrets are never listed");

    let o = a.run(&["token", "revoke", "ci-bot"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        a.store().token(&accounts::token_hash(&secret)).unwrap(),
        None
    );
    let o = a.run(&["token", "list"]);
    assert!(stdout(&o).contains("revoked"), "{}", stdout(&o));
    let o = a.run(&["token", "revoke", "nope"]);
    assert_eq!(o.status.code(), Some(1));
}

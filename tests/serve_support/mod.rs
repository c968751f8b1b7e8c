//! A real `embarc serve` on 127.0.0.1 over a real archive built from
//! `tests/fixtures/queue/` and `tests/fixtures/serve/`, with one account of
//! each kind, and an HTTP client that keeps cookies by hand.
#![allow(dead_code)]

#[path = "../common/server.rs"]
mod server;
pub use server::{Reply, Server};

use embarc::accounts::{self, Role};
use embarc::store::Store;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
pub const PASSWORD: &str = "a long enough password";

/// Tokens of each kind (the revoked one is refused).
pub struct Tokens {
    pub viewer: String,
    pub checker: String,
    pub admin: String,
    pub revoked: String,
}

pub struct Desk {
    pub tmp: tempfile::TempDir,
    /// The site of the one web article (`/article.html`), still answering,
    /// so tests can count what the capture view asked of it (nothing).
    pub web: Server,
    pub url: String,
    pub tokens: Tokens,
    child: Child,
    /// What the server writes to stderr after saying where it listens,
    /// whole once it has stopped.
    stderr: Option<JoinHandle<String>>,
}

pub fn embarc() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_embarc"));
    // The test's web server is on 127.0.0.1, an internal address.
    cmd.env_remove("EMBARC_ARCHIVE")
        .env_remove("EMBARC_USER")
        .env("EMBARC_ALLOW_PRIVATE", "1");
    cmd
}

impl Desk {
    /// Archive the fixtures, add users `viewer`, `checker`, `admin` and
    /// `gone` (disabled later by tests that need it), tokens, and start the
    /// server on a free port.
    pub fn start() -> Desk {
        Desk::start_with(&[])
    }

    /// [`Desk::start`] with more options to `embarc serve`; without its
    /// scheduler, which would ask the platforms' real endpoints.
    pub fn start_with(options: &[&str]) -> Desk {
        Desk::launch(options, None)
    }

    /// [`Desk::start`] with the scheduler running: every endpoint it may
    /// ask is at `endpoints` (a server of the test), and `settings` are
    /// added to `embarc.toml`.
    pub fn start_scheduling(endpoints: &str, settings: &str) -> Desk {
        Desk::launch(&[], Some((endpoints, settings)))
    }

    fn launch(options: &[&str], scheduler: Option<(&str, &str)>) -> Desk {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("archive");
        // The article with quotes in its file name (its URL has them too).
        let odd = tmp.path().join("say \"hi\" & 'bye'.html");
        std::fs::copy(format!("{FIXTURES}/serve/script-post.html"), &odd).unwrap();
        let web = Server::start(|r| match r.path.as_str() {
            "/article.html" => {
                Reply::html(std::fs::read(format!("{FIXTURES}/serve/web-article.html")).unwrap())
            }
            _ => Reply::status(404, "text/plain", "not here"),
        });
        let out = embarc()
            .arg("--archive")
            .arg(&dir)
            .arg("archive")
            .arg(format!("{FIXTURES}/queue"))
            .arg(&odd)
            .arg(web.url("/article.html"))
            .env("EMBARC_NOW", "2025-03-01T09:00:00Z")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let store = Store::open(&dir.join("embarc.db")).unwrap();
        let hash = accounts::hash_password(PASSWORD).unwrap();
        for (name, role) in [
            ("viewer", Role::Viewer),
            ("checker", Role::Checker),
            ("admin", Role::Admin),
            ("gone", Role::Checker),
        ] {
            store.add_user(name, role, &hash).unwrap();
        }
        let token = |name: &str, role: Role| {
            let secret = format!("embarc_{}", accounts::new_token().unwrap());
            store
                .add_token(name, role, &accounts::token_hash(&secret))
                .unwrap();
            secret
        };
        let tokens = Tokens {
            viewer: token("t-viewer", Role::Viewer),
            checker: token("t-checker", Role::Checker),
            admin: token("t-admin", Role::Admin),
            revoked: token("t-revoked", Role::Admin),
        };
        store.revoke_token("t-revoked").unwrap();
        drop(store);
        let mut cmd = embarc();
        cmd.arg("--archive")
            .arg(&dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(options);
        match scheduler {
            None => {
                cmd.arg("--no-watch");
            }
            Some((endpoints, settings)) => {
                for spec in embarc::check::settings::all() {
                    if let Some(var) = spec.env {
                        cmd.env(var, format!("{endpoints}/{}", spec.name));
                    }
                }
                std::fs::write(dir.join("embarc.toml"), settings).unwrap();
            }
        }
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        let url = loop {
            line.clear();
            if stderr.read_line(&mut line).unwrap() == 0 {
                panic!("the server stopped before saying where it listens");
            }
            if let Some(rest) = line.split(" at ").nth(1) {
                break rest
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .trim_end_matches('/')
                    .to_string();
            }
        };
        // Keep draining stderr so the server never blocks on it.
        let stderr = std::thread::spawn(move || {
            let mut rest = Vec::new();
            let _ = stderr.read_to_end(&mut rest);
            String::from_utf8_lossy(&rest).into_owned()
        });
        Desk {
            tmp,
            web,
            url,
            tokens,
            child,
            stderr: Some(stderr),
        }
    }

    pub fn dir(&self) -> PathBuf {
        self.tmp.path().join("archive")
    }

    pub fn store(&self) -> Store {
        Store::open(&self.dir().join("embarc.db")).unwrap()
    }

    pub fn client(&self) -> Browser {
        Browser {
            base: self.url.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Vec::new(),
        }
    }

    /// Stop the server with SIGTERM and return its exit code.
    pub fn stop(self) -> Option<i32> {
        self.signal(libc::SIGTERM).0
    }

    /// Send the server `signal`, wait for it to exit, and return its exit
    /// code and what it wrote to stderr after starting.
    pub fn signal(mut self, signal: libc::c_int) -> (Option<i32>, String) {
        // SAFETY: signalling our own child process by its id.
        unsafe { libc::kill(self.child.id() as i32, signal) };
        let code = self.child.wait().unwrap().code();
        let stderr = self.stderr.take().unwrap().join().unwrap();
        (code, stderr)
    }
}

impl Drop for Desk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The CSRF token of the page's first form.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a form with a CSRF token");
        let rest = &self.body[at + 19..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

/// A client that keeps cookies by hand (what a browser would send).
pub struct Browser {
    pub base: String,
    pub http: reqwest::Client,
    pub cookies: Vec<(String, String)>,
}

pub fn urlencode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Browser {
    async fn send(&mut self, req: reqwest::RequestBuilder) -> Answer {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = if cookie.is_empty() {
            req
        } else {
            req.header("cookie", cookie)
        };
        let res = req.send().await.unwrap();
        for v in res.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            if !attrs.contains("Max-Age=0") {
                self.cookies.push((k.to_string(), val.to_string()));
            }
        }
        Answer {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: res.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.post_with(path, form, None).await
    }

    pub async fn post_with(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Answer {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(urlencode(form));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        self.send(req).await
    }

    /// Sign in as `name`; panics unless it worked.
    pub async fn login(&mut self, name: &str) {
        let a = self.try_login(name, PASSWORD).await;
        assert_eq!(a.status, 303, "sign-in of {name}: {}", a.body);
    }

    pub async fn try_login(&mut self, name: &str, password: &str) -> Answer {
        let form = self.get("/login").await;
        let csrf = form.csrf();
        self.post(
            "/login",
            &[("csrf", &csrf), ("username", name), ("password", password)],
        )
        .await
    }

    /// The session's CSRF token, from a page.
    pub async fn csrf(&mut self) -> String {
        self.get("/queue").await.csrf()
    }
}

/// API calls with a Bearer token (or none).
pub async fn api(
    desk: &Desk,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> Answer {
    let answer = request(desk, method, &format!("/api/v1{path}"), token, body).await;
    // Every API answer any test receives is checked against the document.
    check_against_openapi(method, path, &answer);
    answer
}

/// Any request with a Bearer token (or none) and a JSON body (or none).
pub async fn request(
    desk: &Desk,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> Answer {
    let http = reqwest::Client::new();
    let mut req = http.request(method.parse().unwrap(), format!("{}{path}", desk.url));
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let res = req.send().await.unwrap();
    Answer {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
        body: res.text().await.unwrap(),
    }
}

/// Check an API answer against the OpenAPI document: the status must be
/// documented for the call, and the body must match its schema.
pub fn check_against_openapi(method: &str, path: &str, a: &Answer) {
    let doc = embarc::serve::openapi::document();
    let bare = path.split('?').next().unwrap();
    let template: String = bare
        .split('/')
        .map(|seg| {
            if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let Some(op) = doc["paths"][&template].get(method.to_lowercase()) else {
        // Calls the API does not have answer 404 with an error document.
        assert_eq!(
            a.status, 404,
            "{method} {path} is not documented but answered {}",
            a.status
        );
        validate(&doc, &doc["components"]["schemas"]["Error"], &a.json(), "$");
        return;
    };
    let Some(response) = op["responses"].get(a.status.to_string()) else {
        panic!(
            "{method} {path} answered {} which the document does not list: {}",
            a.status, a.body
        );
    };
    let schema = &response["content"]["application/json"]["schema"];
    validate(&doc, schema, &a.json(), "$");
}

fn resolve<'a>(doc: &'a serde_json::Value, schema: &'a serde_json::Value) -> &'a serde_json::Value {
    match schema.get("$ref").and_then(|r| r.as_str()) {
        Some(r) => {
            let name = r
                .strip_prefix("#/components/schemas/")
                .expect("local refs only");
            let target = &doc["components"]["schemas"][name];
            assert!(!target.is_null(), "unknown schema {name}");
            resolve(doc, target)
        }
        None => schema,
    }
}

fn type_name(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// The JSON Schema keywords the document uses: `$ref`, `type` (one or a
/// list), `enum`, `oneOf`, `properties`, `required`,
/// `additionalProperties: false`, `items`, `minimum`, `maximum`.
pub fn validate(
    doc: &serde_json::Value,
    schema: &serde_json::Value,
    v: &serde_json::Value,
    at: &str,
) {
    if let Err(e) = check(doc, schema, v, at) {
        panic!("the answer does not match the OpenAPI document: {e}");
    }
}

macro_rules! ensure {
    ($c:expr, $($f:tt)+) => {{
        let ok: bool = $c;
        if !ok {
            return Err(format!($($f)+));
        }
    }};
}

fn check(
    doc: &serde_json::Value,
    schema: &serde_json::Value,
    v: &serde_json::Value,
    at: &str,
) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if let Some(options) = schema.get("oneOf").and_then(|o| o.as_array()) {
        let matching = options
            .iter()
            .filter(|o| check(doc, o, v, at).is_ok())
            .count();
        ensure!(matching == 1, "{at}: {v} matches {matching} of oneOf");
        return Ok(());
    }
    if let Some(values) = schema.get("enum").and_then(|e| e.as_array()) {
        ensure!(values.contains(v), "{at}: {v} is not one of {values:?}");
    }
    if let Some(t) = schema.get("type") {
        let allowed: Vec<&str> = match t {
            serde_json::Value::String(s) => vec![s.as_str()],
            serde_json::Value::Array(a) => a.iter().filter_map(|x| x.as_str()).collect(),
            _ => return Err(format!("{at}: bad type in schema")),
        };
        let actual = type_name(v);
        let ok = allowed.contains(&actual) || (actual == "integer" && allowed.contains(&"number"));
        ensure!(ok, "{at}: {v} is {actual}, the document says {allowed:?}");
    }
    if let Some(n) = v.as_f64() {
        if let Some(min) = schema.get("minimum").and_then(|m| m.as_f64()) {
            ensure!(n >= min, "{at}: {n} < {min}");
        }
        if let Some(max) = schema.get("maximum").and_then(|m| m.as_f64()) {
            ensure!(n <= max, "{at}: {n} > {max}");
        }
    }
    if let (Some(obj), Some(props)) = (
        v.as_object(),
        schema.get("properties").and_then(|p| p.as_object()),
    ) {
        for req in schema
            .get("required")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
        {
            let key = req.as_str().unwrap();
            ensure!(obj.contains_key(key), "{at}: {key} is missing");
        }
        for (k, val) in obj {
            match props.get(k) {
                Some(s) => check(doc, s, val, &format!("{at}.{k}"))?,
                None => ensure!(
                    schema.get("additionalProperties") != Some(&serde_json::Value::Bool(false)),
                    "{at}: {k} is not in the document"
                ),
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, item) in arr.iter().enumerate() {
            check(doc, items, item, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

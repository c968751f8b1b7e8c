//! The web desk in a real headless browser: Debian's `chromium` driven
//! through `chromedriver` (W3C WebDriver, spoken here over HTTP with a few
//! lines of JSON). The flow a checker follows: sign in, filter the queue,
//! open a claim, decide it with a note, see the event, download the queue
//! CSV, sign out.
//!
//! Needs `chromium` and `chromium-driver` (`.ci/run` installs them). When
//! they are missing the test fails in CI (`CI` set) and says so loudly
//! elsewhere.

mod serve_support;

use serde_json::{Value, json};
use serve_support::{Desk, PASSWORD};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const DRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    child: Child,
    base: String,
    http: reqwest::Client,
    session: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Driver {
    async fn start(profile: &Path, downloads: &Path) -> Driver {
        let port = free_port();
        let child = Command::new(DRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http.get(format!("{base}/status")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not come up");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut d = Driver {
            child,
            base,
            http,
            session: String::new(),
        };
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                },
            },
        }}});
        let v = d.call("POST", "/session", Some(caps)).await;
        d.session = v["sessionId"].as_str().expect("a session").to_string();
        d
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let text = req.send().await.unwrap().text().await.unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(
            v["value"]["error"].is_null(),
            "WebDriver {method} {path}: {text}"
        );
        v["value"].clone()
    }

    async fn s(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
            .await
    }

    async fn go(&self, url: &str) {
        self.s("POST", "/url", Some(json!({"url": url}))).await;
    }

    async fn find(&self, xpath: &str) -> String {
        let v = self
            .s(
                "POST",
                "/element",
                Some(json!({"using": "xpath", "value": xpath})),
            )
            .await;
        v[ELEMENT].as_str().unwrap().to_string()
    }

    /// The field a `<label>` with this text names.
    async fn field(&self, label: &str) -> String {
        self.find(&format!(
            "//*[@id=//label[normalize-space()='{label}']/@for]"
        ))
        .await
    }

    async fn type_in(&self, el: &str, text: &str) {
        self.s(
            "POST",
            &format!("/element/{el}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    async fn click(&self, el: &str) {
        self.s("POST", &format!("/element/{el}/click"), Some(json!({})))
            .await;
    }

    async fn url(&self) -> String {
        self.s("GET", "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn source(&self) -> String {
        self.s("GET", "/source", None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Wait until the page's source contains `text`.
    async fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let src = self.source().await;
            if src.contains(text) {
                return src;
            }
            assert!(
                Instant::now() < deadline,
                "{text:?} never appeared in:\n{src}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn browser_installed() -> bool {
    let there = Path::new(CHROMIUM).exists() && Path::new(DRIVER).exists();
    if !there {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium and chromedriver are required in CI (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "\n\n*** browser test NOT RUN: {CHROMIUM} or {DRIVER} is missing (apt-get install chromium chromium-driver) ***\n\n"
        );
    }
    there
}

#[tokio::test]
async fn a_checker_decides_a_claim_in_the_browser() {
    if !browser_installed() {
        return;
    }
    let desk = Desk::start();
    let profile = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let d = Driver::start(profile.path(), downloads.path()).await;

    // Sign in.
    d.go(&format!("{}/queue", desk.url)).await;
    d.wait_for("Log in").await;
    let user = d.field("Username").await;
    d.type_in(&user, "checker").await;
    let pw = d.field("Password").await;
    d.type_in(&pw, PASSWORD).await;
    d.click(&d.find("//button[normalize-space()='Log in']").await)
        .await;
    d.wait_for("Log out").await;
    assert!(d.url().await.ends_with("/queue"), "{}", d.url().await);

    // Filter the queue by label: only the dam claim stays.
    let label = d.find("//input[@name='label']").await;
    d.type_in(&label, "BREAKING").await;
    d.click(&d.find("//button[normalize-space()='Filter']").await)
        .await;
    let src = d.wait_for("label=BREAKING").await;
    assert!(src.contains("floodwatch_eu"));
    assert!(!src.contains("cityhall_news"), "JUST IN is filtered out");

    // Open the claim and decide it with a note.
    d.click(&d.find("//a[contains(., 'floodwatch_eu')]").await)
        .await;
    d.wait_for("As the article showed it").await;
    d.click(
        &d.find("//select[@id='status']/option[@value='false']")
            .await,
    )
    .await;
    let note = d.field("Note").await;
    d.type_in(&note, "The utility confirmed the dam is intact.")
        .await;
    d.click(&d.find("//button[normalize-space()='Save']").await)
        .await;
    let src = d.wait_for("unstarted → false").await;
    assert!(src.contains("The utility confirmed the dam is intact."));
    assert!(
        src.contains("class=\"actor\">checker<"),
        "the event names the signed-in user"
    );

    // From the claim to its post, to the web article citing it, to that
    // article's capture: shown in a sandboxed frame that runs none of its
    // scripts and loads nothing from the live site.
    d.click(
        &d.find("//a[normalize-space()='Everything known about the post']")
            .await,
    )
    .await;
    d.wait_for("Snapshots").await;
    d.click(&d.find("//a[contains(., '/article.html')]").await)
        .await;
    d.wait_for("Captures").await;
    d.click(&d.find("//a[normalize-space()='View']").await)
        .await;
    d.wait_for("As it was fetched").await;
    let frame = d.find("//iframe[@class='capture']").await;
    d.s("POST", "/frame", Some(json!({"id": {ELEMENT: frame}})))
        .await;
    let inner = d.wait_for("Engineers inspected the wall at dawn.").await;
    assert!(inner.contains("Riverton: what officials said"));
    d.s("POST", "/frame/parent", Some(json!({}))).await;
    let outer = d.source().await;
    assert!(!outer.contains("data-pwned"), "the capture's script ran");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let live: Vec<String> = desk
        .web
        .all_hits()
        .into_keys()
        .filter(|k| k != "/article.html" && k != "/robots.txt")
        .collect();
    assert!(
        live.is_empty(),
        "the capture loaded live resources: {live:?}"
    );

    // Download the queue CSV (the decided claim is in the "all" view).
    d.go(&format!("{}/queue?status=all", desk.url)).await;
    d.wait_for("Download CSV").await;
    d.click(&d.find("//a[normalize-space()='Download CSV']").await)
        .await;
    let file = downloads.path().join("embarc-queue.csv");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !file.exists() {
        assert!(Instant::now() < deadline, "the CSV was not downloaded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let csv = std::fs::read_to_string(&file).unwrap();
    assert!(csv.lines().next().unwrap().contains("status"));
    assert!(
        csv.contains("floodwatch_eu") && csv.contains(",false,"),
        "{csv}"
    );

    // Sign out: back at the sign-in page, and the queue needs signing in again.
    d.click(&d.find("//button[normalize-space()='Log out']").await)
        .await;
    d.wait_for("Log in").await;
    d.go(&format!("{}/queue", desk.url)).await;
    d.wait_for("Log in").await;
    assert!(d.url().await.contains("/login"));
    d.s("DELETE", "", None).await;
}

//! `embarc serve` benchmark: an archive of 100,000 articles with 10,000
//! claims, 20 concurrent clients on the queue page (signed in) and on
//! `GET /api/v1/claims` (Bearer token), while the CLI writes notes to the
//! queue from another process. Reports p50 / p95 latency and requests/s,
//! with `/healthz` (no database) at the same concurrency as the baseline
//! measured in the same run. Target: p95 < 100 ms.
//!
//! ```sh
//! cargo bench --bench serve              # or: -- ARTICLES SECONDS
//! ```
//!
//! The archive is built once with `embarc archive` (from generated pages)
//! and kept in `target/serve-bench/` for later runs. Not a test: it needs
//! a release build and a quiet machine.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const CLIENTS: usize = 20;
const PASSWORD: &str = "benchmark password";

fn embarc() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_embarc"));
    cmd.env_remove("EMBARC_ARCHIVE").env_remove("EMBARC_NOW");
    cmd
}

/// One article citing one post; every tenth post is labelled BREAKING.
fn page(n: u64) -> String {
    let label = if n.is_multiple_of(10) {
        "BREAKING: "
    } else {
        ""
    };
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Story {n}</title></head>
<body><article><h1>Story {n}</h1><p>The council met on Tuesday to discuss the flooding.</p>
<blockquote class="twitter-tweet"><p lang="en" dir="ltr">{label}Update {n}: roads reopen in district {}</p>&mdash; City Desk (@citydesk{}) <a href="https://twitter.com/citydesk{}/status/{}">January 7, 2020</a></blockquote>
</article></body></html>"#,
        n % 97,
        n % 500,
        n % 500,
        1214387633146564608u64 + n
    )
}

fn build_archive(dir: &Path, articles: u64) {
    let done = dir.join("built");
    if done.exists()
        && std::fs::read_to_string(&done).unwrap_or_default().trim() == articles.to_string()
    {
        eprintln!("bench: reusing the archive in {}", dir.display());
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
    let pages = dir.join("pages");
    std::fs::create_dir_all(&pages).unwrap();
    for n in 0..articles {
        let sub = pages.join(format!("{:03}", n % 1000));
        if n < 1000 {
            std::fs::create_dir_all(&sub).unwrap();
        }
        std::fs::write(sub.join(format!("story-{n}.html")), page(n)).unwrap();
    }
    let started = Instant::now();
    let out = embarc()
        .arg("--archive")
        .arg(dir.join("archive"))
        .arg("archive")
        .arg(&pages)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "bench: archived {articles} articles in {:.1?}",
        started.elapsed()
    );
    std::fs::remove_dir_all(&pages).unwrap();
    let store = embarc::store::Store::open(&dir.join("archive/embarc.db")).unwrap();
    let hash = embarc::accounts::hash_password(PASSWORD).unwrap();
    store
        .add_user("bench", embarc::accounts::Role::Checker, &hash)
        .unwrap();
    std::fs::write(&done, articles.to_string()).unwrap();
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        // SAFETY: signalling our own child by its id.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

fn serve(archive: &Path) -> Server {
    let mut child = embarc()
        .arg("--archive")
        .arg(archive)
        // The desk alone: its scheduler would ask the platforms.
        .args(["serve", "--listen", "127.0.0.1:0", "--no-watch"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let url = loop {
        line.clear();
        assert!(err.read_line(&mut line).unwrap() > 0, "the server stopped");
        if let Some(rest) = line.split(" at ").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
        }
    };
    std::thread::spawn(move || for _ in err.lines() {});
    Server { child, url }
}

struct Figures {
    p50: Duration,
    p95: Duration,
    rps: f64,
    errors: usize,
}

/// `CLIENTS` clients asking `paths` in turn for `seconds`.
async fn load(
    paths: Arc<Vec<String>>,
    headers: Vec<(&'static str, String)>,
    seconds: u64,
) -> Figures {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (http, paths, headers) = (http.clone(), paths.clone(), headers.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0;
            let mut i = c;
            while Instant::now() < until {
                let mut req = http.get(&paths[i % paths.len()]);
                for (k, v) in &headers {
                    req = req.header(*k, v);
                }
                let t = Instant::now();
                match req.send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                    }
                    _ => errors += 1,
                }
                times.push(t.elapsed());
                i += CLIENTS;
            }
            (times, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (times, e) = t.await.unwrap();
        all.extend(times);
        errors += e;
    }
    let elapsed = started.elapsed();
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    Figures {
        p50: at(0.50),
        p95: at(0.95),
        rps: all.len() as f64 / elapsed.as_secs_f64(),
        errors,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(name: &str, f: &Figures, base: &Figures) {
    println!(
        "{name:<34} p50 {:>7.2} ms  p95 {:>7.2} ms  {:>7.0} req/s  errors {}  (p95 {:.1}x /healthz)",
        ms(f.p50),
        ms(f.p95),
        f.rps,
        f.errors,
        ms(f.p95) / ms(base.p95).max(0.001)
    );
}

/// Sign in through the form and return the session cookie.
async fn session(url: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = http.get(format!("{url}/login")).send().await.unwrap();
    let cookie = form.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let body = form.text().await.unwrap();
    let at = body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = &body[at..at + 64];
    let res = http
        .post(format!("{url}/login"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={csrf}&username=bench&password={}",
            PASSWORD.replace(' ', "+")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "sign-in");
    res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let articles: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/serve-bench");
    build_archive(&dir, articles);
    let archive = dir.join("archive");
    let token = {
        let out = embarc()
            .arg("--archive")
            .arg(&archive)
            .args([
                "token",
                "create",
                &format!("bench-{}", std::process::id()),
                "--role",
                "viewer",
            ])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let claims = embarc::store::Store::open(&archive.join("embarc.db"))
        .unwrap()
        .count_claims(&embarc::store::ClaimFilter::default())
        .unwrap();
    println!(
        "archive: {articles} articles, {claims} claims; {CLIENTS} clients, {seconds} s per run"
    );
    let server = serve(&archive);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let url = server.url.clone();
    // The queue's first 20 pages (all claims, newest first: the pages a desk reads).
    let pages: Arc<Vec<String>> = Arc::new(
        (1..=20)
            .map(|p| format!("{url}/queue?status=all&sort=newest&page={p}"))
            .collect(),
    );
    let api: Arc<Vec<String>> = Arc::new(
        (0..20)
            .map(|p| format!("{url}/api/v1/claims?status=all&limit=50&offset={}", p * 50))
            .collect(),
    );
    let health: Arc<Vec<String>> = Arc::new(vec![format!("{url}/healthz")]);
    runtime.block_on(async {
        let cookie = session(&url).await;
        let bearer = vec![("authorization", format!("Bearer {token}"))];
        let signed = vec![("cookie", cookie)];
        let base = load(health, Vec::new(), seconds).await;
        report("/healthz (baseline)", &base, &base);
        let q = load(pages.clone(), signed.clone(), seconds).await;
        report("/queue, quiet", &q, &base);
        let a = load(api.clone(), bearer.clone(), seconds).await;
        report("/api/v1/claims, quiet", &a, &base);

        // The CLI writing at the same time: notes on claims, one process each.
        let stop = Arc::new(AtomicBool::new(false));
        let writes = Arc::new(AtomicUsize::new(0));
        let writer = {
            let (stop, writes, archive) = (stop.clone(), writes.clone(), archive.clone());
            std::thread::spawn(move || {
                let mut id = 1;
                while !stop.load(Ordering::Relaxed) {
                    let ok = embarc()
                        .arg("--archive")
                        .arg(&archive)
                        .args([
                            "queue",
                            "note",
                            &id.to_string(),
                            "benchmark note",
                            "--by",
                            "bench-cli",
                        ])
                        .output()
                        .map(|o| o.status.success())
                        .unwrap_or(false);
                    if ok {
                        writes.fetch_add(1, Ordering::Relaxed);
                    }
                    id = id % claims + 1;
                }
            })
        };
        let started = Instant::now();
        let q = load(pages, signed, seconds).await;
        report("/queue, CLI writing", &q, &base);
        let a = load(api, bearer, seconds).await;
        report("/api/v1/claims, CLI writing", &a, &base);
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap();
        println!(
            "CLI writes meanwhile: {} notes ({:.1}/s)",
            writes.load(Ordering::Relaxed),
            writes.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
        );
    });
    drop(server);
}

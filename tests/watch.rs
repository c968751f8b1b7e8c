//! `embarc watch`: watched feeds archived on their schedule, due checks run
//! under leases (two processes never send the same check; a killed one's
//! work is finished by another once its lease has run out), and SIGTERM
//! stops within the grace period with nothing lost or done twice. Every
//! endpoint is a server on 127.0.0.1 that counts its requests; the clock is
//! `EMBARC_NOW`.

mod check_support;
mod common;

use check_support::{archive_at, embarc, fast_config, query};
use common::{Reply, Server};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const T0: &str = "2025-03-01T00:00:00Z";
/// One hour after T0: every post first seen at T0 is due.
const T1: &str = "2025-03-01T01:00:00Z";
const FIRST_ID: u64 = 1581661660728950784;

/// An article embedding `n` X posts.
fn article(n: u64) -> String {
    let quotes: String = (0..n)
        .map(|i| {
            let id = FIRST_ID + i;
            format!(
                r#"<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Report number {i}</p>&mdash; Desk (@desk) <a href="https://twitter.com/desk/status/{id}">October 16, 2022</a></blockquote>"#
            )
        })
        .collect();
    format!("<html><body><article>{quotes}</article></body></html>")
}

/// X's syndication answers every post as alive, after `delay`.
fn x_server(delay: Duration) -> Server {
    Server::start_with_threads(2, move |req| {
        let route = req.path.split(['/', '?']).nth(1).unwrap_or_default();
        match route {
            "syn" => {
                let id = query(&req.path).get("id").cloned().unwrap_or_default();
                Reply::status(
                    200,
                    "application/json",
                    format!(
                        r#"{{"__typename":"Tweet","id_str":"{id}","text":"Report","user":{{"name":"Desk","screen_name":"desk"}}}}"#
                    ),
                )
                .delayed(delay)
            }
            _ => Reply::status(404, "text/plain", "Not Found"),
        }
    })
}

/// Requests per post id at the syndication endpoint.
fn syn_hits(server: &Server) -> HashMap<String, usize> {
    let mut per_id = HashMap::new();
    for (path, n) in server.all_hits() {
        if path.starts_with("/syn") {
            let id = query(&path).get("id").cloned().unwrap_or_default();
            *per_id.entry(id).or_default() += n;
        }
    }
    per_id
}

fn add_settings(dir: &Path, extra: &str) {
    let path = dir.join("embarc.toml");
    let toml = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(path, format!("{toml}\n{extra}\n")).unwrap();
}

/// `embarc watch` as a child process, its endpoints at `base`.
fn spawn_watch(dir: &Path, base: &str, now: &str, args: &[&str]) -> Child {
    let cmd = embarc(dir, base);
    let mut child = Command::new(cmd.get_program());
    child.args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => child.env(k, v),
            None => child.env_remove(k),
        };
    }
    child
        .env("EMBARC_NOW", now)
        .arg("watch")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_ok(child: Child) -> String {
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    stderr
}

/// The number of checks recorded per post, from `report --json`.
fn checks_per_post(dir: &Path) -> usize {
    let out = embarc(dir, "http://127.0.0.1:9")
        .args(["status", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["tables"]["checks"].as_u64().unwrap() as usize
}

#[test]
fn a_new_feed_item_is_archived_on_the_feed_schedule() {
    let items: Arc<Mutex<Vec<u64>>> = Arc::new(Mutex::new(vec![1]));
    let feed_items = items.clone();
    let server = Server::start(move |req| {
        let path = req.path.as_str();
        if path == "/feed.xml" {
            let base = req.headers.get("host").cloned().unwrap_or_default();
            let entries: String = feed_items
                .lock()
                .unwrap()
                .iter()
                .map(|i| {
                    format!("<item><title>{i}</title><link>http://{base}/news/{i}</link></item>")
                })
                .collect();
            return Reply::status(
                200,
                "application/rss+xml",
                format!(
                    r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>"#
                ),
            );
        }
        if let Some(i) = path.strip_prefix("/news/") {
            let n: u64 = i.parse().unwrap_or(1);
            return Reply::html(article(n));
        }
        Reply::status(404, "text/plain", "Not Found")
    });
    let dir = tempfile::tempdir().unwrap();
    archive_at(dir.path(), T0, &[]);
    fast_config(dir.path());
    add_settings(
        dir.path(),
        &format!(
            "[[watch]]\nfeed = \"{}\"\nevery = \"30m\"\n",
            server.url("/feed.xml")
        ),
    );
    let base = server.url("");
    let run = |at: &str| wait_ok(spawn_watch(dir.path(), &base, at, &["--once"]));

    run("2025-03-01T00:00:00Z");
    assert_eq!(server.hits("/feed.xml"), 1);
    assert_eq!(server.hits("/news/1"), 1);
    // A new item appears; before `every` has passed the feed is not read.
    items.lock().unwrap().push(2);
    run("2025-03-01T00:10:00Z");
    run("2025-03-01T00:29:59Z");
    assert_eq!(server.hits("/feed.xml"), 1);
    assert_eq!(server.hits("/news/2"), 0);
    let stderr = run("2025-03-01T00:30:00Z");
    assert_eq!(server.hits("/feed.xml"), 2, "{stderr}");
    assert_eq!(server.hits("/news/2"), 1);
    // The article read before is not fetched again.
    assert_eq!(server.hits("/news/1"), 1);
    let posts = check_support::export(dir.path(), "posts");
    let status = embarc(dir.path(), "http://127.0.0.1:9")
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        posts.len(),
        2,
        "the posts of both articles\n{stderr}\n{}",
        String::from_utf8_lossy(&status.stdout)
    );
    assert!(
        stderr.contains("1 new posts") || stderr.contains("new posts"),
        "{stderr}"
    );
}

#[test]
fn two_watch_processes_never_send_the_same_check() {
    let server = x_server(Duration::from_millis(30));
    let dir = tempfile::tempdir().unwrap();
    let n = 24;
    archive_at(dir.path(), T0, &[("https://news.example/a", &article(n))]);
    fast_config(dir.path());
    add_settings(dir.path(), "[jobs]\nbatch = 3\n");
    let base = server.url("");
    let a = spawn_watch(dir.path(), &base, T1, &["--once"]);
    let b = spawn_watch(dir.path(), &base, T1, &["--once"]);
    let (ea, eb) = (wait_ok(a), wait_ok(b));
    let hits = syn_hits(&server);
    assert_eq!(hits.len(), n as usize, "every post was checked: {ea}\n{eb}");
    assert!(hits.values().all(|&h| h == 1), "{hits:?}");
    assert_eq!(checks_per_post(dir.path()), n as usize);
    // Both took part (batches of 3 interleave).
    assert!(
        ea.contains("checked") && eb.contains("checked"),
        "{ea}\n{eb}"
    );
}

#[test]
fn a_killed_process_work_is_finished_by_another_after_its_lease() {
    let server = x_server(Duration::from_secs(30));
    let dir = tempfile::tempdir().unwrap();
    let n = 4;
    archive_at(dir.path(), T0, &[("https://news.example/a", &article(n))]);
    fast_config(dir.path());
    // Requests wait 30 s here: a longer timeout than fast_config's.
    let toml = std::fs::read_to_string(dir.path().join("embarc.toml"))
        .unwrap()
        .replacen("timeout = \"1s\"", "timeout = \"60s\"", 1);
    std::fs::write(dir.path().join("embarc.toml"), toml).unwrap();
    add_settings(dir.path(), "[jobs]\nlease = \"60s\"\n");
    let base = server.url("");
    let mut a = spawn_watch(dir.path(), &base, T1, &[]);
    // Wait until its checks are in flight, then kill it hard.
    let started = Instant::now();
    while syn_hits(&server).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no check started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    a.kill().unwrap();
    a.wait().unwrap();
    assert_eq!(checks_per_post(dir.path()), 0);

    let quick = x_server(Duration::ZERO);
    let qbase = quick.url("");
    // 30 s later its leases still hold: nothing is taken over.
    wait_ok(spawn_watch(
        dir.path(),
        &qbase,
        "2025-03-01T01:00:30Z",
        &["--once"],
    ));
    assert!(syn_hits(&quick).is_empty());
    // After the lease (60 s), another process checks every post, once.
    wait_ok(spawn_watch(
        dir.path(),
        &qbase,
        "2025-03-01T01:01:01Z",
        &["--once"],
    ));
    let hits = syn_hits(&quick);
    assert_eq!(hits.len(), n as usize);
    assert!(hits.values().all(|&h| h == 1), "{hits:?}");
    assert_eq!(checks_per_post(dir.path()), n as usize);
}

#[test]
fn sigterm_finishes_in_flight_work_and_exits_0_within_the_grace_period() {
    let server = x_server(Duration::from_millis(700));
    let dir = tempfile::tempdir().unwrap();
    let n = 12;
    archive_at(dir.path(), T0, &[("https://news.example/a", &article(n))]);
    // Two at a time, so most are still waiting when the signal comes.
    check_support::config_with_concurrency(dir.path(), 2);
    let toml = std::fs::read_to_string(dir.path().join("embarc.toml"))
        .unwrap()
        .replacen("timeout = \"1s\"", "timeout = \"5s\"", 1);
    std::fs::write(dir.path().join("embarc.toml"), toml).unwrap();
    let base = server.url("");
    let child = spawn_watch(dir.path(), &base, T1, &["--grace", "3s"]);
    let started = Instant::now();
    while syn_hits(&server).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no check started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let signalled = Instant::now();
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let stderr = wait_ok(child);
    assert!(
        signalled.elapsed() < Duration::from_secs(3) + Duration::from_secs(2),
        "took {:?}",
        signalled.elapsed()
    );
    assert!(stderr.contains("given back"), "{stderr}");
    // Every request sent was recorded (in flight work finished) ...
    let sent = syn_hits(&server);
    let recorded = checks_per_post(dir.path());
    assert_eq!(sent.len(), recorded, "{stderr}");
    assert!(recorded < n as usize, "the signal came too late to test");
    // ... and the rest stayed due: the next run checks each of them once.
    wait_ok(spawn_watch(dir.path(), &base, T1, &["--once"]));
    let all = syn_hits(&server);
    assert_eq!(all.len(), n as usize);
    assert!(all.values().all(|&h| h == 1), "{all:?}");
    assert_eq!(checks_per_post(dir.path()), n as usize);
}

/// Claims are made a chunk at a time as the checks need them: a policy
/// round over 1,500 due posts never holds more than a few hundred leases
/// (before, it claimed all 1,500 at once), and still checks every post
/// exactly once. The endpoint counts the leases held each time it is asked.
#[test]
fn a_policy_round_claims_in_bounded_chunks() {
    const POSTS: u64 = 1500;
    let dir = tempfile::tempdir().unwrap();
    archive_at(
        dir.path(),
        T0,
        &[("https://news.example/a", &article(POSTS))],
    );
    fast_config(dir.path());
    let db = dir.path().join("embarc.db");
    let peak = Arc::new(Mutex::new(0i64));
    let seen = peak.clone();
    let server = Server::start_with_threads(2, move |req| {
        let held: i64 =
            rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .and_then(|c| {
                    c.query_row(
                        "SELECT COUNT(*) FROM jobs WHERE claimed_by IS NOT NULL",
                        [],
                        |r| r.get(0),
                    )
                })
                .unwrap_or(-1);
        {
            let mut p = seen.lock().unwrap();
            *p = (*p).max(held);
        }
        let id = query(&req.path).get("id").cloned().unwrap_or_default();
        Reply::status(
            200,
            "application/json",
            format!(
                r#"{{"__typename":"Tweet","id_str":"{id}","text":"Report","user":{{"name":"Desk","screen_name":"desk"}}}}"#
            ),
        )
    });
    let out = embarc(dir.path(), &server.url(""))
        .env("EMBARC_NOW", T1)
        .args(["check", "--posts"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hits = syn_hits(&server);
    assert_eq!(hits.len(), POSTS as usize);
    assert!(hits.values().all(|&n| n == 1), "every post checked once");
    let peak = *peak.lock().unwrap();
    // A chunk (256) and the checks in flight, plus finished jobs whose
    // transaction of results is not committed yet (at most a chunk's).
    assert!(
        (1..=2 * 256 + 16).contains(&peak),
        "held at most {peak} leases"
    );
}

#[test]
fn sitemap_and_list_sources_are_archived_on_their_schedules() {
    let server = Server::start(move |req| {
        let path = req.path.as_str();
        let host = req.headers.get("host").cloned().unwrap_or_default();
        if path == "/sitemap.xml" {
            return Reply::status(
                200,
                "application/xml",
                format!(
                    r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://{host}/news/1</loc></url></urlset>"#
                ),
            );
        }
        match path.strip_prefix("/news/") {
            Some(n) => Reply::html(article(n.parse().unwrap_or(1))),
            None => Reply::status(404, "text/plain", "Not Found"),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    archive_at(dir.path(), T0, &[]);
    fast_config(dir.path());
    let list = dir.path().join("urls.txt");
    std::fs::write(&list, format!("# wanted\n{}\n", server.url("/news/2"))).unwrap();
    add_settings(
        dir.path(),
        &format!(
            "[[watch]]\nsitemap = \"{}\"\nevery = \"1h\"\n\n[[watch]]\nlist = {:?}\nevery = \"2h\"\n",
            server.url("/sitemap.xml"),
            list.display().to_string()
        ),
    );
    let base = server.url("");
    let run = |at: &str| wait_ok(spawn_watch(dir.path(), &base, at, &["--once"]));
    run("2025-03-01T00:00:00Z");
    assert_eq!(server.hits("/sitemap.xml"), 1);
    assert_eq!((server.hits("/news/1"), server.hits("/news/2")), (1, 1));
    // The list gains a URL; an hour on only the sitemap is due again.
    std::fs::write(
        &list,
        format!("{}\n{}\n", server.url("/news/2"), server.url("/news/3")),
    )
    .unwrap();
    run("2025-03-01T01:00:00Z");
    assert_eq!(server.hits("/sitemap.xml"), 2);
    assert_eq!(server.hits("/news/3"), 0, "the list is not due yet");
    let stderr = run("2025-03-01T02:00:00Z");
    assert_eq!(server.hits("/news/3"), 1, "{stderr}");
    // What was archived before is not fetched again.
    assert_eq!((server.hits("/news/1"), server.hits("/news/2")), (1, 1));
    let posts = check_support::export(dir.path(), "posts");
    assert_eq!(posts.len(), 3, "the posts of the three articles");
}

#[test]
fn the_warc_files_a_watched_source_writes_are_timestamped() {
    if !common::have_openssl("the_warc_files_a_watched_source_writes_are_timestamped") {
        return;
    }
    let tsa = Arc::new(common::TestTsa::new(common::TsaKind::Ec));
    let t = tsa.clone();
    let tsa_server = Server::start(move |req| {
        Reply::status(200, "application/timestamp-reply", t.reply(&req.body))
    });
    let server = Server::start(|req| match req.path.strip_prefix("/news/") {
        Some(n) => Reply::html(article(n.parse().unwrap_or(1))),
        None => Reply::status(404, "text/plain", "Not Found"),
    });
    let dir = tempfile::tempdir().unwrap();
    archive_at(dir.path(), T0, &[]);
    fast_config(dir.path());
    let list = dir.path().join("urls.txt");
    std::fs::write(&list, format!("{}\n", server.url("/news/1"))).unwrap();
    add_settings(
        dir.path(),
        &format!(
            "[[watch]]\nlist = {:?}\nevery = \"1h\"\n\n[timestamp]\ntsa = [\"{}\"]\nroots = [{:?}]\n",
            list.display().to_string(),
            tsa_server.url("/tsr"),
            tsa.root_pem.display().to_string()
        ),
    );
    wait_ok(spawn_watch(dir.path(), &server.url(""), T0, &["--once"]));
    assert_eq!(server.hits("/news/1"), 1);
    let db = rusqlite::Connection::open(dir.path().join("embarc.db")).unwrap();
    let (subject, result): (String, String) = db
        .query_row("SELECT subject, result FROM timestamps", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert!(subject.starts_with("warc/"), "{subject}");
    assert_eq!(result, "granted");
    assert!(dir.path().join(&subject).exists());
}

//! Scale benchmark: N synthetic articles (deterministic from a seed) through
//! every command that reads the whole archive, each run as its own process
//! and measured from outside: wall time, peak RSS (`VmHWM`, sampled), bytes
//! written (`/proc/PID/io` `write_bytes`, read before the process is reaped)
//! and the database size.
//!
//! ```sh
//! cargo bench --bench scale -- 100000                 # N articles
//! cargo bench --bench scale -- 1000000 --dir /big/place --keep
//! cargo bench --bench scale -- 100000 --baseline /tmp/embarc-before
//! ```
//!
//! Options: `--seed S` (default 1), `--dir DIR` (where the articles and the
//! archives go; a temporary directory by default; articles already generated
//! there for the same N and seed are reused), `--keep` (leave the directory),
//! `--no-check` (skip `check`, the longest step at a million), `--baseline
//! BIN` (run every step with another embarc binary first, on its own
//! archive, and print each figure as a ratio against it), `--bin BIN` (measure
//! that binary instead of the one built with the benchmark).
//!
//! The articles: 1-3 posts each (a quarter of them cited before by another
//! article), 90 % HTML and 10 % plain text, over X (blockquotes, status
//! links, copied text), Bluesky, Mastodon, Instagram, TikTok, YouTube,
//! Telegram and Reddit, with 5 % of the posts opening with a BREAKING-style
//! label. `check` runs over every post against a local server answering like
//! the platforms' endpoints (about 15 % of the posts gone), with every rate
//! limit off.
//!
//! Not a test: it needs a release build and a quiet machine.

#[path = "../tests/common/server.rs"]
mod server;

use server::{Reply, Req, Server};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

// ---------------------------------------------------------------------------
// Deterministic generation.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.range(0, items.len() as u64 - 1) as usize]
    }

    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[self.range(0, alphabet.len() as u64 - 1) as usize] as char)
            .collect()
    }
}

/// FNV-1a, for decisions the server derives from an id.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

const WORDS: &[&str] = &[
    "council",
    "flooding",
    "river",
    "bridge",
    "minister",
    "report",
    "police",
    "residents",
    "storm",
    "election",
    "market",
    "school",
    "hospital",
    "road",
    "court",
    "strike",
    "budget",
    "fire",
    "train",
    "harbour",
    "mayor",
    "vote",
    "power",
    "water",
    "village",
    "festival",
];
const FIRST: &[&str] = &[
    "Ana", "Ben", "Chloe", "Dev", "Emil", "Farah", "Gus", "Hana", "Ivo",
];
const LAST: &[&str] = &[
    "Okafor", "Lind", "Moreau", "Sato", "Costa", "Novak", "Reyes", "Berg",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const LABELS: &[&str] = &["BREAKING: ", "JUST IN: ", "BREAKING NEWS: ", "DEVELOPING: "];
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const TID: &[u8] = b"234567abcdefghijklmnopqrstuvwxyz";

/// The text a post shows, a function of its id alone, so the check server
/// answers with the same text the article showed (edits stay rare).
fn post_text(id: &str) -> String {
    let mut rng = Rng::new(fnv(id));
    let mut out = String::new();
    if rng.chance(5) {
        out.push_str(rng.pick(LABELS));
    }
    let n = rng.range(6, 16);
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(rng.pick(WORDS));
    }
    out.push('.');
    out
}

/// 15 % of the posts are gone.
fn is_gone(id: &str) -> bool {
    fnv(id) % 100 < 15
}

fn civil(days: i64) -> (i64, usize, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m as usize, d)
}

struct Person {
    name: String,
    handle: String,
}

fn person(rng: &mut Rng) -> Person {
    let (first, last) = (rng.pick(FIRST), rng.pick(LAST));
    Person {
        name: format!("{first} {last}"),
        handle: format!(
            "{}{}{}",
            first.to_lowercase(),
            last.to_lowercase(),
            rng.range(1, 99)
        ),
    }
}

/// A post's markup in an HTML article, or its copy in a text article; the
/// same post number always gives the same markup.
fn post_markup(seed: u64, k: u64, html: bool) -> String {
    let mut rng = Rng::new(seed ^ k.wrapping_mul(0xA24B_AED4_963E_E407));
    let p = person(&mut rng);
    let ms = 1_546_300_800_000 + rng.next() % (6 * 365 * 86_400_000);
    let (y, m, d) = civil((ms / 86_400_000) as i64);
    let date = format!("{} {d}, {y}", MONTHS[m - 1]);
    let snowflake = (((ms - 1_288_834_974_657) << 22) | (rng.next() & 0x3F_FFFF)).to_string();
    let mut out = String::new();
    if !html {
        // Plain text: a copied X post with its tail, sometimes its link.
        let text = post_text(&snowflake);
        let _ = write!(out, "{text}\n— {} (@{}) {date}\n", p.name, p.handle);
        if rng.chance(50) {
            let _ = writeln!(out, "Source: https://x.com/{}/status/{snowflake}", p.handle);
        }
        return out;
    }
    match rng.range(0, 99) {
        0..=39 => {
            let text = post_text(&snowflake);
            let _ = write!(
                out,
                "<blockquote class=\"twitter-tweet\"><p lang=\"en\" dir=\"ltr\">{text}</p>&mdash; {} (@{}) <a href=\"https://twitter.com/{}/status/{snowflake}?ref_src=twsrc%5Etfw\">{date}</a></blockquote>\n<script async src=\"https://platform.twitter.com/widgets.js\" charset=\"utf-8\"></script>\n",
                p.name, p.handle, p.handle
            );
        }
        40..=54 => {
            let _ = writeln!(
                out,
                "<p>{} <a href=\"https://x.com/{}/status/{snowflake}\">wrote on X</a> about the {}.</p>",
                p.name,
                p.handle,
                rng.pick(WORDS)
            );
        }
        55..=64 => {
            let did = format!(
                "did:plc:{}",
                rng.chars(b"abcdefghijklmnopqrstuvwxyz234567", 24)
            );
            let rkey = format!("3k{}", rng.chars(TID, 11));
            let text = post_text(&rkey);
            let handle = p.handle.to_lowercase();
            let _ = writeln!(
                out,
                "<blockquote class=\"bluesky-embed\" data-bluesky-uri=\"at://{did}/app.bsky.feed.post/{rkey}\" data-bluesky-cid=\"bafyrei{}\"><p lang=\"en\">{text}</p>&mdash; {} (<a href=\"https://bsky.app/profile/{did}?ref_src=embed\">@{handle}.bsky.social</a>) <a href=\"https://bsky.app/profile/{did}/post/{rkey}?ref_src=embed\">{date} at 9:41 AM</a></blockquote>",
                rng.chars(b"abcdefghijklmnopqrstuvwxyz234567", 52),
                p.name
            );
        }
        65..=74 => {
            let id = rng.chars(ALNUM, 11);
            let _ = writeln!(
                out,
                "<figure><iframe width=\"560\" height=\"315\" src=\"https://www.youtube.com/embed/{id}\" allowfullscreen></iframe></figure>"
            );
        }
        75..=80 => {
            let code = format!("C{}", rng.chars(ALNUM, 10));
            let url = format!("https://www.instagram.com/p/{code}/");
            let _ = writeln!(
                out,
                "<blockquote class=\"instagram-media\" data-instgrm-permalink=\"{url}?utm_source=ig_embed\" data-instgrm-version=\"14\"><div><a href=\"{url}\">View this post on Instagram</a><p>A post shared by {} (@{})</p></div></blockquote>",
                p.name, p.handle
            );
        }
        81..=85 => {
            let id = ((ms << 16) | (rng.next() & 0xFFFF)).to_string();
            let user = rng.chars(LOWER, 7);
            let _ = writeln!(
                out,
                "<iframe src=\"https://mastodon.social/@{user}/{id}/embed\" class=\"mastodon-embed\" width=\"400\"></iframe>"
            );
        }
        86..=90 => {
            let id = format!(
                "7{}",
                rng.range(100_000_000_000_000_000, 399_999_999_999_999_999)
            );
            let _ = writeln!(
                out,
                "<blockquote class=\"tiktok-embed\" cite=\"https://www.tiktok.com/@{}/video/{id}\" data-video-id=\"{id}\"><section><a href=\"https://www.tiktok.com/@{}\">@{}</a> {}</section></blockquote>",
                p.handle,
                p.handle,
                p.handle,
                rng.pick(WORDS)
            );
        }
        91..=95 => {
            let channel = rng.chars(LOWER, 8);
            let _ = writeln!(
                out,
                "<script async src=\"https://telegram.org/js/telegram-widget.js?22\" data-telegram-post=\"{channel}/{}\" data-width=\"100%\"></script>",
                rng.range(10, 99_999)
            );
        }
        _ => {
            let id = rng.chars(b"abcdefghijklmnopqrstuvwxyz0123456789", 6);
            let _ = writeln!(
                out,
                "<p>Readers <a href=\"https://www.reddit.com/r/news/comments/{id}/the_{}/\">discussed it on Reddit</a>.</p>",
                rng.pick(WORDS)
            );
        }
    }
    out
}

/// Article `i`: its relative path and bytes.
fn article(seed: u64, i: u64, next_post: &mut u64) -> (String, String) {
    let mut rng = Rng::new(seed ^ (i + 1).wrapping_mul(0x9FB2_1C65_1E98_DF25));
    let html = !rng.chance(10);
    let posts = rng.range(1, 3);
    let mut body = String::new();
    let para = |rng: &mut Rng, out: &mut String| {
        let n = rng.range(25, 60);
        for w in 0..n {
            out.push_str(if w == 0 { "The " } else { " " });
            out.push_str(rng.pick(WORDS));
        }
        out.push('.');
    };
    for _ in 0..posts {
        let k = if *next_post > 100 && rng.chance(25) {
            rng.range(0, *next_post - 1)
        } else {
            *next_post += 1;
            *next_post - 1
        };
        if html {
            body.push_str("<p>");
            para(&mut rng, &mut body);
            body.push_str("</p>\n");
        } else {
            para(&mut rng, &mut body);
            body.push_str("\n\n");
        }
        body.push_str(&post_markup(seed, k, html));
        if !html {
            body.push('\n');
        }
    }
    let section = rng.pick(WORDS);
    let dir = format!("{:04}", i / 1000);
    if html {
        (
            format!("{dir}/{section}-{i}.html"),
            format!(
                "<!doctype html><html><head><meta charset=\"utf-8\"><title>Story {i}</title></head><body><article><h1>The {section} story {i}</h1>\n{body}</article></body></html>\n"
            ),
        )
    } else {
        (format!("{dir}/{section}-{i}.txt"), body)
    }
}

fn generate(dir: &Path, n: u64, seed: u64) {
    let marker = dir.join("generated");
    let want = format!("{n} {seed}\n");
    if std::fs::read_to_string(&marker).is_ok_and(|m| m == want) {
        println!("reusing {n} articles in {}", dir.display());
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
    let start = Instant::now();
    let mut next_post = 0;
    let mut bytes = 0;
    for i in 0..n {
        let (path, text) = article(seed, i, &mut next_post);
        let path = dir.join(path);
        if i % 1000 == 0 {
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("create a directory");
        }
        bytes += text.len();
        std::fs::write(&path, text).expect("write an article");
    }
    std::fs::write(&marker, want).expect("write the marker");
    println!(
        "generated {n} articles ({next_post} posts, {:.0} MiB) in {:.0} s",
        bytes as f64 / 1048576.0,
        start.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------
// The check server: answers by id, 15 % gone.

fn json(status: u16, body: String) -> Reply {
    Reply::status(status, "application/json", body)
}

fn q(path: &str, key: &str) -> String {
    let query = path.split_once('?').map(|(_, q)| q).unwrap_or_default();
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn last_segment(s: &str) -> String {
    s.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

fn answer(req: &Req) -> Reply {
    let path = req.path.as_str();
    let route = path.split(['/', '?']).nth(1).unwrap_or_default();
    match route {
        "syn" => {
            let id = q(path, "id");
            if is_gone(&id) {
                return Reply::status(404, "text/plain", "Not Found");
            }
            json(
                200,
                format!(
                    r#"{{"__typename":"Tweet","id_str":"{id}","text":"{}","created_at":"2022-10-16T15:01:40.000Z","lang":"en","user":{{"name":"Desk","screen_name":"desk"}}}}"#,
                    post_text(&id)
                ),
            )
        }
        "xo" | "bsky-oembed" | "meta" | "threads" | "tt" => {
            let id = last_segment(&q(path, "url"));
            if is_gone(&id) {
                return json(404, r#"{"error":"not found"}"#.into());
            }
            json(
                200,
                r#"{"type":"rich","version":"1.0","author_name":"Desk","html":"<blockquote></blockquote>"}"#.into(),
            )
        }
        "bsky" => {
            let uri = q(path, "uri");
            let rkey = last_segment(&uri);
            if is_gone(&rkey) {
                return json(
                    400,
                    format!(r#"{{"error":"NotFound","message":"Post not found: {uri}"}}"#),
                );
            }
            json(
                200,
                format!(
                    r#"{{"thread":{{"$type":"app.bsky.feed.defs#threadViewPost","post":{{"uri":"{uri}","cid":"bafyreia","author":{{"did":"did:plc:abc","handle":"desk.bsky.social","displayName":"Desk"}},"record":{{"$type":"app.bsky.feed.post","text":"{}","createdAt":"2024-04-21T15:09:00.000Z"}}}},"replies":[]}}}}"#,
                    post_text(&rkey)
                ),
            )
        }
        "masto" => {
            let id = last_segment(path.split('?').next().unwrap_or_default());
            let id = if path.contains("/api/oembed") {
                last_segment(&q(path, "url"))
            } else {
                id
            };
            if is_gone(&id) {
                return json(404, r#"{"error":"Record not found"}"#.into());
            }
            json(
                200,
                format!(
                    r#"{{"id":"{id}","created_at":"2022-11-10T12:00:00.000Z","content":"<p>{}</p>","account":{{"acct":"desk","display_name":"Desk"}}}}"#,
                    post_text(&id)
                ),
            )
        }
        "tg" => {
            let id = path.split('?').next().unwrap_or_default().to_string();
            let inner = if is_gone(&id) {
                r#"<div class="tgme_widget_message_error">Post not found</div>"#.to_string()
            } else {
                format!(
                    r#"<div class="tgme_widget_message" data-post="c/1"><div class="tgme_widget_message_text" dir="auto">{}</div></div>"#,
                    post_text(&id)
                )
            };
            Reply::html(format!(
                "<!DOCTYPE html><html><body class=\"widget_frame_base\">{inner}</body></html>"
            ))
        }
        "yt" => {
            if is_gone(path) {
                Reply::status(404, "text/html", "<html>404</html>")
            } else {
                Reply::status(200, "image/jpeg", vec![0xFF, 0xD8, 0xFF, 0xD9])
            }
        }
        "reddit" => {
            let id = path.split("/comments/").nth(1).unwrap_or_default();
            let id = id.split(['.', '/']).next().unwrap_or_default();
            let (text, by) = if is_gone(id) {
                ("[deleted]", r#""deleted""#)
            } else {
                ("A thread", "null")
            };
            json(
                200,
                format!(
                    r#"[{{"kind":"Listing","data":{{"children":[{{"kind":"t3","data":{{"id":"{id}","title":"Thread","selftext":"{text}","author":"desk","created_utc":1700000000.0,"removed_by_category":{by}}}}}]}}}},{{"kind":"Listing","data":{{"children":[]}}}}]"#
                ),
            )
        }
        "wb" => json(200, r#"{"archived_snapshots":{}}"#.into()),
        _ => Reply::status(404, "text/plain", "unknown route"),
    }
}

const ENDPOINTS: [(&str, &str); 12] = [
    ("EMBARC_X_SYNDICATION_URL", "/syn"),
    ("EMBARC_X_OEMBED_URL", "/xo"),
    ("EMBARC_BLUESKY_APPVIEW_URL", "/bsky"),
    ("EMBARC_BLUESKY_OEMBED_URL", "/bsky-oembed"),
    ("EMBARC_MASTODON_URL", "/masto"),
    ("EMBARC_TELEGRAM_URL", "/tg"),
    ("EMBARC_YOUTUBE_THUMB_URL", "/yt"),
    ("EMBARC_TIKTOK_URL", "/tt"),
    ("EMBARC_REDDIT_URL", "/reddit"),
    ("EMBARC_META_GRAPH_URL", "/meta"),
    ("EMBARC_THREADS_URL", "/threads"),
    ("EMBARC_WAYBACK_URL", "/wb"),
];

const UNLIMITED: &str = "[check]\ntimeout = \"10s\"\nretries = 0\nconcurrency = 16\n\n[endpoints.rate]\nx_syndication = \"0\"\nx_oembed = \"0\"\nbluesky_appview = \"0\"\nbluesky_oembed = \"0\"\nmastodon = \"0\"\ntelegram = \"0\"\nyoutube_thumb = \"0\"\ntiktok = \"0\"\nreddit = \"0\"\nmeta_graph = \"0\"\nthreads = \"0\"\nwayback = \"0\"\narticle = \"0\"\n";

// ---------------------------------------------------------------------------
// Measuring one process.

#[derive(Clone, Copy, Default)]
struct Measured {
    seconds: f64,
    peak_rss_kib: u64,
    write_bytes: u64,
    stdout_bytes: u64,
}

/// Run `cmd` to its end and measure it. `/proc/PID/io` is read after the
/// process exits but before it is reaped (`waitid` with `WNOWAIT`), so its
/// last writes are counted.
///
/// Peak RSS is the child's `VmHWM`, read from `/proc/PID/status` every
/// 10 ms while it runs (the last reading is the peak up to its last 10 ms).
/// Not `ru_maxrss`: Linux starts a child's at the peak RSS of the process
/// that spawned it (exec records the old memory map's high-water mark), so
/// every step would read at least this benchmark's own size (hundreds of
/// MiB at a million articles, with the posts' fates held for the server).
fn measure(mut cmd: Command, stdout: Option<&Path>) -> Measured {
    let out = stdout.map(|p| std::fs::File::create(p).expect("create the output file"));
    cmd.stdout(out.map_or(Stdio::null(), Stdio::from))
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("start embarc");
    let pid = child.id() as libc::pid_t;
    let stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut { stderr }, &mut s);
        s
    });
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut peak = 0u64;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                let status =
                    std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
                let hwm = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                    .unwrap_or(0);
                peak = peak.max(hwm);
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            peak
        })
    };
    // SAFETY: plain waitid/waitpid calls on our own child, with zeroed out-structs.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    unsafe {
        libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOWAIT,
        )
    };
    let seconds = start.elapsed().as_secs_f64();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let peak_rss_kib = sampler.join().unwrap_or(0);
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).unwrap_or_default();
    let write_bytes = io
        .lines()
        .find_map(|l| l.strip_prefix("write_bytes:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut status = 0;
    unsafe { libc::waitpid(pid, &mut status, 0) };
    // The Child has been reaped by waitpid; forget it so nothing waits twice.
    std::mem::forget(child);
    let err = reader.join().unwrap_or_default();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    if code != 0 && code != 2 {
        eprintln!("{err}");
        panic!("embarc failed with {code}: {cmd:?}");
    }
    Measured {
        seconds,
        peak_rss_kib,
        write_bytes,
        stdout_bytes: stdout
            .and_then(|p| std::fs::metadata(p).ok())
            .map_or(0, |m| m.len()),
    }
}

fn db_size(archive: &Path) -> u64 {
    ["embarc.db", "embarc.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(archive.join(f)).ok())
        .map(|m| m.len())
        .sum()
}

fn mib(b: u64) -> f64 {
    b as f64 / 1048576.0
}

/// Every step, with one binary, on its own archive.
fn run_all(
    bin: &Path,
    work: &Path,
    name: &str,
    articles: &Path,
    server: &Server,
    check: bool,
) -> Vec<(String, Measured, String)> {
    let archive = work.join(format!("archive-{name}"));
    let _ = std::fs::remove_dir_all(&archive);
    std::fs::create_dir_all(&archive).expect("create the archive directory");
    std::fs::write(archive.join("embarc.toml"), UNLIMITED).expect("write embarc.toml");
    let out = work.join(format!("out-{name}"));
    let embarc = |args: &[&str]| {
        let mut c = Command::new(bin);
        c.arg("--archive").arg(&archive).args(args);
        c.env_remove("EMBARC_LOG").env_remove("EMBARC_NOW");
        // The endpoints are a server on 127.0.0.1 (older builds ignore it).
        c.env("EMBARC_ALLOW_PRIVATE", "1");
        for (var, path) in ENDPOINTS {
            c.env(var, server.url(path));
        }
        c
    };
    let n = std::fs::read_to_string(articles.join("generated"))
        .ok()
        .and_then(|m| m.split(' ').next().and_then(|n| n.parse::<f64>().ok()))
        .unwrap_or(1.0);
    let mut rows = Vec::new();
    let mut fresh = f64::NAN;
    let mut step = |label: &str, args: &[&str], keep: bool| {
        let path = out.join(label.replace(' ', "_"));
        let before = db_size(&archive);
        let m = measure(embarc(args), keep.then_some(path.as_path()));
        let after = db_size(&archive);
        let note = match label {
            "archive" => {
                fresh = m.seconds;
                format!(
                    "{:.0} articles/s, database {:.1} MiB, written {:.2}× the database",
                    n / m.seconds,
                    mib(after),
                    m.write_bytes as f64 / after.max(1) as f64
                )
            }
            "archive no-op re-run" => format!(
                "{:.1} % of the fresh run's time, database grew {} bytes",
                m.seconds / fresh * 100.0,
                after as i64 - before as i64
            ),
            _ if keep => format!("{:.1} MiB out", mib(m.stdout_bytes)),
            _ => String::new(),
        };
        println!(
            "  {label:<28} {:>8.2} s  {:>7.1} MiB RSS  {:>9.1} MiB written  {note}",
            m.seconds,
            m.peak_rss_kib as f64 / 1024.0,
            mib(m.write_bytes)
        );
        rows.push((label.to_string(), m, note));
    };
    std::fs::create_dir_all(&out).expect("create the output directory");
    let dir = articles.display().to_string();
    step("archive", &["archive", "--json", &dir], false);
    step("archive no-op re-run", &["archive", "--json", &dir], false);
    if check {
        step(
            "check --posts",
            &["check", "--posts", "--stale", "0"],
            false,
        );
    }
    step("status", &["status"], true);
    step("report", &["report"], true);
    step("report --json", &["report", "--json"], true);
    for kind in ["posts", "citations", "queue"] {
        for format in ["json", "jsonl", "csv"] {
            let label = format!("export {kind} {format}");
            step(&label, &["export", kind, "--format", format], true);
        }
    }
    step("queue", &["queue"], true);
    step("queue --json", &["queue", "--json"], true);
    println!(
        "  database size at the end: {:.1} MiB",
        mib(db_size(&archive))
    );
    rows
}

fn main() {
    let mut n: u64 = 100_000;
    let mut seed = 1;
    let mut dir: Option<PathBuf> = None;
    let mut keep = false;
    let mut check = true;
    let mut baseline: Option<PathBuf> = None;
    let mut bin: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).expect("--seed N"),
            "--dir" => dir = args.next().map(PathBuf::from),
            "--keep" => keep = true,
            "--no-check" => check = false,
            "--baseline" => baseline = args.next().map(PathBuf::from),
            "--bin" => bin = args.next().map(PathBuf::from),
            "--bench" => {}
            other => n = other.parse().unwrap_or(n),
        }
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let work = dir.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    let articles = work.join(format!("articles-{n}-{seed}"));
    generate(&articles, n, seed);
    let server = Server::start_with_threads(1, answer);
    let current = bin.unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_embarc")));
    let base = baseline.map(|b| {
        println!("baseline {} on {n} articles:", b.display());
        run_all(&b, &work, "baseline", &articles, &server, check)
    });
    println!("embarc {} on {n} articles:", current.display());
    let now = run_all(&current, &work, "current", &articles, &server, check);
    if let Some(base) = base {
        println!("current ÷ baseline (time, peak RSS, bytes written):");
        for ((label, b, _), (_, c, _)) in base.iter().zip(&now) {
            let r = |x: f64, y: f64| if y > 0.0 { x / y } else { f64::NAN };
            println!(
                "  {label:<28} {:>6.2}  {:>6.2}  {:>6.2}",
                r(c.seconds, b.seconds),
                r(c.peak_rss_kib as f64, b.peak_rss_kib as f64),
                r(c.write_bytes as f64, b.write_bytes as f64)
            );
        }
    }
    if keep || dir.is_some() {
        std::mem::forget(tmp);
    }
}

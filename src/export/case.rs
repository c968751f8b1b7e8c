//! `embarc export case --claim ID --out DIR|FILE.zip`: everything embarc
//! holds about one claim, for handing to a newsroom's lawyer or a court.
//!
//! - `claim-ID.wacz`: the captures of the articles citing the post and the
//!   post's own media, as a WACZ package (see [`super::wacz`]), the claim's
//!   JSON inside;
//! - `claim-ID.wacz.tsa-HOST.tsr`: RFC 3161 timestamps of the package's
//!   `datapackage-digest.json`, one per authority (`[timestamp] tsa`);
//! - `claim.json`: the claim with its events, every snapshot of the post
//!   (what each article and endpoint showed) and every check;
//! - `summary.html`: the same for people: the post as it was shown, its
//!   media with their SHA-256, the citing articles, the captures with their
//!   SHA-256, the timestamps and how to check them, the checks and the
//!   claim's history;
//! - `SHA256SUMS`: the SHA-256 of every other file (`sha256sum -c` reads it).

use super::wacz;
use crate::store::{CaptureRow, ClaimDetail, SavedCopy, SavedMedia, StoredTimestamp};
use crate::timestamp::Stamp;
use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, html};
use std::io::Write;
use std::path::Path;

/// What a case file holds: each file's name, SHA-256 (hex) and size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Case {
    pub files: Vec<(String, String, u64)>,
}

/// Everything the archive holds about one claim.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub claim: &'a ClaimDetail,
    /// The web captures of the articles citing its post.
    pub captures: &'a [CaptureRow],
    /// The post's own media kept.
    pub media: &'a [SavedMedia],
    /// Copies public archives saved of the post and the articles.
    pub copies: &'a [SavedCopy],
    /// The timestamps of the archive's WARC files that hold those records.
    pub warc_stamps: &'a [StoredTimestamp],
}

/// Asks the configured authorities to stamp a digest (the package file's
/// name, its `datapackage-digest.json`'s SHA-256): each authority's token
/// and what it says, or why there is none. Empty when none is configured.
pub type Stamper<'a> =
    dyn FnMut(&str, &[u8; 32]) -> Vec<(String, Result<(Vec<u8>, Stamp), String>)> + 'a;

/// Write the case of `evidence` to `out`: a directory (created; it must
/// not exist or be empty), or a ZIP file when `out` ends in `.zip`. The
/// package is stamped by `stamp`.
pub fn write(
    archive_dir: &Path,
    evidence: Evidence<'_>,
    stamp: &mut Stamper<'_>,
    out: &Path,
    created: DateTime<Utc>,
) -> anyhow::Result<Case> {
    let extension = out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let zipped = extension.as_deref() == Some("zip");
    if let Some(other) = extension
        .as_deref()
        .filter(|e| ["gz", "tgz", "tar", "7z", "bz2", "xz", "zst", "rar", "wacz"].contains(e))
    {
        anyhow::bail!(
            "{}: a case file is a directory, or a ZIP file when the name ends in .zip; .{other} is neither",
            out.display()
        );
    }
    if out.is_file() {
        anyhow::bail!(
            "{} exists: evidence already written is never replaced; choose another name",
            out.display()
        );
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        anyhow::bail!(
            "cannot create {}: the directory {} does not exist",
            out.display(),
            parent.display()
        );
    }
    // Files are made in a directory: `out` itself, or a temporary one
    // beside the ZIP.
    let staging = if zipped {
        if out.exists() {
            anyhow::bail!(
                "{} exists: evidence already written is never replaced; choose another name",
                out.display()
            );
        }
        tempfile::tempdir_in(parent)
            .map_err(|e| anyhow::anyhow!("cannot write beside {}: {e}", out.display()))?
            .keep()
    } else {
        if out.exists() && std::fs::read_dir(out)?.next().is_some() {
            anyhow::bail!(
                "{} exists and is not empty: a case file goes into a new directory",
                out.display()
            );
        }
        if !out.exists() {
            std::fs::create_dir(out)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
        }
        out.to_path_buf()
    };
    let made = make(archive_dir, evidence, stamp, &staging, created);
    let result = match (made, zipped) {
        (Ok(case), true) => zip_dir(&staging, &case, out, created).map(|()| case),
        (made, _) => made,
    };
    if zipped {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// A timestamp of the package, as the summary lists it.
struct Stamped {
    tsa: String,
    /// The token file, or why there is none.
    got: Result<(String, Stamp), String>,
}

/// The case's files in `dir`.
fn make(
    archive_dir: &Path,
    evidence: Evidence<'_>,
    stamp: &mut Stamper<'_>,
    dir: &Path,
    created: DateTime<Utc>,
) -> anyhow::Result<Case> {
    let claim = evidence.claim;
    let id = claim.claim.id;
    let mut case = Case::default();
    let json = serde_json::to_vec_pretty(claim)?;
    let wacz_name = format!("claim-{id}.wacz");
    let mut stamps = Vec::new();
    if !evidence.captures.is_empty() || !evidence.media.is_empty() {
        let documents = [(
            format!("embarc/claim-{id}.json"),
            serde_json::to_vec_pretty(&serde_json::json!({ "claim": claim }))?,
        )];
        let packaged = wacz::write(
            archive_dir,
            wacz::Contents {
                captures: evidence.captures,
                media: evidence.media,
                documents: &documents,
            },
            &dir.join(&wacz_name),
            created,
        )?;
        case.files.push(described(dir, &wacz_name)?);
        for (tsa, got) in stamp(&wacz_name, &packaged.digest_sha256) {
            let got = got.and_then(|(token, stamp)| {
                let name = crate::timestamp::token_file_name(&wacz_name, &tsa);
                std::fs::write(dir.join(&name), &token).map_err(|e| e.to_string())?;
                Ok((name, stamp))
            });
            if let Ok((name, _)) = &got {
                case.files.push(described(dir, name)?);
            }
            stamps.push(Stamped { tsa, got });
        }
    }
    std::fs::write(dir.join("claim.json"), &json)?;
    case.files.push(described(dir, "claim.json")?);
    let page = summary(evidence, &stamps, &case, created).into_string();
    std::fs::write(dir.join("summary.html"), page)?;
    case.files.push(described(dir, "summary.html")?);
    let sums: String = case
        .files
        .iter()
        .map(|(name, sha, _)| format!("{sha}  {name}\n"))
        .collect();
    std::fs::write(dir.join("SHA256SUMS"), sums)?;
    case.files.push(described(dir, "SHA256SUMS")?);
    Ok(case)
}

/// A file's name, SHA-256 and size.
fn described(dir: &Path, name: &str) -> anyhow::Result<(String, String, u64)> {
    let (sha, size) = crate::capture::warc::sha256_of(std::fs::File::open(dir.join(name))?)?;
    Ok((name.to_string(), hex::encode(sha), size))
}

/// The files of `case` from `dir` into the ZIP `out` (stored).
fn zip_dir(dir: &Path, case: &Case, out: &Path, created: DateTime<Utc>) -> anyhow::Result<()> {
    let file = wacz::create_new(out)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let stored = wacz::stored_at(created).large_file(true);
    for (name, _, _) in &case.files {
        zip.start_file(name.as_str(), stored)?;
        std::io::copy(&mut std::fs::File::open(dir.join(name))?, &mut zip)?;
    }
    zip.finish()?.flush()?;
    Ok(())
}

/// The human-readable account.
fn summary(
    evidence: Evidence<'_>,
    stamps: &[Stamped],
    case: &Case,
    created: DateTime<Utc>,
) -> Markup {
    let Evidence {
        claim,
        captures,
        media,
        copies,
        warc_stamps,
    } = evidence;
    let c = &claim.claim;
    let wacz_name = format!("claim-{}.wacz", c.id);
    let p = &c.post;
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Case file: claim #" (c.id) " (" (c.label) ")" }
                style { "body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}\
                         table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem;text-align:left;vertical-align:top}\
                         .shown{white-space:pre-wrap;border-left:4px solid #888;padding-left:.8rem}code{word-break:break-all}" }
            }
            body {
                h1 { "Case file: claim #" (c.id) " (" (c.label) ")" }
                p { "Made by embarc " (env!("CARGO_PKG_VERSION")) " at " (created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    ". Every time in this file is UTC (the trailing Z)." }
                h2 { "How to check this case file" }
                ul {
                    li { code { "sha256sum -c SHA256SUMS" } " in this folder checks that no file changed since it was made (the table at the end lists the same hashes)." }
                    li { "The " code { "claim-" (c.id) ".wacz" } " file is a web archive: open it in ReplayWeb.page (replayweb.page) or pywb to see each article as it was captured. Its own " code { "datapackage.json" } " holds the SHA-256 of every file inside it." }
                    li { code { "claim.json" } " holds the same account as this page, for programs." }
                    li { "With embarc: " code { "embarc verify --wacz " (wacz_name) " --roots ROOT.pem" } " checks every file, record and index line of the package, and its timestamps, on their own." }
                    @if stamps.iter().any(|s| s.got.is_ok()) {
                        li { "Each " code { ".tsr" } " file is an RFC 3161 timestamp: a Time-Stamp Authority's signed statement that the package's "
                             code { "datapackage-digest.json" } " (which holds the hash of " code { "datapackage.json" } ", which holds the hash of every file in the package) existed at the time it names. With OpenSSL and the authority's root certificate: "
                             code { "unzip -p " (wacz_name) " datapackage-digest.json > datapackage-digest.json" } " then "
                             code { "openssl ts -verify -data datapackage-digest.json -in " (stamps.iter().find_map(|s| s.got.as_ref().ok().map(|(n, _)| n.as_str())).unwrap_or("TOKEN.tsr")) " -token_in -CAfile ROOT.pem" } " prints " code { "Verification: OK" } " (and the same for each token below). " code { "ROOT.pem" } " is the authority's root certificate: get it from the authority itself, so that trusting it does not depend on whoever made this file." }
                    }
                }
                h2 { "Trusted timestamps" }
                @if stamps.is_empty() {
                    p { "None: no Time-Stamp Authority is configured (" code { "[timestamp] tsa" } " in embarc.toml), or there is no package to stamp. The SHA-256 sums prove the files are unchanged since they were made, not when they were made." }
                } @else {
                    table {
                        tr { th { "Authority" } th { "Time it gives" } th { "Signed by" } th { "Token" } }
                        @for s in stamps {
                            tr { td { code { (s.tsa) } }
                                 @match &s.got {
                                     Ok((name, st)) => { td { (st.gen_time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)) } td { (st.tsa) } td { code { (name) } } }
                                     Err(e) => { td colspan="3" { "not granted: " (e) } }
                                 } }
                        }
                    }
                }
                @if !warc_stamps.is_empty() {
                    p { "The records in the package were copied from these WARC files of embarc's archive, each stamped when the run that wrote it ended (" code { "embarc verify" } " checks them in the archive):" }
                    table {
                        tr { th { "WARC file" } th { "SHA-256" } th { "Authority" } th { "Time it gives" } }
                        @for t in warc_stamps { tr { td { code { (t.subject) } } td { code { (t.sha256) } } td { code { (t.tsa) } } td { (or_dash(&t.gen_time)) } } }
                    }
                }
                h2 { "The claim" }
                table {
                    tr { th { "Status" } td { (c.status) } }
                    tr { th { "Decided" } td { @if let Some(at) = &c.decided_at { (at) " by " (or_dash(&c.decided_by)) } @else { "not decided" } } }
                    tr { th { "Assignee" } td { (or_dash(&c.assignee)) } }
                    tr { th { "Queued" } td { (c.created_at) @if let Some(r) = &c.reason { " — " (r) } } }
                }
                h2 { "The post" }
                table {
                    tr { th { "Platform" } td { (p.ident.platform) } }
                    tr { th { "Post id" } td { code { (or_dash(&p.ident.post_id)) } } }
                    tr { th { "URL" } td { code { (or_dash(&p.ident.post_url)) } } }
                    tr { th { "Author" } td { (or_dash(&p.ident.author_name)) @if let Some(h) = &p.ident.handle { " (@" (h) ")" } } }
                    tr { th { "Posted" } td { (or_dash(&p.posted_at)) @if let Some(d) = &p.display_date { " (shown as " (d) ")" } br; small { "For X, Bluesky and Mastodon posts, the time comes from the post's id, which encodes when it was made." } } }
                    tr { th { "First seen by embarc" } td { (p.first_seen_at) } }
                    tr { th { "Latest check" } td { (p.latest.label().unwrap_or_else(|| "not checked".into())) @if let Some(at) = &p.latest.checked_at { ", " (at) } } }
                    @if let Some(a) = &p.latest.archived_url { tr { th { "Archived copy" } td { code { (a) } } } }
                }
                h2 { "As it was shown" }
                p { "Each source that showed the post, once per different content: an article showing the same text as an earlier one is not repeated (the articles citing the post are listed below)." }
                @for s in &claim.snapshots {
                    h3 { (s.source) @if let Some(a) = &s.article_url { " in " code { (a) } } ", " (s.taken_at) }
                    p { (or_dash(&s.author_name)) @if let Some(h) = &s.handle { " (@" (h) ")" } @if let Some(d) = &s.display_date { " · " (d) } }
                    div.shown { (s.text.clone().unwrap_or_else(|| "(no text)".into())) }
                    @if !s.media.is_empty() { p { "Media links it showed: " @for m in &s.media { code { (m) } " " } } }
                    @if !s.labels.is_empty() { p { "Labels: " (s.labels.join(", ")) } }
                }
                h2 { "The post's media" }
                @if media.is_empty() { p { "None kept (" code { "embarc check --media" } " keeps the photos, video and thumbnails a post's platform names while it is online)." } }
                @else {
                    p { "Each file is in the WACZ package as the platform served it; its SHA-256 is of the bytes as received." }
                    table {
                        tr { th { "Kind" } th { "URL" } th { "Type" } th { "Bytes" } th { "SHA-256" } th { "Fetched" } }
                        @for m in media {
                            tr { td { (m.kind) } td { code { (m.url) } } td { (or_dash(&m.content_type)) } td { (m.size.map_or("—".into(), |s| s.to_string())) }
                                 td { code { (or_dash(&m.sha256)) } } td { (m.fetched_at) } }
                        }
                    }
                }
                @if !claim.media_not_kept.is_empty() {
                    h3 { "Named by the platform but not kept" }
                    table {
                        tr { th { "Kind" } th { "URL" } th { "Why" } th { "Last asked" } }
                        @for m in &claim.media_not_kept {
                            tr { td { (m.kind) } td { code { (m.url) } } td { (m.result.replace('_', " ")) ": " (m.detail) } td { (m.fetched_at) } }
                        }
                    }
                }
                h2 { "Articles citing it" }
                table {
                    tr { th { "Article" } th { "How" } th { "First captured" } th { "Last captured" } }
                    @for a in &c.citations {
                        tr { td { code { (a.article_url) } } td { (a.kind) " (" (a.shape) ")" } td { (a.first_captured_at) } td { (a.last_captured_at) } }
                    }
                }
                h2 { "Captures of the citing articles" }
                p { "Each is in the WACZ package; the last column is where embarc keeps the original record in its own archive (" code { "warc/" } " folder), for whoever runs it." }
                @if captures.is_empty() { p { "None: the citing articles were read from local files, which have no WARC record." } }
                @else {
                    table {
                        tr { th { "Article" } th { "Captured" } th { "HTTP" } th { "SHA-256 of the body" } th { "Record in embarc's archive (file:offset)" } }
                        @for k in captures {
                            tr { td { code { (k.article_url) } } td { (k.captured_at) } td { (k.http_status.map_or("—".into(), |s| s.to_string())) }
                                 td { code { (k.sha256) } } td { code { (k.warc_file.clone().unwrap_or_default()) ":" (k.warc_offset.unwrap_or_default()) } } }
                        }
                    }
                }
                h2 { "Copies in public archives" }
                @if copies.is_empty() { p { "None saved by embarc (" code { "embarc archive --push wayback" } " asks the Wayback Machine for copies)." } }
                @else {
                    table {
                        tr { th { "Of" } th { "Copy" } th { "Made" } }
                        @for k in copies { tr { td { code { (k.url) } } td { code { (k.snapshot_url) } } td { (or_dash(&k.snapshot_at)) } } }
                    }
                }
                h2 { "Checks" }
                @if claim.checks.is_empty() { p { "Never checked: " code { "embarc check" } " asks the platform whether the post is still online." } }
                table {
                    tr { th { "Time" } th { "State" } th { "Endpoint" } th { "Evidence" } }
                    @for k in &claim.checks {
                        tr { td { (k.checked_at) } td { (k.outcome.label()) } td { (k.endpoint) } td { (k.evidence) } }
                    }
                }
                h2 { "History of the claim" }
                table {
                    tr { th { "Time" } th { "Who" } th { "What" } th { "Note" } }
                    @for e in &c.events {
                        tr { td { (e.at) } td { (e.actor) }
                             td { (e.action.as_str()) @if let (Some(f), Some(t)) = (e.from_status, e.to_status) { ": " (f) " → " (t) } @if let Some(a) = &e.assignee { " to " (a) } }
                             td { (e.note.clone().unwrap_or_default()) } }
                    }
                }
                h2 { "Files" }
                table {
                    tr { th { "File" } th { "SHA-256" } th { "Bytes" } }
                    @for (name, sha, size) in &case.files { tr { td { code { (name) } } td { code { (sha) } } td { (size) } } }
                }
            }
        }
    }
}

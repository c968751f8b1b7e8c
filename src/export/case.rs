//! `embarc export case --claim ID --out DIR|FILE.zip`: everything embarc
//! holds about one claim, for handing to a newsroom's lawyer or a court.
//!
//! - `claim-ID.wacz`: the captures of the articles citing the post, as a
//!   WACZ package (see [`super::wacz`]), the claim's JSON inside;
//! - `claim.json`: the claim with its events, every snapshot of the post
//!   (what each article and endpoint showed) and every check;
//! - `summary.html`: the same for people: the post as it was shown, its
//!   media references, the citing articles, the captures with their
//!   SHA-256, the checks and the claim's history;
//! - `SHA256SUMS`: the SHA-256 of every other file (`sha256sum -c` reads it).
//!
//! Trusted (RFC 3161) timestamps are not obtained yet; the summary says so.

use super::wacz;
use crate::store::{CaptureRow, ClaimDetail, SavedCopy};
use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, html};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;

/// What a case file holds: each file's name, SHA-256 (hex) and size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Case {
    pub files: Vec<(String, String, u64)>,
}

/// Write the case of `claim` (with the web `captures` of the articles
/// citing its post) to `out`: a directory (created; it must not exist or be
/// empty), or a ZIP file when `out` ends in `.zip`.
pub fn write(
    archive_dir: &Path,
    claim: &ClaimDetail,
    captures: &[CaptureRow],
    copies: &[SavedCopy],
    out: &Path,
    created: DateTime<Utc>,
) -> anyhow::Result<Case> {
    let zipped = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    // Files are made in a directory: `out` itself, or a temporary one
    // beside the ZIP.
    let staging = if zipped {
        if out.exists() {
            anyhow::bail!(
                "{} exists: evidence already written is never replaced; choose another name",
                out.display()
            );
        }
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
        tempfile::tempdir_in(parent.unwrap_or(Path::new(".")))?.keep()
    } else {
        if out.exists() && std::fs::read_dir(out)?.next().is_some() {
            anyhow::bail!(
                "{} exists and is not empty: a case file goes into a new directory",
                out.display()
            );
        }
        std::fs::create_dir_all(out)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
        out.to_path_buf()
    };
    let made = make(archive_dir, claim, captures, copies, &staging, created);
    let result = match (made, zipped) {
        (Ok(case), true) => zip_dir(&staging, &case, out).map(|()| case),
        (made, _) => made,
    };
    if zipped {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// The case's files in `dir`.
fn make(
    archive_dir: &Path,
    claim: &ClaimDetail,
    captures: &[CaptureRow],
    copies: &[SavedCopy],
    dir: &Path,
    created: DateTime<Utc>,
) -> anyhow::Result<Case> {
    let id = claim.claim.id;
    let mut case = Case::default();
    let json = serde_json::to_vec_pretty(claim)?;
    let wacz_name = format!("claim-{id}.wacz");
    if !captures.is_empty() {
        wacz::write(
            archive_dir,
            captures,
            &[(format!("embarc/claim-{id}.json"), json.clone())],
            &dir.join(&wacz_name),
            created,
        )?;
        case.files.push(described(dir, &wacz_name)?);
    }
    std::fs::write(dir.join("claim.json"), &json)?;
    case.files.push(described(dir, "claim.json")?);
    let page = summary(claim, captures, copies, &case, created).into_string();
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
    let mut file = std::fs::File::open(dir.join(name))?;
    let mut hash = Sha256::new();
    let mut buf = vec![0; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        size += n as u64;
    }
    Ok((name.to_string(), wacz::hex(&hash.finalize()), size))
}

/// The files of `case` from `dir` into the ZIP `out` (stored).
fn zip_dir(dir: &Path, case: &Case, out: &Path) -> anyhow::Result<()> {
    let file = wacz::create_new(out)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    for (name, _, _) in &case.files {
        zip.start_file(name.as_str(), stored)?;
        std::io::copy(&mut std::fs::File::open(dir.join(name))?, &mut zip)?;
    }
    zip.finish()?.flush()?;
    Ok(())
}

/// The human-readable account.
fn summary(
    claim: &ClaimDetail,
    captures: &[CaptureRow],
    copies: &[SavedCopy],
    case: &Case,
    created: DateTime<Utc>,
) -> Markup {
    let c = &claim.claim;
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
                    ". Every time in this file is UTC (the trailing Z). Trusted (RFC 3161) timestamps are not part of this case file yet." }
                h2 { "How to check this case file" }
                ul {
                    li { code { "sha256sum -c SHA256SUMS" } " in this folder checks that no file changed since it was made (the table at the end lists the same hashes)." }
                    li { "The " code { "claim-" (c.id) ".wacz" } " file is a web archive: open it in ReplayWeb.page (replayweb.page) or pywb to see each article as it was captured. Its own " code { "datapackage.json" } " holds the SHA-256 of every file inside it." }
                    li { code { "claim.json" } " holds the same account as this page, for programs." }
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
                    @if !s.media.is_empty() { p { "Media: " @for m in &s.media { code { (m) } " " } } }
                    @if !s.labels.is_empty() { p { "Labels: " (s.labels.join(", ")) } }
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

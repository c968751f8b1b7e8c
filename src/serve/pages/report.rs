//! The report (`/report`): rot per platform, per site and of articles,
//! time to death, as SVG charts drawn on the server and as tables; and
//! the downloads of every export.

use super::chart::{self, STATES};
use super::layout::page;
use crate::report::{self, Lists, Report, Tally};
use crate::serve::AppState;
use crate::serve::auth::Signed;
use crate::serve::error::Failure;
use axum::extract::State;
use chrono::DateTime;
use maud::{Markup, html};
use std::collections::BTreeMap;

/// Sites shown in the chart (most gone posts first).
const SITES: usize = 15;

/// The buckets of time from first seen to gone: name and upper bound in
/// seconds.
const BUCKETS: [(&str, i64); 6] = [
    ("< 1 day", 86_400),
    ("1–7 days", 7 * 86_400),
    ("1–4 weeks", 30 * 86_400),
    ("1–3 months", 91 * 86_400),
    ("3–12 months", 365 * 86_400),
    ("> 1 year", i64::MAX),
];

/// How many gone posts died within each of [`BUCKETS`] of being first seen.
fn time_to_gone(store: &crate::store::Store) -> anyhow::Result<Vec<(&'static str, usize)>> {
    let mut counts = vec![0usize; BUCKETS.len()];
    store.for_each_gone_post(|p| {
        let span = p.gone_since.as_deref().and_then(|g| {
            let a = DateTime::parse_from_rfc3339(&p.first_seen_at).ok()?;
            let b = DateTime::parse_from_rfc3339(g).ok()?;
            Some((b - a).num_seconds())
        });
        if let Some(s) = span
            && let Some(i) = BUCKETS.iter().position(|(_, max)| s < *max)
        {
            counts[i] += 1;
        }
        Ok::<(), anyhow::Error>(())
    })?;
    Ok(BUCKETS.iter().map(|b| b.0).zip(counts).collect())
}

fn values(t: &Tally) -> Vec<usize> {
    vec![
        t.alive,
        t.gone,
        t.restricted,
        t.unknown,
        t.unchecked,
        t.not_checkable,
    ]
}

/// Each group's name and tally.
fn groups(g: &BTreeMap<String, Tally>) -> Vec<(&str, &Tally)> {
    g.iter().map(|(n, t)| (n.as_str(), t)).collect()
}

/// Each group's name and the values of its bar.
fn rows<'a>(g: &[(&'a str, &Tally)]) -> Vec<(&'a str, Vec<usize>)> {
    g.iter().map(|(n, t)| (*n, values(t))).collect()
}

fn percent(part: usize, of: usize) -> String {
    if of == 0 {
        "–".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / of as f64)
    }
}

fn days(seconds: i64) -> String {
    format!("{:.1} days", seconds as f64 / 86_400.0)
}

pub async fn show(State(state): State<AppState>, who: Signed) -> Result<Markup, Failure> {
    let (r, deaths) = state
        .db
        .run(|s| Ok((report::build(s, Lists::default())?, time_to_gone(s)?)))
        .await?;
    Ok(page("Report", &who, render(&r, &deaths)?))
}

fn table(groups: &[(&str, &Tally)], what: &str) -> Markup {
    html! {
        table.list {
            thead { tr { th { (what) } th { "total" } th { "alive" } th { "gone" } th { "restricted" } th { "unknown" } th { "unchecked" } th { "gone of checked" } } }
            tbody {
                @for (name, t) in groups {
                    tr { td { (name) } td { (t.total) } td { (t.alive) } td { (t.gone) } td { (t.restricted) } td { (t.unknown) } td { (t.unchecked) }
                         td { (percent(t.gone, t.alive + t.gone + t.restricted + t.unknown)) } }
                }
            }
        }
    }
}

fn render(r: &Report, deaths: &[(&str, usize)]) -> anyhow::Result<Markup> {
    let platforms = groups(&r.by_platform);
    let mut sites = groups(&r.by_site);
    sites.sort_by(|a, b| {
        b.1.gone
            .cmp(&a.1.gone)
            .then(b.1.total.cmp(&a.1.total))
            .then(a.0.cmp(b.0))
    });
    sites.truncate(SITES);
    let all = [("posts", &r.posts), ("articles", &r.articles)];
    Ok(html! {
        h1 { "Report" }
        p.summary {
            (r.posts.total) " posts, " (r.posts.gone) " gone (" (percent(r.posts.gone, r.posts.total - r.posts.unchecked - r.posts.not_checkable)) " of those checked); "
            (r.articles.total) " articles, " (r.articles.gone) " gone."
            @if let Some(m) = r.deaths.median_seconds_to_gone { " Median time from first seen to gone: " (days(m)) "." }
        }
        section {
            h2 { "Posts and articles by state" }
            (chart::stacked_shares("Posts and articles by state", &STATES, &rows(&all))?)
            (table(&all, "target"))
        }
        section {
            h2 { "Rot per platform" }
            @if platforms.is_empty() { p.empty { "No posts yet." } }
            @else {
                (chart::stacked_shares("Posts per platform by state", &STATES, &rows(&platforms))?)
                (table(&platforms, "platform"))
            }
        }
        section {
            h2 { "Rot per site" }
            @if sites.is_empty() { p.empty { "No posts yet." } }
            @else {
                p.hint { "The " (sites.len()) " sites with the most gone posts (of " (r.by_site.len()) ")." }
                (chart::stacked_shares("Posts cited per site by state", &STATES, &rows(&sites))?)
                (table(&sites, "site"))
            }
        }
        section {
            h2 { "Time to death" }
            p.hint { "Gone posts by the time from when embarc first saw them to the first check that found them gone." }
            (chart::histogram("Gone posts by time from first seen to gone", deaths)?)
        }
        section.downloads {
            h2 { "Downloads" }
            p { "Everything in the archive, as " code { "embarc export" } " writes it." }
            ul {
                @for what in ["posts", "citations", "queue"] {
                    li { (what) ": "
                        @for f in ["csv", "json", "jsonl"] { a href={"/export/" (what) "." (f)} download { (f.to_uppercase()) } " " }
                        @if what == "queue" { a href="/export/queue.claimreview.json" download { "ClaimReview" } }
                    }
                }
            }
            p.hint { "The queue page's downloads keep its filters." }
        }
    })
}

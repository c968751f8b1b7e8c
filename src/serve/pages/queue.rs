//! The queue (`/queue`, `/`): filters, counts per status, sorting,
//! pagination, and the CSV download of what the filters select.

use super::layout::{minutes, page};
use crate::detect::Platform;
use crate::export;
use crate::queue::{self, Status};
use crate::serve::AppState;
use crate::serve::auth::{Signed, form_urlencoded};
use crate::serve::error::Failure;
use crate::store::{Claim, ClaimFilter, ClaimSort, LIVENESS};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

/// Claims per page.
pub const PER_PAGE: usize = 50;

/// The queue's filters as the page and the API take them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Filters {
    /// `open` (the default: unstarted and in progress), `all`, or a status.
    pub status: Option<String>,
    pub label: Option<String>,
    /// A name, or `mine`.
    pub assignee: Option<String>,
    pub platform: Option<String>,
    /// Liveness: alive, gone, restricted, unknown, unchecked.
    pub state: Option<String>,
    /// oldest (default), newest, updated.
    pub sort: Option<String>,
    /// 1-based page number (pages only).
    pub page: Option<usize>,
    /// Claims to skip and to return (API only).
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Filters {
    /// The store's filter and sort; a 400 naming the bad value.
    pub fn resolve(&self, me: &str) -> Result<(ClaimFilter, ClaimSort), Failure> {
        let statuses = match given(&self.status) {
            None | Some("open") => vec![Status::Unstarted, Status::InProgress],
            Some("all") => Vec::new(),
            Some(s) => vec![
                s.parse::<Status>()
                    .map_err(|e| Failure::bad_request(format!("{e}, open or all")))?,
            ],
        };
        let platform = given(&self.platform)
            .map(|p| p.parse::<Platform>().map(|p| p.as_str().to_string()))
            .transpose()
            .map_err(Failure::bad_request)?;
        let state = given(&self.state)
            .map(|s| {
                let s = s.to_lowercase();
                LIVENESS.contains(&s.as_str()).then_some(s).ok_or_else(|| {
                    Failure::bad_request(format!(
                        "unknown liveness {:?}; use one of {}",
                        self.state.as_deref().unwrap_or(""),
                        LIVENESS.join(", ")
                    ))
                })
            })
            .transpose()?;
        let sort = match given(&self.sort) {
            None => ClaimSort::default(),
            Some(s) => ClaimSort::ALL
                .into_iter()
                .find(|o| o.as_str() == s)
                .ok_or_else(|| {
                    Failure::bad_request(format!(
                        "unknown sort {s:?}; use oldest, newest or updated"
                    ))
                })?,
        };
        let assignee = given(&self.assignee).map(|a| {
            if a == "mine" {
                me.to_string()
            } else {
                a.to_string()
            }
        });
        Ok((
            ClaimFilter {
                statuses,
                label: given(&self.label).map(str::to_string),
                platform,
                since: None,
                assignee,
                state,
                ..ClaimFilter::default()
            },
            sort,
        ))
    }

    /// These filters as a query string (without the page).
    pub fn query(&self) -> String {
        let pairs = [
            ("status", &self.status),
            ("label", &self.label),
            ("assignee", &self.assignee),
            ("platform", &self.platform),
            ("state", &self.state),
            ("sort", &self.sort),
        ];
        pairs
            .iter()
            .filter_map(|(k, v)| given(v).map(|v| format!("{k}={}", form_urlencoded(v))))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn with_status(&self, status: &str) -> String {
        Filters {
            status: Some(status.to_string()),
            page: None,
            ..self.clone()
        }
        .query()
    }
}

pub async fn show(
    State(state): State<AppState>,
    who: Signed,
    Query(f): Query<Filters>,
) -> Result<Markup, Failure> {
    let (filter, sort) = f.resolve(&who.user.name)?;
    let page_no = f.page.unwrap_or(1).max(1);
    let offset = (page_no - 1) * PER_PAGE;
    let (claims, counts) = state
        .db
        .run(move |s| {
            Ok((
                s.claim_page(&filter, sort, offset, PER_PAGE)?,
                s.claim_counts(&filter)?,
            ))
        })
        .await?;
    let current = given(&f.status).unwrap_or("open").to_string();
    let pages = claims.total.div_ceil(PER_PAGE).max(1);
    let q = f.query();
    let link = |p: usize| {
        if q.is_empty() {
            format!("/queue?page={p}")
        } else {
            format!("/queue?{q}&page={p}")
        }
    };
    let open: usize = counts
        .iter()
        .filter(|(s, _)| !s.is_verdict())
        .map(|(_, n)| n)
        .sum();
    let all: usize = counts.iter().map(|(_, n)| n).sum();
    let body = html! {
        h1 { "Queue" }
        nav.counts aria-label="Counts per status" {
            a href={"/queue?" (f.with_status("open"))} aria-current=[(current == "open").then_some("page")] { "open " span.n { (open) } }
            @for (status, n) in &counts {
                a href={"/queue?" (f.with_status(status.as_str()))} aria-current=[(current == status.as_str()).then_some("page")] {
                    (status.as_str()) " " span.n { (n) }
                }
            }
            a href={"/queue?" (f.with_status("all"))} aria-current=[(current == "all").then_some("page")] { "all " span.n { (all) } }
        }
        form.filters method="get" action="/queue" {
            label { "Status "
                select name="status" {
                    @for s in ["open", "all"].into_iter().chain(Status::ALL.map(Status::as_str)) {
                        option value=(s) selected[current == s] { (s) }
                    }
                }
            }
            label { "Label " input type="text" name="label" value=[given(&f.label)]; }
            label { "Assignee "
                input type="text" name="assignee" value=[given(&f.assignee)] placeholder="mine, or a name";
            }
            label { "Platform "
                select name="platform" {
                    option value="" { "any" }
                    @for p in Platform::ALL {
                        option value=(p.as_str()) selected[given(&f.platform) == Some(p.as_str())] { (p.as_str()) }
                    }
                }
            }
            label { "Liveness "
                select name="state" {
                    option value="" { "any" }
                    @for s in LIVENESS {
                        option value=(s) selected[given(&f.state) == Some(s)] { (s) }
                    }
                }
            }
            label { "Sort "
                select name="sort" {
                    @for o in ClaimSort::ALL {
                        option value=(o.as_str()) selected[sort_name(&f) == o.as_str()] { (o.as_str()) }
                    }
                }
            }
            button type="submit" { "Filter" }
            a.download href={"/queue.csv" @if !q.is_empty() { "?" (q) }} download { "Download CSV" }
            span.downloads { "Also: "
                @for (file, name) in [("queue.json", "JSON"), ("queue.jsonl", "JSONL"), ("queue.claimreview.json", "ClaimReview")] {
                    a href={"/export/" (file) @if !q.is_empty() { "?" (q) }} download { (name) } " "
                }
            }
        }
        p.summary { (claims.total) " claims · page " (page_no) " of " (pages) }
        @if claims.claims.is_empty() {
            p.empty { "No claims match these filters." }
        } @else {
            table.queue {
                thead { tr { th { "#" } th { "Status" } th { "Label" } th { "Post" } th { "Liveness" } th { "Assignee" } th { "Queued" } } }
                tbody {
                    @for c in &claims.claims { (row(c)) }
                }
            }
        }
        nav.pages aria-label="Pages" {
            @if page_no > 1 { a rel="prev" href=(link(page_no - 1)) { "← Previous" } }
            @if page_no < pages { a rel="next" href=(link(page_no + 1)) { "Next →" } }
        }
    };
    Ok(page("Queue", &who, body))
}

fn sort_name(f: &Filters) -> &str {
    given(&f.sort).unwrap_or(ClaimSort::default().as_str())
}

fn row(c: &Claim) -> Markup {
    let p = &c.post;
    let who = match (&p.ident.author_name, &p.ident.handle) {
        (Some(n), Some(h)) => format!("{n} (@{h})"),
        (Some(n), None) => n.clone(),
        (None, Some(h)) => format!("@{h}"),
        (None, None) => "unknown author".into(),
    };
    let text = p
        .text
        .as_deref()
        .map(|t| queue::shorten(&t.split_whitespace().collect::<Vec<_>>().join(" "), 140));
    html! {
        tr {
            td { a href={"/claims/" (c.id)} { "#" (c.id) } }
            td { span class={"status s-" (c.status.as_str())} { (c.status.as_str()) } }
            td { (c.label) }
            td.post {
                a href={"/claims/" (c.id)} { (p.ident.platform) " · " (who) }
                @if let Some(t) = text { div.text { (t) } }
                @else if let Some(r) = &c.reason { div.text { "(text unknown) " (r) } }
            }
            td { (p.latest.state().map_or("unchecked", |s| s.name())) }
            td { (c.assignee.as_deref().unwrap_or("")) }
            td { (minutes(&c.created_at)) }
        }
    }
}

/// The claims the filters select (all pages) as CSV, like `embarc export queue`.
pub async fn csv(
    State(state): State<AppState>,
    who: Signed,
    Query(f): Query<Filters>,
) -> Result<Response, Failure> {
    let (filter, _) = f.resolve(&who.user.name)?;
    let bytes = state
        .db
        .run(move |s| {
            let mut out = Vec::new();
            let opts = export::Options {
                format: export::Format::Csv,
                bom: false,
            };
            export::queue(s, &filter, opts, &mut out)?;
            Ok(out)
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"embarc-queue.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

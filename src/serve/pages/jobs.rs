//! The Jobs page (`/jobs`): what the scheduler has to do and how it went,
//! job counts by kind, each watched source with its next run and last
//! result, the checks failing longest in a row, webhook deliveries; an
//! admin's "Run now" makes a job due at once.

use super::layout::{minutes, page};
use crate::accounts::Role;
use crate::serve::AppState;
use crate::serve::auth::Signed;
use crate::serve::error::Failure;
use crate::store::{DeliveryCounts, JobCounts, JobRow};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

/// Failing checks listed at most.
const FAILING: usize = 50;

pub async fn show(State(state): State<AppState>, who: Signed) -> Result<Markup, Failure> {
    let (counts, rows, deliveries) = state
        .db
        .run(|s| Ok((s.job_counts()?, s.job_rows(FAILING)?, s.delivery_counts()?)))
        .await?;
    Ok(page(
        "Jobs",
        &who,
        render(&who, &counts, &rows, &deliveries),
    ))
}

#[derive(serde::Deserialize)]
pub struct RunForm {
    pub csrf: String,
}

/// "Run now": admins only; a job a process is running is left alone.
pub async fn run_now(
    State(state): State<AppState>,
    who: Signed,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<RunForm>,
) -> Result<Response, Failure> {
    who.check_form(&headers, &f.csrf, Role::Admin)?;
    if state.db.run(move |s| Ok(s.run_job_now(id)?)).await? {
        Ok(Redirect::to("/jobs").into_response())
    } else {
        Err(Failure::new(
            axum::http::StatusCode::CONFLICT,
            format!("job {id} is running now, or there is no such job"),
        ))
    }
}

fn render(who: &Signed, counts: &[JobCounts], rows: &[JobRow], d: &DeliveryCounts) -> Markup {
    let admin = who.user.role.allows(Role::Admin);
    let (sources, failing): (Vec<&JobRow>, Vec<&JobRow>) = rows
        .iter()
        .partition(|r| r.kind == crate::store::JobKind::Watch);
    html! {
        h1 { "Jobs" }
        p { "What the scheduler (" code { "embarc serve" } " or " code { "embarc watch" } ") has to do. Times are UTC." }
        table.list {
            thead { tr { th { "kind" } th { "total" } th { "due" } th { "running" } th { "failing" } th { "unscheduled" } th { "next due" } } }
            tbody {
                @for c in counts {
                    tr { td { (c.kind) } td { (c.total) } td { (c.due) } td { (c.running) } td { (c.failing) } td { (c.unscheduled) }
                         td { (c.next_due.as_deref().map(minutes).unwrap_or_default()) } }
                }
            }
        }
        h2 { "Watched sources" }
        @if sources.is_empty() {
            p { "None: add " code { "[[watch]]" } " entries to embarc.toml." }
        } @else {
            (job_table(who, &sources, admin))
        }
        h2 { "Failing checks" }
        @if failing.is_empty() {
            p { "None." }
        } @else {
            (job_table(who, &failing, admin))
        }
        h2 { "Webhooks" }
        p { (d.pending) " pending, " (d.delivered) " delivered, " (d.failed) " given up." }
        @if !d.recent_failures.is_empty() {
            table.list {
                thead { tr { th { "event" } th { "receiver" } th { "attempts" } th { "last error" } } }
                tbody {
                    @for (event, url, attempts, error) in &d.recent_failures {
                        tr { td { (event) } td { (url) } td { (attempts) } td { (error) } }
                    }
                }
            }
        }
    }
}

fn job_table(who: &Signed, rows: &[&JobRow], admin: bool) -> Markup {
    html! {
        table.list {
            thead { tr { th { "job" } th { "what" } th { "next run" } th { "last run" } th { "last result" } th { "failures" } @if admin { th {} } } }
            tbody {
                @for r in rows {
                    tr {
                        td { (r.id) " " (r.kind.as_str()) }
                        td { (r.what) }
                        td { @if let Some(by) = &r.claimed_by { "running (" (by) ")" } @else { (r.due_at.as_deref().map(minutes).unwrap_or_else(|| "to be scheduled".into())) } }
                        td { (r.last_run_at.as_deref().map(minutes).unwrap_or_default()) }
                        td { (r.last_result.as_deref().unwrap_or("")) }
                        td { (r.failures) }
                        @if admin {
                            td {
                                form method="post" action={ "/jobs/" (r.id) "/run" } {
                                    input type="hidden" name="csrf" value=(who.csrf);
                                    button type="submit" { "Run now" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

//! A claim (`/claims/{id}`): the post as the article showed it and as each
//! endpoint last showed it, liveness and checks, citations, history, and
//! the forms that change it. A refusal by the queue's rules is shown on the
//! page, with the form as it was sent.

use super::layout::{minutes, page};
use crate::accounts::Role;
use crate::queue::{Action, Status};
use crate::serve::AppState;
use crate::serve::auth::Signed;
use crate::serve::error::Failure;
use crate::store::{ClaimDetail, ClaimEvent, ClaimSnapshot, PostDetail};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    assignee: String,
    /// Set by the "Assign to me" button.
    me: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
}

/// What a refused form said, to show it again.
#[derive(Debug, Default)]
struct Sent {
    error: Option<String>,
    status: Option<String>,
    note: String,
    assignee: String,
}

pub async fn show(
    State(state): State<AppState>,
    who: Signed,
    Path(id): Path<i64>,
) -> Result<Markup, Failure> {
    let (detail, post) = load(&state, id).await?;
    Ok(render(&who, &detail, post.as_ref(), &Sent::default()))
}

/// The claim, and its post with the paragraphs around its citations.
async fn load(state: &AppState, id: i64) -> Result<(ClaimDetail, Option<PostDetail>), Failure> {
    let detail = state.db.run(move |s| Ok(s.claim(id)?)).await?;
    let post_row = state.db.run(move |s| Ok(s.claim_post(id)?)).await?;
    let post = match post_row {
        Some(p) => Some(super::post::load(state, p).await?),
        None => None,
    };
    Ok((detail, post))
}

pub async fn set_status(
    State(state): State<AppState>,
    who: Signed,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<StatusForm>,
) -> Result<Response, Failure> {
    let sent = Sent {
        status: Some(f.status.clone()),
        note: f.note.clone(),
        ..Sent::default()
    };
    change(
        &state,
        &who,
        id,
        &headers,
        &f.csrf,
        sent,
        move |s, actor| {
            let to: Status = f.status.parse().map_err(Failure::bad_request)?;
            let note = Some(f.note.as_str()).filter(|n| !n.trim().is_empty());
            s.set_claim_status(id, to, note, &actor)?;
            Ok(())
        },
    )
    .await
}

pub async fn assign(
    State(state): State<AppState>,
    who: Signed,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<AssignForm>,
) -> Result<Response, Failure> {
    let name = if f.me.is_some() {
        who.user.name.clone()
    } else {
        f.assignee.clone()
    };
    let sent = Sent {
        assignee: f.assignee.clone(),
        ..Sent::default()
    };
    change(
        &state,
        &who,
        id,
        &headers,
        &f.csrf,
        sent,
        move |s, actor| {
            let name = Some(name.as_str()).filter(|n| !n.trim().is_empty());
            s.assign_claim(id, name, &actor)?;
            Ok(())
        },
    )
    .await
}

pub async fn note(
    State(state): State<AppState>,
    who: Signed,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<NoteForm>,
) -> Result<Response, Failure> {
    let sent = Sent {
        note: f.note.clone(),
        ..Sent::default()
    };
    change(
        &state,
        &who,
        id,
        &headers,
        &f.csrf,
        sent,
        move |s, actor| {
            s.note_claim(id, &f.note, &actor)?;
            Ok(())
        },
    )
    .await
}

/// Check origin, CSRF and role, make the change as the signed-in user, and
/// go back to the claim; a refusal re-renders the claim with the message.
async fn change<F>(
    state: &AppState,
    who: &Signed,
    id: i64,
    headers: &HeaderMap,
    csrf: &str,
    mut sent: Sent,
    f: F,
) -> Result<Response, Failure>
where
    F: FnOnce(&crate::store::Store, String) -> Result<(), Failure> + Send + 'static,
{
    who.check_form(headers, csrf, Role::Checker)?;
    let actor = who.user.name.clone();
    let outcome = state.db.run(move |s| Ok(f(s, actor))).await?;
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/claims/{id}")).into_response()),
        Err(failure) => {
            if failure.status == StatusCode::NOT_FOUND || failure.status.is_server_error() {
                return Err(failure);
            }
            let (detail, post) = load(state, id).await?;
            sent.error = Some(failure.message);
            Ok((failure.status, render(who, &detail, post.as_ref(), &sent)).into_response())
        }
    }
}

fn who_line(name: &Option<String>, handle: &Option<String>) -> String {
    match (name, handle) {
        (Some(n), Some(h)) => format!("{n} (@{h})"),
        (Some(n), None) => n.clone(),
        (None, Some(h)) => format!("@{h}"),
        (None, None) => "unknown author".into(),
    }
}

/// The latest snapshot from each source, the article's first.
fn latest_per_source(snapshots: &[ClaimSnapshot]) -> Vec<&ClaimSnapshot> {
    let mut out: Vec<&ClaimSnapshot> = Vec::new();
    for s in snapshots {
        match out.iter_mut().find(|o| o.source == s.source) {
            Some(o) => *o = s,
            None => out.push(s),
        }
    }
    out.sort_by_key(|s| s.source != "article");
    out
}

/// Whitespace-insensitive text, for marking edits.
fn norm(t: Option<&str>) -> String {
    t.unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn event_words(e: &ClaimEvent) -> String {
    match e.action {
        Action::Created => "queued".to_string(),
        Action::Status => format!(
            "{} → {}",
            e.from_status.map_or("?", Status::as_str),
            e.to_status.map_or("?", Status::as_str)
        ),
        Action::Assign => match &e.assignee {
            Some(a) => format!("assigned to {a}"),
            None => "unassigned".to_string(),
        },
        Action::Note => "note".to_string(),
    }
}

fn render(who: &Signed, d: &ClaimDetail, post: Option<&PostDetail>, sent: &Sent) -> Markup {
    let c = &d.claim;
    let p = &c.post;
    let can_change = who.user.role.allows(Role::Checker);
    let shown = latest_per_source(&d.snapshots);
    let article_text = shown
        .iter()
        .find(|s| s.source == "article")
        .map(|s| norm(s.text.as_deref()));
    let status_choice = sent.status.as_deref().unwrap_or(c.status.as_str());
    let body = html! {
        h1 { "Claim #" (c.id) " " span class={"status s-" (c.status.as_str())} { (c.status.as_str()) } }
        @if let Some(e) = &sent.error {
            p.error role="alert" { (e) }
        }
        dl.facts {
            dt { "Label" } dd { (c.label) }
            dt { "Assignee" } dd { (c.assignee.as_deref().unwrap_or("nobody")) }
            dt { "Queued" } dd { (minutes(&c.created_at)) }
            @if let Some(r) = &c.reason { dt { "Reason" } dd { (r) } }
            @if let (Some(at), Some(by)) = (&c.decided_at, &c.decided_by) {
                dt { "Decided" } dd { (minutes(at)) " by " (by) }
            }
        }
        section.post {
            h2 { "Post" }
            dl.facts {
                dt { "Platform" } dd { (p.ident.platform) " " (p.ident.post_id.as_deref().unwrap_or("(no id: copied text)")) }
                dt { "Author" } dd { (who_line(&p.ident.author_name, &p.ident.handle)) }
                dt { "Posted" } dd {
                    @match (&p.posted_at, &p.date, &p.display_date) {
                        (Some(t), _, _) => { (t) " (from the post's id)" }
                        (None, Some(d), _) => { (d) }
                        (None, None, Some(s)) => { "shown as " (s) }
                        _ => { "unknown" }
                    }
                }
                @if let Some(url) = &p.ident.post_url {
                    dt { "URL" } dd { a href=(url) rel="noreferrer noopener nofollow" target="_blank" { (url) } }
                }
                @if !p.media.is_empty() {
                    dt { "Media" } dd { ul { @for m in &p.media { li { a href=(m) rel="noreferrer noopener nofollow" target="_blank" { (m) } } } } }
                }
                dt { "First seen" } dd { (minutes(&p.first_seen_at)) }
            }
            @if shown.is_empty() {
                p.empty { "No text known: only the URL was recorded." }
            }
            @for s in &shown {
                @let differs = s.source != "article" && article_text.as_ref().is_some_and(|a| *a != norm(s.text.as_deref()));
                figure class={"snapshot" @if differs { " differs" }} {
                    figcaption {
                        @if s.source == "article" { "As the article showed it" } @else { "As " (s.source) " last showed it" }
                        " · " (minutes(&s.taken_at))
                        @if let Some(a) = &s.article_url { " · " (a) }
                        @if differs { " " strong.edited { "differs from the article (edited?)" } }
                    }
                    blockquote { (s.text.as_deref().unwrap_or("(no text)")) }
                    p.byline { (who_line(&s.author_name, &s.handle)) @if let Some(dd) = &s.display_date { " · " (dd) } }
                }
            }
        }
        section.liveness {
            h2 { "Liveness" }
            p { @match (p.latest.outcome, &p.latest.checked_at) {
                (Some(st), Some(at)) => { strong { (st.state()) } @if let Some(r) = st.reason() { " (" (r) ")" } ", checked " (minutes(at)) }
                _ => { "Not checked yet (embarc check)." }
            } }
            @if let Some(a) = &p.latest.archived_url { p { "Archived copy: " a href=(a) rel="noreferrer noopener nofollow" target="_blank" { (a) } } }
            @if !d.checks.is_empty() {
                ol.timeline {
                    @for k in &d.checks {
                        li { time { (minutes(&k.checked_at)) } " " strong { (k.outcome.state()) } @if let Some(r) = k.outcome.reason() { " (" (r) ")" }
                             " · " (k.http_status.map_or("no HTTP answer".to_string(), |s| format!("HTTP {s}"))) " · " (k.endpoint)
                             div.evidence { (k.evidence) } }
                    }
                }
            }
        }
        @if !c.warnings.is_empty() {
            section.warnings { h2 { "Warnings" } ul { @for w in &c.warnings { li { strong { (w.kind) } ": " (w.detail) } } } }
        }
        section.citations {
            h2 { "Cited by" }
            @if c.citations.is_empty() { p.empty { "No article cites it (queued by hand)." } }
            @if let Some(post) = post {
                @for cit in &post.citations {
                    article.citation {
                        p { a href={"/articles/" (cit.article)} { (cit.article_url) } " · " (cit.kind) " (" (cit.shape) ") · captured "
                            (minutes(&cit.first_captured_at)) " to " (minutes(&cit.last_captured_at)) }
                        @if let Some(text) = &cit.paragraph { blockquote.context { (text) } }
                    }
                }
                p { a href={"/posts/" (post.id)} { "Everything known about the post" } }
            } @else {
                ul { @for cit in &c.citations {
                    li { (cit.article_url) " · " (cit.kind) " (" (cit.shape) ") · captured " (minutes(&cit.first_captured_at)) " to " (minutes(&cit.last_captured_at)) }
                } }
            }
        }
        section.history {
            h2 { "History" }
            ol.events { @for e in &c.events {
                li { time { (minutes(&e.at)) } " " span.actor { (e.actor) } " " (event_words(e))
                     @if let Some(n) = &e.note { div.note { (n) } } }
            } }
        }
        @if can_change {
            section.change {
                h2 { "Change" }
                form method="post" action={"/claims/" (c.id) "/status"} {
                    input type="hidden" name="csrf" value=(who.csrf);
                    label for="status" { "Status" }
                    select #status name="status" {
                        @for s in Status::ALL { option value=(s.as_str()) selected[status_choice == s.as_str()] { (s.as_str()) } }
                    }
                    label for="note" { "Note" }
                    textarea #note name="note" rows="3" { (sent.note) }
                    @if c.status.is_verdict() { p.hint { "Changing a decision needs a note saying why." } }
                    button type="submit" { "Save" }
                }
                form method="post" action={"/claims/" (c.id) "/assign"} {
                    input type="hidden" name="csrf" value=(who.csrf);
                    label for="assignee" { "Assignee" }
                    input #assignee type="text" name="assignee" value=(if sent.assignee.is_empty() { c.assignee.as_deref().unwrap_or("") } else { &sent.assignee });
                    button type="submit" { "Assign" }
                    button type="submit" name="me" value="1" { "Assign to me" }
                }
                form method="post" action={"/claims/" (c.id) "/note"} {
                    input type="hidden" name="csrf" value=(who.csrf);
                    label for="extra-note" { "Add a note" }
                    textarea #extra-note name="note" rows="2" {}
                    button type="submit" { "Add note" }
                }
            }
        }
    };
    page(&format!("Claim #{}", c.id), who, body)
}

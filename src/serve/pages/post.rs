//! A post (`/posts/{id}`): every snapshot, every check, its warnings, and
//! every article citing it with the paragraph around the citation.

use super::layout::{minutes, page};
use crate::serve::AppState;
use crate::serve::archived;
use crate::serve::auth::Signed;
use crate::serve::error::Failure;
use crate::store::PostDetail;
use axum::extract::{Path, State};
use maud::{Markup, html};

/// Post `id` with the paragraphs around its citations.
pub async fn load(state: &AppState, id: i64) -> Result<PostDetail, Failure> {
    let dir = state.db.dir().to_path_buf();
    state
        .db
        .run(move |s| {
            let Some(mut post) = s.post_detail(id)? else {
                return Ok(None);
            };
            archived::fill_paragraphs(s, &dir, &mut post.citations)?;
            Ok(Some(post))
        })
        .await?
        .ok_or_else(|| Failure::not_found(format!("there is no post {id}")))
}

pub async fn show(
    State(state): State<AppState>,
    who: Signed,
    Path(id): Path<i64>,
) -> Result<Markup, Failure> {
    let p = load(&state, id).await?;
    Ok(page(&format!("Post {}", p.id), &who, render(&p)))
}

/// `Name (@handle)`, as far as known.
pub fn who_line(name: Option<&str>, handle: Option<&str>) -> String {
    match (name, handle) {
        (Some(n), Some(h)) => format!("{n} (@{h})"),
        (Some(n), None) => n.to_string(),
        (None, Some(h)) => format!("@{h}"),
        (None, None) => "unknown author".into(),
    }
}

fn render(p: &PostDetail) -> Markup {
    html! {
        h1 { "Post · " (p.ident.platform) " · " (who_line(p.ident.author_name.as_deref(), p.ident.handle.as_deref())) }
        dl.facts {
            dt { "Platform" } dd { (p.ident.platform) " " (p.ident.post_id.as_deref().unwrap_or("(no id: copied text)")) }
            @if let Some(url) = &p.ident.post_url {
                dt { "URL" } dd { a href=(url) rel="noreferrer noopener nofollow" target="_blank" { (url) } }
            }
            dt { "Posted" } dd { (p.posted_at.as_deref().or(p.date.as_deref()).unwrap_or("unknown")) }
            dt { "First seen" } dd { (minutes(&p.first_seen_at)) }
            dt { "Liveness" } dd {
                @match (p.latest.outcome, &p.latest.checked_at) {
                    (Some(st), Some(at)) => { strong { (st.state()) } @if let Some(r) = st.reason() { " (" (r) ")" } ", checked " (minutes(at)) }
                    _ => { "not checked yet" }
                }
            }
            @if let Some(a) = &p.latest.archived_url {
                dt { "Archived copy" } dd { a href=(a) rel="noreferrer noopener nofollow" target="_blank" { (a) } }
            }
            @if let Some(c) = p.claim {
                dt { "Claim" } dd { a href={"/claims/" (c)} { "#" (c) } }
            }
        }
        section.snapshots {
            h2 { "Snapshots" }
            @if p.snapshots.is_empty() { p.empty { "No text known: only the URL was recorded." } }
            @for s in &p.snapshots {
                figure.snapshot {
                    figcaption {
                        @if s.source == "article" { "As an article showed it" } @else { "As " (s.source) " showed it" }
                        " · " (minutes(&s.taken_at))
                        @if let Some(a) = &s.article_url { " · " (a) }
                    }
                    blockquote { (s.text.as_deref().unwrap_or("(no text)")) }
                    p.byline { (who_line(s.author_name.as_deref(), s.handle.as_deref())) @if let Some(dd) = &s.display_date { " · " (dd) } }
                    @if !s.media.is_empty() {
                        ul.media { @for m in &s.media { li { a href=(m) rel="noreferrer noopener nofollow" target="_blank" { (m) } } } }
                    }
                }
            }
        }
        @if !p.media.is_empty() {
            section.media {
                h2 { "Media kept" }
                table {
                    tr { th { "Kind" } th { "File" } th { "Type" } th { "Bytes" } th { "SHA-256" } th { "Fetched" } }
                    @for m in &p.media {
                        tr {
                            td {
                                (m.kind)
                                @if m.content_type.as_deref().is_some_and(|t| t.starts_with("image/") && !t.contains("svg")) {
                                    br; a href={ "/media/" (m.id) } { img src={ "/media/" (m.id) } width="160" alt={ "the " (m.kind) " as kept" }; }
                                }
                            }
                            td {
                                a href={ "/media/" (m.id) } { "kept copy" } " · "
                                a href=(m.url) rel="noreferrer noopener nofollow" target="_blank" { (m.url) }
                            }
                            td { (m.content_type.as_deref().unwrap_or("")) }
                            td { (m.size.map_or(String::new(), |s| s.to_string())) }
                            td { code { (m.sha256.as_deref().unwrap_or("")) } }
                            td { (minutes(&m.fetched_at)) }
                        }
                    }
                }
            }
        }
        @if !p.media_not_kept.is_empty() {
            section.media-missed {
                h2 { "Media not kept" }
                table {
                    tr { th { "Kind" } th { "URL" } th { "Why" } th { "Last asked" } }
                    @for m in &p.media_not_kept {
                        tr {
                            td { (m.kind) }
                            td { code { (m.url) } }
                            td { (m.result.replace('_', " ")) ": " (m.detail) }
                            td { (minutes(&m.fetched_at)) }
                        }
                    }
                }
            }
        }
        section.liveness {
            h2 { "Checks" }
            @if p.checks.is_empty() { p.empty { "Not checked yet (embarc check)." } }
            ol.timeline {
                @for k in &p.checks {
                    li { time { (minutes(&k.checked_at)) } " " strong { (k.outcome.state()) } @if let Some(r) = k.outcome.reason() { " (" (r) ")" }
                         " · " (k.http_status.map_or("no HTTP answer".to_string(), |s| format!("HTTP {s}"))) " · " (k.endpoint)
                         div.evidence { (k.evidence) } }
                }
            }
        }
        @if !p.warnings.is_empty() {
            section.warnings { h2 { "Warnings" } ul { @for w in &p.warnings { li { strong { (w.kind) } ": " (w.detail) } } } }
        }
        section.citations {
            h2 { "Cited by" }
            @if p.citations.is_empty() { p.empty { "No article cites it (queued by hand)." } }
            @for c in &p.citations {
                article.citation {
                    p { a href={"/articles/" (c.article)} { (c.article_url) } " · " (c.kind) " (" (c.shape) ") · captured "
                        (minutes(&c.first_captured_at)) " to " (minutes(&c.last_captured_at))
                        " · " a href={"/captures/" (c.capture)} { "capture" } }
                    @match &c.paragraph {
                        Some(text) => { blockquote.context { (text) } }
                        None => { p.empty { "The paragraph around it is not known (files are not kept, or it was not found in the capture)." } }
                    }
                }
            }
        }
    }
}

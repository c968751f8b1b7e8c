//! An article (`/articles/{id}`): its captures (SHA-256, WARC location, a
//! view of each) and the posts it cites.

use super::layout::{minutes, page};
use super::post::who_line;
use crate::serve::AppState;
use crate::serve::auth::Signed;
use crate::serve::error::Failure;
use crate::store::ArticleView;
use axum::extract::{Path, State};
use maud::{Markup, html};

/// Article `id`.
pub async fn load(state: &AppState, id: i64) -> Result<ArticleView, Failure> {
    state
        .db
        .run(move |s| Ok(s.article_view(id)?))
        .await?
        .ok_or_else(|| Failure::not_found(format!("there is no article {id}")))
}

pub async fn show(
    State(state): State<AppState>,
    who: Signed,
    Path(id): Path<i64>,
) -> Result<Markup, Failure> {
    let a = load(&state, id).await?;
    Ok(page(&format!("Article {}", a.id), &who, render(&a)))
}

fn render(a: &ArticleView) -> Markup {
    let web = a.url.starts_with("http://") || a.url.starts_with("https://");
    html! {
        h1 { "Article" }
        dl.facts {
            dt { "URL" } dd {
                @if web { a href=(a.url) rel="noreferrer noopener nofollow" target="_blank" { (a.url) } }
                @else { (a.url) }
            }
            dt { "Site" } dd { (a.site) }
            dt { "First seen" } dd { (minutes(&a.first_seen_at)) }
            dt { "Liveness" } dd {
                @match (a.latest.outcome, &a.latest.checked_at) {
                    (Some(st), Some(at)) => { strong { (st.state()) } @if let Some(r) = st.reason() { " (" (r) ")" } ", checked " (minutes(at)) }
                    _ => { "not checked yet" }
                }
            }
            @if let Some(u) = &a.latest.archived_url {
                dt { "Archived copy" } dd { a href=(u) rel="noreferrer noopener nofollow" target="_blank" { (u) } }
            }
        }
        section.captures {
            h2 { "Captures" }
            table.list {
                thead { tr { th { "Captured" } th { "Answer" } th { "SHA-256" } th { "Kept in" } th {} } }
                tbody {
                    @for c in &a.captures {
                        tr {
                            td { (minutes(&c.captured_at)) @if let Some(l) = &c.last_seen_at { br; span.hint { "seen again " (minutes(l)) } } }
                            td { @if let Some(s) = c.http_status { "HTTP " (s) " · " } (c.content_type.as_deref().unwrap_or("?")) " · " (c.size) " bytes" }
                            td { code.hash { (c.sha256) } }
                            td { @match (&c.warc_file, c.warc_offset) {
                                (Some(f), Some(o)) => { code { (f) ":" (o) } }
                                _ => { "not kept (read from a file)" }
                            } }
                            td { a href={"/captures/" (c.id)} { "View" } }
                        }
                    }
                }
            }
        }
        section.citations {
            h2 { "Posts it cites" }
            p.downloads { "Download its "
                @for (what, f) in [("citations", "csv"), ("citations", "json"), ("posts", "csv"), ("posts", "json")] {
                    a href={"/export/" (what) "." (f) "?article=" (a.id)} download { (what) " " (f.to_uppercase()) } " "
                }
            }
            @if a.citations.is_empty() { p.empty { "It cites no post." } }
            ul {
                @for c in &a.citations {
                    li {
                        a href={"/posts/" (c.post)} { (c.ident.platform) " · " (who_line(c.ident.author_name.as_deref(), c.ident.handle.as_deref())) }
                        " · " (c.kind) " (" (c.shape) ")"
                        @if let Some(cl) = c.claim { " · " a href={"/claims/" (cl)} { "claim #" (cl) } }
                        @if let Some(t) = &c.text { div.text { (t) } }
                    }
                }
            }
        }
    }
}

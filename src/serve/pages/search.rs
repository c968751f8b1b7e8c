//! Search (`/search?q=`): posts by text, handle, author or URL, and
//! articles by URL, best matches first (SQLite FTS5).

use super::layout::page;
use super::post::who_line;
use crate::queue;
use crate::serve::AppState;
use crate::serve::auth::{Signed, form_urlencoded};
use crate::serve::error::Failure;
use crate::store::SearchPage;
use axum::extract::{Query, State};
use maud::{Markup, html};
use serde::Deserialize;

/// Hits of each kind per page.
pub const PER_PAGE: usize = 25;

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    pub q: Option<String>,
    /// 1-based (pages only).
    pub page: Option<usize>,
    /// API only.
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

/// Run a search; `None` when `q` holds no word.
pub async fn run(
    state: &AppState,
    q: String,
    offset: usize,
    limit: usize,
) -> Result<Option<SearchPage>, Failure> {
    Ok(state
        .db
        .run(move |s| Ok(s.search(&q, offset, limit)?))
        .await?)
}

pub async fn show(
    State(state): State<AppState>,
    who: Signed,
    Query(sq): Query<SearchQuery>,
) -> Result<Markup, Failure> {
    let typed = sq.q.clone().unwrap_or_default();
    let page_no = sq.page.unwrap_or(1).max(1);
    let found = if typed.trim().is_empty() {
        None
    } else {
        run(&state, typed.clone(), (page_no - 1) * PER_PAGE, PER_PAGE).await?
    };
    let more = found
        .as_ref()
        .is_some_and(|f| f.total_posts.max(f.total_articles) > page_no * PER_PAGE);
    let link = |p: usize| format!("/search?q={}&page={p}", form_urlencoded(&typed));
    let body = html! {
        h1 { "Search" }
        form.filters method="get" action="/search" role="search" {
            label for="q" { "Search posts and articles" }
            input #q type="search" name="q" value=(typed) placeholder="words, @handle, author, URL";
            button type="submit" { "Search" }
        }
        @if !typed.trim().is_empty() && found.is_none() {
            p.empty { "Type a word to search for (punctuation alone finds nothing)." }
        }
        @if let Some(f) = &found {
            h2 { "Posts " span.n { (f.total_posts) } }
            @if f.posts.is_empty() { p.empty { "No post matches." } }
            ul.hits {
                @for h in &f.posts {
                    li {
                        a href={"/posts/" (h.post)} { (h.ident.platform) " · " (who_line(h.ident.author_name.as_deref(), h.ident.handle.as_deref())) }
                        @if let Some(c) = h.claim { " · " a href={"/claims/" (c)} { "claim #" (c) } }
                        @if let Some(t) = &h.text { div.text { (queue::shorten(&t.split_whitespace().collect::<Vec<_>>().join(" "), 200)) } }
                        @if let Some(u) = &h.ident.post_url { div.hint { (u) } }
                    }
                }
            }
            h2 { "Articles " span.n { (f.total_articles) } }
            @if f.articles.is_empty() { p.empty { "No article URL matches." } }
            ul.hits {
                @for a in &f.articles {
                    li { a href={"/articles/" (a.article)} { (a.url) } }
                }
            }
            nav.pages aria-label="Pages" {
                @if page_no > 1 { a rel="prev" href=(link(page_no - 1)) { "← Previous" } }
                @if more { a rel="next" href=(link(page_no + 1)) { "Next →" } }
            }
        }
    };
    Ok(page("Search", &who, body))
}

//! A capture (`/captures/{id}`): what was fetched, its SHA-256 and WARC
//! location, and the page as it was fetched in a sandboxed iframe.
//!
//! Archived HTML is untrusted. Its body is served from its own path
//! (`/captures/{id}/body`) with [`BODY_CSP`]: a sandbox without scripts (an
//! opaque origin, so it can never act as the application), no resource
//! from anywhere (no live images, styles, fonts or frames: nothing leaks
//! that someone is looking), only framed by the application's own pages.

use super::layout::{minutes, page};
use crate::serve::AppState;
use crate::serve::archived;
use crate::serve::auth::Signed;
use crate::serve::error::Failure;
use crate::store::CaptureRow;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

/// The policy of an archived body.
pub const BODY_CSP: &str = "sandbox; default-src 'none'; style-src 'unsafe-inline'; \
     img-src data:; font-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'";

async fn load(state: &AppState, id: i64) -> Result<CaptureRow, Failure> {
    state
        .db
        .run(move |s| Ok(s.capture_row(id)?))
        .await?
        .ok_or_else(|| Failure::not_found(format!("there is no capture {id}")))
}

pub async fn show(
    State(state): State<AppState>,
    who: Signed,
    Path(id): Path<i64>,
) -> Result<Markup, Failure> {
    let c = load(&state, id).await?;
    let kept = c.warc_file.is_some() && c.warc_offset.is_some();
    let body = html! {
        h1 { "Capture of " a href={"/articles/" (c.article)} { (c.article_url) } }
        dl.facts {
            dt { "Captured" } dd { (minutes(&c.captured_at)) " (" (c.source) ")" }
            @if let Some(s) = c.http_status { dt { "HTTP status" } dd { (s) } }
            @if let Some(f) = &c.final_url { dt { "Final URL" } dd { (f) } }
            dt { "Content type" } dd { (c.content_type.as_deref().unwrap_or("?")) @if let Some(e) = &c.encoding { " · " (e) } }
            dt { "Size" } dd { (c.size) " bytes" }
            dt { "SHA-256" } dd { code.hash { (c.sha256) } }
            @if let Some(d) = &c.payload_digest { dt { "WARC payload digest" } dd { code { (d) } } }
            dt { "Kept in" } dd { @match (&c.warc_file, c.warc_offset) {
                (Some(f), Some(o)) => { code { (f) ":" (o) } }
                _ => { "not kept: it was read from a file, whose bytes embarc does not copy" }
            } }
        }
        @if kept {
            h2 { "As it was fetched" }
            p.hint { "Shown without its scripts and without loading anything live: images, styles and frames from other sites stay blank." }
            iframe.capture sandbox="" src={"/captures/" (c.id) "/body"} title={"Capture " (c.id) " of " (c.article_url)} {}
            p { a href={"/captures/" (c.id) "/body"} { "Open the body alone" } }
        }
    };
    Ok(page(&format!("Capture {}", c.id), &who, body))
}

/// The archived body, under [`BODY_CSP`].
pub async fn body(
    State(state): State<AppState>,
    _who: Signed,
    Path(id): Path<i64>,
) -> Result<Response, Failure> {
    let c = load(&state, id).await?;
    let dir = state.db.dir().to_path_buf();
    let row = c.clone();
    let body = state
        .db
        .run(move |_| archived::body(&dir, &row))
        .await?
        .ok_or_else(|| {
            Failure::not_found(format!(
                "capture {id} was read from a file: its bytes are not kept"
            ))
        })?;
    let kind = if body.html { "text/html" } else { "text/plain" };
    let charset = c.encoding.as_deref().unwrap_or("utf-8");
    let content_type = format!("{kind}; charset={charset}");
    Ok((
        [
            (header::CONTENT_TYPE, content_type.as_str()),
            (header::CONTENT_SECURITY_POLICY, BODY_CSP),
            (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        body.bytes,
    )
        .into_response())
}

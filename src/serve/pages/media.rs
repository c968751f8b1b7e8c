//! A post's kept medium (`/media/{id}`): the file as its platform served
//! it, read from its WARC record, under [`MEDIA_CSP`] (nothing runs, nothing
//! loads), so the desk shows a photo after the post and its CDN are gone.

use crate::serve::AppState;
use crate::serve::archived;
use crate::serve::auth::Signed;
use crate::serve::error::Failure;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A sandbox without scripts, styles or loads: the file is shown as an
/// image or a video, or downloaded.
pub const MEDIA_CSP: &str = "sandbox; default-src 'none'";

pub async fn file(
    State(state): State<AppState>,
    _who: Signed,
    Path(id): Path<i64>,
) -> Result<Response, Failure> {
    let dir = state.db.dir().to_path_buf();
    let (medium, bytes) = state
        .db
        .run(move |s| {
            let Some(m) = s.medium(id)? else {
                return Ok(None);
            };
            let Some(place) = &m.warc else {
                return Ok(None);
            };
            let bytes = archived::payload(&dir, &place.file, place.offset)?;
            Ok(Some((m, bytes)))
        })
        .await?
        .ok_or_else(|| Failure::not_found(format!("there is no kept medium {id}")))?;
    // Only what is an image or a video is shown as one; anything else (a
    // server's mislabelled answer) is a download.
    let content_type = medium
        .content_type
        .as_deref()
        .filter(|t| t.starts_with("image/") || t.starts_with("video/"))
        .filter(|t| !t.contains("svg"))
        .unwrap_or("application/octet-stream")
        .to_string();
    Ok((
        [
            (header::CONTENT_TYPE, content_type.as_str()),
            (header::CONTENT_SECURITY_POLICY, MEDIA_CSP),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        bytes,
    )
        .into_response())
}

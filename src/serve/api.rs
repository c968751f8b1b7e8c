//! The JSON API under `/api/v1`, for Bearer tokens. Every answer is JSON;
//! errors are `{"error": "..."}` with 400, 401, 403, 404 or 409.

use super::AppState;
use super::auth::Caller;
use super::error::{ApiError, Failure};
use super::pages::queue::Filters;
use crate::accounts::Role;
use crate::queue::{self, Status};
use crate::store::{ArticleView, ClaimDetail, ClaimEvent, ClaimPage, PostDetail, SearchPage};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

/// Most claims one `GET /claims` returns.
pub const MAX_LIMIT: usize = 500;

#[derive(Debug, Deserialize)]
pub struct StatusBody {
    pub status: String,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NoteBody {
    pub note: String,
}

#[derive(Debug, Deserialize)]
pub struct AssigneeBody {
    /// Required; `null` unassigns (so a missing field is not an unassignment).
    #[serde(default, deserialize_with = "present")]
    pub assignee: Option<Option<String>>,
}

/// A field that is there, even as `null`.
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize)]
pub struct NewClaim {
    pub post_url: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct Created {
    pub claim: i64,
    pub new_post: bool,
}

type Answer<T> = Result<Json<T>, ApiError>;

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(v)| v).map_err(|e| {
        ApiError(Failure::bad_request(format!(
            "the request body is not what this call takes: {}",
            e.body_text()
        )))
    })
}

pub async fn claims(
    State(state): State<AppState>,
    caller: Caller,
    Query(f): Query<Filters>,
) -> Answer<ClaimPage> {
    let (filter, sort) = f.resolve(&caller.name)?;
    let offset = f.offset.unwrap_or(0);
    let limit = f.limit.unwrap_or(50);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(Failure::bad_request(format!("limit must be 1 to {MAX_LIMIT}")).into());
    }
    Ok(Json(
        state
            .db
            .run(move |s| Ok(s.claim_page(&filter, sort, offset, limit)?))
            .await?,
    ))
}

pub async fn claim(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<i64>,
) -> Answer<ClaimDetail> {
    Ok(Json(state.db.run(move |s| Ok(s.claim(id)?)).await?))
}

pub async fn set_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    b: Result<Json<StatusBody>, JsonRejection>,
) -> Answer<ClaimEvent> {
    caller.require(Role::Checker)?;
    let b = body(b)?;
    let to: Status = b.status.parse().map_err(Failure::bad_request)?;
    let event = state
        .db
        .run(move |s| {
            Ok(s.set_claim_status(
                id,
                to,
                b.note.as_deref().filter(|n| !n.trim().is_empty()),
                &caller.name,
            )?)
        })
        .await?;
    Ok(Json(event))
}

pub async fn add_note(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    b: Result<Json<NoteBody>, JsonRejection>,
) -> Answer<ClaimEvent> {
    caller.require(Role::Checker)?;
    let b = body(b)?;
    Ok(Json(
        state
            .db
            .run(move |s| Ok(s.note_claim(id, &b.note, &caller.name)?))
            .await?,
    ))
}

pub async fn set_assignee(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    b: Result<Json<AssigneeBody>, JsonRejection>,
) -> Answer<ClaimEvent> {
    caller.require(Role::Checker)?;
    let b = body(b)?;
    let assignee = b.assignee.ok_or_else(|| {
        Failure::bad_request("the body needs \"assignee\": a name, or null to unassign")
    })?;
    let event = state
        .db
        .run(move |s| Ok(s.assign_claim(id, assignee.as_deref(), &caller.name)?))
        .await?;
    Ok(Json(event))
}

pub async fn add_claim(
    State(state): State<AppState>,
    caller: Caller,
    b: Result<Json<NewClaim>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    caller.require(Role::Checker)?;
    let b = body(b)?;
    let post = queue::post_from_url(&b.post_url)
        .map_err(|r| Failure::new(super::error::refusal_status(&r), r.to_string()))?;
    let added = state
        .db
        .run(move |s| Ok(s.add_claim(&post, &b.reason, &caller.name)?))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            claim: added.claim,
            new_post: added.new_post,
        }),
    ))
}

pub async fn post(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<i64>,
) -> Answer<PostDetail> {
    Ok(Json(super::pages::post::load(&state, id).await?))
}

pub async fn article(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<i64>,
) -> Answer<ArticleView> {
    Ok(Json(super::pages::article::load(&state, id).await?))
}

pub async fn search(
    State(state): State<AppState>,
    _caller: Caller,
    Query(q): Query<super::pages::search::SearchQuery>,
) -> Answer<SearchPage> {
    let limit = q.limit.unwrap_or(50);
    if limit == 0 || limit > crate::store::MAX_HITS {
        return Err(
            Failure::bad_request(format!("limit must be 1 to {}", crate::store::MAX_HITS)).into(),
        );
    }
    let typed = q.q.unwrap_or_default();
    let found = super::pages::search::run(&state, typed, q.offset.unwrap_or(0), limit).await?;
    found.map(Json).ok_or_else(|| {
        Failure::bad_request("q needs a word to search for (letters or digits)").into()
    })
}

pub async fn report(
    State(state): State<AppState>,
    _caller: Caller,
) -> Answer<crate::report::Report> {
    // The summaries, as `embarc report --json` prints them by default.
    Ok(Json(
        state
            .db
            .run(|s| crate::report::build(s, crate::report::Lists::default()))
            .await?,
    ))
}

/// Unknown paths under `/api/v1` answer in JSON too.
pub async fn not_found() -> ApiError {
    ApiError(Failure::not_found(
        "no such API call (see /api/v1/openapi.json)",
    ))
}

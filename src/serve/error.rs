//! How failures become answers: an HTML page for the browser, JSON with a
//! message for the API. Store refusals keep their own words.

use crate::queue::Refusal;
use crate::store::{AccountError, Error as StoreError};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A failure with the HTTP status it deserves and a message for people.
#[derive(Debug)]
pub struct Failure {
    pub status: StatusCode,
    pub message: String,
}

impl Failure {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Failure {
        Failure {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::FORBIDDEN, message)
    }

    pub fn not_found(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::NOT_FOUND, message)
    }
}

/// The status of a refusal by the queue's rules or the accounts.
pub fn refusal_status(r: &Refusal) -> StatusCode {
    match r {
        Refusal::UnknownClaim(_) => StatusCode::NOT_FOUND,
        Refusal::SameStatus { .. }
        | Refusal::NoteRequired { .. }
        | Refusal::AlreadyAssigned { .. }
        | Refusal::NotAssigned { .. }
        | Refusal::AlreadyQueued { .. } => StatusCode::CONFLICT,
        Refusal::Empty { .. }
        | Refusal::ReservedActor
        | Refusal::NotAPostUrl(_)
        | Refusal::ShortLink(_) => StatusCode::BAD_REQUEST,
    }
}

/// The status of an account change refused.
fn account_status(a: &AccountError) -> StatusCode {
    match a {
        AccountError::UnknownUser(_) | AccountError::UnknownToken(_) => StatusCode::NOT_FOUND,
        AccountError::UserExists(_) | AccountError::TokenExists(_) => StatusCode::CONFLICT,
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        if let Some(r) = e.downcast_ref::<Refusal>() {
            return Failure::new(refusal_status(r), r.to_string());
        }
        if let Some(a) = e.downcast_ref::<AccountError>() {
            return Failure::new(account_status(a), a.to_string());
        }
        if let Some(se) = e.downcast_ref::<StoreError>() {
            match se {
                StoreError::Refused { reason } => {
                    return Failure::new(refusal_status(reason), reason.to_string());
                }
                StoreError::Account(a) => return Failure::new(account_status(a), a.to_string()),
                StoreError::NotFound { what } => return Failure::not_found(what.clone()),
                StoreError::Busy { .. } => {
                    return Failure::new(StatusCode::SERVICE_UNAVAILABLE, se.to_string());
                }
                StoreError::ReadOnly { .. } => {
                    return Failure::forbidden(
                        "the archive is served read-only: nothing can be changed here",
                    );
                }
                _ => {}
            }
        }
        tracing::error!("{e:#}");
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server could not do that (the error is in its log); try again",
        )
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        anyhow::Error::from(e).into()
    }
}

/// An API failure: `{"error": "..."}` with its status.
#[derive(Debug)]
pub struct ApiError(pub Failure);

impl From<Failure> for ApiError {
    fn from(f: Failure) -> ApiError {
        ApiError(f)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> ApiError {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.0.message });
        (self.0.status, Json(body)).into_response()
    }
}

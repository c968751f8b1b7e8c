//! The store's errors: one enum a caller can match (a server maps
//! [`Error::NotFound`] to 404, [`Error::Refused`] to 409, [`Error::Busy`]
//! to 503); the messages name what to do, as the CLI prints them.

use crate::queue::Refusal;
use std::path::PathBuf;

/// A store operation that did not happen.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// What was asked for is not in the archive.
    #[error("{what}")]
    NotFound { what: String },
    /// The change breaks a rule of the queue; nothing was changed.
    #[error("{reason}")]
    Refused { reason: Refusal },
    /// An account change refused: an unknown user or token (not found),
    /// or a name that is taken (a conflict).
    #[error(transparent)]
    Account(#[from] super::AccountError),
    /// Another writer held the database longer than the busy timeout, or
    /// every reader was in use.
    #[error("the archive is busy ({detail}); try again when the other embarc has finished")]
    Busy { detail: String },
    /// The database file could not be opened.
    /// (The message says why; `reason` is not a `source`, so that an
    /// error chain printed whole does not say it twice.)
    #[error("cannot open the archive database {}: {reason}", path.display())]
    Open {
        path: PathBuf,
        reason: rusqlite::Error,
    },
    /// The schema could not be brought up to date.
    #[error("cannot prepare the archive database {}: {reason}", path.display())]
    Migration {
        path: PathBuf,
        reason: super::MigrationError,
    },
    /// The archive holds a value this version does not know.
    #[error("the archive holds {0}")]
    Unexpected(String),
    /// Any other SQLite error.
    #[error("the archive database: {0}")]
    Database(rusqlite::Error),
    /// The archive was opened only to read (`EMBARC_READ_ONLY`, or files
    /// that cannot be written) and this would change it.
    #[error(
        "the archive is read-only{detail}; run this where the archive can be written (and without EMBARC_READ_ONLY=1, if it is set)"
    )]
    ReadOnly { detail: String },
    /// A value could not be encoded as JSON for a column.
    #[error("cannot encode a value for the archive: {0}")]
    Encode(#[from] serde_json::Error),
}

/// The store's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                Error::Busy {
                    detail: e.to_string(),
                }
            }
            Some(rusqlite::ErrorCode::ReadOnly) => Error::ReadOnly {
                detail: String::new(),
            },
            _ => Error::Database(e),
        }
    }
}

impl From<Refusal> for Error {
    fn from(reason: Refusal) -> Error {
        match reason {
            Refusal::UnknownClaim(_) => Error::NotFound {
                what: reason.to_string(),
            },
            reason => Error::Refused { reason },
        }
    }
}

impl From<r2d2::Error> for Error {
    fn from(e: r2d2::Error) -> Error {
        Error::Busy {
            detail: format!("no reader free: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_keep_their_words_and_unknown_claims_are_not_found() {
        let e = Error::from(Refusal::UnknownClaim(7));
        assert!(matches!(e, Error::NotFound { .. }));
        assert_eq!(e.to_string(), Refusal::UnknownClaim(7).to_string());
        let e = Error::from(Refusal::ReservedActor);
        assert!(matches!(
            e,
            Error::Refused {
                reason: Refusal::ReservedActor
            }
        ));
    }

    #[test]
    fn busy_sqlite_answers_are_busy() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert!(matches!(Error::from(busy), Error::Busy { .. }));
        let read_only = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
            None,
        );
        assert!(matches!(Error::from(read_only), Error::ReadOnly { .. }));
        let other = rusqlite::Error::QueryReturnedNoRows;
        assert!(matches!(Error::from(other), Error::Database(_)));
    }
}

//! Downloads of every export (`/export/{what}.{format}`), as `embarc
//! export` writes them: `posts`, `citations` and `queue` as CSV, JSON or
//! JSONL, and `queue.claimreview.json`. The queue takes the queue page's
//! filters; posts and citations take `site` and `article`.

use super::queue::Filters;
use crate::export::{self, Format, Options, claimreview};
use crate::serve::AppState;
use crate::serve::auth::Signed;
use crate::serve::error::Failure;
use crate::store::ExportFilter;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct Rows {
    /// Cited by an article of this site.
    pub site: Option<String>,
    /// Cited by this article (its row id).
    pub article: Option<i64>,
}

/// What a file name asks for.
fn parse(file: &str) -> Option<(&str, Option<Format>)> {
    if file == "queue.claimreview.json" {
        return Some(("queue", None));
    }
    let (what, ext) = file.split_once('.')?;
    let format = match ext {
        "csv" => Format::Csv,
        "json" => Format::Json,
        "jsonl" => Format::Jsonl,
        _ => return None,
    };
    ["posts", "citations", "queue"]
        .contains(&what)
        .then_some((what, Some(format)))
}

pub async fn download(
    State(state): State<AppState>,
    who: Signed,
    Path(file): Path<String>,
    Query(f): Query<Filters>,
    Query(rows): Query<Rows>,
) -> Result<Response, Failure> {
    let (what, format) = parse(&file).ok_or_else(|| {
        Failure::not_found(format!(
            "there is no export {file:?}: use posts, citations or queue with .csv, .json or .jsonl, or queue.claimreview.json"
        ))
    })?;
    let what = what.to_string();
    let (filter, _) = f.resolve(&who.user.name)?;
    let publisher = match format {
        Some(_) => None,
        None => {
            let dir = state.db.dir().to_path_buf();
            let config = crate::config::Config::load(&dir)
                .map_err(|e| Failure::new(StatusCode::CONFLICT, format!("{e:#}")))?;
            let publisher =
                claimreview::Publisher::from_config(&config.claimreview).map_err(|e| {
                    Failure::new(
                        StatusCode::CONFLICT,
                        format!(
                            "{e} in {} (an admin sets it)",
                            crate::config::path(&dir).display()
                        ),
                    )
                })?;
            let rules = config
                .labels
                .rules()
                .map_err(|e| Failure::new(StatusCode::CONFLICT, format!("{e:#}")))?;
            Some((rules, publisher))
        }
    };
    let row_filter = ExportFilter {
        site: rows.site.filter(|s| !s.trim().is_empty()),
        article: rows.article,
        ..ExportFilter::default()
    };
    let bytes = state
        .db
        .run(move |s| {
            let mut out = Vec::new();
            match (format, &publisher) {
                (Some(format), _) => {
                    let opts = Options { format, bom: false };
                    match what.as_str() {
                        "posts" => export::posts(s, &row_filter, opts, &mut out)?,
                        "citations" => export::citations(s, &row_filter, opts, &mut out)?,
                        _ => export::queue(s, &filter, opts, &mut out)?,
                    };
                }
                (None, Some((rules, publisher))) => {
                    claimreview::write(s, &filter, rules, publisher, &mut out)?;
                }
                (None, None) => {}
            }
            Ok(out)
        })
        .await?;
    let content_type = match format {
        Some(Format::Csv) => "text/csv; charset=utf-8",
        Some(Format::Jsonl) => "application/x-ndjson",
        _ => "application/json",
    };
    let disposition = format!("attachment; filename=\"embarc-{file}\"");
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

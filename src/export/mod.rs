//! Writers for `embarc export`: JSON, JSONL and CSV; the verification queue
//! also as ClaimReview ([`claimreview`]).
//!
//! JSON is one array; JSONL one object per line; CSV has a header row,
//! RFC 4180 quoting and CRLF line ends, list fields joined with `; `, and every cell that a
//! spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a
//! tab or a carriage return) prefixed with `'` so it stays inert.

pub mod case;
pub mod claimreview;
mod queue;
pub mod wacz;

pub use queue::queue;

use crate::store::{CitationRow, ExportFilter, PostRow, Store};
use anyhow::Result;
use serde::Serialize;
use std::io::Write;

/// Output format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Jsonl,
    Csv,
    // schema.org ClaimReview JSON-LD (`export queue` only); a doc comment
    // here would turn `export --help` into clap's long form.
    Claimreview,
}

/// Options shared by the exports.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub format: Format,
    /// Start CSV with a UTF-8 byte-order mark (for spreadsheets that need it).
    pub bom: bool,
}

/// Rows that can be written as CSV.
trait CsvRow {
    const HEADER: &'static [&'static str];
    fn cells(&self) -> Vec<String>;
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

impl CsvRow for CitationRow {
    const HEADER: &'static [&'static str] = &[
        "article_url",
        "kind",
        "platform",
        "post_id",
        "post_url",
        "handle",
        "author_name",
        "display_date",
        "posted_at",
        "date",
        "text",
        "media",
        "labels",
        "warnings",
        "shape",
        "source_url",
        "state",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.article_url.clone(),
            self.kind.clone(),
            self.ident.platform.to_string(),
            opt(&self.ident.post_id),
            opt(&self.ident.post_url),
            opt(&self.ident.handle),
            opt(&self.ident.author_name),
            opt(&self.display_date),
            opt(&self.posted_at),
            opt(&self.date),
            opt(&self.text),
            self.media.join("; "),
            self.labels.join("; "),
            warnings_cell(&self.warnings),
            self.shape.clone(),
            opt(&self.source_url),
            self.state.map_or("", |s| s.name()).into(),
        ]
    }
}

impl CsvRow for PostRow {
    const HEADER: &'static [&'static str] = &[
        "platform",
        "post_id",
        "post_url",
        "handle",
        "author_name",
        "posted_at",
        "date",
        "text",
        "labels",
        "first_seen_at",
        "citation_count",
        "claim_status",
        "state",
        "reason",
        "checked_at",
        "archived_url",
        "media",
        "media_not_kept",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.ident.platform.to_string(),
            opt(&self.ident.post_id),
            opt(&self.ident.post_url),
            opt(&self.ident.handle),
            opt(&self.ident.author_name),
            opt(&self.posted_at),
            opt(&self.date),
            opt(&self.text),
            self.labels.join("; "),
            self.first_seen_at.clone(),
            self.citation_count.to_string(),
            opt(&self.claim_status),
            self.latest.state().map_or("", |s| s.name()).into(),
            self.latest.reason().unwrap_or_default().into(),
            opt(&self.latest.checked_at),
            opt(&self.latest.archived_url),
            // Each kept medium as `URL sha256:HEX`.
            self.media
                .iter()
                .map(|m| format!("{} sha256:{}", m.url, m.sha256.as_deref().unwrap_or("")))
                .collect::<Vec<_>>()
                .join("; "),
            // Each medium not kept as `URL (result: detail)`.
            self.media_not_kept
                .iter()
                .map(|m| format!("{} ({}: {})", m.url, m.result, m.detail))
                .collect::<Vec<_>>()
                .join("; "),
        ]
    }
}

/// Warnings in one CSV cell: `kind: detail; kind: detail`.
fn warnings_cell(warnings: &[crate::store::WarningRow]) -> String {
    warnings
        .iter()
        .map(|w| format!("{}: {}", w.kind, w.detail))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Make a cell inert for spreadsheets: formulas start with these.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Write the citations `filter` selects in `format`.
pub fn citations(
    store: &Store,
    filter: &ExportFilter,
    opts: Options,
    out: &mut dyn Write,
) -> Result<usize> {
    write_rows::<CitationRow>(opts, out, |f| store.for_each_citation(filter, f))
}

/// Write the posts `filter` selects in `format`.
pub fn posts(
    store: &Store,
    filter: &ExportFilter,
    opts: Options,
    out: &mut dyn Write,
) -> Result<usize> {
    write_rows::<PostRow>(opts, out, |f| store.for_each_post(filter, f))
}

fn write_rows<R: CsvRow + Serialize>(
    opts: Options,
    out: &mut dyn Write,
    source: impl FnOnce(&mut dyn FnMut(R) -> Result<()>) -> Result<()>,
) -> Result<usize> {
    let mut rows = 0usize;
    match opts.format {
        Format::Csv => {
            if opts.bom {
                out.write_all("\u{feff}".as_bytes())?;
            }
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(&mut *out);
            w.write_record(R::HEADER)?;
            source(&mut |row: R| {
                w.write_record(row.cells().iter().map(|c| neutralise(c)))?;
                rows += 1;
                Ok(())
            })?;
            w.flush()?;
            drop(w);
        }
        Format::Jsonl => {
            source(&mut |row: R| {
                serde_json::to_writer(&mut *out, &row)?;
                out.write_all(b"\n")?;
                rows += 1;
                Ok(())
            })?;
        }
        Format::Json => {
            out.write_all(b"[")?;
            source(&mut |row: R| {
                out.write_all(if rows == 0 { b"\n  " } else { b",\n  " })?;
                serde_json::to_writer(&mut *out, &row)?;
                rows += 1;
                Ok(())
            })?;
            out.write_all(if rows == 0 { b"]\n" } else { b"\n]\n" })?;
        }
        Format::Claimreview => {
            anyhow::bail!("--format claimreview is for `embarc export queue` only")
        }
    }
    out.flush()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(
            neutralise("=HYPERLINK(\"http://evil\")"),
            "'=HYPERLINK(\"http://evil\")"
        );
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-2"), "'-2");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("plain"), "plain");
        assert_eq!(neutralise(""), "");
    }
}

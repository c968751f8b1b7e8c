//! `embarc export queue`: claims as CSV (one row each, lists joined with
//! `; `), or JSON/JSONL (the whole claim: post with its state, citations,
//! warnings, latest check, events).

use super::{CsvRow, Options, opt, warnings_cell, write_rows};
use crate::store::{Claim, ClaimFilter, Store};
use anyhow::Result;
use std::io::Write;

impl CsvRow for Claim {
    const HEADER: &'static [&'static str] = &[
        "claim_id",
        "status",
        "label",
        "assignee",
        "reason",
        "created_at",
        "updated_at",
        "decided_at",
        "decided_by",
        "platform",
        "post_id",
        "post_url",
        "handle",
        "author_name",
        "posted_at",
        "date",
        "text",
        "article_urls",
        "warnings",
        "last_note",
        "event_count",
        // The post's state, after the columns that existed before it so that
        // sheets reading columns by position keep working.
        "state",
        "state_reason",
        "checked_at",
        "archived_url",
    ];
    fn cells(&self) -> Vec<String> {
        let p = &self.post;
        let mut articles: Vec<&str> = Vec::new();
        for c in &self.citations {
            if !articles.contains(&c.article_url.as_str()) {
                articles.push(&c.article_url);
            }
        }
        vec![
            self.id.to_string(),
            self.status.to_string(),
            self.label.clone(),
            opt(&self.assignee),
            opt(&self.reason),
            self.created_at.clone(),
            self.updated_at.clone(),
            opt(&self.decided_at),
            opt(&self.decided_by),
            p.ident.platform.to_string(),
            opt(&p.ident.post_id),
            opt(&p.ident.post_url),
            opt(&p.ident.handle),
            opt(&p.ident.author_name),
            opt(&p.posted_at),
            opt(&p.date),
            opt(&p.text),
            articles.join("; "),
            warnings_cell(&self.warnings),
            // A person's note: embarc's own events (`labelled BREAKING in
            // …`) are not notes.
            self.events
                .iter()
                .rev()
                .filter(|e| e.actor != crate::queue::SYSTEM_ACTOR)
                .find_map(|e| e.note.clone())
                .unwrap_or_default(),
            self.events.len().to_string(),
            p.latest.state().map_or("", |s| s.name()).into(),
            p.latest.reason().unwrap_or_default().into(),
            opt(&p.latest.checked_at),
            opt(&p.latest.archived_url),
        ]
    }
}

/// Write the claims `filter` selects, oldest first, as CSV, JSON or JSONL.
pub fn queue(
    store: &Store,
    filter: &ClaimFilter,
    opts: Options,
    out: &mut dyn Write,
) -> Result<usize> {
    write_rows::<Claim>(opts, out, |f| store.for_each_claim(filter, f))
}

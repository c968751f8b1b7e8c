//! Typed reads and writes of the verification queue: claims and their events.
//!
//! Every change is a row in `claim_events`; `claims.status` and
//! `claims.assignee` are caches of the latest events, updated in the same
//! transaction. Changes run in `BEGIN IMMEDIATE` transactions: the write lock
//! is taken before the claim is read, so two processes changing one claim
//! queue up (the busy timeout is 30 s) and each sees the other's event.

use super::Result;
use super::checks::{CheckRow, check_row};
use super::rows::json_list;
use super::{Store, WarningRow, format_time, post_key, snapshot_hash, upsert_post};
use crate::detect::Citation;
use crate::detect::labels::Rules;
use crate::queue::{self, Action, MANUAL_LABEL, Refusal, SYSTEM_ACTOR, Status};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Which claims to list or export; every field narrows, `Default` is all.
#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    /// Any of these statuses (all when empty).
    pub statuses: Vec<Status>,
    /// The claim's label, case-insensitively.
    pub label: Option<String>,
    /// The post's platform (`x`, `bluesky`, ...).
    pub platform: Option<String>,
    /// Claims queued at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// The assignee, case-insensitively.
    pub assignee: Option<String>,
    /// The post's liveness: its latest check's state (`alive`, `gone`,
    /// `restricted`, `unknown`), or `unchecked`.
    pub state: Option<String>,
    /// Claims queued before this time.
    pub until: Option<DateTime<Utc>>,
    /// Claims whose post an article of this site cites.
    pub site: Option<String>,
    /// Claims whose post this article (row id) cites.
    pub article: Option<i64>,
}

/// The states [`ClaimFilter::state`] takes.
pub const LIVENESS: [&str; 5] = ["alive", "gone", "restricted", "unknown", "unchecked"];

/// How a page of claims is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ClaimSort {
    /// Queued first, first (the CLI's order).
    #[default]
    Oldest,
    /// Queued last, first.
    Newest,
    /// Latest event first.
    Updated,
}

impl ClaimSort {
    pub const ALL: [ClaimSort; 3] = [ClaimSort::Oldest, ClaimSort::Newest, ClaimSort::Updated];

    pub fn as_str(self) -> &'static str {
        match self {
            ClaimSort::Oldest => "oldest",
            ClaimSort::Newest => "newest",
            ClaimSort::Updated => "updated",
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            ClaimSort::Oldest => "cl.created_at, cl.id",
            ClaimSort::Newest => "cl.created_at DESC, cl.id DESC",
            ClaimSort::Updated => {
                "(SELECT MAX(e.id) FROM claim_events e WHERE e.claim_id = cl.id) DESC, cl.id DESC"
            }
        }
    }
}

/// One page of claims and how many the filter selects in all.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimPage {
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    pub claims: Vec<Claim>,
}

/// Conditions and their numbered parameters, as a filter builds them.
#[derive(Default)]
struct Where {
    conds: Vec<String>,
    params: Vec<rusqlite::types::Value>,
}

impl Where {
    /// Add a parameter; its placeholder (`?3`).
    fn mark(&mut self, value: rusqlite::types::Value) -> String {
        self.params.push(value);
        format!("?{}", self.params.len())
    }
}

impl ClaimFilter {
    /// Exactly the open statuses (the queue's default page).
    fn is_open_queue(&self) -> bool {
        let mut st: Vec<&str> = self.statuses.iter().map(|s| s.as_str()).collect();
        st.sort_unstable();
        st.dedup();
        st == ["in_progress", "unstarted"]
    }

    /// `FROM` and `WHERE` for the claims this filter selects, with the
    /// parameters in order: only the filters that are set become
    /// conditions, and `posts` is joined only when one needs it, so the
    /// common pages (open claims, a status, a label) are index lookups.
    fn sql(&self) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let text = |v: &str| Value::Text(v.to_string());
        let mut w = Where::default();
        if self.is_open_queue() {
            // As the partial index of open claims says it, word for word:
            // SQLite matches the condition to use the index.
            w.conds
                .push("cl.status IN ('unstarted', 'in_progress')".to_string());
        } else if !self.statuses.is_empty() {
            // Written out (the names are the enum's own).
            let names: Vec<String> = self
                .statuses
                .iter()
                .map(|st| format!("'{}'", st.as_str()))
                .collect();
            w.conds.push(format!("cl.status IN ({})", names.join(", ")));
        }
        if let Some(label) = &self.label {
            let m = w.mark(text(label));
            w.conds.push(format!("cl.label = {m} COLLATE NOCASE"));
        }
        if let Some(platform) = &self.platform {
            let m = w.mark(text(platform));
            w.conds.push(format!("p.platform = {m} COLLATE NOCASE"));
        }
        if let Some(since) = self.since {
            let m = w.mark(Value::Text(format_time(since)));
            w.conds.push(format!("cl.created_at >= {m}"));
        }
        if let Some(assignee) = &self.assignee {
            let m = w.mark(text(assignee));
            w.conds.push(format!("cl.assignee = {m} COLLATE NOCASE"));
        }
        if let Some(state) = &self.state {
            let m = w.mark(text(state));
            w.conds.push(format!(
                "COALESCE((SELECT k.state FROM checks k WHERE k.id = p.latest_check_id), 'unchecked') = {m}"
            ));
        }
        if let Some(until) = self.until {
            let m = w.mark(Value::Text(format_time(until)));
            w.conds.push(format!("cl.created_at < {m}"));
        }
        if self.site.is_some() || self.article.is_some() {
            let mut inner = vec!["c.post_id = p.id".to_string()];
            if let Some(site) = &self.site {
                let m = w.mark(text(site));
                inner.push(format!(
                    "(a.site = {m} COLLATE NOCASE OR a.site LIKE '%.' || {m})"
                ));
            }
            if let Some(article) = self.article {
                let m = w.mark(Value::Integer(article));
                inner.push(format!("a.id = {m}"));
            }
            w.conds.push(format!(
                "EXISTS (SELECT 1 FROM citations c JOIN articles a ON a.id = c.article_id WHERE {})",
                inner.join(" AND ")
            ));
        }
        let needs_post = self.platform.is_some()
            || self.state.is_some()
            || self.site.is_some()
            || self.article.is_some();
        let mut sql = String::from("FROM claims cl");
        if self.is_open_queue() {
            // The open queue in creation order, read from the index of open
            // claims alone instead of sorting them all for each page.
            sql.push_str(" INDEXED BY claims_open");
        }
        if needs_post {
            sql.push_str(" JOIN posts p ON p.id = cl.post_id");
        }
        if !w.conds.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&w.conds.join(" AND "));
        }
        (sql, w.params)
    }
}

/// A claim with its post, the articles citing it, warnings, the post's
/// latest check and history.
#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    pub id: i64,
    pub label: String,
    pub status: Status,
    pub assignee: Option<String>,
    /// Why it was queued by hand; null for claims queued by their label.
    pub reason: Option<String>,
    pub created_at: String,
    /// Time of the latest event.
    pub updated_at: String,
    /// When and by whom the current verdict was set; null while open.
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub post: ClaimPost,
    pub citations: Vec<ClaimCitation>,
    pub warnings: Vec<WarningRow>,
    /// The post's latest check (`embarc check`); null when never checked.
    pub latest_check: Option<CheckRow>,
    pub events: Vec<ClaimEvent>,
}

/// The post a claim is about, with its latest known text.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimPost {
    #[serde(flatten)]
    pub ident: super::PostIdentity,
    pub posted_at: Option<String>,
    pub date: Option<String>,
    pub display_date: Option<String>,
    pub first_seen_at: String,
    /// From the latest snapshot with text; null when none is known.
    pub text: Option<String>,
    pub labels: Vec<String>,
    pub media: Vec<String>,
    /// Its latest check, as in the posts export.
    #[serde(flatten)]
    pub latest: super::LatestCheck,
}

/// An article citing the claim's post.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimCitation {
    pub article_url: String,
    pub kind: String,
    pub shape: String,
    pub source_url: Option<String>,
    pub first_captured_at: String,
    pub last_captured_at: String,
}

/// One change to a claim.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClaimEvent {
    pub at: String,
    pub actor: String,
    pub action: Action,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    /// For `assign` events: who the claim was given to.
    pub assignee: Option<String>,
    pub note: Option<String>,
}

/// What one source showed of the post at one moment.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimSnapshot {
    /// `article`, or a platform endpoint.
    pub source: String,
    /// The article it was read from, for `article` snapshots.
    pub article_url: Option<String>,
    pub taken_at: String,
    pub text: Option<String>,
    pub author_name: Option<String>,
    pub handle: Option<String>,
    pub display_date: Option<String>,
    pub posted_at: Option<String>,
    pub lang: Option<String>,
    pub media: Vec<String>,
    pub labels: Vec<String>,
}

/// Everything known about one claim (`embarc queue show`).
#[derive(Debug, Clone, Serialize)]
pub struct ClaimDetail {
    #[serde(flatten)]
    pub claim: Claim,
    /// Every snapshot of the post, oldest first.
    pub snapshots: Vec<ClaimSnapshot>,
    /// Every check of the post, oldest first.
    pub checks: Vec<CheckRow>,
    /// The post's own media kept by `check` (`[media]`), with their hashes
    /// (`post.media` and the snapshots' `media` are the references the
    /// article or the endpoint named).
    pub kept_media: Vec<super::SavedMedia>,
    /// The media its platform named that are not kept, and why.
    pub media_not_kept: Vec<super::MissedMedia>,
}

/// What `embarc queue add` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandAdded {
    pub claim: i64,
    /// The post was not in the archive and was recorded from its URL.
    pub new_post: bool,
}

/// What re-labelling the archive did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Relabelled {
    /// Article snapshots with text that were labelled again.
    pub snapshots: usize,
    /// Of those, how many got different labels.
    pub changed: usize,
    /// Claims added for posts that are labelled now and were not queued.
    pub new_claims: usize,
    /// Claims queued by a label their post no longer carries (they stay).
    pub unlabelled_claims: usize,
}

impl Store {
    /// The claims `filter` selects, oldest first, handed to `f` one by one.
    pub fn for_each_claim<E: From<super::Error>>(
        &self,
        filter: &ClaimFilter,
        mut f: impl FnMut(Claim) -> Result<(), E>,
    ) -> Result<(), E> {
        let conn = self.read()?;
        // A few hundred at a time: five queries per batch, not per claim.
        for ids in claim_ids(&conn, filter)?.chunks(256) {
            for claim in load_claims(&conn, ids)? {
                f(claim)?;
            }
        }
        Ok(())
    }

    /// How many claims `filter` selects.
    pub fn count_claims(&self, filter: &ClaimFilter) -> Result<usize> {
        let (from, params) = filter.sql();
        let n: i64 = self
            .read()?
            .prepare_cached(&format!("SELECT COUNT(*) {from}"))?
            .query_row(rusqlite::params_from_iter(params), |r| r.get(0))?;
        Ok(n as usize)
    }

    /// One page of the claims `filter` selects, in `sort` order.
    pub fn claim_page(
        &self,
        filter: &ClaimFilter,
        sort: ClaimSort,
        offset: usize,
        limit: usize,
    ) -> Result<ClaimPage> {
        let conn = self.read()?;
        let (from, params) = filter.sql();
        let total: i64 = conn
            .prepare_cached(&format!("SELECT COUNT(*) {from}"))?
            .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT cl.id {from} ORDER BY {} LIMIT {limit} OFFSET {offset}",
            sort.order_by()
        ))?;
        let ids = stmt
            .query_map(rusqlite::params_from_iter(params.iter()), |r| {
                r.get::<_, i64>(0)
            })?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        let claims = load_claims(&conn, &ids)?;
        Ok(ClaimPage {
            total: total as usize,
            offset,
            limit,
            claims,
        })
    }

    /// The labels claims carry, sorted.
    pub fn claim_labels(&self) -> Result<Vec<String>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare("SELECT DISTINCT label FROM claims ORDER BY label")?;
        let labels = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(labels)
    }

    /// How many claims `filter` selects per status, whatever its statuses.
    pub fn claim_counts(&self, filter: &ClaimFilter) -> Result<Vec<(Status, usize)>> {
        let all = ClaimFilter {
            statuses: Vec::new(),
            ..filter.clone()
        };
        let conn = self.read()?;
        let (from, params) = all.sql();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT cl.status, COUNT(*) {from} GROUP BY cl.status"
        ))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut counts: Vec<(Status, usize)> = Status::ALL.into_iter().map(|s| (s, 0)).collect();
        for (status, n) in rows {
            let status = parse_status(&status)?;
            if let Some(c) = counts.iter_mut().find(|(s, _)| *s == status) {
                c.1 = n as usize;
            }
        }
        Ok(counts)
    }

    /// The claims `filter` selects, oldest first.
    pub fn claims(&self, filter: &ClaimFilter) -> Result<Vec<Claim>> {
        let mut out = Vec::new();
        self.for_each_claim(filter, |c| {
            out.push(c);
            Ok::<(), super::Error>(())
        })?;
        Ok(out)
    }

    /// A [`Refusal::UnknownClaim`] error when there is no claim `id`.
    pub fn require_claim(&self, id: i64) -> Result<()> {
        let found: Option<i64> = self
            .read()?
            .query_row("SELECT id FROM claims WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        match found {
            Some(_) => Ok(()),
            None => Err(Refusal::UnknownClaim(id).into()),
        }
    }

    /// Everything known about claim `id`; a [`Refusal::UnknownClaim`] error
    /// when there is none.
    pub fn claim(&self, id: i64) -> Result<ClaimDetail> {
        let conn = self.read()?;
        let claim = load_claim(&conn, id)?.ok_or(Refusal::UnknownClaim(id))?;
        let post: i64 = conn.query_row("SELECT post_id FROM claims WHERE id = ?1", [id], |r| {
            r.get(0)
        })?;
        let snapshots = super::browse::snapshots(&conn, post)?;
        let checks = super::checks::history(&conn, "post_id", post)?;
        Ok(ClaimDetail {
            claim,
            snapshots,
            checks,
            kept_media: super::media::post_media(&conn, post)?,
            media_not_kept: super::media::post_media_missed(&conn, post)?,
        })
    }

    /// Move claim `id` to `to`, by `actor`, with an optional note.
    pub fn set_claim_status(
        &self,
        id: i64,
        to: Status,
        note: Option<&str>,
        actor: &str,
    ) -> Result<ClaimEvent> {
        let actor = queue::person(actor, "the name after --by")?;
        let note = note.map(|n| queue::text(n, "the note")).transpose()?;
        let now = self.now();
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (from, _) = claim_state(&tx, id)?;
        queue::check_status_change(id, from, to, note.as_deref())?;
        let event = ClaimEvent {
            at: now,
            actor,
            action: Action::Status,
            from_status: Some(from),
            to_status: Some(to),
            assignee: None,
            note,
        };
        insert_event(&tx, id, &event)?;
        if to.is_verdict() {
            super::deliveries::queue_for_claim(&tx, &self.hooks, id, "claim_decided", &event.at)?;
        }
        tx.execute(
            "UPDATE claims SET status = ?2 WHERE id = ?1",
            params![id, to.as_str()],
        )?;
        tx.commit()?;
        Ok(event)
    }

    /// Give claim `id` to `name`, or to nobody (`None`).
    pub fn assign_claim(&self, id: i64, name: Option<&str>, actor: &str) -> Result<ClaimEvent> {
        let name = name
            .map(|n| queue::person(n, "the assignee's name"))
            .transpose()?;
        let actor = queue::person(actor, "the name after --by")?;
        let now = self.now();
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (_, current) = claim_state(&tx, id)?;
        queue::check_assignment(id, current.as_deref(), name.as_deref())?;
        let event = ClaimEvent {
            at: now,
            actor,
            action: Action::Assign,
            from_status: None,
            to_status: None,
            assignee: name,
            note: None,
        };
        insert_event(&tx, id, &event)?;
        tx.execute(
            "UPDATE claims SET assignee = ?2 WHERE id = ?1",
            params![id, event.assignee],
        )?;
        tx.commit()?;
        Ok(event)
    }

    /// Add a note to claim `id` without changing it.
    pub fn note_claim(&self, id: i64, note: &str, actor: &str) -> Result<ClaimEvent> {
        let note = queue::text(note, "the note")?;
        let actor = queue::person(actor, "the name after --by")?;
        let now = self.now();
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        claim_state(&tx, id)?;
        let event = ClaimEvent {
            at: now,
            actor,
            action: Action::Note,
            from_status: None,
            to_status: None,
            assignee: None,
            note: Some(note),
        };
        insert_event(&tx, id, &event)?;
        tx.commit()?;
        Ok(event)
    }

    /// Queue a post by hand (see [`queue::post_from_url`]). A post the
    /// archive does not know is recorded from what its URL says.
    pub fn add_claim(&self, post: &Citation, reason: &str, actor: &str) -> Result<HandAdded> {
        let reason = queue::text(reason, "the reason")?;
        let actor = queue::person(actor, "the name after --by")?;
        let url = post.post_url.clone().unwrap_or_default();
        let key = post_key(post).ok_or_else(|| Refusal::NotAPostUrl(url.clone()))?;
        let now = self.now();
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (post_row, new_post) = upsert_post(&tx, &now, &key, post)?;
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM claims WHERE post_id = ?1",
                [post_row],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(claim) = existing {
            // Dropping the transaction rolls the post back too.
            return Err(Refusal::AlreadyQueued { url, claim }.into());
        }
        tx.execute(
            "INSERT INTO claims (post_id, label, status, created_at, reason)
             VALUES (?1, ?2, 'unstarted', ?3, ?4)",
            params![post_row, MANUAL_LABEL, now, reason],
        )?;
        let claim = tx.last_insert_rowid();
        let event = ClaimEvent {
            at: now,
            actor,
            action: Action::Created,
            from_status: None,
            to_status: Some(Status::Unstarted),
            assignee: None,
            note: Some(reason),
        };
        insert_event(&tx, claim, &event)?;
        super::deliveries::queue_for_claim(&tx, &self.hooks, claim, "claim_created", &event.at)?;
        tx.commit()?;
        Ok(HandAdded { claim, new_post })
    }

    /// Label every article snapshot again with `rules`, and queue the posts
    /// that are labelled now and were not claims. Claims are never removed.
    pub fn relabel(&self, rules: &Rules) -> Result<Relabelled> {
        let now = self.now();
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut out = Relabelled::default();
        let mut updates: Vec<(i64, String, String)> = Vec::new();
        {
            let mut stmt = tx.prepare(
                "SELECT id, text, author_name, handle, display_date, media, labels
                 FROM snapshots WHERE source = 'article' AND text IS NOT NULL ORDER BY id",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                out.snapshots += 1;
                let text: Option<String> = r.get(1)?;
                let labels = rules.labels(text.as_deref().unwrap_or_default());
                let stored: String = r.get(6)?;
                if json_list(Some(stored)) == labels {
                    continue;
                }
                let labels = serde_json::to_string(&labels)?;
                let media: String = r.get(5)?;
                let hash =
                    snapshot_hash(&text, &r.get(2)?, &r.get(3)?, &r.get(4)?, &media, &labels)?;
                updates.push((r.get(0)?, labels, hash));
            }
        }
        for (id, labels, hash) in &updates {
            let moved = tx.execute(
                "UPDATE OR IGNORE snapshots SET labels = ?2, content_hash = ?3 WHERE id = ?1",
                params![id, labels, hash],
            )?;
            if moved == 0 {
                // Another snapshot of the post already has this content: keep
                // this row's identity, but its labels must still be right.
                tx.execute(
                    "UPDATE snapshots SET labels = ?2 WHERE id = ?1",
                    params![id, labels],
                )?;
            }
        }
        out.changed = updates.len();
        let unqueued: Vec<(i64, String, Option<String>)> = {
            let mut stmt = tx.prepare(
                "SELECT s.post_id, s.labels, a.url
                 FROM snapshots s
                 LEFT JOIN captures c ON c.id = s.capture_id
                 LEFT JOIN articles a ON a.id = c.article_id
                 WHERE s.source = 'article' AND s.labels <> '[]'
                   AND NOT EXISTS (SELECT 1 FROM claims cl WHERE cl.post_id = s.post_id)
                 ORDER BY s.id",
            )?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut queued = HashSet::new();
        for (post, labels, article) in unqueued {
            let Some(label) = json_list(Some(labels)).into_iter().next() else {
                continue;
            };
            if !queued.insert(post) {
                continue;
            }
            tx.execute(
                "INSERT INTO claims (post_id, label, status, created_at) VALUES (?1, ?2, 'unstarted', ?3)",
                params![post, label, now],
            )?;
            let claim = tx.last_insert_rowid();
            let event = ClaimEvent {
                at: now.clone(),
                actor: SYSTEM_ACTOR.to_string(),
                action: Action::Created,
                from_status: None,
                to_status: Some(Status::Unstarted),
                assignee: None,
                note: Some(format!(
                    "labelled {label} in {} when the archive was relabelled",
                    article.as_deref().unwrap_or("an article")
                )),
            };
            insert_event(&tx, claim, &event)?;
            super::deliveries::queue_for_claim(&tx, &self.hooks, claim, "claim_created", &now)?;
            out.new_claims += 1;
        }
        out.unlabelled_claims = tx.query_row(
            "SELECT COUNT(*) FROM claims cl
             WHERE cl.label <> ?1 AND NOT EXISTS (
                 SELECT 1 FROM snapshots s WHERE s.post_id = cl.post_id AND s.labels <> '[]')",
            [MANUAL_LABEL],
            |r| r.get::<_, i64>(0),
        )? as usize;
        tx.commit()?;
        Ok(out)
    }
}

fn parse_status(s: &str) -> Result<Status> {
    s.parse::<Status>()
        .map_err(|e| super::Error::Unexpected(format!("an unknown claim status: {e}")))
}

/// The claim's status and assignee, inside a write transaction.
fn claim_state(tx: &Transaction<'_>, id: i64) -> Result<(Status, Option<String>)> {
    let row: Option<(String, Option<String>)> = tx
        .query_row(
            "SELECT status, assignee FROM claims WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (st, assignee) = row.ok_or(Refusal::UnknownClaim(id))?;
    Ok((parse_status(&st)?, assignee))
}

fn insert_event(tx: &Transaction<'_>, claim: i64, e: &ClaimEvent) -> Result<()> {
    tx.execute(
        "INSERT INTO claim_events (claim_id, at, actor, action, from_status, to_status, assignee, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            claim,
            e.at,
            e.actor,
            e.action.as_str(),
            e.from_status.map(Status::as_str),
            e.to_status.map(Status::as_str),
            e.assignee,
            e.note
        ],
    )?;
    Ok(())
}

fn load_claim(conn: &Connection, id: i64) -> Result<Option<Claim>> {
    Ok(load_claims(conn, &[id])?.pop())
}

/// Claims `ids`, in that order (unknown ids are left out), in five queries
/// however many there are: the claims with their posts, then the posts'
/// citations, warnings and latest checks, then the claims' events.
fn load_claims(conn: &Connection, ids: &[i64]) -> Result<Vec<Claim>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = serde_json::to_string(ids)?;
    const IDS: &str = "(SELECT value FROM json_each(?1))";
    const POSTS: &str =
        "(SELECT post_id FROM claims WHERE id IN (SELECT value FROM json_each(?1)))";
    type Head = (
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        i64,
    );
    let mut heads: HashMap<i64, (Head, ClaimPost)> = HashMap::with_capacity(ids.len());
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT cl.id, cl.label, cl.status, cl.assignee, cl.reason, cl.created_at,
                cl.post_id AS claim_post, {ident}, p.posted_at, p.date, s.display_date,
                p.first_seen_at, s.text, s.labels, s.media,
                {latest}
         FROM claims cl
         JOIN posts p ON p.id = cl.post_id
         JOIN post_states ps ON ps.id = p.id
         LEFT JOIN snapshots s ON s.id = (
             SELECT id FROM snapshots WHERE post_id = p.id AND text IS NOT NULL
             ORDER BY source = 'article' DESC, id DESC LIMIT 1)
         WHERE cl.id IN {IDS}",
        ident = super::PostIdentity::columns("p", Some("s")),
        latest = super::LatestCheck::columns("ps")
    ))?;
    let mut rows = stmt.query([&list])?;
    while let Some(r) = rows.next()? {
        let head: Head = (
            r.get("id")?,
            r.get("label")?,
            r.get("status")?,
            r.get("assignee")?,
            r.get("reason")?,
            r.get("created_at")?,
            r.get("claim_post")?,
        );
        let post = ClaimPost {
            ident: super::PostIdentity::read(r)?,
            posted_at: r.get("posted_at")?,
            date: r.get("date")?,
            display_date: r.get("display_date")?,
            first_seen_at: r.get("first_seen_at")?,
            text: r.get("text")?,
            labels: json_list(r.get("labels")?),
            media: json_list(r.get("media")?),
            latest: super::LatestCheck::read(r)?,
        };
        heads.insert(head.0, (head, post));
    }

    let mut citations: HashMap<i64, Vec<ClaimCitation>> = HashMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.post_id, a.url, c.kind, c.shape, c.source_url, fc.captured_at, lc.captured_at
         FROM citations c
         JOIN articles a  ON a.id = c.article_id
         JOIN captures fc ON fc.id = c.first_capture_id
         JOIN captures lc ON lc.id = c.last_capture_id
         WHERE c.post_id IN {POSTS} ORDER BY c.id"
    ))?;
    let mut rows = stmt.query([&list])?;
    while let Some(r) = rows.next()? {
        citations.entry(r.get(0)?).or_default().push(ClaimCitation {
            article_url: r.get(1)?,
            kind: r.get(2)?,
            shape: r.get(3)?,
            source_url: r.get(4)?,
            first_captured_at: r.get(5)?,
            last_captured_at: r.get(6)?,
        });
    }

    let mut warnings: HashMap<i64, Vec<WarningRow>> = HashMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT post_id, kind, detail FROM warnings WHERE post_id IN {POSTS}
         GROUP BY post_id, kind, detail ORDER BY MIN(id)"
    ))?;
    let mut rows = stmt.query([&list])?;
    while let Some(r) = rows.next()? {
        warnings.entry(r.get(0)?).or_default().push(WarningRow {
            kind: r.get(1)?,
            detail: r.get(2)?,
        });
    }

    let mut checks: HashMap<i64, CheckRow> = HashMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT k.checked_at, k.state, k.reason, k.http_status, k.evidence, k.endpoint,
                k.archived_url, cl.post_id AS of_post
         FROM claims cl
         JOIN checks k ON k.id = (SELECT id FROM checks WHERE post_id = cl.post_id
                                  ORDER BY id DESC LIMIT 1)
         WHERE cl.id IN {IDS}"
    ))?;
    let mut rows = stmt.query([&list])?;
    while let Some(r) = rows.next()? {
        checks.insert(r.get("of_post")?, check_row(r)?);
    }

    let mut events: HashMap<i64, Vec<ClaimEvent>> = HashMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT claim_id, at, actor, action, from_status, to_status, assignee, note
         FROM claim_events WHERE claim_id IN {IDS} ORDER BY id"
    ))?;
    let mut rows = stmt.query([&list])?;
    while let Some(r) = rows.next()? {
        let claim: i64 = r.get(0)?;
        let action: String = r.get(3)?;
        let from: Option<String> = r.get(4)?;
        let to: Option<String> = r.get(5)?;
        events.entry(claim).or_default().push(ClaimEvent {
            at: r.get(1)?,
            actor: r.get(2)?,
            action: Action::parse(&action).ok_or_else(|| {
                super::Error::Unexpected(format!("an unknown event {action:?} of claim {claim}"))
            })?,
            from_status: from.as_deref().map(parse_status).transpose()?,
            to_status: to.as_deref().map(parse_status).transpose()?,
            assignee: r.get(6)?,
            note: r.get(7)?,
        });
    }

    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(((id, label, st, assignee, reason, created_at, post_row), post)) =
            heads.remove(id)
        else {
            continue;
        };
        let status = parse_status(&st)?;
        let events = events.remove(&id).unwrap_or_default();
        let decision = status
            .is_verdict()
            .then(|| {
                events
                    .iter()
                    .rev()
                    .find(|e| e.action == Action::Status && e.to_status == Some(status))
            })
            .flatten();
        out.push(Claim {
            id,
            label,
            status,
            assignee,
            reason,
            updated_at: events.last().map_or(created_at.clone(), |e| e.at.clone()),
            created_at,
            decided_at: decision.map(|e| e.at.clone()),
            decided_by: decision.map(|e| e.actor.clone()),
            post,
            citations: citations.remove(&post_row).unwrap_or_default(),
            warnings: warnings.remove(&post_row).unwrap_or_default(),
            latest_check: checks.remove(&post_row),
            events,
        });
    }
    Ok(out)
}

/// The ids of the claims `filter` selects, oldest first.
fn claim_ids(conn: &Connection, filter: &ClaimFilter) -> Result<Vec<i64>> {
    let (from, params) = filter.sql();
    let mut stmt = conn.prepare(&format!(
        "SELECT cl.id {from} ORDER BY {}",
        ClaimSort::Oldest.order_by()
    ))?;
    let ids = stmt
        .query_map(rusqlite::params_from_iter(params), |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five hand-queued claims a minute apart; #2 decided, #4 in progress.
    fn store() -> Store {
        let s = Store::open_in_memory().unwrap();
        for i in 0..5 {
            let at: DateTime<Utc> = format!("2025-03-01T00:0{i}:00Z").parse().unwrap();
            let post =
                queue::post_from_url(&format!("https://x.com/a/status/17211449440591180{i:02}"))
                    .unwrap();
            s.clone().with_clock(at).add_claim(&post, "r", "t").unwrap();
        }
        s.set_claim_status(2, Status::False, Some("no"), "t")
            .unwrap();
        s.set_claim_status(4, Status::InProgress, None, "t")
            .unwrap();
        s
    }

    #[test]
    fn the_open_queue_pages_in_every_order_from_its_index() {
        let s = store();
        let open = ClaimFilter {
            statuses: vec![Status::InProgress, Status::Unstarted],
            ..ClaimFilter::default()
        };
        assert!(open.is_open_queue());
        let (from, _) = open.sql();
        assert!(from.contains("INDEXED BY claims_open"), "{from}");
        let ids = |sort, offset, limit| -> Vec<i64> {
            let page = s.claim_page(&open, sort, offset, limit).unwrap();
            assert_eq!(page.total, 4);
            page.claims.iter().map(|c| c.id).collect()
        };
        assert_eq!(ids(ClaimSort::Oldest, 0, 10), [1, 3, 4, 5]);
        assert_eq!(ids(ClaimSort::Oldest, 1, 2), [3, 4]);
        assert_eq!(ids(ClaimSort::Newest, 0, 2), [5, 4]);
        assert_eq!(ids(ClaimSort::Updated, 0, 1), [4]);
        assert_eq!(s.count_claims(&open).unwrap(), 4);
        // Any other set of statuses reads the table as before.
        let decided = ClaimFilter {
            statuses: vec![Status::False],
            ..ClaimFilter::default()
        };
        assert!(!decided.sql().0.contains("INDEXED BY"));
        assert_eq!(
            s.claim_page(&decided, ClaimSort::Oldest, 0, 9)
                .unwrap()
                .claims[0]
                .id,
            2
        );
        let counts = s.claim_counts(&open).unwrap();
        assert!(counts.contains(&(Status::False, 1)) && counts.contains(&(Status::Unstarted, 3)));
    }
}

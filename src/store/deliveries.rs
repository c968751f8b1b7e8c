//! Webhook deliveries (`deliveries`): queued with the check that changed a
//! target's state, claimed under leases by the sender, their attempts and
//! results recorded.

use super::Result;
use super::checks::CheckRow;
use super::{Store, format_time};
use crate::detect::Platform;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use std::time::Duration;

/// A receiver and the events it wants (`[[notify]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    pub url: String,
    pub events: Vec<String>,
}

/// A delivery the sender holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub url: String,
    pub event: String,
    pub check_id: Option<i64>,
    pub post_id: Option<i64>,
    pub article_id: Option<i64>,
    /// The claim event a `claim_created` or `claim_decided` reports.
    pub claim_event_id: Option<i64>,
    /// The body, once built (every retry sends the same bytes).
    pub payload: Option<String>,
    pub attempts: u32,
}

/// What a payload is built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventData {
    pub event: String,
    /// When the event happened (the check's time).
    pub at: String,
    pub post: Option<EventPost>,
    pub article: Option<EventArticle>,
    /// The articles citing the post.
    pub articles: Vec<EventArticle>,
    pub claim: Option<EventClaim>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventPost {
    pub platform: Platform,
    pub id: Option<String>,
    pub url: Option<String>,
    pub handle: Option<String>,
    pub author_name: Option<String>,
    pub latest_check: Option<CheckRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventArticle {
    pub url: String,
    pub site: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_check: Option<CheckRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventClaim {
    pub id: i64,
    pub label: String,
    /// The claim's status; in a claim event, the status that event set.
    pub status: String,
    /// Claim events: the status before (decisions only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_status: Option<String>,
    /// Claim events: who created or decided it (`embarc` for a label).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Claim events: the event's note (why it was queued or decided).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Deliveries by status, and the latest failures, for `status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryCounts {
    pub pending: usize,
    pub delivered: usize,
    pub failed: usize,
    /// The latest given-up deliveries: (event, url, attempts, last error).
    pub recent_failures: Vec<(String, String, u32, String)>,
}

/// The events a new check makes, from the target's previous definite
/// state (`unknown` checks say nothing) and the new one.
fn events_of(is_post: bool, previous: Option<&str>, state: &str) -> Option<&'static str> {
    match (is_post, previous, state) {
        (_, Some("gone"), "gone") | (_, _, "unknown") => None,
        (true, _, "gone") => Some("post_gone"),
        (true, Some("gone"), "alive") => Some("post_back"),
        (true, Some(p), "restricted") if p != "restricted" => Some("post_restricted"),
        (true, None, "restricted") => Some("post_restricted"),
        (false, _, "gone") => Some("article_gone"),
        _ => None,
    }
}

/// Queue the deliveries a just-inserted check makes (inside its
/// transaction).
pub(super) fn queue_for_check(
    tx: &rusqlite::Connection,
    hooks: &[Hook],
    post: Option<i64>,
    article: Option<i64>,
    state: &str,
    now: &str,
) -> Result<usize> {
    if hooks.is_empty() {
        return Ok(0);
    }
    let check_id = tx.last_insert_rowid();
    let previous: Option<String> = tx
        .query_row(
            "SELECT state FROM checks
             WHERE ((?1 IS NOT NULL AND post_id = ?1) OR (?2 IS NOT NULL AND article_id = ?2))
               AND id < ?3 AND state <> 'unknown'
             ORDER BY id DESC LIMIT 1",
            params![post, article, check_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(event) = events_of(post.is_some(), previous.as_deref(), state) else {
        return Ok(0);
    };
    let mut n = 0;
    for h in hooks.iter().filter(|h| h.events.iter().any(|e| e == event)) {
        n += tx.execute(
            "INSERT OR IGNORE INTO deliveries (url, event, check_id, post_id, article_id, created_at,
                 next_attempt_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![h.url, event, check_id, post, article, now],
        )?;
    }
    Ok(n)
}

/// Queue the deliveries of a claim event just inserted (inside its
/// transaction): `claim_created` or `claim_decided`, one per receiver that
/// wants it.
pub(super) fn queue_for_claim(
    tx: &rusqlite::Connection,
    hooks: &[Hook],
    claim: i64,
    event: &str,
    now: &str,
) -> Result<usize> {
    if !hooks.iter().any(|h| h.events.iter().any(|e| e == event)) {
        return Ok(0);
    }
    let claim_event = tx.last_insert_rowid();
    let post: i64 = tx.query_row(
        "SELECT post_id FROM claims WHERE id = ?1",
        params![claim],
        |r| r.get(0),
    )?;
    let mut n = 0;
    for h in hooks.iter().filter(|h| h.events.iter().any(|e| e == event)) {
        n += tx.execute(
            "INSERT INTO deliveries (url, event, post_id, claim_event_id, created_at, next_attempt_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![h.url, event, post, claim_event, now],
        )?;
    }
    Ok(n)
}

/// The latest check of a post, if any.
fn post_latest_check(conn: &rusqlite::Connection, post: i64) -> Result<Option<CheckRow>> {
    let id: Option<i64> = conn
        .query_row(
            "SELECT id FROM checks WHERE post_id = ?1 ORDER BY id DESC LIMIT 1",
            params![post],
            |r| r.get(0),
        )
        .optional()?;
    latest_check(conn, id)
}

/// The claim as a claim event left it.
fn claim_at_event(conn: &rusqlite::Connection, event: i64) -> Result<Option<(String, EventClaim)>> {
    Ok(conn
        .query_row(
            "SELECT e.at, c.id, c.label, COALESCE(e.to_status, c.status), e.from_status, e.actor, e.note
             FROM claim_events e JOIN claims c ON c.id = e.claim_id WHERE e.id = ?1",
            params![event],
            |r| {
                Ok((
                    r.get(0)?,
                    EventClaim {
                        id: r.get(1)?,
                        label: r.get(2)?,
                        status: r.get(3)?,
                        previous_status: r.get(4)?,
                        by: r.get(5)?,
                        note: r.get(6)?,
                    },
                ))
            },
        )
        .optional()?)
}

fn latest_check(tx: &rusqlite::Connection, check: Option<i64>) -> Result<Option<CheckRow>> {
    Ok(tx
        .query_row(
            &format!(
                "SELECT {} FROM checks WHERE id = ?1",
                super::checks::CHECK_COLUMNS
            ),
            params![check],
            super::checks::check_row,
        )
        .optional()?)
}

impl Store {
    /// The receivers that new checks queue deliveries for.
    pub fn set_hooks(&mut self, hooks: Vec<Hook>) {
        self.hooks = hooks;
    }

    /// Claim up to `limit` pending deliveries whose time has come.
    pub fn claim_deliveries(
        &self,
        owner: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Delivery>> {
        let now = self.clock();
        let until = format_time(
            chrono::Duration::from_std(lease)
                .ok()
                .and_then(|d| now.checked_add_signed(d))
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        );
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut got = {
            let mut stmt = tx.prepare_cached(
                "UPDATE deliveries SET claimed_by = ?1, claimed_until = ?2
                 WHERE id IN (SELECT id FROM deliveries
                              WHERE status = 'pending' AND next_attempt_at <= ?3
                                AND (claimed_until IS NULL OR claimed_until <= ?3)
                              ORDER BY next_attempt_at, id LIMIT ?4)
                 RETURNING id, url, event, check_id, post_id, article_id, payload, attempts,
                           claim_event_id",
            )?;
            stmt.query_map(params![owner, until, format_time(now), limit as i64], |r| {
                Ok(Delivery {
                    id: r.get(0)?,
                    url: r.get(1)?,
                    event: r.get(2)?,
                    check_id: r.get(3)?,
                    post_id: r.get(4)?,
                    article_id: r.get(5)?,
                    payload: r.get(6)?,
                    attempts: r.get::<_, i64>(7)?.clamp(0, 1 << 20) as u32,
                    claim_event_id: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
        };
        tx.commit()?;
        got.sort_by_key(|d| d.id);
        Ok(got)
    }

    /// What the payload of `d` says, read now.
    pub fn event_data(&self, d: &Delivery) -> Result<EventData> {
        let conn = self.read()?;
        // A claim event reports the claim as that event left it, at its
        // time, with the post's latest check; a check event, that check.
        let claim_event = match d.claim_event_id {
            Some(e) => claim_at_event(&conn, e)?,
            None => None,
        };
        let check = match (d.check_id, d.post_id, &claim_event) {
            (None, Some(post), Some(_)) => post_latest_check(&conn, post)?,
            _ => latest_check(&conn, d.check_id)?,
        };
        let at = match &claim_event {
            Some((at, _)) => at.clone(),
            None => check
                .as_ref()
                .map(|c| c.checked_at.clone())
                .unwrap_or_else(|| self.now()),
        };
        let post = match d.post_id {
            None => None,
            Some(id) => conn
                .query_row(
                    "SELECT platform, post_id, post_url, handle, author_name FROM posts WHERE id = ?1",
                    params![id],
                    |r| {
                        Ok(EventPost {
                            platform: r.get(0)?,
                            id: r.get(1)?,
                            url: r.get(2)?,
                            handle: r.get(3)?,
                            author_name: r.get(4)?,
                            latest_check: check.clone(),
                        })
                    },
                )
                .optional()?,
        };
        let article = match d.article_id {
            None => None,
            Some(id) => conn
                .query_row(
                    "SELECT url, site FROM articles WHERE id = ?1",
                    params![id],
                    |r| {
                        Ok(EventArticle {
                            url: r.get(0)?,
                            site: r.get(1)?,
                            latest_check: check.clone(),
                        })
                    },
                )
                .optional()?,
        };
        let articles = {
            let mut stmt = conn.prepare_cached(
                "SELECT DISTINCT a.url, a.site FROM citations c JOIN articles a ON a.id = c.article_id
                 WHERE c.post_id = ?1 ORDER BY a.url",
            )?;
            stmt.query_map(params![d.post_id], |r| {
                Ok(EventArticle {
                    url: r.get(0)?,
                    site: r.get(1)?,
                    latest_check: None,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
        };
        let claim = match claim_event {
            Some((_, c)) => Some(c),
            None => conn
                .query_row(
                    "SELECT id, label, status FROM claims WHERE post_id = ?1 ORDER BY id LIMIT 1",
                    params![d.post_id],
                    |r| {
                        Ok(EventClaim {
                            id: r.get(0)?,
                            label: r.get(1)?,
                            status: r.get(2)?,
                            previous_status: None,
                            by: None,
                            note: None,
                        })
                    },
                )
                .optional()?,
        };
        Ok(EventData {
            event: d.event.clone(),
            at,
            post,
            article,
            articles,
            claim,
        })
    }

    /// Keep the body built for a delivery, so every retry sends it.
    pub fn set_delivery_payload(&self, id: i64, payload: &str) -> Result<()> {
        self.write().execute(
            "UPDATE deliveries SET payload = ?2 WHERE id = ?1 AND payload IS NULL",
            params![id, payload],
        )?;
        Ok(())
    }

    /// Record an attempt's outcome: delivered, failed for good, or pending
    /// again at `retry_at`. Gives back the lease.
    #[allow(clippy::too_many_arguments)]
    pub fn finish_delivery(
        &self,
        id: i64,
        owner: &str,
        attempts: u32,
        http_status: Option<u16>,
        error: Option<&str>,
        delivered: bool,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let now = self.now();
        let status = match (delivered, retry_at) {
            (true, _) => "delivered",
            (false, Some(_)) => "pending",
            (false, None) => "failed",
        };
        self.write().execute(
            "UPDATE deliveries SET status = ?3, attempts = ?4, http_status = ?5, error = ?6,
                 next_attempt_at = COALESCE(?7, next_attempt_at),
                 finished_at = CASE WHEN ?3 = 'pending' THEN NULL ELSE ?8 END,
                 claimed_by = NULL, claimed_until = NULL
             WHERE id = ?1 AND claimed_by = ?2",
            params![
                id,
                owner,
                status,
                attempts,
                http_status,
                error,
                retry_at.map(format_time),
                now
            ],
        )?;
        Ok(())
    }

    /// Deliveries by status and the latest failures.
    pub fn delivery_counts(&self) -> Result<DeliveryCounts> {
        let mut c = DeliveryCounts::default();
        let conn = self.read()?;
        let mut stmt = conn.prepare("SELECT status, COUNT(*) FROM deliveries GROUP BY status")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (status, n) = row?;
            match status.as_str() {
                "pending" => c.pending = n as usize,
                "delivered" => c.delivered = n as usize,
                _ => c.failed = n as usize,
            }
        }
        let mut stmt = conn.prepare(
            "SELECT event, url, attempts, COALESCE(error, '') FROM deliveries
             WHERE status = 'failed' ORDER BY id DESC LIMIT 5",
        )?;
        c.recent_failures = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u32, r.get(3)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::events_of;

    #[test]
    fn one_event_per_change_of_state() {
        assert_eq!(events_of(true, Some("alive"), "gone"), Some("post_gone"));
        assert_eq!(events_of(true, None, "gone"), Some("post_gone"));
        assert_eq!(events_of(true, Some("gone"), "gone"), None);
        assert_eq!(events_of(true, Some("gone"), "unknown"), None);
        assert_eq!(events_of(true, Some("gone"), "alive"), Some("post_back"));
        assert_eq!(events_of(true, Some("alive"), "alive"), None);
        assert_eq!(events_of(true, None, "alive"), None);
        assert_eq!(
            events_of(true, Some("alive"), "restricted"),
            Some("post_restricted")
        );
        assert_eq!(events_of(true, Some("restricted"), "restricted"), None);
        assert_eq!(
            events_of(false, Some("alive"), "gone"),
            Some("article_gone")
        );
        assert_eq!(events_of(false, Some("gone"), "alive"), None);
    }
}

//! Scheduled work: due times, leases and the results of runs (`jobs`).
//!
//! Every checkable post and web article has a job (triggers add them as
//! posts and articles are recorded); each `[[watch]]` source has one too.
//! A job whose `due_at` is NULL is scheduled from the recheck policy by
//! [`Store::schedule`]; a new check sets it back to NULL (trigger), so the
//! schedule always follows the latest check, whichever command made it.
//!
//! Claims are one compare-and-swap UPDATE inside `BEGIN IMMEDIATE`: only
//! rows that are due and hold no live lease are taken, so two processes
//! never hold the same job, and a lease that runs out (its process died)
//! makes the job claimable again.

use super::Result;
use super::{Store, format_time};
use crate::policy::{Facts, Policy};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use std::time::Duration;

/// Jobs scheduled in one transaction.
const SCHEDULE_BATCH: i64 = 1000;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    CheckPost,
    CheckArticle,
    Watch,
}

impl JobKind {
    pub const ALL: [JobKind; 3] = [JobKind::CheckPost, JobKind::CheckArticle, JobKind::Watch];

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::CheckPost => "check_post",
            JobKind::CheckArticle => "check_article",
            JobKind::Watch => "watch",
        }
    }
}

/// A job this process holds the lease of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: JobKind,
    /// The post (`check_post`) or article (`check_article`) row id.
    pub target: Option<i64>,
    /// The watched source (`watch`): `feed URL`, `sitemap URL`, `list PATH`.
    pub source: Option<String>,
    /// Failed runs in a row before this one.
    pub failures: u32,
}

/// Which due jobs to claim.
#[derive(Debug, Clone)]
pub struct ClaimRequest<'a> {
    /// Who claims: a name unique to the process.
    pub owner: &'a str,
    pub kind: JobKind,
    /// The lease: how long the job is ours without news from us.
    pub lease: Duration,
    pub limit: usize,
    /// Only posts of this platform (and articles citing one).
    pub platform: Option<&'a str>,
}

/// One job as the Jobs page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobRow {
    pub id: i64,
    pub kind: JobKind,
    /// The watched source, or the checked post's or article's URL.
    pub what: String,
    pub due_at: Option<String>,
    /// The process holding its lease, while it runs.
    pub claimed_by: Option<String>,
    pub failures: u32,
    pub last_run_at: Option<String>,
    pub last_result: Option<String>,
}

/// The jobs of one kind, for `status` and the scheduler's log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    pub kind: String,
    pub total: usize,
    /// Due now and not held.
    pub due: usize,
    /// Held by a live lease.
    pub running: usize,
    /// Whose last run failed (checks: answered `unknown`).
    pub failing: usize,
    /// Not scheduled yet: new, or checked since the last scheduling (the
    /// next `check` or `watch` gives them their times).
    pub unscheduled: usize,
    /// The earliest due time in the future.
    pub next_due: Option<String>,
}

fn parse(at: Option<String>) -> Option<DateTime<Utc>> {
    at.and_then(|s| s.parse().ok())
}

fn later(at: DateTime<Utc>, d: Duration) -> String {
    format_time(
        chrono::Duration::from_std(d)
            .ok()
            .and_then(|d| at.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
    )
}

impl Store {
    /// Make the stored due times follow `policy`: when it differs from the
    /// one they were computed with, every check job is scheduled again.
    /// Returns whether it changed.
    pub fn sync_policy(&self, policy: &Policy) -> Result<bool> {
        let fingerprint = policy.fingerprint();
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let stored: Option<String> = tx
            .query_row(
                "SELECT value FROM meta WHERE key = 'recheck_policy'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let changed = stored.as_deref() != Some(fingerprint.as_str());
        if changed {
            tx.execute(
                "UPDATE jobs SET due_at = NULL WHERE kind IN ('check_post', 'check_article')",
                [],
            )?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('recheck_policy', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![fingerprint],
            )?;
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Give every check job without a due time its next time under
    /// `policy` (new posts and articles, targets checked since). Returns how
    /// many were scheduled.
    pub fn schedule(&self, policy: &Policy) -> Result<usize> {
        self.sync_policy(policy)?;
        let mut total = 0;
        loop {
            let now = self.clock();
            let mut conn = self.write();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let pending: Vec<(i64, bool, Facts)> = {
                let mut stmt = tx.prepare_cached(
                    "SELECT j.id, j.kind = 'check_post', COALESCE(p.first_seen_at, a.first_seen_at),
                        COALESCE(
                          (SELECT c.checked_at FROM checks c WHERE c.post_id = j.post_id
                            ORDER BY c.id DESC LIMIT 1),
                          (SELECT c.checked_at FROM checks c WHERE c.article_id = j.article_id
                            ORDER BY c.id DESC LIMIT 1)),
                        (SELECT MIN(c.checked_at) FROM checks c
                          WHERE j.post_id IS NOT NULL AND c.post_id = j.post_id AND c.state = 'gone'
                            AND c.id > COALESCE((SELECT MAX(d.id) FROM checks d
                                WHERE d.post_id = j.post_id AND d.state IN ('alive', 'restricted')), 0)),
                        j.failures
                     FROM jobs j
                     LEFT JOIN posts p ON p.id = j.post_id
                     LEFT JOIN articles a ON a.id = j.article_id
                     WHERE j.due_at IS NULL AND j.kind IN ('check_post', 'check_article')
                     LIMIT ?1",
                )?;
                stmt.query_map(params![SCHEDULE_BATCH], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, bool>(1)?,
                        Facts {
                            first_seen: parse(r.get(2)?).unwrap_or(now),
                            last_checked: parse(r.get(3)?),
                            gone_since: parse(r.get(4)?),
                            unknown_streak: r.get::<_, i64>(5)?.clamp(0, 1 << 20) as u32,
                        },
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?
            };
            if pending.is_empty() {
                tx.commit()?;
                return Ok(total);
            }
            {
                let mut update = tx.prepare_cached("UPDATE jobs SET due_at = ?2 WHERE id = ?1")?;
                for (id, is_post, facts) in &pending {
                    let due = if *is_post {
                        policy.next_post_check(facts)
                    } else {
                        policy.next_article_check(facts)
                    };
                    update.execute(params![id, format_time(due)])?;
                }
            }
            tx.commit()?;
            total += pending.len();
        }
    }

    /// Claim up to `req.limit` due jobs of one kind, earliest due first: a
    /// compare-and-swap on the lease, so a job held by a live lease is never
    /// taken.
    pub fn claim_jobs(&self, req: &ClaimRequest<'_>) -> Result<Vec<ClaimedJob>> {
        let now = self.clock();
        let now_text = format_time(now);
        let until = later(now, req.lease);
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Posts of one platform are an index range on (kind, platform,
        // due_at); articles citing a platform are found through citations.
        let which = match (req.kind, req.platform) {
            (_, None) => "?6 IS NULL",
            (JobKind::CheckPost, Some(_)) => "j.platform = ?6",
            (_, Some(_)) => {
                "EXISTS (SELECT 1 FROM citations c JOIN posts p ON p.id = c.post_id
                         WHERE c.article_id = j.article_id AND p.platform = ?6)"
            }
        };
        let claimed = {
            let mut stmt = tx.prepare_cached(&format!(
                "UPDATE jobs SET claimed_by = ?1, claimed_until = ?2
                 WHERE id IN (
                     SELECT j.id FROM jobs j
                     WHERE j.kind = ?4 AND {which} AND j.due_at <= ?3
                       AND (j.claimed_until IS NULL OR j.claimed_until <= ?3)
                     ORDER BY j.due_at, j.id
                     LIMIT ?5)
                 RETURNING id, COALESCE(post_id, article_id), source, failures"
            ))?;
            stmt.query_map(
                params![
                    req.owner,
                    until,
                    now_text,
                    req.kind.as_str(),
                    req.limit as i64,
                    req.platform
                ],
                |r| {
                    Ok(ClaimedJob {
                        id: r.get(0)?,
                        kind: req.kind,
                        target: r.get(1)?,
                        source: r.get(2)?,
                        failures: r.get::<_, i64>(3)?.clamp(0, 1 << 20) as u32,
                    })
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?
        };
        tx.commit()?;
        let mut claimed = claimed;
        claimed.sort_by_key(|j| j.id);
        Ok(claimed)
    }

    /// Extend the leases `owner` holds, so long work is not taken over.
    pub fn renew_leases(&self, owner: &str, lease: Duration) -> Result<usize> {
        let until = later(self.clock(), lease);
        Ok(self.write().execute(
            "UPDATE jobs SET claimed_until = ?2 WHERE claimed_by = ?1",
            params![owner, until],
        )?)
    }

    /// A job `owner` ran is done: the lease is given back and the result
    /// recorded. Check jobs are rescheduled by their new check (trigger and
    /// [`Store::schedule`]); a watch job gets `next_due`. Returns false when
    /// the lease had been lost to another process.
    pub fn finish_job(
        &self,
        id: i64,
        owner: &str,
        result: &str,
        failed: bool,
        next_due: Option<DateTime<Utc>>,
    ) -> Result<bool> {
        let n = self.write().execute(
            "UPDATE jobs SET claimed_by = NULL, claimed_until = NULL, last_run_at = ?3,
                 last_result = ?4,
                 failures = CASE WHEN kind <> 'watch' THEN failures
                                 WHEN ?5 THEN failures + 1 ELSE 0 END,
                 due_at = COALESCE(?6, due_at)
             WHERE id = ?1 AND claimed_by = ?2",
            params![
                id,
                owner,
                self.now(),
                result,
                failed,
                next_due.map(format_time)
            ],
        )?;
        Ok(n > 0)
    }

    /// Give back every lease `owner` holds (shutdown after the grace
    /// period): the jobs stay due for another process.
    pub fn release_all(&self, owner: &str) -> Result<usize> {
        Ok(self.write().execute(
            "UPDATE jobs SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?1",
            params![owner],
        )?)
    }

    /// Give back jobs claimed but not run (shutdown): they stay due.
    pub fn release(&self, ids: &[i64], owner: &str) -> Result<usize> {
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut n = 0;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE jobs SET claimed_by = NULL, claimed_until = NULL
                 WHERE id = ?1 AND claimed_by = ?2",
            )?;
            for id in ids {
                n += stmt.execute(params![id, owner])?;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    /// Make the `watch` jobs the configured sources: new ones are due now,
    /// ones no longer configured are removed.
    pub fn sync_watch_sources(&self, sources: &[String]) -> Result<()> {
        let now = self.now();
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM jobs WHERE kind = 'watch'
               AND source NOT IN (SELECT value FROM json_each(?1))",
            params![serde_json::to_string(sources)?],
        )?;
        for s in sources {
            tx.execute(
                "INSERT OR IGNORE INTO jobs (kind, source, due_at) VALUES ('watch', ?1, ?2)",
                params![s, now],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// How many jobs of `kind` wait for a later time.
    pub fn waiting_jobs(&self, kind: JobKind) -> Result<usize> {
        let n: i64 = self.read()?.query_row(
            "SELECT COUNT(*) FROM jobs WHERE kind = ?1 AND due_at > ?2",
            params![kind.as_str(), self.now()],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// The watched sources' jobs, then the `limit` checks failing longest
    /// in a row (the Jobs page).
    pub fn job_rows(&self, limit: usize) -> Result<Vec<JobRow>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare_cached(
            "SELECT j.id, j.kind,
                    COALESCE(j.source, p.post_url, p.platform || ':' || p.post_id, a.url, ''),
                    j.due_at, CASE WHEN j.claimed_until > ?2 THEN j.claimed_by END,
                    j.failures, j.last_run_at, j.last_result
             FROM jobs j
             LEFT JOIN posts p ON p.id = j.post_id
             LEFT JOIN articles a ON a.id = j.article_id
             WHERE j.id IN (SELECT id FROM jobs WHERE kind = 'watch')
                OR j.id IN (SELECT id FROM jobs WHERE failures > 0 AND kind <> 'watch'
                            ORDER BY failures DESC, id LIMIT ?1)
             ORDER BY j.kind = 'watch' DESC, j.failures DESC, j.id",
        )?;
        let rows = stmt.query_map(params![limit as i64, self.now()], |r| {
            let kind: String = r.get(1)?;
            Ok(JobRow {
                id: r.get(0)?,
                kind: JobKind::ALL
                    .into_iter()
                    .find(|k| k.as_str() == kind)
                    .unwrap_or(JobKind::Watch),
                what: r.get(2)?,
                due_at: r.get(3)?,
                claimed_by: r.get(4)?,
                failures: r.get(5)?,
                last_run_at: r.get(6)?,
                last_result: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Make job `id` due now ("run now"), unless a process holds it;
    /// `false` when there is no such job or it is running.
    pub fn run_job_now(&self, id: i64) -> Result<bool> {
        let now = self.now();
        let n = self.write().execute(
            "UPDATE jobs SET due_at = ?2
             WHERE id = ?1 AND (claimed_until IS NULL OR claimed_until <= ?2)",
            params![id, now],
        )?;
        Ok(n == 1)
    }

    /// Counts of the jobs of each kind.
    pub fn job_counts(&self) -> Result<Vec<JobCounts>> {
        let now = self.now();
        let mut out = Vec::new();
        for kind in JobKind::ALL {
            let c = self.read()?.query_row(
                "SELECT COUNT(*),
                    COALESCE(SUM(due_at <= ?2 AND (claimed_until IS NULL OR claimed_until <= ?2)), 0),
                    COALESCE(SUM(claimed_until > ?2), 0),
                    COALESCE(SUM(failures > 0), 0),
                    COALESCE(SUM(due_at IS NULL), 0),
                    (SELECT MIN(due_at) FROM jobs WHERE kind = ?1 AND due_at > ?2)
                 FROM jobs WHERE kind = ?1",
                params![kind.as_str(), now],
                |r| {
                    Ok(JobCounts {
                        kind: kind.as_str().to_string(),
                        total: r.get::<_, i64>(0)? as usize,
                        due: r.get::<_, i64>(1)? as usize,
                        running: r.get::<_, i64>(2)? as usize,
                        failing: r.get::<_, i64>(3)? as usize,
                        unscheduled: r.get::<_, i64>(4)? as usize,
                        next_due: r.get(5)?,
                    })
                },
            )?;
            out.push(c);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::params;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// An archive with `n` checkable posts first seen at T0.
    fn archive(path: &std::path::Path, n: usize) {
        let store = Store::open(path)
            .unwrap()
            .with_clock(at("2025-01-01T00:00:00Z"));
        for i in 0..n {
            store
                .write()
                .execute(
                    "INSERT INTO posts (post_key, platform, post_id, first_seen_at)
                     VALUES (?1, 'x', ?2, '2025-01-01T00:00:00.000Z')",
                    params![format!("x:{i}"), i.to_string()],
                )
                .unwrap();
        }
    }

    fn req(owner: &str) -> ClaimRequest<'_> {
        ClaimRequest {
            owner,
            kind: JobKind::CheckPost,
            lease: Duration::from_secs(60),
            limit: 10,
            platform: None,
        }
    }

    #[test]
    fn a_claimed_job_is_not_claimed_again_until_its_lease_runs_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("embarc.db");
        archive(&path, 3);
        let policy = Policy::default();
        let a = Store::open(&path)
            .unwrap()
            .with_clock(at("2025-01-01T01:00:00Z"));
        let b = Store::open(&path)
            .unwrap()
            .with_clock(at("2025-01-01T01:00:00Z"));
        // Nothing is due before the first age.
        let early = Store::open(&path)
            .unwrap()
            .with_clock(at("2025-01-01T00:59:59Z"));
        early.schedule(&policy).unwrap();
        assert!(early.claim_jobs(&req("early")).unwrap().is_empty());

        let got = a.claim_jobs(&req("a")).unwrap();
        assert_eq!(got.len(), 3);
        assert!(b.claim_jobs(&req("b")).unwrap().is_empty());
        // A give-back makes one claimable; finishing by someone else fails.
        assert_eq!(a.release(&[got[0].id], "a").unwrap(), 1);
        assert!(!b.finish_job(got[1].id, "b", "alive", false, None).unwrap());
        let taken = b.claim_jobs(&req("b")).unwrap();
        assert_eq!(taken.iter().map(|j| j.id).collect::<Vec<_>>(), [got[0].id]);
        // After the lease (60s), the rest can be taken over.
        let later = Store::open(&path)
            .unwrap()
            .with_clock(at("2025-01-01T01:01:00Z"));
        let over = later.claim_jobs(&req("c")).unwrap();
        assert_eq!(over.len(), 3);
        assert!(!a.finish_job(got[1].id, "a", "alive", false, None).unwrap());
        assert!(
            later
                .finish_job(got[1].id, "c", "alive", false, None)
                .unwrap()
        );
        let counts = later.job_counts().unwrap();
        assert_eq!(counts[0].running, 2);
    }
}

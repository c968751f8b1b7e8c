//! Finding one article by what a person types, and taking it out of the
//! archive (`embarc article remove`); `embarc article show` reads
//! [`Store::article_view`] and [`Store::article_history`].

use super::{Error, Result, Store};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;

/// What `remove_article` took out and what it kept.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Removed {
    pub article_url: String,
    pub captures: usize,
    pub citations: usize,
    /// Posts no other article cites, removed with their snapshots and checks.
    pub posts: usize,
    /// Posts no other article cites, kept because a person worked on their
    /// claim (a status, an assignment or a note): their claim ids.
    pub kept_claims: Vec<i64>,
    /// The WARC records of the removed captures, which stay on disk.
    pub warc_records: Vec<String>,
}

impl Store {
    /// The article with this URL (or final URL), or this row id when `key`
    /// is a number.
    pub fn lookup_article(&self, key: &str) -> Result<Option<i64>> {
        let conn = self.read()?;
        if let Ok(id) = key.parse::<i64>() {
            return Ok(conn
                .query_row("SELECT id FROM articles WHERE id = ?1", [id], |r| r.get(0))
                .optional()?);
        }
        Ok(conn
            .query_row(
                "SELECT id FROM articles WHERE url = ?1
                 UNION ALL
                 SELECT article_id FROM captures WHERE final_url = ?1
                 LIMIT 1",
                [key],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Take article `id` out of the archive: its captures (their WARC
    /// records stay on disk), citations, checks and jobs, and the posts no
    /// other article cites unless a person worked on their claim. One
    /// transaction, recorded in `removals` with `actor`.
    pub fn remove_article(&self, id: i64, actor: &str) -> Result<Removed> {
        let now = self.now();
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let removed = remove_in(&tx, id)?;
        tx.execute(
            "INSERT INTO removals (at, actor, kind, url, detail) VALUES (?1, ?2, 'article', ?3, ?4)",
            params![now, actor, removed.article_url, serde_json::to_string(&removed)?],
        )?;
        tx.commit()?;
        Ok(removed)
    }
}

/// The deletes of [`Store::remove_article`], children before parents (the
/// archive enforces foreign keys).
fn remove_in(tx: &Transaction<'_>, id: i64) -> Result<Removed> {
    let article_url: String = tx
        .query_row("SELECT url FROM articles WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: format!("no article with id {id} in the archive"),
        })?;
    let mut removed = Removed {
        article_url,
        ..Removed::default()
    };
    let mut stmt = tx.prepare(
        "SELECT warc_file, warc_offset FROM captures
         WHERE article_id = ?1 AND warc_file IS NOT NULL ORDER BY id",
    )?;
    removed.warc_records = stmt
        .query_map([id], |r| {
            Ok(format!(
                "{}:{}",
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    drop(stmt);
    // The posts only this article cites.
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS removing_posts (id INTEGER PRIMARY KEY);
         DELETE FROM removing_posts;",
    )?;
    tx.execute(
        "INSERT INTO removing_posts (id)
         SELECT DISTINCT c.post_id FROM citations c WHERE c.article_id = ?1
           AND NOT EXISTS (SELECT 1 FROM citations o
                           WHERE o.post_id = c.post_id AND o.article_id <> ?1)",
        [id],
    )?;
    // A claim a person worked on outlives the article: keep its post.
    let mut stmt = tx.prepare(
        "SELECT cl.id FROM claims cl JOIN removing_posts r ON r.id = cl.post_id
         WHERE cl.status <> 'unstarted' OR cl.assignee IS NOT NULL
            OR EXISTS (SELECT 1 FROM claim_events e WHERE e.claim_id = cl.id AND e.actor <> 'embarc')
         ORDER BY cl.id",
    )?;
    removed.kept_claims = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    drop(stmt);
    tx.execute(
        "DELETE FROM removing_posts
         WHERE id IN (SELECT post_id FROM claims WHERE id IN (SELECT value FROM json_each(?1)))",
        [serde_json::to_string(&removed.kept_claims)?],
    )?;
    tx.execute(
        "DELETE FROM warnings WHERE citation_id IN (SELECT id FROM citations WHERE article_id = ?1)",
        [id],
    )?;
    removed.citations = tx.execute("DELETE FROM citations WHERE article_id = ?1", [id])?;
    // Snapshots of surviving posts that came from these captures keep their
    // text; only the link to the capture goes.
    tx.execute(
        "UPDATE snapshots SET capture_id = NULL
         WHERE capture_id IN (SELECT id FROM captures WHERE article_id = ?1)",
        [id],
    )?;
    tx.execute_batch(
        "DELETE FROM deliveries WHERE post_id IN (SELECT id FROM removing_posts)
            OR check_id IN (SELECT c.id FROM checks c JOIN removing_posts r ON r.id = c.post_id);
         DELETE FROM state_change_log WHERE post_id IN (SELECT id FROM removing_posts);
         UPDATE posts SET latest_check_id = NULL WHERE id IN (SELECT id FROM removing_posts);
         DELETE FROM checks WHERE post_id IN (SELECT id FROM removing_posts);
         DELETE FROM jobs WHERE post_id IN (SELECT id FROM removing_posts);
         DELETE FROM warnings WHERE post_id IN (SELECT id FROM removing_posts);
         DELETE FROM claim_events WHERE claim_id IN
             (SELECT id FROM claims WHERE post_id IN (SELECT id FROM removing_posts));
         DELETE FROM claims WHERE post_id IN (SELECT id FROM removing_posts);
         DELETE FROM snapshots WHERE post_id IN (SELECT id FROM removing_posts);",
    )?;
    removed.posts = tx.execute(
        "DELETE FROM posts WHERE id IN (SELECT id FROM removing_posts)",
        [],
    )?;
    tx.execute(
        "DELETE FROM deliveries WHERE article_id = ?1
            OR check_id IN (SELECT id FROM checks WHERE article_id = ?1)",
        [id],
    )?;
    tx.execute("DELETE FROM state_change_log WHERE article_id = ?1", [id])?;
    tx.execute(
        "UPDATE articles SET latest_check_id = NULL WHERE id = ?1",
        [id],
    )?;
    tx.execute("DELETE FROM checks WHERE article_id = ?1", [id])?;
    tx.execute("DELETE FROM jobs WHERE article_id = ?1", [id])?;
    removed.captures = tx.execute("DELETE FROM captures WHERE article_id = ?1", [id])?;
    tx.execute("DELETE FROM articles WHERE id = ?1", [id])?;
    tx.execute_batch("DELETE FROM removing_posts;")?;
    Ok(removed)
}

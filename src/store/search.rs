//! Full-text search (SQLite FTS5, migration 0015): posts by their text,
//! handles, author names and URLs; articles by their URLs. The indexes
//! follow the tables through triggers, so nothing here writes.

use super::{Result, Store};
use rusqlite::params;
use serde::Serialize;

/// Most hits of each kind one search returns.
pub const MAX_HITS: usize = 200;

/// A post that matched, with its latest text.
#[derive(Debug, Clone, Serialize)]
pub struct PostHit {
    /// The post's row id (`/posts/{id}`).
    pub post: i64,
    #[serde(flatten)]
    pub ident: super::PostIdentity,
    /// Its latest text (the article's, else an endpoint's); null when unknown.
    pub text: Option<String>,
    /// Its claim in the queue, if it is one.
    pub claim: Option<i64>,
}

/// An article whose URL matched.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleHit {
    /// The article's row id (`/articles/{id}`).
    pub article: i64,
    pub url: String,
    pub site: String,
    pub first_seen_at: String,
}

/// One page of a search: best matches first.
#[derive(Debug, Clone, Serialize)]
pub struct SearchPage {
    /// The words searched for, as typed.
    pub query: String,
    pub total_posts: usize,
    pub total_articles: usize,
    pub offset: usize,
    pub limit: usize,
    pub posts: Vec<PostHit>,
    pub articles: Vec<ArticleHit>,
}

/// The FTS5 query for what a person typed: every word must appear (as a
/// word or the start of one), in any column; quotes and FTS5 operators
/// are taken as plain words. `None` when nothing searchable is left.
pub fn fts_query(typed: &str) -> Option<String> {
    let words: Vec<String> = typed
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The posts matching `match_`, best first: the search's one statement.
const POST_HITS: &str = "WITH hits AS (
        SELECT s.post_id AS post, bm25(snapshot_search) AS rank
        FROM snapshot_search JOIN snapshots s ON s.id = snapshot_search.rowid
        WHERE snapshot_search MATCH ?1
        UNION ALL
        SELECT rowid, bm25(post_search) FROM post_search WHERE post_search MATCH ?1
    ),
    best AS (SELECT post, MIN(rank) AS rank FROM hits GROUP BY post)";

impl Store {
    /// Posts and articles matching what a person typed, `limit` of each
    /// from `offset`; `None` when `typed` holds no word to search for.
    pub fn search(&self, typed: &str, offset: usize, limit: usize) -> Result<Option<SearchPage>> {
        let Some(q) = fts_query(typed) else {
            return Ok(None);
        };
        let limit = limit.clamp(1, MAX_HITS);
        let conn = self.read()?;
        let total_posts: i64 = conn
            .prepare_cached(&format!("{POST_HITS} SELECT COUNT(*) FROM best"))?
            .query_row([&q], |r| r.get(0))?;
        let posts = conn
            .prepare_cached(&format!(
                "{POST_HITS}
                 SELECT p.id, {ident}, s.text, cl.id AS claim
                 FROM best
                 JOIN posts p ON p.id = best.post
                 LEFT JOIN claims cl ON cl.post_id = p.id
                 LEFT JOIN snapshots s ON s.id = (
                     SELECT id FROM snapshots WHERE post_id = p.id AND text IS NOT NULL
                     ORDER BY source = 'article' DESC, id DESC LIMIT 1)
                 ORDER BY best.rank, p.id
                 LIMIT ?2 OFFSET ?3",
                ident = super::PostIdentity::columns("p", Some("s"))
            ))?
            .query_map(params![q, limit as i64, offset as i64], |r| {
                Ok(PostHit {
                    post: r.get("id")?,
                    ident: super::PostIdentity::read(r)?,
                    text: r.get("text")?,
                    claim: r.get("claim")?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let total_articles: i64 = conn
            .prepare_cached("SELECT COUNT(*) FROM article_search WHERE article_search MATCH ?1")?
            .query_row([&q], |r| r.get(0))?;
        let articles = conn
            .prepare_cached(
                "SELECT a.id, a.url, a.site, a.first_seen_at
                 FROM article_search JOIN articles a ON a.id = article_search.rowid
                 WHERE article_search MATCH ?1
                 ORDER BY article_search.rank, a.id
                 LIMIT ?2 OFFSET ?3",
            )?
            .query_map(params![q, limit as i64, offset as i64], |r| {
                Ok(ArticleHit {
                    article: r.get(0)?,
                    url: r.get(1)?,
                    site: r.get(2)?,
                    first_seen_at: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some(SearchPage {
            query: typed.trim().to_string(),
            total_posts: total_posts as usize,
            total_articles: total_articles as usize,
            offset,
            limit,
            posts,
            articles,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn typed_words_become_a_safe_fts_query() {
        assert_eq!(fts_query("dam failed"), Some("\"dam\"* \"failed\"*".into()));
        assert_eq!(
            fts_query("@floodwatch_eu"),
            Some("\"floodwatch_eu\"*".into())
        );
        // Operators, quotes and column filters are words or nothing.
        assert_eq!(
            fts_query("text: \"x\" OR NEAR(y)"),
            Some("\"text\"* \"x\"* \"OR\"* \"NEAR\"* \"y\"*".into())
        );
        assert_eq!(fts_query(" \"*^: "), None);
    }
}

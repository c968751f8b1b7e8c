//! Articles (docs/platforms.md §6): a GET (HEAD is unreliable) through the
//! fetcher's polite client, classified: 2xx alive; a redirect to a
//! different page such as the home page (a soft 404), 404 and 410 gone
//! (asked twice); 401/403 restricted (sign-in, blocking or a paywall); 429
//! rate limited; 5xx, DNS, TLS and timeouts unknown.
//!
//! A live article is read again with the detector and compared with the
//! posts its last capture cited: a post no longer cited, or now shown as a
//! publisher's tombstone ("Tweet may have been deleted"), is evidence.

use super::ask::{Answer, Endpoint, Rung, Signal, alone, answered, second_opinion, unexpected};
use super::checker::unsupported;
use super::outcome::{Outcome, Verdict};
use crate::detect::{self, DocKind, Hints};
use crate::fetch::{ErrorClass, Response};
use crate::store::{ArticleTarget, CitedPost};
use std::collections::BTreeSet;
use url::Url;

const ARTICLE: &str = "article";
/// Largest article read.
pub const MAX_BODY: u64 = 20 * 1024 * 1024;

pub async fn check(endpoint: &Endpoint, t: &ArticleTarget) -> Verdict {
    let url = match Url::parse(&t.url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u,
        _ => return unsupported(ARTICLE, format!("{} is not a web URL", t.url)),
    };
    let mut answer = endpoint.get(&url).await;
    let mut rung = read(&url, &answer);
    if rung.is_not_found() {
        answer = endpoint.get(&url).await;
        rung = second_opinion(rung, read(&url, &answer));
    }
    if let (Signal::Alive(_), Answer::Http(r)) = (&rung.signal, answer)
        && let Some(changes) = embed_changes(*r, &t.cited).await
    {
        rung.note = format!("{}; embeds changed: {changes}", rung.note);
    }
    let gone = if rung.status == Some(410) {
        Outcome::Deleted
    } else {
        Outcome::NotFound
    };
    alone(rung, gone)
}

fn read(start: &Url, answer: &Answer) -> Rung {
    // A body over the limit is still a live page.
    if let Answer::Failed(e) = answer
        && e.class == ErrorClass::TooLarge
        && let Some(ex) = &e.exchange
        && (200..300).contains(&ex.status)
    {
        return Rung::new(
            ARTICLE,
            Some(ex.status),
            Signal::Alive(None),
            format!("{} (over the size limit; embeds not compared)", ex.status),
        );
    }
    let r = match answered(ARTICLE, answer) {
        Ok(r) => r,
        Err(rung) => return *rung,
    };
    let status = Some(r.status());
    match r.status() {
        200..=299 if !r.hops.is_empty() && is_soft_404(start, r.final_url()) => Rung::new(
            ARTICLE,
            status,
            Signal::NotFound,
            format!("redirected to {} (soft 404)", r.final_url()),
        ),
        200..=299 if !r.hops.is_empty() => Rung::new(
            ARTICLE,
            status,
            Signal::Alive(None),
            format!("{} after a redirect to {}", r.status(), r.final_url()),
        ),
        200..=299 => Rung::new(ARTICLE, status, Signal::Alive(None), r.status().to_string()),
        404 => Rung::new(ARTICLE, status, Signal::NotFound, "404"),
        410 => Rung::new(ARTICLE, status, Signal::NotFound, "410 Gone"),
        401 => Rung::new(
            ARTICLE,
            status,
            Signal::Says(Outcome::LoginRequired),
            "401 sign-in required",
        ),
        403 => Rung::new(
            ARTICLE,
            status,
            Signal::Says(Outcome::LoginRequired),
            "403 blocked or paywalled",
        ),
        _ => unexpected(ARTICLE, r, "unexpected status"),
    }
}

/// A redirect that lands on a site's home page, or on a page named like an
/// error page, from a page that was neither: the article is gone.
pub fn is_soft_404(start: &Url, end: &Url) -> bool {
    let is_home = |u: &Url| u.path().trim_matches('/').is_empty();
    let is_error_page = |u: &Url| {
        u.path_segments()
            .and_then(|mut s| s.rfind(|seg| !seg.is_empty()).map(str::to_ascii_lowercase))
            .is_some_and(|last| {
                let stem = last.split('.').next().unwrap_or_default();
                matches!(
                    stem,
                    "404"
                        | "410"
                        | "notfound"
                        | "not-found"
                        | "not_found"
                        | "page-not-found"
                        | "error"
                )
            })
    };
    (is_home(end) && !is_home(start)) || (is_error_page(end) && !is_error_page(start))
}

/// How the posts the page cites now differ from what its last capture cited;
/// `None` when nothing changed or the page is not a document.
async fn embed_changes(r: Response, cited: &[CitedPost]) -> Option<String> {
    if cited.is_empty() {
        return None;
    }
    let content_type = r
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let kind = if content_type.contains("html") {
        DocKind::Html
    } else if content_type.starts_with("text/plain") {
        DocKind::Text
    } else {
        return None;
    };
    let charset = content_type.split(';').find_map(|p| {
        p.trim()
            .strip_prefix("charset=")
            .map(|c| c.trim_matches('"').to_string())
    });
    let body = r.body;
    let cited = cited.to_vec();
    // Parsing is CPU work: keep it off the runtime's threads.
    tokio::task::spawn_blocking(move || {
        let found = detect::detect(
            &body,
            &Hints {
                kind: Some(kind),
                charset: charset.as_deref(),
            },
        )
        .citations;
        describe_changes(&cited, &found)
    })
    .await
    .ok()
    .flatten()
}

/// "1 post no longer cited (x:20); 1 now a tombstone (x:21)".
pub fn describe_changes(cited: &[CitedPost], found: &[detect::Citation]) -> Option<String> {
    let key = |c: &detect::Citation| {
        c.post_id
            .as_ref()
            .map(|id| format!("{}:{id}", c.platform.as_str()))
    };
    let now: BTreeSet<String> = found.iter().filter_map(key).collect();
    let tombstones: BTreeSet<String> = found
        .iter()
        .filter(|c| c.shape == "tombstone")
        .filter_map(key)
        .collect();
    let before: BTreeSet<&str> = cited.iter().map(|c| c.key.as_str()).collect();
    let was_tombstone = |k: &str| cited.iter().any(|c| c.key == k && c.shape == "tombstone");
    let removed: Vec<&str> = before
        .iter()
        .copied()
        .filter(|k| !now.contains(*k))
        .collect();
    let tombstoned: Vec<&str> = tombstones
        .iter()
        .map(String::as_str)
        .filter(|k| before.contains(k) && !was_tombstone(k))
        .collect();
    let mut parts = Vec::new();
    let list = |n: usize, what: &str, keys: &[&str]| {
        let noun = if n == 1 { "post" } else { "posts" };
        format!("{n} {noun} {what} ({})", keys.join(", "))
    };
    if !removed.is_empty() {
        parts.push(list(removed.len(), "no longer cited", &removed));
    }
    if !tombstoned.is_empty() {
        parts.push(list(tombstoned.len(), "now a tombstone", &tombstoned));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn soft_404s() {
        assert!(is_soft_404(
            &u("https://n.example/2024/story"),
            &u("https://n.example/")
        ));
        assert!(is_soft_404(
            &u("https://n.example/story"),
            &u("https://www.n.example")
        ));
        assert!(is_soft_404(
            &u("https://n.example/story"),
            &u("https://n.example/errors/404.html")
        ));
        assert!(is_soft_404(
            &u("https://n.example/story"),
            &u("https://n.example/not-found/")
        ));
        // A moved article, or http -> https of the same page, is not.
        assert!(!is_soft_404(
            &u("http://n.example/story"),
            &u("https://n.example/story")
        ));
        assert!(!is_soft_404(
            &u("https://n.example/old-slug"),
            &u("https://n.example/2024/new-slug")
        ));
        assert!(!is_soft_404(
            &u("https://n.example/"),
            &u("https://n.example/")
        ));
    }

    #[test]
    fn changed_embeds_are_described() {
        let cited = |key: &str, shape: &str| CitedPost {
            key: key.into(),
            shape: shape.into(),
        };
        let page = r#"<p>x</p><blockquote class="twitter-tweet"><p lang="en">Still here</p>&mdash; A (@a) <a href="https://twitter.com/a/status/20">March 21, 2006</a></blockquote>
            <blockquote class="twitter-tweet"><a href="https://twitter.com/b/status/21">Tweet may have been deleted</a></blockquote>"#;
        let found = detect::detect(page.as_bytes(), &Hints::default()).citations;
        let before = [
            cited("x:20", "blockquote"),
            cited("x:21", "blockquote"),
            cited("x:22", "blockquote"),
        ];
        assert_eq!(
            describe_changes(&before, &found).as_deref(),
            Some("1 post no longer cited (x:22); 1 post now a tombstone (x:21)")
        );
        let unchanged = [cited("x:20", "blockquote"), cited("x:21", "tombstone")];
        assert_eq!(describe_changes(&unchanged, &found), None);
    }
}

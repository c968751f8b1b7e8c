//! schema.org ClaimReview JSON-LD for decided claims, the format Google's
//! Fact Check tools and many CMSs read.
//!
//! One JSON array holds a ClaimReview object per claim whose status is a
//! verdict. The rating scale is 1 (worst) to 5 (best): `false` = 1 "False",
//! `inconclusive` = 3 "Inconclusive", `verified` = 5 "Verified"
//! ([`Status::rating`]). `claimReviewed` is the post's text without its
//! urgency label, shortened to 75 characters at a word boundary (the reason
//! given to `queue add` when no text is known); `datePublished` is the day of
//! the decision; `url` is `[claimreview] url_base` followed by the claim id;
//! `appearance` lists the post and the web articles citing it (articles read
//! from local files are left out, so no local path is published).

use crate::config;
use crate::detect::labels::Rules;
use crate::queue::{self, CLAIM_REVIEWED_MAX, Rating, Status};
use crate::store::{Claim, ClaimFilter, Store};
use anyhow::{Result, bail};
use serde::Serialize;
use std::io::Write;

/// The reviewing organisation, from `[claimreview]` in `embarc.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    pub name: String,
    pub url: Option<String>,
    pub url_base: String,
}

impl Publisher {
    /// Check the settings: a name and an http(s) `url_base` are required.
    pub fn from_config(c: &config::ClaimReview) -> Result<Publisher> {
        let name = c
            .organisation_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let base = c
            .url_base
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty());
        let (Some(name), Some(url_base)) = (name, base) else {
            bail!(
                "a ClaimReview names who reviewed the claim and where the review lives: set \
                 organisation_name and url_base under [claimreview] (e.g. organisation_name = \
                 \"Example Fact Check\", url_base = \"https://factcheck.example/claims/\")"
            );
        };
        web_url(url_base, "url_base")?;
        let url = match c.organisation_url.as_deref().map(str::trim) {
            Some(u) if !u.is_empty() => Some(web_url(u, "organisation_url")?),
            _ => None,
        };
        Ok(Publisher {
            name: name.to_string(),
            url,
            url_base: url_base.to_string(),
        })
    }
}

fn web_url(s: &str, key: &str) -> Result<String> {
    match url::Url::parse(s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(s.to_string()),
        _ => bail!("[claimreview] {key} = {s:?} is not an http(s) URL"),
    }
}

/// One ClaimReview object.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimReview {
    #[serde(rename = "@context")]
    pub context: &'static str,
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub url: String,
    pub claim_reviewed: String,
    pub date_published: String,
    pub author: Organization,
    pub review_rating: ReviewRating,
    pub item_reviewed: ItemReviewed,
}

#[derive(Debug, Clone, Serialize)]
pub struct Organization {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewRating {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub rating_value: u8,
    pub best_rating: u8,
    pub worst_rating: u8,
    pub alternate_name: &'static str,
}

/// The claim: what the post said, who posted it, when and where it appeared.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemReviewed {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Person>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_published: Option<String>,
    /// Left out when nothing public is known: an unidentified post cited
    /// only by local files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub appearance: Vec<CreativeWork>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub name: String,
    /// `@handle` when the name is a display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternate_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreativeWork {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub url: String,
}

/// The ClaimReview of a decided claim; `None` while it is open.
pub fn review(claim: &Claim, rules: &Rules, publisher: &Publisher) -> Option<ClaimReview> {
    let rating = claim.status.rating()?;
    let p = &claim.post;
    let collapsed = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let said = p
        .text
        .as_deref()
        .map(|t| queue::claim_text(rules, t))
        .filter(|t| !t.is_empty())
        // A post that is nothing but a label: the label is the claim.
        .or_else(|| p.text.as_deref().map(collapsed))
        .filter(|t| !t.is_empty())
        .or_else(|| claim.reason.as_deref().map(collapsed))
        .unwrap_or_else(|| format!("claim {}", claim.id));
    let handle = p.ident.handle.as_ref().map(|h| format!("@{h}"));
    let author = match (&p.ident.author_name, handle) {
        (Some(name), handle) => Some(Person {
            kind: "Person",
            name: name.clone(),
            alternate_name: handle,
        }),
        (None, Some(handle)) => Some(Person {
            kind: "Person",
            name: handle,
            alternate_name: None,
        }),
        (None, None) => None,
    };
    let mut appearance: Vec<CreativeWork> = Vec::new();
    // Articles read from local files are left out: a file:// URL means
    // nothing to a reader and would publish a path on the archivist's disk.
    let urls = p.ident.post_url.iter().chain(
        claim
            .citations
            .iter()
            .map(|c| &c.article_url)
            .filter(|u| !u.to_ascii_lowercase().starts_with("file:")),
    );
    for url in urls {
        if !appearance.iter().any(|a| &a.url == url) {
            appearance.push(CreativeWork {
                kind: "CreativeWork",
                url: url.clone(),
            });
        }
    }
    let decided = claim.decided_at.as_ref().unwrap_or(&claim.updated_at);
    Some(ClaimReview {
        context: "https://schema.org",
        kind: "ClaimReview",
        url: format!("{}{}", publisher.url_base, claim.id),
        claim_reviewed: queue::shorten(&said, CLAIM_REVIEWED_MAX),
        date_published: decided.chars().take(10).collect(),
        author: Organization {
            kind: "Organization",
            name: publisher.name.clone(),
            url: publisher.url.clone(),
        },
        review_rating: rating_of(rating),
        item_reviewed: ItemReviewed {
            kind: "Claim",
            author,
            date_published: p.date.clone(),
            appearance,
        },
    })
}

fn rating_of(r: Rating) -> ReviewRating {
    ReviewRating {
        kind: "Rating",
        rating_value: r.value,
        best_rating: Rating::BEST,
        worst_rating: Rating::WORST,
        alternate_name: r.name,
    }
}

/// Write a JSON array of ClaimReviews for the decided claims `filter`
/// selects (open claims are left out); returns how many were written.
pub fn write(
    store: &Store,
    filter: &ClaimFilter,
    rules: &Rules,
    publisher: &Publisher,
    out: &mut dyn Write,
) -> Result<usize> {
    let mut filter = filter.clone();
    let verdicts: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_verdict()).collect();
    filter.statuses = if filter.statuses.is_empty() {
        verdicts
    } else {
        filter
            .statuses
            .into_iter()
            .filter(|s| s.is_verdict())
            .collect()
    };
    let mut reviews = Vec::new();
    if !filter.statuses.is_empty() {
        store.for_each_claim(&filter, |claim| {
            reviews.extend(review(&claim, rules, publisher));
            Ok::<(), crate::store::Error>(())
        })?;
    }
    serde_json::to_writer_pretty(&mut *out, &reviews)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(reviews.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ClaimCitation, ClaimPost};

    fn citation(article_url: &str) -> ClaimCitation {
        ClaimCitation {
            article_url: article_url.into(),
            kind: "embed".into(),
            shape: "blockquote".into(),
            source_url: None,
            first_captured_at: "2025-03-01T09:00:00.000Z".into(),
            last_captured_at: "2025-03-01T09:00:00.000Z".into(),
        }
    }

    fn claim(post_url: Option<&str>, articles: &[&str]) -> Claim {
        Claim {
            id: 7,
            label: "BREAKING".into(),
            status: Status::Verified,
            assignee: None,
            reason: None,
            created_at: "2025-03-01T09:00:00.000Z".into(),
            updated_at: "2025-03-02T09:00:00.000Z".into(),
            decided_at: Some("2025-03-02T09:00:00.000Z".into()),
            decided_by: Some("ana".into()),
            post: ClaimPost {
                ident: crate::store::PostIdentity {
                    platform: crate::detect::Platform::X,
                    post_id: post_url.map(|_| "20".into()),
                    post_url: post_url.map(Into::into),
                    handle: Some("jack".into()),
                    author_name: None,
                },
                posted_at: None,
                date: None,
                display_date: None,
                first_seen_at: "2025-03-01T09:00:00.000Z".into(),
                text: Some("BREAKING: something happened".into()),
                labels: vec!["BREAKING".into()],
                media: vec![],
                latest: Default::default(),
            },
            citations: articles.iter().map(|a| citation(a)).collect(),
            warnings: vec![],
            latest_check: None,
            events: vec![],
        }
    }

    fn publisher() -> Publisher {
        Publisher {
            name: "Desk".into(),
            url: None,
            url_base: "https://desk.example/c/".into(),
        }
    }

    #[test]
    fn local_file_articles_are_not_published_as_appearances() {
        let c = claim(
            Some("https://x.com/jack/status/20"),
            &[
                "file:///home/ana/drafts/story.html",
                "https://news.example/story",
                "FILE:///tmp/copy.txt",
            ],
        );
        let r = review(&c, &Rules::default(), &publisher()).unwrap();
        let urls: Vec<&str> = r
            .item_reviewed
            .appearance
            .iter()
            .map(|a| a.url.as_str())
            .collect();
        assert_eq!(
            urls,
            ["https://x.com/jack/status/20", "https://news.example/story"]
        );

        // Nothing public known: no appearance at all, rather than an empty list.
        let c = claim(None, &["file:///home/ana/drafts/story.html"]);
        let r = review(&c, &Rules::default(), &publisher()).unwrap();
        let json = serde_json::to_value(&r).unwrap();
        assert!(json["itemReviewed"].get("appearance").is_none(), "{json}");
    }
}

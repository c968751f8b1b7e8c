//! Reddit (docs/platforms.md §5): the post's JSON (`/comments/<id>.json`, with
//! `/_/<comment>` for a comment). A post deleted by its author reads
//! `[deleted]`, one removed by moderators `[removed]`, and
//! `removed_by_category` says who removed it. A 404 (asked twice) is gone;
//! a private subreddit answers 403 with `reason: private`.

use super::ask::{Answer, Rung, Signal, alone, answered, ask_twice, json, raw, unexpected, url_on};
use super::checker::{Checker, PostRef, base};
use super::outcome::{Content, Outcome, Verdict};
use super::settings::Spec;
use serde_json::Value;

pub(super) const JSON_ENDPOINT: Spec = Spec {
    name: "reddit",
    env: Some("EMBARC_REDDIT_URL"),
    default_url: Some("https://www.reddit.com"),
    default_rate: "10/min",
    accept: "application/json",
    keep: true,
};
pub(super) const ENDPOINTS: &[Spec] = &[JSON_ENDPOINT];
const JSON_API: &str = JSON_ENDPOINT.name;

pub async fn probe(c: &Checker, t: &PostRef) -> Verdict {
    let (reddit, base) = match base(c, &JSON_ENDPOINT, "Reddit") {
        Ok(found) => found,
        Err(verdict) => return *verdict,
    };
    // The id is `{id36}` or `{id36}/{comment id}`.
    let (post, comment) = match t.id.split_once('/') {
        Some((p, c)) => (p, Some(c)),
        None => (t.id.as_str(), None),
    };
    let path = match comment {
        Some(cid) => format!("/comments/{post}/_/{cid}.json"),
        None => format!("/comments/{post}.json"),
    };
    let url = url_on(base, &path, &[("raw_json", "1")]);
    let rung = ask_twice(|| async { read(&reddit.get(&url).await, comment) }).await;
    alone(rung, Outcome::NotFound)
}

fn read(answer: &Answer, comment: Option<&str>) -> Rung {
    let r = match answered(JSON_API, answer) {
        Ok(r) => r,
        Err(rung) => return *rung,
    };
    let status = Some(r.status());
    let body = json(r);
    match r.status() {
        200 => {
            let item = body.as_ref().and_then(|v| match comment {
                None => v.pointer("/0/data/children/0/data"),
                Some(cid) => v
                    .pointer("/1/data/children")
                    .and_then(Value::as_array)
                    .and_then(|children| {
                        children
                            .iter()
                            .filter_map(|ch| ch.get("data"))
                            .find(|d| d.get("id").and_then(Value::as_str) == Some(cid))
                    }),
            });
            match item {
                Some(item) => read_item(r, item, comment.is_some()),
                None => unexpected(JSON_API, r, "without the post"),
            }
        }
        404 => Rung::new(JSON_API, status, Signal::NotFound, "404"),
        403 => {
            let reason = body
                .as_ref()
                .and_then(|v| v.get("reason"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let outcome = match reason.as_str() {
                "private" | "gold_only" => Outcome::Private,
                "quarantined" | "gated" => Outcome::LoginRequired,
                _ => return unexpected(JSON_API, r, &format!("reason {reason:?}")),
            };
            Rung::new(
                JSON_API,
                status,
                Signal::Says(outcome),
                format!("403 reason {reason:?}"),
            )
        }
        _ => unexpected(JSON_API, r, "unexpected status"),
    }
}

fn read_item(r: &crate::fetch::Response, item: &Value, is_comment: bool) -> Rung {
    let s = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_string);
    let says = |note: String| Rung::new(JSON_API, Some(200), Signal::Says(Outcome::Deleted), note);
    if let Some(category) = s("removed_by_category") {
        return says(format!("200 removed_by_category {category:?}"));
    }
    let body = if is_comment { s("body") } else { s("selftext") };
    match body.as_deref() {
        Some("[deleted]") => return says("200 \"[deleted]\" by its author".into()),
        Some("[removed]") => return says("200 \"[removed]\" by moderators".into()),
        _ => {}
    }
    let author = s("author");
    let text = if is_comment {
        body
    } else {
        match (s("title"), body.filter(|b| !b.is_empty())) {
            (Some(title), Some(body)) => Some(format!("{title}\n\n{body}")),
            (title, body) => title.or(body),
        }
    };
    let posted_at = item
        .get("created_utc")
        .and_then(Value::as_f64)
        .and_then(|secs| chrono::DateTime::from_timestamp_millis((secs * 1000.0) as i64))
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    let account_deleted = author.as_deref() == Some("[deleted]");
    let content = Content {
        source: JSON_API,
        text,
        author_name: None,
        handle: author.filter(|_| !account_deleted),
        posted_at,
        lang: None,
        raw: raw(r),
    };
    let note = if account_deleted {
        "200 (its author's account is deleted)"
    } else {
        "200"
    };
    Rung::new(JSON_API, Some(200), Signal::Alive(Some(content)), note)
}

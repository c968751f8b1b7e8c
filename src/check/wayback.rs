//! The Wayback Machine's availability API (docs/platforms.md §6): the closest
//! archived copy of a URL, if any. A failed lookup is no copy; it never
//! changes a verdict.

use super::ask::{Answer, Endpoint, json, url_on};
use serde_json::Value;

/// The archived copy of the first of `urls` the Wayback Machine has.
pub async fn lookup(wayback: &Endpoint, urls: &[String]) -> Option<String> {
    let base = wayback.base()?;
    for url in urls {
        let q = url_on(base, "/wayback/available", &[("url", url)]);
        let Answer::Http(r) = wayback.get(&q).await else {
            continue;
        };
        if r.status() != 200 {
            continue;
        }
        let closest = json(&r).and_then(|v| v.pointer("/archived_snapshots/closest").cloned());
        let Some(closest) = closest else { continue };
        let available = closest.get("available").and_then(Value::as_bool) == Some(true);
        if let Some(copy) = closest
            .get("url")
            .and_then(Value::as_str)
            .filter(|_| available)
        {
            return Some(copy.to_string());
        }
    }
    None
}

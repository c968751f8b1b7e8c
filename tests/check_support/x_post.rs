//! One X post's endpoints on a local server, for the policy and webhook
//! tests: syndication answers while the post is alive, syndication and
//! oEmbed answer 404 when it is not, the Wayback Machine has no copy, and
//! `/articles` serves the article citing it. Included with
//! `#[path = "check_support/x_post.rs"] mod x_post;` beside `mod common;`.
#![allow(dead_code)]

use crate::common::{Reply, Server};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub const ID: &str = "1581661660728950784";
pub const POST: &str = "https://x.com/electiondesk/status/1581661660728950784";

/// An article embedding the post, which says `text`.
pub fn article(text: &str) -> String {
    format!(
        r#"<html><body><article><blockquote class="twitter-tweet"><p lang="en" dir="ltr">{text}</p>&mdash; Election Desk (@electiondesk) <a href="https://twitter.com/electiondesk/status/{ID}">October 16, 2022</a></blockquote></article></body></html>"#
    )
}

/// The endpoints, the post saying `text` while `alive` is set.
pub fn server(text: &'static str, alive: Arc<AtomicBool>) -> Server {
    Server::start(move |req| {
        let route = req.path.split(['/', '?']).nth(1).unwrap_or_default();
        match route {
            "syn" if alive.load(Ordering::SeqCst) => Reply::status(
                200,
                "application/json",
                format!(
                    r#"{{"__typename":"Tweet","id_str":"{ID}","text":"{text}","user":{{"name":"Election Desk","screen_name":"electiondesk"}}}}"#
                ),
            ),
            "syn" | "xo" => Reply::status(404, "text/plain", "Not Found"),
            "wb" => Reply::status(200, "application/json", r#"{"archived_snapshots":{}}"#),
            "articles" => Reply::html(article(text)),
            _ => Reply::status(500, "text/plain", "unexpected"),
        }
    })
}

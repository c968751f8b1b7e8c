//! Servers that speak Mastodon's API beyond Mastodon (Truth Social,
//! Pixelfed, Akkoma / Pleroma, GoToSocial): their posts are `mastodon`
//! posts named `{instance}/{id}`, checked through `/api/v1/statuses/{id}`
//! and `/api/oembed` like Mastodon's, on a local server.

mod check_support;
mod common;

use check_support::{archive, embarc, export, fast_config, sr, states};
use common::{Reply, Req, Server};
use std::collections::HashMap;

fn json(status: u16, body: &str) -> Reply {
    Reply::status(status, "application/json", body)
}

fn status(id: &str, acct: &str) -> Reply {
    json(
        200,
        &format!(
            r#"{{"id":"{id}","created_at":"2024-03-01T10:00:00.000Z","content":"<p>Posted</p>","language":"en","account":{{"acct":"{acct}","display_name":"Someone"}}}}"#
        ),
    )
}

fn handler(req: &Req) -> Reply {
    let path = req.path.as_str();
    if let Some(id) = path.strip_prefix("/masto/api/v1/statuses/") {
        return match id {
            "112233445566778899" => status(id, "newsroom"),
            "AbCdEf0123456789Gh" => status(id, "editor"),
            "01HQ3Z5X8R7Y6W5V4T3S2Q1P0N" => status(id, "desk"),
            "712233445566778899" => json(404, r#"{"error":"Record not found"}"#),
            _ => json(500, r#"{"error":"unexpected"}"#),
        };
    }
    if path.starts_with("/masto/api/oembed") {
        return json(404, r#"{"error":"Record not found"}"#);
    }
    Reply::status(500, "text/plain", "unexpected")
}

#[test]
fn mastodon_api_servers_are_checked_by_their_own_ids() {
    let server = Server::start(handler);
    let dir = tempfile::tempdir().unwrap();
    let posts = [
        "https://truthsocial.com/@newsroom/posts/112233445566778899",
        "https://pixelfed.social/p/photodesk/712233445566778899",
        "https://akkoma.example/notice/AbCdEf0123456789Gh",
        "https://gts.example/@desk/statuses/01HQ3Z5X8R7Y6W5V4T3S2Q1P0N",
    ];
    let body: String = posts
        .iter()
        .map(|u| format!("<p>See <a href=\"{u}\">this post</a>.</p>"))
        .collect();
    let page = format!("<html><body><article>{body}</article></body></html>");
    archive(dir.path(), &[("https://news.example/fediverse", &page)]);
    fast_config(dir.path());

    let out = embarc(dir.path(), &server.url(""))
        .args(["check", "--posts", "--stale", "24h"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let ids: HashMap<String, String> = export(dir.path(), "posts")
        .into_iter()
        .map(|p| {
            assert_eq!(p["platform"], "mastodon", "{p}");
            (
                p["post_url"].as_str().unwrap().to_string(),
                p["post_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        ids[posts[0]], "truthsocial.com/112233445566778899",
        "the instance stays in the id"
    );
    assert_eq!(ids[posts[1]], "pixelfed.social/712233445566778899");
    assert_eq!(ids[posts[2]], "akkoma.example/AbCdEf0123456789Gh");
    assert_eq!(ids[posts[3]], "gts.example/01HQ3Z5X8R7Y6W5V4T3S2Q1P0N");

    let got = states(dir.path());
    assert_eq!(got[posts[0]], sr("alive", None));
    assert_eq!(got[posts[1]], sr("gone", Some("not_found")));
    assert_eq!(got[posts[2]], sr("alive", None));
    assert_eq!(got[posts[3]], sr("alive", None));
}

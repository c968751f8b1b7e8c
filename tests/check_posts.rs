//! `embarc check --posts` against a local server that answers like each
//! platform's public endpoints (docs/platforms.md §1.5, §2–§5): live, deleted,
//! protected, tombstoned, suspended, authorized-fetch 401, rate-limited,
//! malformed and slow answers, and every combination of the X ladder. One
//! archive, one run; each post's stored state and reason is asserted.

mod check_support;
mod common;

use check_support::{archive, embarc, embarc_strict, export, fast_config, query, sr, states};
use common::{Reply, Req, Server};
use std::time::Duration;

/// The published syndication token vectors: the server refuses a wrong one.
const TOKENS: [(&str, &str); 5] = [
    ("20", "6dq1a2xwd93"),
    ("1581661660728950784", "3uxpwiq636"),
    ("1225455484259442691", "2yxvr3peq8"),
    ("1721144944059118002", "4674wnrujvw"),
    ("463440424141459456", "14fxvks611f"),
];

fn json(status: u16, body: &str) -> Reply {
    Reply::status(status, "application/json; charset=utf-8", body)
}

fn tweet(id: &str, text: &str) -> Reply {
    json(
        200,
        &format!(
            r#"{{"__typename":"Tweet","id_str":"{id}","text":"{text}","created_at":"2022-10-16T15:01:40.000Z","lang":"en","user":{{"name":"Election Desk","screen_name":"electiondesk","verified":false,"is_blue_verified":false}},"entities":{{"urls":[]}},"isEdited":false,"favorite_count":12,"conversation_count":1,"possibly_sensitive":false}}"#
        ),
    )
}

fn tombstone(text: &str) -> Reply {
    json(
        200,
        &format!(
            r#"{{"__typename":"TweetTombstone","tombstone":{{"text":{{"text":"{text}","entities":[],"rtl":false}}}}}}"#
        ),
    )
}

fn x_oembed_ok(id: &str) -> Reply {
    json(
        200,
        &format!(
            r#"{{"url":"https://twitter.com/electiondesk/status/{id}","author_name":"Election Desk","author_url":"https://twitter.com/electiondesk","html":"<blockquote class=\"twitter-tweet\"><p lang=\"en\" dir=\"ltr\">Counting continues overnight</p>&mdash; Election Desk (@electiondesk) <a href=\"https://twitter.com/electiondesk/status/{id}?ref_src=twsrc%5Etfw\">October 16, 2022</a></blockquote>\n<script async src=\"https://platform.twitter.com/widgets.js\" charset=\"utf-8\"></script>\n","width":550,"height":null,"type":"rich","cache_age":"3153600000","provider_name":"X","provider_url":"https://twitter.com","version":"1.0"}}"#
        ),
    )
}

fn not_found() -> Reply {
    Reply::status(404, "text/plain", "Not Found")
}

/// The X syndication endpoint: one behaviour per tweet id.
fn syndication(req: &Req) -> Reply {
    let q = query(&req.path);
    let id = q.get("id").cloned().unwrap_or_default();
    if let Some((_, token)) = TOKENS.iter().find(|(i, _)| *i == id)
        && q.get("token").map(String::as_str) != Some(*token)
    {
        return json(400, r#"{"error":"bad token"}"#);
    }
    match id.as_str() {
        "1581661660728950784" => tweet(&id, "Polls are open until 8pm https://t.co/Ab12Cd"),
        "1225455484259442691" => tweet(&id, "The bridge is open again"),
        "1721144944059118002" | "463440424141459456" | "1000000000000000002" => not_found(),
        "20" => tombstone(
            "Age-restricted adult content. This content might not be appropriate for people under 18 years old.",
        ),
        "1000000000000000001" => tombstone("This Post is unavailable."),
        "1000000000000000007" => tombstone("This Post is from a suspended account. Learn more"),
        "1000000000000000003" => Reply::status(429, "application/json", "{}"),
        "1000000000000000004" => json(200, "{\"__typename\": \"Tweet\", \"text\": "),
        "1000000000000000005" => tweet(&id, "late").delayed(Duration::from_secs(3)),
        "1000000000000000006" if req.seen == 0 => not_found(),
        "1000000000000000006" => tweet(&id, "Back after a hiccup"),
        "1000000000000000008" => json(200, ""),
        _ => Reply::status(500, "text/plain", "unexpected id"),
    }
}

/// The X oEmbed endpoint, by the status URL asked for.
fn x_oembed(req: &Req) -> Reply {
    let url = query(&req.path).get("url").cloned().unwrap_or_default();
    let id = url.rsplit('/').next().unwrap_or_default().to_string();
    match id.as_str() {
        "1721144944059118002"
        | "1000000000000000001"
        | "1000000000000000007"
        | "1000000000000000004"
        | "1000000000000000005"
        | "1000000000000000008" => not_found(),
        "463440424141459456" => json(
            403,
            r#"{"error":"Sorry, you are not authorized to see this status."}"#,
        ),
        "20" | "1000000000000000002" | "1000000000000000003" => x_oembed_ok(&id),
        _ => Reply::status(500, "text/plain", "unexpected"),
    }
}

/// Every value of `name` in a request's query (`uris` repeats).
fn all_of(path: &str, name: &str) -> Vec<String> {
    let q = path.split_once('?').map(|(_, q)| q).unwrap_or_default();
    url::form_urlencoded::parse(q.as_bytes())
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// A `getPosts` post view of `at://did:plc:abc123/app.bsky.feed.post/RKEY`.
fn post_view(rkey: &str) -> String {
    format!(
        r#"{{"uri":"at://did:plc:abc123/app.bsky.feed.post/{rkey}","cid":"bafy{rkey}","author":{{"did":"did:plc:abc123","handle":"reporter.bsky.social","displayName":"The Reporter"}},"record":{{"$type":"app.bsky.feed.post","text":"Post {rkey}","createdAt":"2024-04-21T15:09:00.000Z","langs":["en"]}},"indexedAt":"2024-04-21T15:09:01.000Z"}}"#
    )
}

/// `getPosts`: the posts it knows, the rest left out (as the AppView does
/// for deleted, blocked and taken-down posts). `3kalive` and every
/// `b<n>` except `b7` and `b13` are known.
fn bluesky_get_posts(req: &Req) -> Reply {
    let posts: Vec<String> = all_of(&req.path, "uris")
        .iter()
        .filter_map(|uri| {
            let rkey = uri.rsplit('/').next().unwrap_or_default();
            let known =
                rkey == "3kalive" || (rkey.starts_with('b') && rkey != "b7" && rkey != "b13");
            known.then(|| post_view(rkey))
        })
        .collect();
    json(200, &format!(r#"{{"posts":[{}]}}"#, posts.join(",")))
}

fn bluesky_appview(req: &Req) -> Reply {
    if req.path.contains("/xrpc/app.bsky.feed.getPosts") {
        return bluesky_get_posts(req);
    }
    let uri = query(&req.path).get("uri").cloned().unwrap_or_default();
    let rkey = uri.rsplit('/').next().unwrap_or_default();
    match rkey {
        "3kalive" => json(
            200,
            r#"{"thread":{"$type":"app.bsky.feed.defs#threadViewPost","post":{"uri":"at://did:plc:abc123/app.bsky.feed.post/3kalive","cid":"bafyreia","author":{"did":"did:plc:abc123","handle":"reporter.bsky.social","displayName":"The Reporter"},"record":{"$type":"app.bsky.feed.post","text":"Live from the courthouse","createdAt":"2024-04-21T15:09:00.000Z","langs":["en"]},"indexedAt":"2024-04-21T15:09:01.000Z"},"replies":[]}}"#,
        ),
        "3kgone" | "3kdisagree" => json(
            400,
            &format!(r#"{{"error":"NotFound","message":"Post not found: {uri}"}}"#),
        ),
        "3kblocked" => json(
            200,
            &format!(
                r#"{{"thread":{{"$type":"app.bsky.feed.defs#blockedPost","uri":"{uri}","blocked":true,"author":{{"did":"did:plc:abc123"}}}}}}"#
            ),
        ),
        "b7" | "b13" => json(
            400,
            &format!(r#"{{"error":"NotFound","message":"Post not found: {uri}"}}"#),
        ),
        _ => Reply::status(500, "text/plain", "unexpected"),
    }
}

fn bluesky_oembed(req: &Req) -> Reply {
    let url = query(&req.path).get("url").cloned().unwrap_or_default();
    match url.rsplit('/').next().unwrap_or_default() {
        "3kgone" | "b7" | "b13" => json(404, r#"{"error":"post not found"}"#),
        "3kblocked" => json(403, r#"{"error":"post not publicly accessible"}"#),
        "3kdisagree" => json(
            200,
            r#"{"type":"rich","version":"1.0","author_name":"The Reporter (@reporter.bsky.social)","author_url":"https://bsky.app/profile/reporter.bsky.social","provider_name":"Bluesky","provider_url":"https://bsky.app","cache_age":86400,"width":600,"height":null,"html":"<blockquote class=\"bluesky-embed\"><p lang=\"en\">Still up</p></blockquote>"}"#,
        ),
        _ => Reply::status(500, "text/plain", "unexpected"),
    }
}

fn mastodon(req: &Req) -> Reply {
    let path = req.path.as_str();
    if let Some(id) = path.strip_prefix("/masto/api/v1/statuses/") {
        return match id {
            "109000000000000001" => json(
                200,
                r#"{"id":"109000000000000001","created_at":"2022-11-10T12:00:00.000Z","url":"https://mastodon.social/@alice/109000000000000001","content":"<p>Water is back on in <a href=\"https://mastodon.social/tags/town\">#town</a></p>","language":"en","account":{"id":"1","acct":"alice","display_name":"Alice"}}"#,
            ),
            "109000000000000002" => json(404, r#"{"error":"Record not found"}"#),
            _ => json(
                401,
                r#"{"error":"This API requires an authenticated user"}"#,
            ),
        };
    }
    if path.starts_with("/masto/api/oembed") {
        let url = query(path).get("url").cloned().unwrap_or_default();
        return match url.rsplit('/').next().unwrap_or_default() {
            "109000000000000002" => json(404, r#"{"error":"Record not found"}"#),
            "109000000000000004" => json(
                200,
                r#"{"type":"rich","version":"1.0","title":"New status by carol","author_name":"Carol","html":"<iframe src=\"https://social.example/@carol/109000000000000004/embed\"></iframe>","width":400,"height":null}"#,
            ),
            _ => json(
                401,
                r#"{"error":"This API requires an authenticated user"}"#,
            ),
        };
    }
    Reply::status(500, "text/plain", "unexpected")
}

fn telegram(req: &Req) -> Reply {
    let page = |inner: &str| {
        Reply::html(format!(
            "<!DOCTYPE html><html><body class=\"widget_frame_base\">{inner}</body></html>"
        ))
    };
    match req.path.as_str() {
        "/tg/newschan/101?embed=1" => page(
            r#"<div class="tgme_widget_message" data-post="newschan/101"><div class="tgme_widget_message_bubble"><div class="tgme_widget_message_author"><a class="tgme_widget_message_owner_name" href="https://t.me/newschan"><span dir="auto">News Channel</span></a></div><div class="tgme_widget_message_text" dir="auto">Sirens in the north<br/>Stay inside</div><time datetime="2024-03-01T08:00:00+00:00" class="time">08:00</time></div></div>"#,
        ),
        "/tg/newschan/102?embed=1" => {
            page(r#"<div class="tgme_widget_message_error">Post not found</div>"#)
        }
        "/tg/secretchan/5?embed=1" => {
            page(r#"<div class="tgme_widget_message_error">Channel is private</div>"#)
        }
        _ => Reply::status(500, "text/plain", "unexpected"),
    }
}

fn youtube(req: &Req) -> Reply {
    match req.path.as_str() {
        "/yt/vi/dQw4w9WgXcQ/0.jpg" => {
            Reply::status(200, "image/jpeg", vec![0xFF, 0xD8, 0xFF, 0xD9])
        }
        "/yt/vi/Gone_Video1/0.jpg" => Reply::status(404, "text/html", "<html>404</html>"),
        _ => Reply::status(500, "text/plain", "unexpected"),
    }
}

fn tiktok(req: &Req) -> Reply {
    let url = query(&req.path).get("url").cloned().unwrap_or_default();
    match url.rsplit('/').next().unwrap_or_default() {
        "7300000000000000001" => json(
            200,
            r#"{"version":"1.0","type":"video","title":"Flood water rising on Main St","author_url":"https://www.tiktok.com/@localnews","author_name":"Local News","author_unique_id":"localnews","thumbnail_url":"https://p16.example/t.jpg","html":"<blockquote class=\"tiktok-embed\"></blockquote>","provider_name":"TikTok"}"#,
        ),
        "7300000000000000002" => json(404, r#"{"status_msg":"Something went wrong"}"#),
        "7300000000000000003" => json(400, r#"{"code":400,"message":"Something went wrong"}"#),
        "7300000000000000004" => json(429, r#"{"message":"rate limited"}"#),
        _ => Reply::status(500, "text/plain", "unexpected"),
    }
}

fn reddit_listing(post: &str, comments: &str) -> String {
    format!(
        r#"[{{"kind":"Listing","data":{{"children":[{{"kind":"t3","data":{post}}}]}}}},{{"kind":"Listing","data":{{"children":[{comments}]}}}}]"#
    )
}

fn reddit(req: &Req) -> Reply {
    let live = r#"{"id":"1abcd","title":"Bridge closed after crash","selftext":"Police say the bridge will reopen tomorrow.","author":"citydesk","created_utc":1700000000.0,"removed_by_category":null}"#;
    match req.path.as_str() {
        "/reddit/comments/1abcd.json?raw_json=1" => json(200, &reddit_listing(live, "")),
        "/reddit/comments/1dele.json?raw_json=1" => json(
            200,
            &reddit_listing(
                r#"{"id":"1dele","title":"Witness video","selftext":"[deleted]","author":"[deleted]","created_utc":1700000000.0,"removed_by_category":"deleted"}"#,
                "",
            ),
        ),
        "/reddit/comments/1remo.json?raw_json=1" => json(
            200,
            &reddit_listing(
                r#"{"id":"1remo","title":"Leaked memo","selftext":"[removed]","author":"someone","created_utc":1700000000.0,"removed_by_category":"moderator"}"#,
                "",
            ),
        ),
        "/reddit/comments/1badj.json?raw_json=1" => {
            json(200, r#"[{"kind":"Listing","data":{"chil"#)
        }
        "/reddit/comments/1priv.json?raw_json=1" => json(
            403,
            r#"{"reason":"private","message":"Forbidden","error":403}"#,
        ),
        "/reddit/comments/1abcd/_/kc0mm.json?raw_json=1" => json(
            200,
            &reddit_listing(
                live,
                r#"{"kind":"t1","data":{"id":"kc0mm","body":"[deleted]","author":"[deleted]","created_utc":1700000100.0}}"#,
            ),
        ),
        _ => Reply::status(500, "text/plain", "unexpected"),
    }
}

fn meta(req: &Req) -> Reply {
    let path = req.path.as_str();
    let url = query(path).get("url").cloned().unwrap_or_default();
    if path.starts_with("/meta/instagram_oembed") && url.contains("/p/CxLiveCode1/") {
        return json(
            200,
            r#"{"version":"1.0","provider_name":"Instagram","provider_url":"https://www.instagram.com/","type":"rich","width":658,"html":"<blockquote class=\"instagram-media\"></blockquote>"}"#,
        );
    }
    if path.starts_with("/meta/oembed_post") && url.contains("/posts/1234567890") {
        return json(
            404,
            r#"{"error":{"message":"not found","type":"OAuthException","code":24}}"#,
        );
    }
    if path.starts_with("/threads/oembed") && url.starts_with("https://www.threads.com/@news/post/")
    {
        return json(
            400,
            r#"{"error":{"message":"unsupported","type":"OAuthException","code":100}}"#,
        );
    }
    Reply::status(500, "text/plain", "unexpected")
}

fn wayback(req: &Req) -> Reply {
    let url = query(&req.path).get("url").cloned().unwrap_or_default();
    if url == "https://x.com/electiondesk/status/1721144944059118002" {
        return json(
            200,
            r#"{"url":"x.com/electiondesk/status/1721144944059118002","archived_snapshots":{"closest":{"status":"200","available":true,"url":"http://web.archive.org/web/20231105130000/https://x.com/electiondesk/status/1721144944059118002","timestamp":"20231105130000"}}}"#,
        );
    }
    json(
        200,
        &format!(r#"{{"url":"{url}","archived_snapshots":{{}}}}"#),
    )
}

fn handler(req: &Req) -> Reply {
    let p = req.path.as_str();
    let route = p.split(['/', '?']).nth(1).unwrap_or_default();
    match route {
        "syn" => syndication(req),
        "xo" => x_oembed(req),
        "bsky" => bluesky_appview(req),
        "bsky-oembed" => bluesky_oembed(req),
        "masto" => mastodon(req),
        "tg" => telegram(req),
        "yt" => youtube(req),
        "tt" => tiktok(req),
        "reddit" => reddit(req),
        "meta" | "threads" => meta(req),
        "wb" => wayback(req),
        _ => Reply::status(500, "text/plain", "unexpected"),
    }
}

fn link(url: &str) -> String {
    format!("<p>See <a href=\"{url}\">this post</a>.</p>\n")
}

/// An article citing every post of the test: X posts with text as publish
/// blockquotes, the rest as links, and one copied post without an id.
fn article() -> String {
    let mut body = String::from("<html><body><article><h1>Election night</h1>\n");
    body.push_str(r#"<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Polls are open until 8pm <a href="https://t.co/Ab12Cd">pic.twitter.com/Ab12Cd</a></p>&mdash; Election Desk (@electiondesk) <a href="https://twitter.com/electiondesk/status/1581661660728950784?ref_src=twsrc%5Etfw">October 16, 2022</a></blockquote>"#);
    body.push_str(r#"<blockquote class="twitter-tweet"><p lang="en" dir="ltr">The bridge is closed until further notice</p>&mdash; Election Desk (@electiondesk) <a href="https://twitter.com/electiondesk/status/1225455484259442691?ref_src=twsrc%5Etfw">February 6, 2020</a></blockquote>"#);
    for id in [
        "1721144944059118002",
        "463440424141459456",
        "20",
        "1000000000000000001",
        "1000000000000000002",
        "1000000000000000003",
        "1000000000000000004",
        "1000000000000000005",
        "1000000000000000006",
        "1000000000000000007",
        "1000000000000000008",
    ] {
        body.push_str(&link(&format!(
            "https://twitter.com/electiondesk/status/{id}"
        )));
    }
    for url in [
        "https://bsky.app/profile/did:plc:abc123/post/3kalive",
        "https://bsky.app/profile/did:plc:abc123/post/3kgone",
        "https://bsky.app/profile/did:plc:abc123/post/3kblocked",
        "https://bsky.app/profile/did:plc:abc123/post/3kdisagree",
        "https://mastodon.social/@alice/109000000000000001",
        "https://mastodon.social/@bob/109000000000000002",
        "https://secure.example/@dave/109000000000000003",
        "https://social.example/@carol/109000000000000004",
        "https://t.me/newschan/101",
        "https://t.me/newschan/102",
        "https://t.me/secretchan/5",
        "https://t.me/c/1234567/89",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=Gone_Video1",
        "https://www.tiktok.com/@localnews/video/7300000000000000001",
        "https://www.tiktok.com/@localnews/video/7300000000000000002",
        "https://www.tiktok.com/@localnews/video/7300000000000000003",
        "https://www.tiktok.com/@localnews/video/7300000000000000004",
        "https://www.reddit.com/r/city/comments/1badj/truncated/",
        "https://www.reddit.com/r/city/comments/1abcd/bridge_closed/",
        "https://www.reddit.com/r/city/comments/1dele/witness_video/",
        "https://www.reddit.com/r/city/comments/1remo/leaked_memo/",
        "https://www.reddit.com/r/secret/comments/1priv/x/",
        "https://www.reddit.com/r/city/comments/1abcd/bridge_closed/kc0mm/",
        "https://www.instagram.com/p/CxLiveCode1/",
        "https://www.facebook.com/citypage/posts/1234567890",
        "https://www.threads.net/@news/post/CzThreads01",
    ] {
        body.push_str(&link(url));
    }
    body.push_str("<p>Copied by a reader:</p><p>Roads are flooded near the school \u{2014} Town Hall (@townhall) March 3, 2024</p>\n");
    body.push_str("</article></body></html>");
    body
}

#[test]
fn every_platform_and_every_x_combination_is_classified() {
    let server = Server::start_with_threads(2, handler);
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path(), &[("https://news.example/election", &article())]);
    fast_config(dir.path());

    // The endpoints (EMBARC_*_URL) are on 127.0.0.1: the operator's own,
    // they need no --allow-private.
    let out = embarc_strict(dir.path(), &server.url(""))
        .args(["check", "--posts", "--stale", "24h", "--json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        summary["posts"]["not_checkable"], 1,
        "the copied post has no id"
    );
    assert_eq!(
        summary["articles"]["checked"], 0,
        "--posts checks no article"
    );

    let x = |id: &str| format!("https://x.com/electiondesk/status/{id}");
    let got = states(dir.path());
    let expect = [
        // X: the ladder and its combinations.
        (x("1581661660728950784"), sr("alive", None)),
        (x("1225455484259442691"), sr("alive", None)),
        (x("1721144944059118002"), sr("gone", Some("deleted"))),
        (x("463440424141459456"), sr("restricted", Some("protected"))),
        (x("20"), sr("restricted", Some("age_restricted"))),
        (x("1000000000000000001"), sr("gone", Some("deleted"))),
        (
            x("1000000000000000007"),
            sr("gone", Some("account_suspended")),
        ),
        (x("1000000000000000002"), sr("unknown", Some("ambiguous"))),
        (x("1000000000000000003"), sr("alive", None)),
        (x("1000000000000000004"), sr("unknown", Some("ambiguous"))),
        (
            x("1000000000000000005"),
            sr("unknown", Some("network_error")),
        ),
        (x("1000000000000000006"), sr("alive", None)),
        (x("1000000000000000008"), sr("unknown", Some("ambiguous"))),
        // Bluesky.
        (
            "https://bsky.app/profile/did:plc:abc123/post/3kalive".into(),
            sr("alive", None),
        ),
        (
            "https://bsky.app/profile/did:plc:abc123/post/3kgone".into(),
            sr("gone", Some("deleted")),
        ),
        (
            "https://bsky.app/profile/did:plc:abc123/post/3kblocked".into(),
            sr("restricted", Some("login_required")),
        ),
        (
            "https://bsky.app/profile/did:plc:abc123/post/3kdisagree".into(),
            sr("unknown", Some("ambiguous")),
        ),
        // Mastodon: live, deleted, authorized fetch (with and without oEmbed).
        (
            "https://mastodon.social/@alice/109000000000000001".into(),
            sr("alive", None),
        ),
        (
            "https://mastodon.social/@bob/109000000000000002".into(),
            sr("gone", Some("not_found")),
        ),
        (
            "https://secure.example/@dave/109000000000000003".into(),
            sr("unknown", Some("unsupported")),
        ),
        (
            "https://social.example/@carol/109000000000000004".into(),
            sr("alive", None),
        ),
        // Telegram.
        ("https://t.me/newschan/101".into(), sr("alive", None)),
        (
            "https://t.me/newschan/102".into(),
            sr("gone", Some("not_found")),
        ),
        (
            "https://t.me/secretchan/5".into(),
            sr("restricted", Some("private")),
        ),
        (
            "https://t.me/c/1234567/89".into(),
            sr("unknown", Some("unsupported")),
        ),
        // YouTube.
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ".into(),
            sr("alive", None),
        ),
        (
            "https://www.youtube.com/watch?v=Gone_Video1".into(),
            sr("gone", Some("not_found")),
        ),
        // TikTok.
        (
            "https://www.tiktok.com/@localnews/video/7300000000000000001".into(),
            sr("alive", None),
        ),
        (
            "https://www.tiktok.com/@localnews/video/7300000000000000002".into(),
            sr("gone", Some("not_found")),
        ),
        (
            "https://www.tiktok.com/@localnews/video/7300000000000000003".into(),
            sr("unknown", Some("ambiguous")),
        ),
        (
            "https://www.tiktok.com/@localnews/video/7300000000000000004".into(),
            sr("unknown", Some("rate_limited")),
        ),
        (
            "https://www.reddit.com/r/city/comments/1badj/".into(),
            sr("unknown", Some("ambiguous")),
        ),
        // Reddit.
        (
            "https://www.reddit.com/r/city/comments/1abcd/".into(),
            sr("alive", None),
        ),
        (
            "https://www.reddit.com/r/city/comments/1dele/".into(),
            sr("gone", Some("deleted")),
        ),
        (
            "https://www.reddit.com/r/city/comments/1remo/".into(),
            sr("gone", Some("deleted")),
        ),
        (
            "https://www.reddit.com/r/secret/comments/1priv/".into(),
            sr("restricted", Some("private")),
        ),
        (
            "https://www.reddit.com/r/city/comments/1abcd/comment/kc0mm/".into(),
            sr("gone", Some("deleted")),
        ),
        // Meta: liveness only.
        (
            "https://www.instagram.com/p/CxLiveCode1/".into(),
            sr("alive", None),
        ),
        (
            "https://www.facebook.com/citypage/posts/1234567890".into(),
            sr("gone", Some("not_found")),
        ),
        (
            "https://www.threads.net/@news/post/CzThreads01".into(),
            sr("unknown", Some("ambiguous")),
        ),
    ];
    for (url, want) in &expect {
        assert_eq!(
            got.get(url),
            Some(want),
            "{url}\n{}",
            summary["results"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["url"] == url.as_str())
                .map(|r| r.to_string())
                .collect::<String>()
        );
    }
    // The unidentified post is reported as not checkable, not guessed.
    let unidentified: Vec<_> = got.iter().filter(|(url, _)| url.is_empty()).collect();
    assert_eq!(unidentified, [(&String::new(), &(None, None))]);
    assert_eq!(got.len(), expect.len() + 1);

    // A 404 is asked twice before it counts; the tombstoned and answered
    // posts are asked once; a private-channel link is not asked at all.
    let syn = |id: &str| {
        let token = TOKENS.iter().find(|(i, _)| *i == id).map_or("", |t| t.1);
        server.hits(&format!("/syn/tweet-result?id={id}&lang=en&token={token}"))
    };
    assert_eq!(syn("1721144944059118002"), 2);
    assert_eq!(syn("1581661660728950784"), 1);
    assert_eq!(syn("20"), 1);
    assert_eq!(server.hits("/tg/newschan/102?embed=1"), 2);
    assert_eq!(server.hits("/tg/newschan/101?embed=1"), 1);
    assert!(server.all_hits().keys().all(|p| !p.starts_with("/tg/c/")));
    // Live posts were not looked up in the Wayback Machine; gone ones were.
    let wayback_asked: Vec<String> = server
        .all_hits()
        .keys()
        .filter(|p| p.starts_with("/wb/"))
        .map(|p| check_support::query(p)["url"].clone())
        .collect();
    assert!(wayback_asked.contains(&x("1721144944059118002")));
    assert!(
        !wayback_asked
            .iter()
            .any(|u| u.contains("1581661660728950784"))
    );

    // The archived copy of the deleted tweet is exported with it.
    let posts = export(dir.path(), "posts");
    let deleted = posts
        .iter()
        .find(|p| p["post_url"] == x("1721144944059118002").as_str())
        .unwrap();
    assert_eq!(
        deleted["archived_url"],
        "http://web.archive.org/web/20231105130000/https://x.com/electiondesk/status/1721144944059118002"
    );
    assert!(
        deleted["checked_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    let other_gone = posts
        .iter()
        .find(|p| p["post_url"] == "https://t.me/newschan/102")
        .unwrap();
    assert!(other_gone["archived_url"].is_null());

    // Evidence and status per check, as `report --history` shows them.
    let out = embarc(dir.path(), &server.url(""))
        .args(["report", "--json", "--history", &x("1721144944059118002")])
        .output()
        .unwrap();
    let history: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let check = &history["checks"][0];
    assert_eq!(check["http_status"], 404);
    assert_eq!(check["endpoint"], "x_syndication+x_oembed");
    assert_eq!(
        check["evidence"],
        "x_syndication: 404 (asked twice); x_oembed: 404"
    );
}

#[test]
fn endpoint_content_is_kept_and_edits_are_warned_about_but_not_meta() {
    let server = Server::start_with_threads(2, handler);
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path(), &[("https://news.example/election", &article())]);
    fast_config(dir.path());
    let out = embarc(dir.path(), &server.url(""))
        .args(["check", "--posts", "--platform", "x", "--stale", "24h"])
        .output()
        .unwrap();
    assert!(out.status.success());
    embarc(dir.path(), &server.url(""))
        .args(["check", "--posts", "--stale", "0"])
        .assert()
        .success();

    let db = rusqlite::Connection::open(dir.path().join("embarc.db")).unwrap();
    let sources = |post_url: &str| -> Vec<String> {
        let mut stmt = db
            .prepare(
                "SELECT s.source FROM snapshots s JOIN posts p ON p.id = s.post_id
                 WHERE p.post_url = ?1 ORDER BY s.id",
            )
            .unwrap();
        stmt.query_map([post_url], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    // Two runs, one snapshot per distinct content and source.
    assert_eq!(
        sources("https://x.com/electiondesk/status/1581661660728950784"),
        ["article", "x_syndication"]
    );
    assert_eq!(
        sources("https://x.com/electiondesk/status/1000000000000000003"),
        ["x_oembed"],
        "syndication was rate limited: the text came from oEmbed"
    );
    assert_eq!(
        sources("https://bsky.app/profile/did:plc:abc123/post/3kalive"),
        ["bluesky_appview"]
    );
    assert_eq!(
        sources("https://mastodon.social/@alice/109000000000000001"),
        ["mastodon_api"]
    );
    assert_eq!(sources("https://t.me/newschan/101"), ["telegram"]);
    assert_eq!(
        sources("https://www.reddit.com/r/city/comments/1abcd/"),
        ["reddit"]
    );
    assert!(sources("https://www.instagram.com/p/CxLiveCode1/").is_empty());
    let text: String = db
        .query_row(
            "SELECT s.text FROM snapshots s JOIN posts p ON p.id = s.post_id
             WHERE p.post_url = 'https://mastodon.social/@alice/109000000000000001'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(text, "Water is back on in #town");

    // The edited tweet is warned about on its citation; the one that only
    // differs by its t.co link is not.
    let citations = export(dir.path(), "citations");
    let warnings = |id: &str| -> Vec<String> {
        citations
            .iter()
            .filter(|c| c["post_id"] == id)
            .flat_map(|c| c["warnings"].as_array().cloned().unwrap_or_default())
            .filter(|w| w["kind"] == "edited")
            .map(|w| w["detail"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(
        warnings("1225455484259442691"),
        ["x_syndication shows different text from the article's: \"The bridge is open again\""]
    );
    assert!(warnings("1581661660728950784").is_empty());
    // Citations carry their post's state.
    let state_of = |id: &str| {
        citations
            .iter()
            .find(|c| c["post_id"] == id)
            .map(|c| c["state"].clone())
    };
    assert_eq!(state_of("1721144944059118002"), Some("gone".into()));
}

#[test]
fn a_rate_limit_longer_than_we_wait_leaves_the_endpoint_alone() {
    let server = Server::start(|req| {
        let route = req.path.split(['/', '?']).nth(1).unwrap_or_default();
        match route {
            "syn" | "xo" => {
                Reply::status(429, "text/plain", "slow down").with_header("Retry-After", "3600")
            }
            _ => Reply::status(500, "text/plain", "unexpected"),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let page = format!(
        "<p>{}{}</p>",
        link("https://twitter.com/a/status/1000000000000000011"),
        link("https://twitter.com/a/status/1000000000000000012")
    );
    archive(dir.path(), &[("https://news.example/a", &page)]);
    // One at a time, so the second post is asked after the first 429.
    check_support::config_with_concurrency(dir.path(), 1);
    embarc(dir.path(), &server.url(""))
        .args(["check", "--posts", "--stale", "24h"])
        .assert()
        .success();
    let got = states(dir.path());
    for id in ["1000000000000000011", "1000000000000000012"] {
        assert_eq!(
            got[&format!("https://x.com/a/status/{id}")],
            sr("unknown", Some("rate_limited"))
        );
    }
    // After the first 429 asked us to wait an hour, neither endpoint was
    // asked again.
    let hits = server.all_hits();
    let syndication: usize = hits
        .iter()
        .filter(|(p, _)| p.starts_with("/syn/"))
        .map(|(_, n)| n)
        .sum();
    let oembed: usize = hits
        .iter()
        .filter(|(p, _)| p.starts_with("/xo/"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!((syndication, oembed), (1, 1), "{hits:?}");
}

#[test]
fn bluesky_posts_are_asked_25_at_a_time_and_only_those_missing_go_down_the_ladder() {
    let server = Server::start_with_threads(2, handler);
    let dir = tempfile::tempdir().unwrap();
    let mut body = String::from("<html><body><article><h1>Thread</h1>\n");
    for i in 0..60 {
        body.push_str(&link(&format!(
            "https://bsky.app/profile/did:plc:abc123/post/b{i}"
        )));
    }
    body.push_str("</article></body></html>");
    archive(dir.path(), &[("https://news.example/thread", &body)]);
    fast_config(dir.path());

    let out = embarc_strict(dir.path(), &server.url(""))
        .args(["check", "--posts", "--stale", "24h", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let states = states(dir.path());
    let gone: Vec<_> = states
        .iter()
        .filter(|(_, s)| s.0.as_deref() == Some("gone"))
        .map(|(u, _)| u.rsplit('/').next().unwrap().to_string())
        .collect();
    let mut gone = gone;
    gone.sort();
    assert_eq!(gone, ["b13", "b7"], "{states:?}");
    let alive = states.values().filter(|s| s.0.as_deref() == Some("alive"));
    assert_eq!(alive.count(), 58);

    let hits = server.all_hits();
    let calls = |what: &str| -> Vec<usize> {
        hits.iter()
            .filter(|(p, _)| p.contains(what))
            .flat_map(|(p, n)| std::iter::repeat_n(all_of(p, "uris").len(), *n))
            .collect()
    };
    let batches = calls("getPosts");
    assert_eq!(
        batches.iter().sum::<usize>(),
        60,
        "each post asked once: {batches:?}"
    );
    assert!(batches.iter().all(|n| *n <= 25), "{batches:?}");
    assert!(
        batches.len() <= 4,
        "60 posts in at most 4 calls: {batches:?}"
    );
    // Only the two missing posts were asked one by one.
    assert_eq!(calls("getPostThread").len(), 2, "{hits:?}");
    assert_eq!(
        hits.keys()
            .filter(|p| p.starts_with("/bsky-oembed"))
            .count(),
        2
    );
}

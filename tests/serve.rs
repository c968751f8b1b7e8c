//! `embarc serve` over HTTP: a real server process on 127.0.0.1 and a real
//! archive. Pages, sign-in, sessions, CSRF, throttling, roles, escaping,
//! security headers, the JSON API and a clean stop.

mod serve_support;

use embarc::store::ClaimFilter;
use serde_json::json;
use serve_support::{Browser, Desk, PASSWORD, api, request};

/// The id of the claim about `handle`'s post.
fn claim_of(desk: &Desk, handle: &str) -> i64 {
    desk.store()
        .claims(&ClaimFilter::default())
        .unwrap()
        .into_iter()
        .find(|c| c.post.ident.handle.as_deref() == Some(handle))
        .unwrap_or_else(|| panic!("no claim for @{handle}"))
        .id
}

fn events(desk: &Desk, id: i64) -> usize {
    desk.store().claim(id).unwrap().claim.events.len()
}

#[tokio::test]
async fn health_headers_sign_in_queue_and_stop() {
    let desk = Desk::start();
    let mut b = desk.client();
    let h = b.get("/healthz").await;
    assert_eq!((h.status, h.body.as_str()), (200, "ok"));

    // Anonymous pages send to the sign-in page, remembering where.
    let q = b.get("/queue?status=all").await;
    assert_eq!(q.status, 303);
    assert_eq!(q.header("location"), "/login?next=/queue%3Fstatus%3Dall");

    let login = b.get("/login").await;
    assert!(login.body.contains(">Username<") && login.body.contains(">Password<"));
    assert!(login.body.contains(">Log in<"));
    for a in [&h, &login] {
        assert!(
            a.header("content-security-policy")
                .contains("frame-ancestors 'none'")
        );
        assert!(
            a.header("content-security-policy")
                .contains("script-src 'self'")
        );
        assert_eq!(a.header("x-content-type-options"), "nosniff");
        assert_eq!(a.header("referrer-policy"), "same-origin");
    }
    let set = login.header("set-cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );

    b.login("viewer").await;
    let session = b
        .cookies
        .iter()
        .find(|(k, _)| k == "embarc_session")
        .unwrap()
        .1
        .clone();
    assert_eq!(session.len(), 64);
    let q = b.get("/").await;
    assert_eq!(q.header("location"), "/queue");
    let q = b.get("/queue").await;
    assert_eq!(q.status, 200);
    assert!(q.body.contains(">Log out<"));
    // Every link in the page's navigation leads to a page that exists.
    let nav = q
        .body
        .split("<nav>")
        .nth(1)
        .unwrap()
        .split("</nav>")
        .next()
        .unwrap();
    let links: Vec<String> = nav
        .split("href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect();
    assert!(!links.is_empty(), "{nav}");
    for link in links {
        assert_eq!(b.get(&link).await.status, 200, "navigation link {link}");
    }
    assert!(q.body.contains("floodwatch_eu"), "the dam claim is open");
    assert!(
        q.body.contains("open <span class=\"n\">4</span>"),
        "{}",
        q.body
    );
    // The cookie is a random token; the archive keeps only its hash.
    assert!(!desk.store().users().unwrap().is_empty());

    // Filters: platform, status, liveness, label, sort, bad values.
    let q = b.get("/queue?status=all&label=JUST+IN").await;
    assert!(
        q.body.contains("cityhall") && !q.body.contains("floodwatch_eu"),
        "{}",
        q.body
    );
    let q = b.get("/queue?state=gone").await;
    assert!(q.body.contains("No claims match"));
    let q = b.get("/queue?state=unchecked&sort=newest").await;
    assert!(q.body.contains("4 claims"));
    let q = b.get("/queue?status=maybe").await;
    assert_eq!(q.status, 400);
    assert!(q.body.contains("unknown status"));
    let q = b.get("/queue?platform=myspace").await;
    assert_eq!(q.status, 400);

    // Sign out ends the session: the old cookie no longer works.
    let csrf = b.csrf().await;
    let out = b.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.header("location"), "/login");
    b.cookies.push(("embarc_session".into(), session));
    assert_eq!(b.get("/queue").await.status, 303);

    assert_eq!(desk.stop(), Some(0), "SIGTERM stops cleanly");
}

#[cfg(unix)]
#[tokio::test]
async fn sigint_and_sigterm_each_stop_the_server_cleanly() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let desk = Desk::start();
        assert_eq!(desk.client().get("/healthz").await.status, 200);
        let (code, stderr) = desk.signal(signal);
        assert_eq!(code, Some(0), "signal {signal}: {stderr}");
        assert!(
            stderr.contains("embarc: stopped"),
            "signal {signal}: {stderr}"
        );
    }
}

/// The attributes of the session cookie a successful sign-in sets.
async fn session_cookie(b: &mut Browser) -> Vec<String> {
    let a = b.try_login("viewer", PASSWORD).await;
    assert_eq!(a.status, 303, "{}", a.body);
    let set = a
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("embarc_session="))
        .unwrap_or_else(|| panic!("no session cookie: {:?}", a.headers));
    set.split(';')
        .skip(1)
        .map(|a| a.trim().to_string())
        .collect()
}

#[tokio::test]
async fn the_session_cookie_is_secure_with_the_flag_or_behind_https() {
    let desk = Desk::start();
    let plain = session_cookie(&mut desk.client()).await;
    assert!(!plain.contains(&"Secure".to_string()), "{plain:?}");
    // A proxy in front says the browser came over HTTPS.
    let mut proxied = desk.client();
    let mut https = reqwest::header::HeaderMap::new();
    https.insert("x-forwarded-proto", "https".parse().unwrap());
    proxied.http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(https)
        .build()
        .unwrap();
    let forwarded = session_cookie(&mut proxied).await;
    drop(desk);
    let desk = Desk::start_with(&["--secure-cookies"]);
    let flagged = session_cookie(&mut desk.client()).await;
    for secure in [&forwarded, &flagged] {
        assert!(secure.contains(&"Secure".to_string()), "{secure:?}");
    }
    for cookie in [&plain, &forwarded, &flagged] {
        assert!(cookie.contains(&"HttpOnly".to_string()), "{cookie:?}");
        assert!(cookie.contains(&"SameSite=Lax".to_string()), "{cookie:?}");
    }
}

#[tokio::test]
async fn claim_page_decides_with_note_and_shows_refusals() {
    let desk = Desk::start();
    let id = claim_of(&desk, "floodwatch_eu");
    let mut b = desk.client();
    b.login("checker").await;
    let page = b.get(&format!("/claims/{id}")).await;
    assert_eq!(page.status, 200);
    for label in [
        ">Status<",
        ">Note<",
        ">Save<",
        ">Assignee<",
        ">Assign to me<",
    ] {
        assert!(page.body.contains(label), "{label} missing");
    }
    assert!(page.body.contains("As the article showed it"));
    let csrf = page.csrf();
    let path = format!("/claims/{id}/status");
    let a = b
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("status", "false"),
                ("note", "the dam stands"),
            ],
        )
        .await;
    assert_eq!(a.status, 303, "{}", a.body);
    let page = b.get(&format!("/claims/{id}")).await;
    assert!(page.body.contains("unstarted → false"));
    assert!(page.body.contains("the dam stands"));
    let detail = desk.store().claim(id).unwrap();
    let last = detail.claim.events.last().unwrap();
    assert_eq!(last.actor, "checker", "the signed-in user is the actor");

    // Reopening a decision without a note: refused on the page, not a bare error.
    let a = b
        .post(
            &path,
            &[("csrf", &csrf), ("status", "in_progress"), ("note", "")],
        )
        .await;
    assert_eq!(a.status, 409);
    assert!(a.body.contains("needs a note saying why"), "{}", a.body);
    assert!(
        a.body.contains("<h1>Claim #"),
        "the claim page, with the form"
    );
    // Same status again.
    let a = b
        .post(
            &path,
            &[("csrf", &csrf), ("status", "false"), ("note", "again")],
        )
        .await;
    assert_eq!(a.status, 409);
    assert!(a.body.contains("already false"));
    let a = b
        .post(
            &path,
            &[("csrf", &csrf), ("status", "perhaps"), ("note", "")],
        )
        .await;
    assert_eq!(a.status, 400);

    // Assign to me, then to someone else, then unassign; notes.
    let assign = format!("/claims/{id}/assign");
    let a = b
        .post(&assign, &[("csrf", &csrf), ("assignee", ""), ("me", "1")])
        .await;
    assert_eq!(a.status, 303);
    assert_eq!(
        desk.store().claim(id).unwrap().claim.assignee.as_deref(),
        Some("checker")
    );
    let a = b
        .post(&assign, &[("csrf", &csrf), ("assignee", "checker")])
        .await;
    assert_eq!(a.status, 409, "already assigned");
    let a = b.post(&assign, &[("csrf", &csrf), ("assignee", "")]).await;
    assert_eq!(a.status, 303);
    assert_eq!(desk.store().claim(id).unwrap().claim.assignee, None);
    let a = b
        .post(
            &format!("/claims/{id}/note"),
            &[("csrf", &csrf), ("note", "called the utility")],
        )
        .await;
    assert_eq!(a.status, 303);
    let a = b
        .post(
            &format!("/claims/{id}/note"),
            &[("csrf", &csrf), ("note", "  ")],
        )
        .await;
    assert_eq!(a.status, 400);
    assert!(a.body.contains("the note is empty"));

    // Unknown claims.
    assert_eq!(b.get("/claims/999").await.status, 404);
    assert_eq!(
        b.post("/claims/999/note", &[("csrf", &csrf), ("note", "x")])
            .await
            .status,
        404
    );
    // The queue's "mine" filter and the CSV download with filters.
    b.post(&assign, &[("csrf", &csrf), ("assignee", "checker")])
        .await;
    let q = b.get("/queue?status=all&assignee=mine").await;
    assert!(
        q.body.contains("1 claims") || q.body.contains("1 claim"),
        "{}",
        q.body
    );
    let csv = b.get("/queue.csv?status=all&assignee=mine").await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.header("content-disposition").contains("attachment"));
    assert_eq!(csv.body.lines().count(), 2, "{}", csv.body);
    assert!(csv.body.contains("floodwatch_eu"));
}

#[tokio::test]
async fn csrf_and_origin_are_checked() {
    let desk = Desk::start();
    let id = claim_of(&desk, "floodwatch_eu");
    let mut b = desk.client();
    b.login("admin").await;
    let csrf = b.csrf().await;
    let before = events(&desk, id);
    let path = format!("/claims/{id}/note");
    let a = b.post(&path, &[("note", "forged")]).await;
    assert_eq!(a.status, 403);
    assert!(a.body.contains("nothing was changed"));
    let a = b
        .post(
            &path,
            &[("csrf", "0".repeat(64).as_str()), ("note", "forged")],
        )
        .await;
    assert_eq!(a.status, 403);
    // The right token from another site's form is refused by its Origin.
    let a = b
        .post_with(
            &path,
            &[("csrf", &csrf), ("note", "forged")],
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(a.status, 403);
    assert_eq!(events(&desk, id), before, "no forged change");
    // The same form from this site works.
    let origin = desk.url.clone();
    let a = b
        .post_with(&path, &[("csrf", &csrf), ("note", "real")], Some(&origin))
        .await;
    assert_eq!(a.status, 303);
    assert_eq!(events(&desk, id), before + 1);
    // Logging out needs the token too.
    assert_eq!(b.post("/logout", &[]).await.status, 403);
    // The sign-in form has its own token.
    let mut c = desk.client();
    c.get("/login").await;
    let a = c
        .post(
            "/login",
            &[
                ("csrf", "nope"),
                ("username", "admin"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(a.status, 403);
}

#[tokio::test]
async fn login_throttling_slows_then_refuses() {
    let desk = Desk::start();
    let mut b = desk.client();
    let a = b.try_login("checker", "wrong password").await;
    assert_eq!(a.status, 401);
    assert!(a.body.contains("Wrong username or password."));
    let a = b.try_login("nobody", "wrong password").await;
    assert_eq!(a.status, 401, "unknown names answer the same");
    for _ in 0..4 {
        b.try_login("checker", "wrong password").await;
    }
    let started = std::time::Instant::now();
    let a = b.try_login("checker", PASSWORD).await;
    assert_eq!(
        a.status, 429,
        "refused even with the right password: {}",
        a.body
    );
    assert!(a.body.contains("Too many failed sign-ins"));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // Other accounts from this address are slowed, not refused yet.
    let a = b.try_login("viewer", PASSWORD).await;
    assert_eq!(a.status, 303);
    // Failures stay recorded for the account.
    let store = desk.store();
    let since = store.clock() - chrono::Duration::minutes(15);
    let (account, _) = store.login_failures("checker", "127.0.0.1", since).unwrap();
    assert_eq!(account, 5);
}

#[tokio::test]
async fn disabled_users_and_viewers_cannot_change() {
    let desk = Desk::start();
    let id = claim_of(&desk, "floodwatch_eu");
    let before = events(&desk, id);
    let mut viewer = desk.client();
    viewer.login("viewer").await;
    let csrf = viewer.csrf().await;
    let page = viewer.get(&format!("/claims/{id}")).await;
    assert!(!page.body.contains(">Save<"), "no forms for viewers");
    for (path, form) in [
        ("status", vec![("status", "verified"), ("note", "")]),
        ("assign", vec![("assignee", "viewer")]),
        ("note", vec![("note", "hi")]),
    ] {
        let mut f = vec![("csrf", csrf.as_str())];
        f.extend(form);
        let a = viewer.post(&format!("/claims/{id}/{path}"), &f).await;
        assert_eq!(a.status, 403, "viewer {path}");
        assert!(a.body.contains("needs a checker"));
    }
    let mut gone = desk.client();
    gone.login("gone").await;
    let csrf = gone.csrf().await;
    desk.store().disable_user("gone").unwrap();
    let a = gone
        .post(
            &format!("/claims/{id}/note"),
            &[("csrf", &csrf), ("note", "hi")],
        )
        .await;
    assert_eq!(a.status, 303);
    assert!(a.header("location").starts_with("/login"), "signed out");
    assert_eq!(gone.try_login("gone", PASSWORD).await.status, 401);
    let mut anon = desk.client();
    let a = anon
        .post(&format!("/claims/{id}/note"), &[("note", "hi")])
        .await;
    assert!(a.header("location").starts_with("/login"));
    assert_eq!(events(&desk, id), before);
}

#[tokio::test]
async fn archived_text_and_urls_are_escaped() {
    let desk = Desk::start();
    let id = claim_of(&desk, "prank_desk");
    let mut b = desk.client();
    b.login("viewer").await;
    for path in ["/queue".to_string(), format!("/claims/{id}")] {
        let page = b.get(&path).await;
        assert_eq!(page.status, 200);
        assert!(
            !page.body.contains("<script>alert"),
            "{path} renders the script"
        );
        assert!(!page.body.contains("<img src=x"), "{path} renders the img");
        assert!(
            page.body
                .contains("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;")
                || page
                    .body
                    .contains("&lt;script&gt;alert(\"pwned\")&lt;/script&gt;"),
            "{path}: {}",
            page.body
        );
    }
    // The article's file URL keeps its single quote and ampersand (its
    // double quotes are percent-encoded by the URL itself): escaped.
    let page = b.get(&format!("/claims/{id}")).await;
    assert!(
        page.body.contains("say%20%22hi%22%20&amp;%20'bye'.html"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("%20&%20"), "a raw ampersand");

    // What people type is escaped too, in text and in form fields.
    let mut c = desk.client();
    c.login("checker").await;
    let csrf = c.csrf().await;
    let evil = "\"><script>alert(2)</script>";
    let a = c
        .post(
            &format!("/claims/{id}/note"),
            &[("csrf", &csrf), ("note", evil)],
        )
        .await;
    assert_eq!(a.status, 303);
    let a = c
        .post(
            &format!("/claims/{id}/assign"),
            &[("csrf", &csrf), ("assignee", evil)],
        )
        .await;
    assert_eq!(a.status, 303);
    let page = c.get(&format!("/claims/{id}")).await;
    assert!(!page.body.contains("<script>alert(2)"), "{}", page.body);
    assert!(
        page.body
            .contains("&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;")
    );
    let page = c.get("/queue?assignee=%22%3E%3Cscript%3E").await;
    assert!(!page.body.contains("\"><script>"));
}

#[tokio::test]
async fn api_reads_changes_and_errors() {
    let desk = Desk::start();
    let id = claim_of(&desk, "floodwatch_eu");
    let t = &desk.tokens;
    let a = api(
        &desk,
        "GET",
        "/claims?status=all&limit=2",
        Some(&t.viewer),
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let page = a.json();
    assert_eq!(page["total"], 4);
    assert_eq!(page["claims"].as_array().unwrap().len(), 2);
    let a = api(
        &desk,
        "GET",
        "/claims?status=all&offset=2&limit=2",
        Some(&t.viewer),
        None,
    )
    .await;
    assert_eq!(a.json()["claims"].as_array().unwrap().len(), 2);

    // The same document as `embarc queue show ID --json`.
    let a = api(
        &desk,
        "GET",
        &format!("/claims/{id}"),
        Some(&t.viewer),
        None,
    )
    .await;
    let out = serve_support::embarc()
        .arg("--archive")
        .arg(desk.dir())
        .args(["queue", "show", &id.to_string(), "--json"])
        .output()
        .unwrap();
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(a.json(), cli);

    let a = api(
        &desk,
        "POST",
        &format!("/claims/{id}/status"),
        Some(&t.checker),
        Some(json!({"status": "verified", "note": "confirmed"})),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["actor"], "t-checker");
    assert_eq!(a.json()["to_status"], "verified");
    let a = api(
        &desk,
        "POST",
        &format!("/claims/{id}/status"),
        Some(&t.checker),
        Some(json!({"status": "unstarted"})),
    )
    .await;
    assert_eq!(a.status, 409);
    assert!(a.json()["error"].as_str().unwrap().contains("needs a note"));
    let a = api(
        &desk,
        "POST",
        &format!("/claims/{id}/status"),
        Some(&t.checker),
        Some(json!({"status": "sure"})),
    )
    .await;
    assert_eq!(a.status, 400);
    let a = api(
        &desk,
        "POST",
        &format!("/claims/{id}/status"),
        Some(&t.checker),
        Some(json!({"nope": 1})),
    )
    .await;
    assert_eq!(a.status, 400);
    assert!(a.json()["error"].is_string());
    let a = api(
        &desk,
        "POST",
        "/claims/999/notes",
        Some(&t.checker),
        Some(json!({"note": "x"})),
    )
    .await;
    assert_eq!(a.status, 404);
    assert!(a.json()["error"].as_str().unwrap().contains("no claim 999"));
    let a = api(
        &desk,
        "PUT",
        &format!("/claims/{id}/assignee"),
        Some(&t.checker),
        Some(json!({"assignee": "ana"})),
    )
    .await;
    assert_eq!(a.json()["assignee"], "ana");
    let a = api(
        &desk,
        "PUT",
        &format!("/claims/{id}/assignee"),
        Some(&t.checker),
        Some(json!({"assignee": null})),
    )
    .await;
    assert_eq!(a.status, 200);
    assert!(a.json()["assignee"].is_null());
    assert_eq!(desk.store().claim(id).unwrap().claim.assignee, None);
    let a = api(
        &desk,
        "PUT",
        &format!("/claims/{id}/assignee"),
        Some(&t.checker),
        Some(json!({"assignee": null})),
    )
    .await;
    assert_eq!(a.status, 409);

    let url = "https://bsky.app/profile/someone.bsky.social/post/3kabc2defgh2x";
    let a = api(
        &desk,
        "POST",
        "/claims",
        Some(&t.checker),
        Some(json!({"post_url": url, "reason": "viral"})),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.json()["new_post"], true);
    let a = api(
        &desk,
        "POST",
        "/claims",
        Some(&t.checker),
        Some(json!({"post_url": url, "reason": "again"})),
    )
    .await;
    assert_eq!(a.status, 409);
    let a = api(
        &desk,
        "POST",
        "/claims",
        Some(&t.checker),
        Some(json!({"post_url": "https://example.com/", "reason": "x"})),
    )
    .await;
    assert_eq!(a.status, 400);

    let a = api(&desk, "GET", "/report", Some(&t.viewer), None).await;
    assert_eq!(a.status, 200);
    assert!(a.json().is_object());
    let a = api(&desk, "GET", "/nothing", Some(&t.viewer), None).await;
    assert_eq!(a.status, 404);
    assert!(a.json()["error"].is_string());
}

/// The claims a queue page lists, in order.
fn listed(page: &str) -> Vec<i64> {
    let rows = &page[page.find("<tbody>").unwrap()..page.find("</tbody>").unwrap()];
    rows.split("\">#")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].parse().unwrap())
        .collect()
}

/// Where a queue page's `rel` ("next" or "prev") link leads.
fn page_link(page: &str, rel: &str) -> Option<String> {
    let at = page.find(&format!("rel=\"{rel}\" href=\""))? + rel.len() + 13;
    Some(page[at..at + page[at..].find('"').unwrap()].replace("&amp;", "&"))
}

#[tokio::test]
async fn queue_pages_and_the_api_split_many_claims_alike() {
    use embarc::serve::pages::queue::PER_PAGE;
    let desk = Desk::start();
    let store = desk.store();
    let mut added: Vec<i64> = (0..PER_PAGE as u64 + 10)
        .map(|i| {
            let url = format!(
                "https://x.com/crowd/status/{}",
                1_900_000_000_000_000_000 + i
            );
            let post = embarc::queue::post_from_url(&url).unwrap();
            store
                .add_claim(&post, "one of many", "checker")
                .unwrap()
                .claim
        })
        .collect();
    drop(store);
    let filters = "status=all&label=MANUAL&sort=newest";
    let mut b = desk.client();
    b.login("viewer").await;
    let first = b.get(&format!("/queue?{filters}")).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(
        first
            .body
            .contains(&format!("{} claims · page 1 of 2", added.len())),
        "{}",
        first.body
    );
    let one = listed(&first.body);
    assert_eq!(one.len(), PER_PAGE);
    // The page links keep the filters.
    assert_eq!(page_link(&first.body, "prev"), None);
    let next = page_link(&first.body, "next").expect("a link to page 2");
    assert_eq!(next, format!("/queue?{filters}&page=2"));
    let second = b.get(&next).await;
    assert!(second.body.contains("page 2 of 2"), "{}", second.body);
    let two = listed(&second.body);
    assert_eq!(page_link(&second.body, "next"), None);
    let prev = page_link(&second.body, "prev").expect("a link to page 1");
    assert_eq!(prev, format!("/queue?{filters}&page=1"));
    assert_eq!(listed(&b.get(&prev).await.body), one);
    // Newest first; disjoint, and together every claim.
    added.reverse();
    assert_eq!([one.clone(), two.clone()].concat(), added);

    // The API splits them the same way.
    for (offset, page) in [(0, &one), (PER_PAGE, &two)] {
        let a = api(
            &desk,
            "GET",
            &format!("/claims?{filters}&offset={offset}&limit={PER_PAGE}"),
            Some(&desk.tokens.viewer),
            None,
        )
        .await;
        assert_eq!(a.status, 200, "{}", a.body);
        let body = a.json();
        assert_eq!(body["total"], added.len());
        let ids: Vec<i64> = body["claims"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        assert_eq!(&ids, page, "offset {offset}");
    }
}

#[tokio::test]
async fn api_role_matrix() {
    let desk = Desk::start();
    let id = claim_of(&desk, "cityhall_news");
    let t = &desk.tokens;
    let callers: [(&str, Option<&str>, u16); 5] = [
        ("anonymous", None, 401),
        ("revoked", Some(&t.revoked), 401),
        ("viewer", Some(&t.viewer), 403),
        ("checker", Some(&t.checker), 0),
        ("admin", Some(&t.admin), 0),
    ];
    let mut n = 0;
    for (who, token, refused) in callers {
        n += 1;
        let calls = [
            (
                "POST",
                format!("/claims/{id}/notes"),
                json!({"note": format!("from {who}")}),
                200,
            ),
            (
                "PUT",
                format!("/claims/{id}/assignee"),
                json!({"assignee": format!("person{n}")}),
                200,
            ),
            (
                "POST",
                format!("/claims/{id}/status"),
                json!({"status": if n % 2 == 0 { "in_progress" } else { "unstarted" }, "note": "matrix"}),
                200,
            ),
            (
                "POST",
                "/claims".to_string(),
                json!({"post_url": format!("https://x.com/who{n}/status/17900000000000000{n:02}"), "reason": "matrix"}),
                201,
            ),
        ];
        for (method, path, body, ok) in calls {
            let before = events(&desk, id);
            let a = api(&desk, method, &path, token, Some(body)).await;
            let expected = if refused == 0 { ok } else { refused };
            assert_eq!(a.status, expected, "{who} {method} {path}: {}", a.body);
            assert!(a.json()["error"].is_string() || refused == 0);
            if refused != 0 {
                assert_eq!(events(&desk, id), before, "{who} changed nothing");
            }
        }
        // Every caller with a live token reads.
        let a = api(&desk, "GET", "/claims", token, None).await;
        assert_eq!(
            a.status,
            if refused == 401 { 401 } else { 200 },
            "{who} reads"
        );
    }
    // Bad Authorization headers.
    let http = reqwest::Client::new();
    let a = http
        .get(format!("{}/api/v1/claims", desk.url))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    assert_eq!(a.status().as_u16(), 401);
}

#[tokio::test]
async fn the_openapi_document_is_served_and_every_call_in_it_answers() {
    let desk = Desk::start();
    let http = reqwest::Client::new();
    let res = http
        .get(format!("{}/api/v1/openapi.json", desk.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let served: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(served, embarc::serve::openapi::document());
    assert_eq!(served["openapi"], "3.1.0");
    // Every $ref points at a schema.
    fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(|r| r.as_str()) {
                    out.push(r.to_string());
                }
                m.values().for_each(|x| refs(x, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&served, &mut all);
    for r in all {
        let name = r.trim_start_matches("#/components/schemas/");
        assert!(served["components"]["schemas"][name].is_object(), "{r}");
    }
    // Every documented call is served (with no body it answers 400, never
    // the 404 of an unknown call), and its answers match the document
    // (checked inside `api`).
    let id = claim_of(&desk, "floodwatch_eu");
    for route in embarc::serve::openapi::ROUTES {
        let mut path = route.path.replace("{id}", &id.to_string());
        if route.query == embarc::serve::openapi::Query::Search {
            path.push_str("?q=dam");
        }
        let body = route.body.map(|_| json!({}));
        let a = api(
            &desk,
            &route.method.to_uppercase(),
            &path,
            Some(&desk.tokens.admin),
            body,
        )
        .await;
        assert_ne!(
            a.status, 404,
            "{} {} is documented but not served",
            route.method, route.path
        );
        assert_eq!(
            a.status,
            if route.body.is_some() {
                400
            } else {
                route.ok.0
            },
            "{} {}: {}",
            route.method,
            route.path,
            a.body
        );
    }
}

#[test]
fn the_answer_checker_catches_what_the_document_does_not_say() {
    let doc = embarc::serve::openapi::document();
    let event = json!({"$ref": "#/components/schemas/ClaimEvent"});
    let good = json!({"at": "t", "actor": "a", "action": "note", "from_status": null,
                      "to_status": null, "assignee": null, "note": "n"});
    serve_support::validate(&doc, &event, &good, "$");
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("note");
    let mut extra = good.clone();
    extra["secret"] = json!(1);
    let mut wrong = good.clone();
    wrong["action"] = json!("delete");
    for bad in [missing, extra, wrong] {
        let caught = std::panic::catch_unwind(|| serve_support::validate(&doc, &event, &bad, "$"));
        assert!(caught.is_err(), "{bad} passed");
    }
}

/// The row ids of `@handle`'s post and of the web article.
fn post_and_web_article(desk: &Desk, post_id: &str) -> (i64, i64) {
    let store = desk.store();
    let post = store.find_post("x", post_id).unwrap().unwrap();
    let article = store
        .find_article(&desk.web.url("/article.html"))
        .unwrap()
        .unwrap();
    (post, article)
}

const FLOODWATCH: &str = "1721144944059118002";
const ENGINEERS: &str = "1225455484259442699";
const LINK_PARAGRAPH: &str = "As for the rumour that the dam failed, the town says the dam holds and &quot;nobody&quot; should panic.";

#[tokio::test]
async fn post_article_and_capture_pages() {
    let desk = Desk::start();
    let (post, article) = post_and_web_article(&desk, FLOODWATCH);
    let mut b = desk.client();
    // Signed-out visitors are sent to sign in.
    for path in [
        format!("/posts/{post}"),
        format!("/articles/{article}"),
        "/captures/1".to_string(),
        "/captures/1/body".to_string(),
    ] {
        let a = b.get(&path).await;
        assert_eq!(a.status, 303, "{path}");
        assert!(a.header("location").starts_with("/login"), "{path}");
    }
    b.login("viewer").await;

    // The post: its snapshot, both citing articles, the paragraph around
    // the web article's link (the file article's bytes are not kept).
    let p = b.get(&format!("/posts/{post}")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("the water is rising fast"), "{}", p.body);
    assert!(p.body.contains("01-dam.html"), "{}", p.body);
    assert!(p.body.contains(&format!("href=\"/articles/{article}\"")));
    assert!(p.body.contains(LINK_PARAGRAPH), "{}", p.body);
    assert!(p.body.contains("The paragraph around it is not known"));
    let claim = claim_of(&desk, "floodwatch_eu");
    assert!(p.body.contains(&format!("href=\"/claims/{claim}\"")));
    // The claim page shows the same paragraph and links the post.
    let c = b.get(&format!("/claims/{claim}")).await;
    assert!(c.body.contains(LINK_PARAGRAPH), "{}", c.body);
    assert!(c.body.contains(&format!("href=\"/posts/{post}\"")));

    // An embed's paragraph is the article's text just before it.
    let (engineers, _) = post_and_web_article(&desk, ENGINEERS);
    let e = b.get(&format!("/posts/{engineers}")).await;
    assert!(
        e.body.contains(
            "<blockquote class=\"context\">Engineers inspected the wall at dawn.</blockquote>"
        ),
        "{}",
        e.body
    );

    // Media kept by `check --media` are listed with their hashes, on the
    // page and in the API.
    // Text bytes, so the test client's body (a String) holds them exactly.
    let photo = b"photo bytes, as the CDN served them".to_vec();
    let sha_photo = sha256_hex(&photo);
    let mut warc = embarc::capture::warc::WarcWriter::new(&desk.dir());
    let exchange = embarc::fetch::Exchange {
        url: "https://pbs.example/photo.jpg".parse().unwrap(),
        request_headers: Vec::new(),
        status: 200,
        version: "HTTP/1.1".into(),
        headers: vec![("content-type".into(), b"image/jpeg".to_vec())],
        raw_body: photo.clone(),
        truncated: false,
        remote_addr: None,
        date: chrono::Utc::now(),
    };
    let [response, _] = embarc::capture::warc::encode_exchange(&exchange).members;
    let (warc_file, warc_offset) = warc.append(&response).unwrap();
    warc.flush().unwrap();
    drop(warc);
    desk.store()
        .record_media(
            post,
            "2026-12-07T04:00:00.000Z",
            &[
                embarc::store::NewMedia {
                    kind: "photo",
                    url: "https://pbs.example/photo.jpg",
                    named_by: "x_syndication",
                    result: "saved",
                    content_type: Some("image/jpeg"),
                    size: Some(photo.len() as u64),
                    sha256: Some(&sha_photo),
                    warc: Some((&warc_file, warc_offset)),
                    http_status: Some(200),
                    detail: "",
                    max_size: None,
                },
                embarc::store::NewMedia {
                    kind: "video",
                    url: "https://video.example/clip.mp4",
                    named_by: "x_syndication",
                    result: "too_large",
                    content_type: None,
                    size: None,
                    sha256: None,
                    warc: None,
                    http_status: None,
                    detail: "the file is larger than the limit of 25 MiB",
                    max_size: Some(25 << 20),
                },
            ],
        )
        .unwrap();
    let p = b.get(&format!("/posts/{post}")).await;
    assert!(
        p.body.contains("Media kept") && p.body.contains(&sha_photo),
        "{}",
        p.body
    );
    let a = serve_support::api(
        &desk,
        "GET",
        &format!("/posts/{post}"),
        Some(&desk.tokens.viewer),
        None,
    )
    .await;
    assert_eq!(a.json()["media"][0]["sha256"], sha_photo.as_str());
    assert_eq!(a.json()["media"][0]["warc"]["file"], warc_file.as_str());
    // A medium not kept is listed with why, on the page and in the API.
    assert_eq!(a.json()["media_not_kept"][0]["result"], "too_large");
    assert!(
        p.body.contains("Media not kept") && p.body.contains("too large: the file is larger"),
        "{}",
        p.body
    );
    // The kept copy, from its WARC record, shown on the page under a
    // policy that runs and loads nothing.
    let id = a.json()["media"][0]["id"].as_i64().unwrap();
    assert!(
        p.body.contains(&format!("<img src=\"/media/{id}\"")),
        "{}",
        p.body
    );
    let m = b.get(&format!("/media/{id}")).await;
    assert_eq!(m.status, 200);
    assert_eq!(m.header("content-type"), "image/jpeg");
    assert_eq!(
        m.header("content-security-policy"),
        "sandbox; default-src 'none'"
    );
    assert_eq!(sha256_hex(m.body.as_bytes()), sha_photo);
    assert_eq!(b.get("/media/999").await.status, 404);

    // The article: its capture with SHA-256 and WARC location, its posts.
    let bytes = std::fs::read(format!(
        "{}/serve/web-article.html",
        serve_support::FIXTURES
    ))
    .unwrap();
    let sha = sha256_hex(&bytes);
    let a = b.get(&format!("/articles/{article}")).await;
    assert_eq!(a.status, 200);
    assert!(a.body.contains(&sha), "{}", a.body);
    assert!(a.body.contains("warc/"), "{}", a.body);
    assert!(a.body.contains(&format!("href=\"/posts/{post}\"")));
    assert!(a.body.contains(&format!("href=\"/posts/{engineers}\"")));
    let capture: i64 = {
        let at = a.body.find("href=\"/captures/").unwrap() + 16;
        a.body[at..at + a.body[at..].find('"').unwrap()]
            .parse()
            .unwrap()
    };

    // The capture view: a sandboxed iframe on the body's own path.
    let v = b.get(&format!("/captures/{capture}")).await;
    assert_eq!(v.status, 200);
    assert!(
        v.body.contains(&format!(
            "<iframe class=\"capture\" sandbox=\"\" src=\"/captures/{capture}/body\""
        )),
        "{}",
        v.body
    );
    assert!(v.body.contains(&sha));
    // The body as fetched, under a policy that runs nothing and loads nothing.
    let body = b.get(&format!("/captures/{capture}/body")).await;
    assert_eq!(body.status, 200);
    assert_eq!(body.body.as_bytes(), bytes.as_slice());
    assert!(body.header("content-type").starts_with("text/html"));
    let csp = body.header("content-security-policy");
    assert_eq!(csp, embarc::serve::pages::capture::BODY_CSP);
    for needed in ["sandbox", "default-src 'none'", "frame-ancestors 'self'"] {
        assert!(csp.contains(needed), "{csp}");
    }
    assert!(!csp.contains("allow-scripts") && !csp.contains("allow-same-origin"));
    assert_eq!(body.header("x-frame-options"), "SAMEORIGIN");
    assert_eq!(body.header("x-content-type-options"), "nosniff");
    // The application's own pages may frame only themselves.
    assert!(
        v.header("content-security-policy")
            .contains("frame-src 'self'")
    );

    // A file's capture has no body to show; unknown ids are 404 pages.
    let store = desk.store();
    let file_article = store
        .find_article(&embarc::archive::file_url(std::path::Path::new(&format!(
            "{}/queue/01-dam.html",
            serve_support::FIXTURES
        ))))
        .unwrap()
        .unwrap();
    let detail = store.article_view(file_article).unwrap().unwrap();
    let file_capture = detail.captures[0].id;
    let f = b.get(&format!("/captures/{file_capture}")).await;
    assert!(f.body.contains("not kept"), "{}", f.body);
    assert!(!f.body.contains("<iframe"));
    let fb = b.get(&format!("/captures/{file_capture}/body")).await;
    assert_eq!(fb.status, 404);
    assert!(fb.body.contains("read from a file"), "{}", fb.body);
    for path in [
        "/posts/999999",
        "/articles/999999",
        "/captures/999999",
        "/captures/999999/body",
    ] {
        assert_eq!(b.get(path).await.status, 404, "{path}");
    }
    // Nothing above asked the article's site for anything but the article.
    assert_eq!(
        desk.web
            .all_hits()
            .keys()
            .filter(|k| k.starts_with("/live"))
            .count(),
        0
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test]
async fn api_posts_and_articles() {
    let desk = Desk::start();
    let (post, article) = post_and_web_article(&desk, FLOODWATCH);
    let t = desk.tokens.viewer.clone();
    let p = api(&desk, "GET", &format!("/posts/{post}"), Some(&t), None).await;
    assert_eq!(p.status, 200, "{}", p.body);
    let p = p.json();
    assert_eq!(p["post_id"], FLOODWATCH);
    assert_eq!(p["claim"], claim_of(&desk, "floodwatch_eu"));
    let cites = p["citations"].as_array().unwrap();
    // An embed and a copy in two files, and a link in the web article.
    assert_eq!(cites.len(), 3, "{cites:?}");
    let web = cites.iter().find(|c| c["article"] == article).unwrap();
    assert_eq!(web["kind"], "link");
    assert_eq!(web["paragraph"], LINK_PARAGRAPH.replace("&quot;", "\""));
    for file in cites.iter().filter(|c| c["article"] != article) {
        assert!(file["paragraph"].is_null(), "{file}");
    }

    let a = api(
        &desk,
        "GET",
        &format!("/articles/{article}"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = a.json();
    assert_eq!(a["url"], desk.web.url("/article.html"));
    let capture = &a["captures"][0];
    assert_eq!(capture["http_status"], 200);
    assert!(capture["warc_file"].as_str().unwrap().starts_with("warc/"));
    assert_eq!(a["citations"].as_array().unwrap().len(), 2);

    for path in ["/posts/999999", "/articles/999999"] {
        let a = api(&desk, "GET", path, Some(&t), None).await;
        assert_eq!(a.status, 404, "{path}");
        assert!(a.json()["error"].as_str().unwrap().contains("999999"));
    }
    for token in [None, Some(desk.tokens.revoked.as_str())] {
        let a = api(&desk, "GET", &format!("/posts/{post}"), token, None).await;
        assert_eq!(a.status, 401);
    }
    // The viewer token's use is recorded (once a minute at most, after the
    // answer); the tokens never used keep none.
    let used = |name: &str| {
        desk.store()
            .tokens()
            .unwrap()
            .into_iter()
            .find(|t| t.name == name)
            .unwrap()
            .last_used_at
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while used("t-viewer").is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "last_used_at never set"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(used("t-admin"), None);
    assert_eq!(used("t-revoked"), None);
}

#[tokio::test]
async fn search_finds_posts_and_articles_and_follows_the_archive() {
    let desk = Desk::start();
    let (floodwatch, web) = post_and_web_article(&desk, FLOODWATCH);
    let (engineers, _) = post_and_web_article(&desk, ENGINEERS);
    let mut b = desk.client();
    let anon = b.get("/search?q=dam").await;
    assert_eq!(anon.status, 303);
    b.login("viewer").await;
    let hits = |body: &str, path: &str| body.contains(&format!("href=\"{path}\""));
    // By text (every word, in any order), by handle with or without @,
    // by the start of a word, by author name.
    for q in [
        "rising+water",
        "%40floodwatch_eu",
        "floodwatch_eu",
        "floodw",
        "Flood+Watch",
    ] {
        let a = b.get(&format!("/search?q={q}")).await;
        assert_eq!(a.status, 200, "{q}");
        assert!(
            hits(&a.body, &format!("/posts/{floodwatch}")),
            "{q}: {}",
            a.body
        );
        assert!(!hits(&a.body, &format!("/posts/{engineers}")), "{q}");
    }
    let a = b.get("/search?q=inspection+wall").await;
    assert!(hits(&a.body, &format!("/posts/{engineers}")), "{}", a.body);
    assert!(!hits(&a.body, &format!("/posts/{floodwatch}")));
    // Articles by their URL.
    let a = b.get("/search?q=article.html").await;
    assert!(hits(&a.body, &format!("/articles/{web}")), "{}", a.body);
    let a = b.get("/search?q=followup").await;
    assert!(a.body.contains("02-followup.md"), "{}", a.body);
    // Archived text and the query are shown escaped; operators are words.
    let a = b.get("/search?q=%3Cscript%3E+pwned").await;
    assert_eq!(a.status, 200);
    assert!(a.body.contains("prank_desk"), "{}", a.body);
    assert!(!a.body.contains("<script>alert"), "{}", a.body);
    assert!(
        a.body.contains("value=\"&lt;script&gt; pwned\""),
        "{}",
        a.body
    );
    for q in ["NEAR(dam", "text%3A+dam", "%22dam", "dam+OR"] {
        assert_eq!(b.get(&format!("/search?q={q}")).await.status, 200, "{q}");
    }
    let a = b.get("/search?q=%22*%5E").await;
    assert!(a.body.contains("Type a word"), "{}", a.body);
    let a = b.get("/search?q=zzzznothing").await;
    assert!(a.body.contains("No post matches.") && a.body.contains("No article URL matches."));

    // The index follows the archive while the server runs: a new article
    // is found, a removed one is not.
    let extra = desk.tmp.path().join("levee.html");
    std::fs::write(
        &extra,
        "<p>Levee news.</p><blockquote class=\"twitter-tweet\"><p>Sandbags at the levee ran out overnight</p>&mdash; Levee Desk (@levee_desk) <a href=\"https://twitter.com/levee_desk/status/1721144944059118999\">November 5, 2023</a></blockquote>",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = serve_support::embarc()
            .arg("--archive")
            .arg(desk.dir())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["archive", extra.to_str().unwrap()]);
    let a = b.get("/search?q=sandbags").await;
    assert!(a.body.contains("levee_desk"), "{}", a.body);
    assert!(a.body.contains("levee.html") || a.body.contains("Posts <span class=\"n\">1</span>"));
    let a = b.get("/search?q=levee.html").await;
    assert!(a.body.contains("levee.html"), "{}", a.body);
    run(&[
        "article",
        "remove",
        extra.to_str().unwrap(),
        "--by",
        "admin",
    ]);
    let a = b.get("/search?q=sandbags").await;
    assert!(!a.body.contains("levee_desk"), "{}", a.body);
    let a = b.get("/search?q=levee.html").await;
    assert!(a.body.contains("No article URL matches."), "{}", a.body);

    // The API: the same search as JSON.
    let t = desk.tokens.viewer.clone();
    let a = api(&desk, "GET", "/search?q=floodwatch_eu", Some(&t), None).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let page = a.json();
    assert_eq!(page["query"], "floodwatch_eu");
    assert_eq!(page["total_posts"], 1);
    assert_eq!(page["posts"][0]["post"], floodwatch);
    assert_eq!(page["posts"][0]["claim"], claim_of(&desk, "floodwatch_eu"));
    let a = api(&desk, "GET", "/search?q=article&limit=1", Some(&t), None).await;
    assert_eq!(a.json()["articles"][0]["article"], web);
    for bad in [
        "/search",
        "/search?q=%22%22",
        "/search?q=dam&limit=0",
        "/search?q=dam&limit=201",
    ] {
        assert_eq!(
            api(&desk, "GET", bad, Some(&t), None).await.status,
            400,
            "{bad}"
        );
    }
    assert_eq!(
        api(&desk, "GET", "/search?q=dam", None, None).await.status,
        401
    );
}

#[tokio::test]
async fn report_page_draws_charts_from_checks() {
    use embarc::liveness::Outcome;
    use embarc::store::NewCheck;
    let desk = Desk::start();
    let (floodwatch, _) = post_and_web_article(&desk, FLOODWATCH);
    let (engineers, _) = post_and_web_article(&desk, ENGINEERS);
    let store = desk.store();
    for (post, at, outcome) in [
        (floodwatch, "2025-03-02T09:00:00Z", Outcome::Alive),
        (floodwatch, "2025-03-05T09:00:00Z", Outcome::Deleted),
        (engineers, "2025-03-05T09:00:00Z", Outcome::Alive),
    ] {
        let check = NewCheck {
            checked_at: at,
            outcome,
            http_status: Some(200),
            evidence: "fixture",
            endpoint: "fixture",
            archived_url: None,
        };
        store.record_post_check(post, &check, None, &[]).unwrap();
    }
    drop(store);
    let mut b = desk.client();
    assert_eq!(b.get("/report").await.status, 303);
    b.login("viewer").await;
    let r = b.get("/report").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body.matches("<svg").count(), 4, "{}", r.body);
    // One x post gone, one alive; the rest never checked or not checkable.
    let platforms = chart(&r.body, "Posts per platform by state");
    assert_eq!(
        fills(platforms)[STATES..],
        ["#146C2E", "#B3261E", "#C4C7C5", "#E8EAED"],
        "{platforms}"
    );
    assert_eq!(texts(platforms)[STATES..], ["x", "8"], "{platforms}");
    assert!(
        r.body
            .contains("<tr><td>x</td><td>8</td><td>1</td><td>1</td><td>0</td><td>0</td><td>5</td>"),
        "{}",
        r.body
    );
    // Gone four days after it was first seen: each bucket's count, then
    // its name.
    let deaths = chart(&r.body, "Gone posts by time from first seen to gone");
    assert_eq!(
        texts(deaths),
        [
            "0",
            "&lt; 1 day",
            "1",
            "1–7 days",
            "0",
            "1–4 weeks",
            "0",
            "1–3 months",
            "0",
            "3–12 months",
            "0",
            "&gt; 1 year"
        ],
        "{deaths}"
    );
    assert!(
        r.body
            .contains("Median time from first seen to gone: 4.0 days"),
        "{}",
        r.body
    );
    // Sites are named as the archive has them (escaped, as all else).
    assert!(r.body.contains(">file<"), "{}", r.body);
    // Every download the report links answers.
    let links: Vec<String> = r
        .body
        .split("href=\"/export/")
        .skip(1)
        .map(|s| format!("/export/{}", &s[..s.find('"').unwrap()]))
        .collect();
    assert_eq!(links.len(), 10, "{links:?}");
    for link in &links {
        let a = b.get(link).await;
        let expected = if link.contains("claimreview") {
            409
        } else {
            200
        };
        assert_eq!(a.status, expected, "{link}: {}", a.body);
    }
}

/// The legend's entries, one per state, come first in every stacked chart.
const STATES: usize = 6;

/// The SVG of the report's chart named `title`.
fn chart<'a>(page: &'a str, title: &str) -> &'a str {
    let start = page
        .find(&format!("aria-label=\"{title}\""))
        .unwrap_or_else(|| panic!("no chart {title}: {page}"));
    let rest = &page[start..];
    &rest[..rest.find("</svg>").unwrap()]
}

/// The texts of an SVG, in the order drawn.
fn texts(svg: &str) -> Vec<&str> {
    svg.split("<text ")
        .skip(1)
        .map(|t| t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()].trim())
        .collect()
}

/// The fill colours of an SVG's rectangles, in the order drawn.
fn fills(svg: &str) -> Vec<&str> {
    svg.split("<rect ")
        .skip(1)
        .map(|r| {
            r.split("fill=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
        })
        .collect()
}

#[tokio::test]
async fn report_page_escapes_names_from_the_archive() {
    let desk = Desk::start();
    let evil = "<script>alert(1)</script>&\"";
    let db = rusqlite::Connection::open(desk.dir().join("embarc.db")).unwrap();
    db.execute("UPDATE articles SET site = ?1 WHERE site = 'file'", [evil])
        .unwrap();
    drop(db);
    let mut b = desk.client();
    b.login("viewer").await;
    let r = b.get("/report").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.contains("<script>alert"), "{}", r.body);
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;";
    let sites = chart(&r.body, "Posts cited per site by state");
    assert!(texts(sites).contains(&escaped), "{sites}");
    assert!(
        r.body.contains(&format!("<td>{escaped}</td>")),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn export_downloads_keep_their_filters() {
    let desk = Desk::start();
    let (_, web) = post_and_web_article(&desk, FLOODWATCH);
    let mut b = desk.client();
    assert_eq!(b.get("/export/posts.csv").await.status, 303);
    b.login("checker").await;
    let posts = b.get("/export/posts.csv").await;
    assert_eq!(posts.status, 200);
    assert!(posts.header("content-type").starts_with("text/csv"));
    assert!(
        posts
            .header("content-disposition")
            .contains("embarc-posts.csv")
    );
    assert!(posts.body.contains("floodwatch_eu") && posts.body.contains("prank_desk"));
    // One article's citations only.
    let cites = b
        .get(&format!("/export/citations.jsonl?article={web}"))
        .await;
    assert_eq!(cites.header("content-type"), "application/x-ndjson");
    let lines: Vec<serde_json::Value> = cites
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{}", cites.body);
    assert!(
        lines
            .iter()
            .all(|l| l["article_url"] == desk.web.url("/article.html"))
    );
    // The queue with the queue page's filters.
    let open = b.get("/export/queue.json").await;
    let open: serde_json::Value = serde_json::from_str(&open.body).unwrap();
    assert_eq!(open.as_array().unwrap().len(), 4);
    let one = b.get("/export/queue.json?label=JUST+IN&status=all").await;
    let one: serde_json::Value = serde_json::from_str(&one.body).unwrap();
    assert_eq!(one.as_array().unwrap().len(), 1, "{one}");
    assert_eq!(one[0]["post"]["handle"], "cityhall_news");
    let bad = b.get("/export/queue.json?status=maybe").await;
    assert_eq!(bad.status, 400);
    assert_eq!(b.get("/export/queue.xml").await.status, 404);
    assert_eq!(b.get("/export/secrets.csv").await.status, 404);
    // ClaimReview needs the publisher's settings; a decided claim is then
    // a review.
    let cr = b.get("/export/queue.claimreview.json").await;
    assert_eq!(cr.status, 409);
    assert!(cr.body.contains("embarc.toml"), "{}", cr.body);
    std::fs::write(
        desk.dir().join("embarc.toml"),
        "[claimreview]\norganisation_name = \"Desk\"\nurl_base = \"https://desk.example/claims/\"\n",
    )
    .unwrap();
    let id = claim_of(&desk, "floodwatch_eu");
    let t = desk.tokens.checker.clone();
    let set = api(
        &desk,
        "POST",
        &format!("/claims/{id}/status"),
        Some(&t),
        Some(json!({"status": "false", "note": "the dam holds"})),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let cr = b.get("/export/queue.claimreview.json?status=all").await;
    assert_eq!(cr.status, 200, "{}", cr.body);
    let reviews: serde_json::Value = serde_json::from_str(&cr.body).unwrap();
    assert_eq!(reviews.as_array().unwrap().len(), 1, "{reviews}");
    assert_eq!(
        reviews[0]["url"],
        format!("https://desk.example/claims/{id}")
    );
    // The queue page links its downloads with its filters.
    let q = b.get("/queue?label=BREAKING").await;
    assert!(
        q.body
            .contains("href=\"/export/queue.jsonl?label=BREAKING\""),
        "{}",
        q.body
    );
}

#[tokio::test]
async fn a_read_only_desk_reads_everything_signs_in_and_refuses_every_change() {
    let desk = Desk::start_with(&["--read-only"]);
    let id = claim_of(&desk, "floodwatch_eu");
    let before = events(&desk, id);
    let mut b = desk.client();
    // Sign-ins are kept in memory: the archive is not written.
    b.login("checker").await;
    let queue = b.get("/queue").await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert!(queue.body.contains("served read-only"), "{}", queue.body);
    assert!(queue.body.contains("floodwatch_eu"));
    for path in [
        format!("/claims/{id}"),
        "/search?q=flood".to_string(),
        "/report".to_string(),
    ] {
        let page = b.get(&path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
    }
    let csrf = b.csrf().await;
    let a = b
        .post(
            &format!("/claims/{id}/status"),
            &[("csrf", &csrf), ("status", "false"), ("note", "n")],
        )
        .await;
    assert_eq!(a.status, 403, "{}", a.body);
    assert!(a.body.contains("served read-only"), "{}", a.body);

    let t = &desk.tokens;
    let a = api(
        &desk,
        "GET",
        &format!("/claims/{id}"),
        Some(&t.viewer),
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = api(
        &desk,
        "POST",
        &format!("/claims/{id}/notes"),
        Some(&t.checker),
        Some(json!({"note": "seen"})),
    )
    .await;
    assert_eq!(a.status, 403, "{}", a.body);
    assert!(a.json()["error"].as_str().unwrap().contains("read-only"));
    assert_eq!(events(&desk, id), before, "nothing was recorded");
    let out = b.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
    assert_eq!(b.get("/queue").await.status, 303, "signed out");
    assert_eq!(
        desk.store().users().unwrap().len(),
        4,
        "accounts are read from the archive"
    );
}

/// The platforms' endpoints as one local server: every post is asked
/// about and found missing (404), every answer counted.
fn endpoints() -> serve_support::Server {
    serve_support::Server::start(|_| serve_support::Reply::status(404, "text/plain", "Not Found"))
}

#[tokio::test]
async fn serve_runs_the_scheduler_shows_its_jobs_and_counts_it_in_metrics() {
    let platforms = endpoints();
    let feed_host = endpoints();
    let settings = format!(
        "[[watch]]\nfeed = \"{}\"\nevery = \"1h\"\n\n[jobs]\npoll = \"100ms\"\n\n[check]\nretries = 0\n",
        feed_host.url("/feed.xml")
    );
    let desk = Desk::start_scheduling(&platforms.url(""), &settings);
    let t = &desk.tokens;
    // The scheduler checks the archive's posts and reads the feed.
    let mut metrics = String::new();
    for _ in 0..150 {
        let a = request(&desk, "GET", "/metrics", Some(&t.viewer), None).await;
        assert_eq!(a.status, 200, "{}", a.body);
        metrics = a.body;
        if metrics.contains("embarc_checks_total{target=\"post\"")
            && metrics.contains("embarc_watch_failures_total 1")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        metrics.contains("embarc_checks_total{target=\"post\""),
        "{metrics}"
    );
    assert!(
        metrics.contains("embarc_watch_failures_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("embarc_jobs{kind=\"watch\",state=\"total\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("# TYPE embarc_check_duration_seconds histogram"));
    assert!(
        metrics.contains("embarc_claims{status=\"unstarted\"}"),
        "{metrics}"
    );
    assert!(platforms.all_hits().values().sum::<usize>() > 0);
    assert_eq!(feed_host.hits("/feed.xml"), 1);
    assert_eq!(
        request(&desk, "GET", "/metrics", None, None).await.status,
        401
    );

    // The Jobs page: the feed, its failure, and "Run now" for admins only.
    let mut viewer = desk.client();
    viewer.login("viewer").await;
    let page = viewer.get("/jobs").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&feed_host.url("/feed.xml")),
        "{}",
        page.body
    );
    assert!(page.body.contains("HTTP 404"), "{}", page.body);
    assert!(!page.body.contains("Run now"));
    let mut admin = desk.client();
    admin.login("admin").await;
    let page = admin.get("/jobs").await;
    let at = page.body.find("/run\"").expect("a Run now form");
    let id: String = page.body[..at].rsplit("/jobs/").next().unwrap().to_string();
    let csrf = page.csrf();
    let viewer_csrf = viewer.csrf().await;
    let refused = viewer
        .post(&format!("/jobs/{id}/run"), &[("csrf", &viewer_csrf)])
        .await;
    assert_eq!(refused.status, 403);
    let ran = admin
        .post(&format!("/jobs/{id}/run"), &[("csrf", &csrf)])
        .await;
    assert_eq!(ran.status, 303, "{}", ran.body);
    // Due now: the scheduler reads the feed again.
    for _ in 0..100 {
        if feed_host.hits("/feed.xml") >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(feed_host.hits("/feed.xml"), 2);
    let (code, stderr) = desk.signal(libc::SIGTERM);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("embarc: stopped"), "{stderr}");
}

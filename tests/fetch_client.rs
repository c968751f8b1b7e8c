//! The HTTP layer against real servers on 127.0.0.1: redirects, statuses,
//! retries, rate limits, timeouts, size limits, error classes.

mod common;

use common::{Reply, Server};
use embarc::fetch::network::Origin;
use embarc::fetch::{Client, ClientConfig, ErrorClass, Limits, Network, RequestOpts};
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

fn client(per_host: usize) -> Client {
    Client::new(&ClientConfig {
        contact: Some("mailto:tests@example.org".into()),
        connect_timeout: Duration::from_secs(2),
        limits: Limits {
            concurrency: 16,
            per_host,
            min_interval: Duration::ZERO,
        },
        // The servers here listen on 127.0.0.1, an internal address.
        network: Network {
            allow_private: true,
            ..Network::default()
        },
    })
    .unwrap()
}

fn quick() -> RequestOpts {
    RequestOpts {
        timeout: Duration::from_secs(2),
        stall_timeout: Duration::from_millis(500),
        max_body: 1024 * 1024,
        retries: 2,
        retry_base: Duration::from_millis(20),
        ..RequestOpts::default()
    }
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[tokio::test]
async fn a_page_is_fetched_with_our_user_agent() {
    let server = Server::start(|req| {
        let ua = req.headers.get("user-agent").cloned().unwrap_or_default();
        Reply::html(format!("<p>{ua}</p>")).with_header("X-Test", "yes")
    });
    let r = client(2)
        .get(&url(&server.url("/a")), &quick())
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.final_url().as_str(), server.url("/a"));
    assert!(r.hops.is_empty());
    assert_eq!(r.attempts, 1);
    assert_eq!(r.header("x-test"), Some("yes"));
    let body = String::from_utf8(r.body).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        body,
        format!("<p>embarc/{version} (+mailto:tests@example.org)</p>")
    );
}

#[tokio::test]
async fn gzip_is_decoded_and_the_bytes_as_received_are_kept() {
    let page = "<p>compressed article</p>".repeat(100);
    let packed = gzip(page.as_bytes());
    let p = packed.clone();
    let server = Server::start(move |req| {
        assert!(req.headers["accept-encoding"].contains("gzip"));
        Reply::Full {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "text/html".into()),
                ("Content-Encoding".into(), "gzip".into()),
            ],
            body: p.clone(),
            delay: Duration::ZERO,
        }
    });
    let r = client(2)
        .get(&url(&server.url("/gz")), &quick())
        .await
        .unwrap();
    assert_eq!(r.body, page.as_bytes());
    assert_eq!(r.exchange.raw_body, packed);
}

#[tokio::test]
async fn redirects_are_followed_and_each_hop_recorded() {
    let server = Server::start(|req| match req.path.as_str() {
        "/old" => Reply::redirect(301, "/moved"),
        "/moved" => Reply::redirect(302, "final?x=1"),
        "/final?x=1" => Reply::html("<p>here</p>"),
        _ => Reply::status(404, "text/plain", "no"),
    });
    let r = client(2)
        .get(&url(&server.url("/old")), &quick())
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.final_url().as_str(), server.url("/final?x=1"));
    let hops: Vec<(String, u16)> = r
        .hops
        .iter()
        .map(|h| (h.url.to_string(), h.status))
        .collect();
    assert_eq!(
        hops,
        vec![(server.url("/old"), 301), (server.url("/moved"), 302)]
    );
}

#[tokio::test]
async fn redirect_loops_and_chains_over_ten_fail() {
    let server = Server::start(|req| {
        if let Some(n) = req.path.strip_prefix("/chain/") {
            let n: u32 = n.parse().unwrap();
            return Reply::redirect(302, &format!("/chain/{}", n + 1));
        }
        match req.path.as_str() {
            "/a" => Reply::redirect(301, "/b"),
            "/b" => Reply::redirect(301, "/a"),
            _ => Reply::status(404, "text/plain", "no"),
        }
    });
    let c = client(2);
    let e = c.get(&url(&server.url("/a")), &quick()).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Redirect);
    assert!(e.message.contains("loop"), "{}", e.message);
    assert_eq!(e.hops.len(), 1);
    assert_eq!(server.hits("/a"), 1);

    let e = c
        .get(&url(&server.url("/chain/0")), &quick())
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Redirect);
    assert!(e.message.contains("more than 10"), "{}", e.message);
    assert_eq!(e.hops.len(), 10);
    assert_eq!(server.hits("/chain/11"), 0);
}

#[tokio::test]
async fn error_statuses_are_answers_and_5xx_is_retried() {
    let server = Server::start(|req| match req.path.as_str() {
        "/gone" => Reply::status(410, "text/html", "gone"),
        "/missing" => Reply::status(404, "text/html", "missing"),
        "/flaky" if req.seen == 0 => Reply::status(503, "text/html", "busy"),
        "/flaky" => Reply::html("<p>ok now</p>"),
        _ => Reply::status(500, "text/html", "broken"),
    });
    let c = client(2);
    for (path, status) in [("/gone", 410), ("/missing", 404)] {
        let r = c.get(&url(&server.url(path)), &quick()).await.unwrap();
        assert_eq!(r.status(), status);
        assert_eq!(server.hits(path), 1, "{path} is not retried");
    }
    let r = c.get(&url(&server.url("/flaky")), &quick()).await.unwrap();
    assert_eq!((r.status(), r.attempts), (200, 2));
    let r = c.get(&url(&server.url("/broken")), &quick()).await.unwrap();
    assert_eq!((r.status(), r.attempts), (500, 3));
    assert_eq!(server.hits("/broken"), 3, "1 try + 2 retries");
}

#[tokio::test]
async fn retry_after_on_429_is_honoured_and_other_hosts_go_on() {
    let server = Server::start(|req| match req.path.as_str() {
        "/limited" if req.seen == 0 => {
            Reply::status(429, "text/plain", "slow down").with_header("Retry-After", "1")
        }
        _ => Reply::html("<p>ok</p>"),
    });
    let c = Arc::new(client(2));
    let start = Instant::now();
    let c2 = c.clone();
    let limited = url(&server.url("/limited"));
    let task = tokio::spawn(async move { c2.get(&limited, &quick()).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The same server under another host name is another host: not held back.
    let other = url(&format!("http://localhost:{}/other", server.addr.port()));
    let t = Instant::now();
    let r = c.get(&other, &quick()).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(t.elapsed() < Duration::from_millis(500));
    let r = task.await.unwrap().unwrap();
    assert_eq!((r.status(), r.attempts), (200, 2));
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "waited Retry-After"
    );
    assert_eq!(server.hits("/limited"), 2);
}

#[tokio::test]
async fn a_retry_after_longer_than_allowed_gives_the_429_back() {
    let server = Server::start(|_| {
        Reply::status(429, "text/plain", "no").with_header("Retry-After", "3600")
    });
    let t = Instant::now();
    let r = client(2)
        .get(&url(&server.url("/x")), &quick())
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(t.elapsed() < Duration::from_secs(1));
    assert_eq!(server.hits("/x"), 1);
}

#[tokio::test]
async fn a_stall_mid_body_is_cut_off() {
    let server = Server::start(|_| Reply::Stall {
        content_length: 10_000,
        sent: b"<html><body><p>half".to_vec(),
    });
    let opts = RequestOpts {
        retries: 0,
        ..quick()
    };
    let t = Instant::now();
    let e = client(2)
        .get(&url(&server.url("/s")), &opts)
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Stalled, "{e}");
    assert!(
        t.elapsed() < Duration::from_millis(1900),
        "the stall timeout, not the request timeout"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_and_is_retried() {
    let server = Server::start(|_| Reply::Silent);
    let opts = RequestOpts {
        timeout: Duration::from_millis(300),
        retries: 1,
        ..quick()
    };
    let e = client(2)
        .get(&url(&server.url("/s")), &opts)
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Timeout, "{e}");
    assert_eq!(server.hits("/s"), 2);
}

#[tokio::test]
async fn an_endless_body_is_cut_at_the_limit() {
    let server = Server::start(|_| Reply::Endless);
    let t = Instant::now();
    let e = client(2)
        .get(&url(&server.url("/e")), &quick())
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::TooLarge, "{e}");
    let ex = e.exchange.unwrap();
    assert!(ex.truncated);
    assert_eq!(ex.raw_body.len(), 1024 * 1024);
    assert!(t.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_not_read() {
    let server = Server::start(|_| Reply::html(vec![b'a'; 2 * 1024 * 1024]));
    let e = client(2)
        .get(&url(&server.url("/big")), &quick())
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::TooLarge);
    assert!(e.exchange.unwrap().raw_body.is_empty());
}

#[tokio::test]
async fn a_gzip_bomb_is_cut_off_not_inflated() {
    let bomb = gzip(&vec![b' '; 64 * 1024 * 1024]);
    assert!(bomb.len() < 200 * 1024);
    let server = Server::start(move |_| Reply::Full {
        status: 200,
        headers: vec![
            ("Content-Type".into(), "text/html".into()),
            ("Content-Encoding".into(), "gzip".into()),
        ],
        body: bomb.clone(),
        delay: Duration::ZERO,
    });
    let e = client(2)
        .get(&url(&server.url("/bomb")), &quick())
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::TooLarge, "{e}");
    assert!(e.message.contains("decoded"), "{}", e.message);
}

#[tokio::test]
async fn refused_connections_and_bad_tls_are_classified() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let opts = RequestOpts {
        retries: 1,
        ..quick()
    };
    let e = client(2)
        .get(&url(&format!("http://127.0.0.1:{port}/")), &opts)
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Connect, "{e}");
    assert!(e.message.contains(&port.to_string()));

    // A server that answers a TLS handshake with plain HTTP.
    let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = plain.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = plain.accept().await {
            use tokio::io::AsyncWriteExt;
            let _ = s
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
        }
    });
    let e = client(2)
        .get(&url(&format!("https://{addr}/")), &opts)
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Tls, "{e}");
}

#[tokio::test]
async fn per_host_concurrency_is_limited() {
    let server = Server::start_with_threads(2, |_| {
        Reply::html("<p>slow</p>").delayed(Duration::from_millis(150))
    });
    let c = Arc::new(client(1));
    let t = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..4 {
        let c = c.clone();
        let u = url(&server.url(&format!("/p{i}")));
        tasks.push(tokio::spawn(async move { c.get(&u, &quick()).await }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().status(), 200);
    }
    assert!(t.elapsed() >= Duration::from_millis(600), "one at a time");

    let c = Arc::new(client(4));
    let t = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..4 {
        let c = c.clone();
        let u = url(&server.url(&format!("/q{i}")));
        tasks.push(tokio::spawn(async move { c.get(&u, &quick()).await }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().status(), 200);
    }
    assert!(t.elapsed() < Duration::from_millis(550), "four at once");
}

/// A client under the network policy: `allow_private` and the hosts the
/// operator allows, with `names` resolved to 127.0.0.1 (an injected
/// resolver: no name here reaches the system's DNS).
fn guarded(allow_private: bool, allow_hosts: &[&str], names: &[&str]) -> Client {
    let names: Vec<(&str, &str)> = names.iter().map(|n| (*n, "127.0.0.1")).collect();
    under_policy(Network {
        allow_private,
        ..network(&names, allow_hosts)
    })
}

/// The policy with `names` answered from a table (nothing reaches the
/// system's DNS) and `allow_hosts` as the operator would list them.
fn network(names: &[(&str, &str)], allow_hosts: &[&str]) -> Network {
    Network {
        allow_private: false,
        allow_hosts: allow_hosts.iter().map(|h| h.to_string()).collect(),
        hosts: names
            .iter()
            .map(|(n, ip)| (n.to_string(), vec![ip.parse().unwrap()]))
            .collect(),
    }
}

fn under_policy(network: Network) -> Client {
    Client::new(&ClientConfig {
        connect_timeout: Duration::from_secs(2),
        limits: Limits {
            concurrency: 4,
            per_host: 4,
            min_interval: Duration::ZERO,
        },
        network,
        ..ClientConfig::default()
    })
    .unwrap()
}

#[tokio::test]
async fn internal_addresses_are_refused_before_any_request_unless_allowed() {
    let server = Server::start(|_| Reply::html("<p>internal</p>"));
    let port = server.addr.port();
    let strict = guarded(false, &[], &["intranet.example"]);
    for target in [
        server.url("/a"),
        format!("http://2130706433:{port}/a"),
        format!("http://0x7f.0.0.1:{port}/a"),
        format!("http://0177.0.0.1:{port}/a"),
        format!("http://intranet.example:{port}/a"),
    ] {
        let e = strict.get(&url(&target), &quick()).await.unwrap_err();
        assert_eq!(e.class, ErrorClass::Blocked, "{target}: {e}");
        assert!(e.message.contains("a loopback address"), "{e}");
        assert!(e.message.contains("--allow-private"), "{e}");
        assert!(
            e.message.contains("allow_private = true under [network]"),
            "{e}"
        );
    }
    let e = strict
        .get(&url(&format!("http://intranet.example:{port}/a")), &quick())
        .await
        .unwrap_err();
    assert!(
        e.message.contains("intranet.example:") && e.message.contains("it resolves to 127.0.0.1"),
        "{e}"
    );
    assert_eq!(
        server.hits("/a"),
        0,
        "a refused request never reaches the host"
    );

    let open = guarded(true, &[], &["intranet.example"]);
    for target in [
        server.url("/a"),
        format!("http://2130706433:{port}/a"),
        format!("http://intranet.example:{port}/a"),
    ] {
        let r = open.get(&url(&target), &quick()).await.unwrap();
        assert_eq!(r.status(), 200, "{target}");
    }
    assert_eq!(server.hits("/a"), 3);
}

#[tokio::test]
async fn every_redirect_hop_is_checked_even_from_an_allowed_host() {
    let port = std::sync::Arc::new(std::sync::OnceLock::<u16>::new());
    let p = port.clone();
    let server = Server::start(move |req| {
        let port = p.get().copied().unwrap_or_default();
        let to = |host: &str| Reply::redirect(301, &format!("http://{host}:{port}/inner"));
        match req.path.as_str() {
            "/to-literal" => to("127.0.0.1"),
            "/to-decimal" => to("2130706433"),
            "/to-mapped" => to("[::ffff:127.0.0.1]"),
            "/to-name" => to("other.example"),
            "/to-self" => to("news.example"),
            _ => Reply::html("<p>inner</p>"),
        }
    });
    port.set(server.addr.port()).unwrap();
    let client = guarded(false, &["news.example"], &["news.example", "other.example"]);
    let start = |path: &str| url(&format!("http://news.example:{}{path}", server.addr.port()));
    for path in ["/to-literal", "/to-decimal", "/to-mapped", "/to-name"] {
        let e = client.get(&start(path), &quick()).await.unwrap_err();
        assert_eq!(e.class, ErrorClass::Blocked, "{path}: {e}");
        assert_eq!(e.hops.len(), 1, "{path}: the redirect is kept");
        assert_eq!(e.hops[0].status, 301);
        assert!(e.message.contains("after 1 redirect"), "{path}: {e}");
        assert_eq!(server.hits(path), 1);
    }
    assert_eq!(server.hits("/inner"), 0, "no refused hop was asked");
    // Within the allowed host itself, redirects are followed.
    let r = client.get(&start("/to-self"), &quick()).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(server.hits("/inner"), 1);
}

/// A client whose resolver answers `names` from a table; `allow_hosts` as
/// the operator would list them.
fn resolving(names: &[(&str, &str)], allow_hosts: &[&str]) -> Client {
    under_policy(network(names, allow_hosts))
}

fn from(origin: Origin) -> RequestOpts {
    RequestOpts { origin, ..quick() }
}

#[tokio::test]
async fn the_operators_own_urls_go_anywhere_and_lead_within_their_own_network() {
    let port = Arc::new(std::sync::OnceLock::<u16>::new());
    let p = port.clone();
    let server = Server::start(move |req| {
        let port = p.get().copied().unwrap_or_default();
        match req.path.as_str() {
            "/to-name" => Reply::redirect(301, &format!("http://intranet.example:{port}/inner")),
            "/to-self" => Reply::redirect(302, "/inner"),
            _ => Reply::html("<p>inner</p>"),
        }
    });
    port.set(server.addr.port()).unwrap();
    let client = resolving(&[("intranet.example", "127.0.0.1")], &[]);
    // Named by the operator: no flag needed for 127.0.0.1, in any spelling.
    for target in [
        server.url("/a"),
        format!("http://2130706433:{}/a", server.addr.port()),
        format!("http://intranet.example:{}/a", server.addr.port()),
    ] {
        let r = client.get(&url(&target), &from(Origin::Operator)).await;
        assert_eq!(r.unwrap().status(), 200, "{target}");
    }
    // Content served from 127.0.0.1 may point within its own network, on
    // any port.
    for path in ["/to-name", "/to-self"] {
        let r = client
            .get(&url(&server.url(path)), &from(Origin::Operator))
            .await
            .unwrap();
        assert_eq!((r.status(), r.hops.len()), (200, 1), "{path}");
    }
    let r = client
        .get(&url(&server.url("/a")), &from(Origin::Internal))
        .await;
    assert_eq!(r.unwrap().status(), 200);
    // The same URL taken from public content is refused before any request.
    let e = client
        .get(&url(&server.url("/b")), &from(Origin::Public))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Blocked, "{e}");
    assert!(
        e.message
            .contains("and content may not lead inward; pass --allow-private"),
        "{e}"
    );
    assert_eq!(server.hits("/b"), 0);
}

#[tokio::test]
async fn content_of_a_public_host_never_leads_to_loopback_decimal_or_link_local_addresses() {
    let port = Arc::new(std::sync::OnceLock::<u16>::new());
    let p = port.clone();
    let server = Server::start(move |req| {
        let port = p.get().copied().unwrap_or_default();
        match req.path.as_str() {
            "/to-loopback" => Reply::redirect(301, &format!("http://127.0.0.1:{port}/inner")),
            "/to-decimal" => Reply::redirect(301, &format!("http://2130706433:{port}/inner")),
            // Link-local, by name: the injected resolver answers
            // 169.254.169.254, and the refusal comes before any connection.
            "/to-metadata" => Reply::redirect(301, "http://metadata.example/latest/meta-data/"),
            _ => Reply::html("<p>inner</p>"),
        }
    });
    port.set(server.addr.port()).unwrap();
    // news.example stands for a public site: the operator allows reaching
    // it (it is on 127.0.0.1 here), and what it points to is content.
    let client = resolving(
        &[
            ("news.example", "127.0.0.1"),
            ("metadata.example", "169.254.169.254"),
        ],
        &["news.example"],
    );
    let start = |path: &str| url(&format!("http://news.example:{}{path}", server.addr.port()));
    for (path, why) in [
        ("/to-loopback", "127.0.0.1 is a loopback address"),
        ("/to-decimal", "127.0.0.1 is a loopback address"),
        (
            "/to-metadata",
            "it resolves to 169.254.169.254, a link-local address",
        ),
    ] {
        let e = client
            .get(&start(path), &from(Origin::Operator))
            .await
            .unwrap_err();
        assert_eq!(e.class, ErrorClass::Blocked, "{path}: {e}");
        assert!(e.message.contains(why), "{path}: {e}");
        assert!(e.message.contains("after 1 redirect"), "{path}: {e}");
        assert_eq!(e.hops.len(), 1, "{path}: the redirect is kept");
    }
    assert_eq!(server.hits("/inner"), 0);
}

//! The library's network entry points are `async fn`s that run on the
//! caller's runtime (a server's, a scheduler's), never starting their own:
//! called from inside a tokio runtime they work instead of panicking, and
//! their futures can be spawned (`Send`). A shared store's readers do not
//! wait for its writer.

mod common;

use common::{Reply, Server};
use embarc::archive::web::{self, Input, Progress};
use embarc::archive::{Options as LocalOptions, Summary};
use embarc::check::{self, Settings};
use embarc::config::Config;
use embarc::fetch::{ClientConfig, Limits, Network, RequestOpts};
use embarc::store::Store;
use std::sync::Arc;
use std::time::Duration;

fn web_options(store: &Store) -> web::Options {
    web::Options {
        client: ClientConfig {
            limits: Limits {
                concurrency: 4,
                per_host: 4,
                min_interval: Duration::ZERO,
            },
            network: Network {
                allow_private: true,
                ..Network::default()
            },
            ..ClientConfig::default()
        },
        request: RequestOpts::default(),
        ignore_robots: true,
        refetch: false,
        max_age: None,
        now: store.clock(),
        jobs: 2,
        labels: LocalOptions::default().labels,
        max_source_urls: 1000,
        stop: None,
    }
}

const PAGE: &str = r#"<html><body><p>Story</p>
<blockquote class="twitter-tweet"><p lang="en">BREAKING: roads reopen</p>&mdash; City Desk (@citydesk)
<a href="https://twitter.com/citydesk/status/1214387633146564608">January 7, 2020</a></blockquote>
</body></html>"#;

#[tokio::test]
async fn web_archiving_runs_on_the_callers_runtime() {
    let server = Server::start(|_| Reply::html(PAGE));
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("embarc.db")).unwrap();
    let opts = web_options(&store);
    let mut summary = Summary::default();
    let progress: web::OnProgress = Arc::new(|_: Progress| {});
    let inputs = vec![
        Input::Url(server.url("/story/1")),
        Input::Url("not a url".into()),
    ];
    web::run(&store, dir.path(), inputs, &opts, &mut summary, progress)
        .await
        .unwrap();
    assert_eq!(summary.inputs, 2);
    assert_eq!(summary.fetched, 1);
    assert_eq!(summary.new_claims, 1);
    assert_eq!(summary.failures.len(), 1, "{:?}", summary.failures);
    assert_eq!(store.status().unwrap().tables["articles"], 1);
}

#[tokio::test]
async fn checking_runs_on_the_callers_runtime() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("embarc.db")).unwrap();
    let settings = Settings::resolve(&Config::default(), &|_| None).unwrap();
    let opts = check::Options {
        posts: true,
        articles: true,
        platform: None,
        select: check::Select::Stale(Duration::ZERO),
        lanes: true,
        stop: None,
        limit: None,
    };
    let summary = check::run(&store, &settings, &opts, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(summary, check::Summary::default());
}

#[test]
fn entry_points_can_be_spawned_and_the_store_shared() {
    fn spawnable<T: Send + 'static>(_: &T) {}
    fn shared<T: Send + Sync + Clone + 'static>() {}
    shared::<Store>();
    let store = Store::open_in_memory().unwrap();
    let settings = Settings::resolve(&Config::default(), &|_| None).unwrap();
    let opts = check::Options {
        posts: true,
        articles: false,
        platform: None,
        select: check::Select::Stale(Duration::ZERO),
        lanes: true,
        stop: None,
        limit: None,
    };
    let web_opts = web_options(&store);
    // Owned arguments moved into the future, as a server's task would.
    let checking = async move {
        let mut quiet = |_: &check::Checked| {};
        check::run(&store, &settings, &opts, &mut quiet)
            .await
            .map(|_| ())
    };
    spawnable(&checking);
    let dir = std::env::temp_dir();
    let store = Store::open_in_memory().unwrap();
    let archiving = async move {
        let mut summary = Summary::default();
        web::run(
            &store,
            &dir,
            vec![],
            &web_opts,
            &mut summary,
            Arc::new(|_| {}),
        )
        .await
    };
    spawnable(&archiving);
}

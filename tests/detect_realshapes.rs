//! Embed shapes found missing in a held-out test on real pages nobody had
//! tuned for (issue 10): fixtures written here reproduce each class.

use embarc::detect::{Citation, DocKind, Hints, Kind, Platform, detect};

fn html(body: &str) -> Vec<Citation> {
    let page = format!(
        "<!doctype html><html><head><title>t</title></head><body><article><p>Text.</p>{body}</article></body></html>"
    );
    detect(
        page.as_bytes(),
        &Hints {
            kind: Some(DocKind::Html),
            charset: None,
        },
    )
    .citations
}

fn ids(found: &[Citation]) -> Vec<(Platform, Kind, String)> {
    found
        .iter()
        .map(|c| (c.platform, c.kind, c.post_id.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn lazy_iframes_whose_src_is_a_placeholder() {
    for src in [
        "https://news.example/wp-content/plugins/lazy/blank.gif",
        "./Saved_files/frame.html",
        "about:blank",
        "",
    ] {
        let found = html(&format!(
            "<iframe src=\"{src}\" data-lazy-src=\"https://www.youtube.com/embed/AbCdEfGhIjK\"></iframe>\
             <iframe src=\"{src}\" data-src=\"https://www.youtube-nocookie.com/embed/ZyXwVuTsRqP?rel=0\"></iframe>"
        ));
        assert_eq!(
            ids(&found),
            vec![
                (Platform::YouTube, Kind::Embed, "AbCdEfGhIjK".into()),
                (Platform::YouTube, Kind::Embed, "ZyXwVuTsRqP".into()),
            ],
            "src={src:?}"
        );
    }
    // After the loader ran (a saved page): both name the same frame, once.
    let found = html(
        "<iframe src=\"https://www.youtube.com/embed/AbCdEfGhIjK\" \
         data-lazy-src=\"https://www.youtube.com/embed/AbCdEfGhIjK\"></iframe>",
    );
    assert_eq!(found.len(), 1);
    // A lazy attribute that is not a URL does not hide a real src.
    let found = html(
        "<iframe src=\"https://www.youtube.com/embed/AbCdEfGhIjK\" data-src=\"true\"></iframe>",
    );
    assert_eq!(
        ids(&found),
        vec![(Platform::YouTube, Kind::Embed, "AbCdEfGhIjK".into())]
    );
}

#[test]
fn gutenberg_figures_of_the_x_provider() {
    for class in [
        "wp-block-embed is-type-rich is-provider-x wp-block-embed-x",
        "wp-block-embed is-provider-x",
        "wp-block-embed-x",
    ] {
        let found = html(&format!(
            "<figure class=\"{class}\"><div class=\"wp-block-embed__wrapper\">\n\
             https://twitter.com/example_user/status/1900000000000000001\n</div></figure>"
        ));
        assert_eq!(
            ids(&found),
            vec![(Platform::X, Kind::Embed, "1900000000000000001".into())],
            "{class}"
        );
    }
}

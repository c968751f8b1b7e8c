//! Posts copied into plain text and Markdown (docs/platforms.md §1.4): where the
//! post starts, tails in every variant, links in text. Layouts written for
//! these tests; the seed article is checked end to end in `cli_archive.rs`.

use embarc::detect::{Citation, DocKind, Hints, Kind, Platform, detect};

fn text(doc: &str) -> Vec<Citation> {
    detect(
        doc.as_bytes(),
        &Hints {
            kind: Some(DocKind::Text),
            charset: None,
        },
    )
    .citations
}

const PROSE: &str = "The council met on Tuesday evening to discuss the budget, and the debate ran long past midnight as members argued over every line of the transport plan, the housing fund and the proposal to close two libraries, which drew a crowd of residents who had come to speak against it and who stayed until the vote.";

#[test]
fn seed_layout_long_prose_lines_around_a_short_post() {
    let doc = format!(
        "{PROSE}\nAt least 11,000 troops have been deployed.\nFootage shows them marching. pic.twitter.com/b45jhgWgOH\n— Anonymous (@YourAnonCentral) October 18, 2024\n{PROSE}\n"
    );
    let found = text(&doc);
    assert_eq!(found.len(), 1);
    let c = &found[0];
    assert_eq!(c.kind, Kind::Text);
    assert_eq!(c.platform, Platform::X);
    assert_eq!(c.post_id, None);
    assert_eq!(c.handle.as_deref(), Some("YourAnonCentral"));
    assert_eq!(c.author_name.as_deref(), Some("Anonymous"));
    assert_eq!(c.display_date.as_deref(), Some("October 18, 2024"));
    assert_eq!(c.date.unwrap().to_string(), "2024-10-18");
    assert_eq!(
        c.text.as_deref(),
        Some(
            "At least 11,000 troops have been deployed.\nFootage shows them marching. pic.twitter.com/b45jhgWgOH"
        )
    );
    assert_eq!(c.media, ["pic.twitter.com/b45jhgWgOH"]);
}

#[test]
fn blank_lines_bound_the_post_even_when_prose_is_short() {
    let doc = "Here is what she wrote.\n\nWe will rebuild the bridge by spring.\n— Mayor Jo (@mayorjo) March 3, 2023\n\nShort prose after.";
    let c = &text(doc)[0];
    assert_eq!(
        c.text.as_deref(),
        Some("We will rebuild the bridge by spring.")
    );
}

#[test]
fn tail_on_the_same_line_as_the_text() {
    let doc = format!(
        "{PROSE}\nI am now the proud owner of a fiat currency. — Some Founder (@founder) March 24, 2021\n"
    );
    let c = &text(&doc)[0];
    assert_eq!(
        c.text.as_deref(),
        Some("I am now the proud owner of a fiat currency.")
    );
    assert_eq!(c.handle.as_deref(), Some("founder"));
    assert_eq!(c.date.unwrap().to_string(), "2021-03-24");
}

#[test]
fn tail_followed_by_unrelated_text_on_the_same_line() {
    let doc = format!(
        "{PROSE}\nRoads are closed.\n— City Desk (@citydesk) 6 February 2020 The council then voted to reopen them.\n"
    );
    let found = text(&doc);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].display_date.as_deref(), Some("6 February 2020"));
    assert_eq!(found[0].text.as_deref(), Some("Roads are closed."));
}

#[test]
fn markdown_quote_with_a_status_link_gives_an_identified_post() {
    let doc = "Intro paragraph that is short.\n\n> Polls close at eight tonight.\n> Bring ID.\n>\n> — Election Office (@elections) [March 14, 2024](https://twitter.com/elections/status/1768000000000000000?s=20)\n\nMore prose.";
    let found = text(doc);
    assert_eq!(
        found.len(),
        1,
        "the status link belongs to the tail: {found:#?}"
    );
    let c = &found[0];
    assert_eq!(c.kind, Kind::Text);
    assert_eq!(c.post_id.as_deref(), Some("1768000000000000000"));
    assert_eq!(
        c.text.as_deref(),
        Some("Polls close at eight tonight.\nBring ID.")
    );
    assert_eq!(c.display_date.as_deref(), Some("March 14, 2024"));
}

#[test]
fn bare_status_link_after_the_date_belongs_to_the_tail() {
    let doc = "Short line.\n\nWater is safe to drink again.\n— Utility (@utility) May 2, 2022 https://x.com/utility/status/1521000000000000000\n";
    let found = text(doc);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].post_id.as_deref(), Some("1521000000000000000"));
}

#[test]
fn bluesky_tail_with_a_time() {
    let doc = format!(
        "{PROSE}\nThe results are in and they are close.\n— Dana Reporter (@dana.bsky.social) November 25, 2024 at 7:49 AM\n"
    );
    let c = &text(&doc)[0];
    assert_eq!(c.platform, Platform::Bluesky);
    assert_eq!(c.handle.as_deref(), Some("dana.bsky.social"));
    assert_eq!(c.date.unwrap().to_string(), "2024-11-25");
    assert_eq!(
        c.text.as_deref(),
        Some("The results are in and they are close.")
    );
}

#[test]
fn two_posts_back_to_back_do_not_swallow_each_other() {
    let doc = format!(
        "{PROSE}\nFirst post text.\n— One (@one) January 1, 2024\nSecond post text.\n— Two (@two) January 2, 2024\n{PROSE}"
    );
    let found = text(&doc);
    let got: Vec<_> = found
        .iter()
        .map(|c| (c.handle.clone().unwrap(), c.text.clone().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("one".to_string(), "First post text.".to_string()),
            ("two".to_string(), "Second post text.".to_string())
        ]
    );
}

#[test]
fn a_post_longer_than_the_limit_is_cut_at_the_budget_not_into_prose() {
    // Each line is a plausible post line; together they exceed 280.
    let line = "This sentence is exactly long enough to matter for the budget test.";
    let doc = format!("{line}\n{line}\n{line}\n{line}\n{line}\n— Long (@long) June 1, 2023\n");
    let c = &text(&doc)[0];
    let t = c.text.as_deref().unwrap();
    assert!(t.chars().count() <= 280, "{t}");
    assert_eq!(t.lines().count(), 4);
}

#[test]
fn non_english_display_dates_in_tails() {
    for (date, day) in [
        ("25. September 2018", "2018-09-25"),
        ("6 de febrero de 2020", "2020-02-06"),
        ("6 février 2020", "2020-02-06"),
        ("16 мая 2018 г.", "2018-05-16"),
        ("2016年5月28日", "2016-05-28"),
        ("6 febbraio 2020", "2020-02-06"),
        ("6 de fevereiro de 2020", "2020-02-06"),
        ("6 februari 2020", "2020-02-06"),
    ] {
        let doc = format!("Text of the post.\n— N (@n) {date}\n");
        let found = text(&doc);
        assert_eq!(found.len(), 1, "{date}");
        assert_eq!(found[0].date.unwrap().to_string(), day, "{date}");
        assert_eq!(found[0].display_date.as_deref(), Some(date));
    }
}

#[test]
fn mentions_and_prose_dashes_are_not_tails() {
    let doc = "Thanks to the team (@helpers) for the work.\n— and then (@someone) said nothing at all.\nA dash — (@x) without a date.";
    assert!(text(doc).is_empty(), "{:#?}", text(doc));
}

#[test]
fn links_in_text_and_markdown_are_link_citations() {
    let doc = "See https://x.com/a/status/1225455484259442691, and [this post](https://twitter.com/b/status/1581661660728950784?s=46&t=abc).\nNot a post: https://twitter.com/a and https://example.com/status/1.";
    let found = text(doc);
    let got: Vec<_> = found
        .iter()
        .map(|c| (c.kind, c.post_id.clone().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            (Kind::Link, "1225455484259442691".to_string()),
            (Kind::Link, "1581661660728950784".to_string())
        ]
    );
}

#[test]
fn breaking_label_on_a_copied_post() {
    let doc =
        format!("{PROSE}\nBREAKING:\nThe bridge is closed.\n— Desk (@desk) October 22, 2024\n");
    assert_eq!(text(&doc)[0].labels, ["BREAKING"]);
}

#[test]
fn status_link_alone_on_the_line_after_the_tail_belongs_to_it() {
    let doc = format!(
        "{PROSE}\nRoads into the centre are closed until noon.\n— Metro Police (@MetroPolice) 8 March 2024\nhttps://twitter.com/MetroPolice/status/1766000000000000001\n{PROSE}\n"
    );
    let found = text(&doc);
    assert_eq!(
        found.len(),
        1,
        "one identified copy, not a copy and a link: {found:#?}"
    );
    assert_eq!(found[0].kind, Kind::Text);
    assert_eq!(found[0].post_id.as_deref(), Some("1766000000000000001"));
    assert_eq!(
        found[0].text.as_deref(),
        Some("Roads into the centre are closed until noon.")
    );
}

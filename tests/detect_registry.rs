//! Every platform's description (`Platform::spec`) proves itself: its
//! example URL parses to one of its posts, its example embed is detected as
//! an embed of that post, one of its own prefilter markers is in that embed,
//! and `check` has a probe with endpoints for it. A platform added to the
//! list without any of these fails here (or does not compile).

use embarc::detect::{DocKind, Hints, Kind, Platform, detect, prefilter, urls};

fn page(body: &str) -> String {
    format!(
        "<!doctype html><html><head><title>t</title></head><body><article>\
         <p>The council met on Tuesday.</p>{body}<p>More reporting follows.</p>\
         </article></body></html>"
    )
}

#[test]
fn every_platform_has_a_url_an_embed_a_marker_and_a_probe() {
    for p in Platform::ALL {
        let spec = p.spec();
        assert_eq!(spec.platform, p);

        let parsed = urls::parse_post_url(spec.example_url)
            .unwrap_or_else(|| panic!("{p}: example URL does not parse"));
        assert_eq!(parsed.platform, p, "{p}: example URL");
        let id = parsed.post_id.clone().expect("an example URL names a post");

        let doc = page(spec.example_embed);
        let found = detect(
            doc.as_bytes(),
            &Hints {
                kind: Some(DocKind::Html),
                charset: None,
            },
        );
        assert!(!found.prefiltered, "{p}: the prefilter rejects its embed");
        let embeds: Vec<_> = found
            .citations
            .iter()
            .filter(|c| c.kind == Kind::Embed)
            .collect();
        assert_eq!(embeds.len(), 1, "{p}: {:#?}", found.citations);
        assert_eq!(embeds[0].platform, p);
        assert!(embeds[0].post_id.is_some(), "{p}: embed without an id");
        if p != Platform::Bluesky {
            // (Bluesky's embed names the post by DID, its URL by handle.)
            assert_eq!(embeds[0].post_id.as_deref(), Some(id.as_str()), "{p}");
        }

        let lower = spec.example_embed.to_ascii_lowercase();
        let own = spec
            .markers
            .iter()
            .find(|m| lower.contains(&m.to_ascii_lowercase()))
            .unwrap_or_else(|| panic!("{p}: none of its markers is in its embed"));
        assert!(
            prefilter::may_cite(own.as_bytes()),
            "{p}: {own} not a marker"
        );
        assert!(prefilter::MARKERS.contains(own));

        assert!(
            !embarc::check::endpoints(p).is_empty(),
            "{p}: no probe endpoints in check"
        );
    }
}

#[test]
fn each_host_belongs_to_one_platform() {
    let mut seen: Vec<(&str, Platform)> = Vec::new();
    for p in Platform::ALL {
        for h in p.spec().hosts {
            if let Some((_, other)) = seen.iter().find(|(s, _)| s == h) {
                panic!("{h} is both {other}'s and {p}'s");
            }
            seen.push((h, p));
        }
    }
    // Only the fediverse takes any host.
    let anywhere: Vec<Platform> = Platform::ALL
        .into_iter()
        .filter(|p| p.spec().hosts.is_empty())
        .collect();
    assert_eq!(anywhere, [Platform::Mastodon]);
}

//! Localized captions of Instagram and Facebook fallback markup (issue 10
//! item 5): author, handle and date read in every language the date parser
//! knows. The fixtures are written here in the shapes the embed codes take
//! (Instagram's "shared by" paragraph, with or without a `<time>`; Facebook's
//! "Posted by" line with the date as a link or as text), in the styles of
//! several CMSs.

use chrono::NaiveDate;
use embarc::detect::{Citation, DocKind, Hints, Kind, Platform, detect};

fn one(lang: &str, body: &str) -> Citation {
    let page = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>t</title></head>\
         <body><article><p>Intro.</p>{body}<p>After.</p></article></body></html>"
    );
    let found = detect(
        page.as_bytes(),
        &Hints {
            kind: Some(DocKind::Html),
            charset: None,
        },
    )
    .citations;
    assert_eq!(found.len(), 1, "expected one citation, got {found:#?}");
    let c = found.into_iter().next().unwrap();
    assert_eq!(c.kind, Kind::Embed, "{c:#?}");
    c
}

fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Instagram's blockquote as the embed code writes it (version 14: the
/// caption line names the author and handle; older versions add the date
/// as text or in a `<time>`).
fn instagram(shared_line: &str) -> String {
    format!(
        "<blockquote class=\"instagram-media\" data-instgrm-captioned \
         data-instgrm-permalink=\"https://www.instagram.com/p/CxYz12AbCdE/?utm_source=ig_embed&amp;utm_campaign=loading\" \
         data-instgrm-version=\"14\"><div><a href=\"https://www.instagram.com/p/CxYz12AbCdE/?utm_source=ig_embed\" \
         target=\"_blank\">View this post on Instagram</a></div>\
         <p><a href=\"https://www.instagram.com/p/CxYz12AbCdE/\">{shared_line}</a></p></blockquote>"
    )
}

#[test]
fn instagram_shared_by_in_every_language() {
    let cases = [
        ("en", "A post shared by Clara Vidal (@clara.vidal)"),
        ("de", "Ein Beitrag geteilt von Clara Vidal (@clara.vidal)"),
        (
            "fr",
            "Une publication partagée par Clara Vidal (@clara.vidal)",
        ),
        (
            "es",
            "Una publicación compartida de Clara Vidal (@clara.vidal)",
        ),
        (
            "es",
            "Una publicación compartida por Clara Vidal (@clara.vidal)",
        ),
        ("it", "Un post condiviso da Clara Vidal (@clara.vidal)"),
        (
            "pt",
            "Uma publicação compartilhada por Clara Vidal (@clara.vidal)",
        ),
        (
            "pt",
            "Uma publicação partilhada por Clara Vidal (@clara.vidal)",
        ),
        ("nl", "Een bericht gedeeld door Clara Vidal (@clara.vidal)"),
        ("ru", "Публикация от Clara Vidal (@clara.vidal)"),
    ];
    for (lang, line) in cases {
        let c = one(lang, &instagram(line));
        assert_eq!(c.platform, Platform::Instagram);
        assert_eq!(c.post_id.as_deref(), Some("CxYz12AbCdE"), "{line}");
        assert_eq!(c.handle.as_deref(), Some("clara.vidal"), "{line}");
        assert_eq!(c.author_name.as_deref(), Some("Clara Vidal"), "{line}");
    }
}

#[test]
fn instagram_dates_written_as_text_in_every_language() {
    let cases = [
        (
            "en",
            "A post shared by Clara Vidal (@clara.vidal) on Feb 17, 2017 at 11:11am PST",
        ),
        (
            "de",
            "Ein Beitrag geteilt von Clara Vidal (@clara.vidal) am 17. Feb 2017 um 11:11 PST",
        ),
        (
            "fr",
            "Une publication partagée par Clara Vidal (@clara.vidal) le 17 févr. 2017 à 11:11 PST",
        ),
        (
            "es",
            "Una publicación compartida de Clara Vidal (@clara.vidal) el 17 de feb de 2017 a las 11:11 PST",
        ),
        (
            "it",
            "Un post condiviso da Clara Vidal (@clara.vidal) in data: 17 Feb 2017 alle ore 11:11 PST",
        ),
        (
            "pt",
            "Uma publicação compartilhada por Clara Vidal (@clara.vidal) em 17 de Fev, 2017 às 11:11 PST",
        ),
        (
            "nl",
            "Een bericht gedeeld door Clara Vidal (@clara.vidal) op 17 feb 2017 om 11:11 PST",
        ),
    ];
    for (lang, line) in cases {
        let c = one(lang, &instagram(line));
        assert_eq!(c.handle.as_deref(), Some("clara.vidal"), "{line}");
        assert_eq!(c.author_name.as_deref(), Some("Clara Vidal"), "{line}");
        assert_eq!(c.date, day(2017, 2, 17), "{line}: {c:#?}");
        assert!(
            c.display_date.as_deref().is_some_and(|d| d.contains("17")),
            "{line}: {c:#?}"
        );
    }
}

#[test]
fn instagram_time_element_wins_over_the_words() {
    let line = "Ein Beitrag geteilt von <a href=\"https://www.instagram.com/clara.vidal/\">Clara Vidal</a> \
                (@clara.vidal) am <time style=\"x\" datetime=\"2017-02-17T19:11:24+00:00\">17. Feb 2017 um 11:11 PST</time>";
    let block = format!(
        "<blockquote class=\"instagram-media\" data-instgrm-permalink=\"https://www.instagram.com/p/CxYz12AbCdE/\" \
         data-instgrm-version=\"7\"><div><p><a href=\"https://www.instagram.com/p/CxYz12AbCdE/\">Sonne am See</a></p>\
         <p>{line}</p></div></blockquote>"
    );
    let c = one("de", &block);
    assert_eq!(c.author_name.as_deref(), Some("Clara Vidal"));
    assert_eq!(c.handle.as_deref(), Some("clara.vidal"));
    assert_eq!(c.text.as_deref(), Some("Sonne am See"));
    assert_eq!(c.display_date.as_deref(), Some("17. Feb 2017 um 11:11 PST"));
    assert_eq!(c.date, day(2017, 2, 17));
}

/// Facebook's plugin div with its fallback blockquote: the text, then the
/// "Posted by" line in `lang` with the page linked and the date linked to
/// the post.
fn facebook(posted_by: &str, page: &str, date: &str, linked: bool) -> String {
    let post = "https://www.facebook.com/VilleDeLyon/posts/pfbid02AbCdEf123";
    let date = if linked {
        format!("<a href=\"{post}\">{date}</a>")
    } else {
        date.to_string()
    };
    let (by, on) = posted_by.split_once('|').unwrap();
    format!(
        "<div class=\"fb-post\" data-href=\"{post}\" data-width=\"500\" data-show-text=\"true\">\
         <blockquote cite=\"{post}\" class=\"fb-xfbml-parse-ignore\"><p>Le pont sera fermé demain.</p>\
         {by} <a href=\"https://www.facebook.com/VilleDeLyon\">{page}</a>{on}{date}</blockquote></div>"
    )
}

#[test]
fn facebook_posted_by_in_every_language() {
    let cases = [
        ("en", "Posted by| on ", "Monday, February 7, 2022"),
        ("de", "Gepostet von| am ", "Montag, 7. Februar 2022"),
        ("fr", "Publiée par| sur ", "lundi 7 février 2022"),
        ("es", "Publicado por| en ", "lunes, 7 de febrero de 2022"),
        ("it", "Pubblicato da| su ", "lunedì 7 febbraio 2022"),
        (
            "pt",
            "Publicado por| em ",
            "segunda-feira, 7 de fevereiro de 2022",
        ),
        ("nl", "Geplaatst door| op ", "maandag 7 februari 2022"),
    ];
    for linked in [true, false] {
        for (lang, words, date) in cases {
            let c = one(lang, &facebook(words, "Ville de Lyon", date, linked));
            assert_eq!(c.platform, Platform::Facebook);
            assert_eq!(c.author_name.as_deref(), Some("Ville de Lyon"), "{lang}");
            assert_eq!(
                c.display_date.as_deref(),
                Some(date),
                "{lang} linked={linked}"
            );
            assert_eq!(c.date, day(2022, 2, 7), "{lang} linked={linked}: {c:#?}");
            assert_eq!(
                c.text.as_deref(),
                Some("Le pont sera fermé demain."),
                "{lang} linked={linked}"
            );
        }
    }
}

#[test]
fn facebook_posted_by_without_a_page_link() {
    // A CMS that strips links from the fallback keeps the words only.
    let post = "https://www.facebook.com/VilleDeLyon/posts/pfbid02AbCdEf123";
    let cases = [
        ("en", "Posted by Ville de Lyon on Monday, February 7, 2022"),
        ("fr", "Publiée par Ville de Lyon sur lundi 7 février 2022"),
        (
            "de",
            "Gepostet von Ville de Lyon am Montag, 7. Februar 2022",
        ),
        (
            "es",
            "Publicado por Ville de Lyon en lunes, 7 de febrero de 2022",
        ),
    ];
    for (lang, line) in cases {
        let block = format!(
            "<div class=\"fb-post\" data-href=\"{post}\"><blockquote cite=\"{post}\" \
             class=\"fb-xfbml-parse-ignore\"><p>Le pont sera fermé demain.</p>{line}</blockquote></div>"
        );
        let c = one(lang, &block);
        assert_eq!(
            c.author_name.as_deref(),
            Some("Ville de Lyon"),
            "{lang}: {c:#?}"
        );
        assert_eq!(c.date, day(2022, 2, 7), "{lang}: {c:#?}");
        assert_eq!(
            c.text.as_deref(),
            Some("Le pont sera fermé demain."),
            "{lang}: {c:#?}"
        );
    }
}

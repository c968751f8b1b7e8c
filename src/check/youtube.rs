//! YouTube (docs/platforms.md §5): the video's thumbnail. oEmbed's status codes
//! are inconsistent; a thumbnail answering 404 is the reliable gone signal
//! (asked twice before it counts). Nothing is kept: it is an image.

use super::ask::{Answer, Rung, Signal, alone, answered, ask_twice, unexpected, url_on};
use super::checker::{Checker, PostRef, base};
use super::media::{Kind, Named};
use super::outcome::{Outcome, Verdict};
use super::settings::Spec;

pub(super) const THUMB_API: Spec = Spec {
    name: "youtube_thumb",
    env: Some("EMBARC_YOUTUBE_THUMB_URL"),
    default_url: Some("https://img.youtube.com"),
    default_rate: "5/s",
    accept: "image/*",
    keep: true,
};
pub(super) const ENDPOINTS: &[Spec] = &[THUMB_API];
const THUMB: &str = THUMB_API.name;

pub async fn probe(c: &Checker, t: &PostRef) -> Verdict {
    let (thumb, base) = match base(c, &THUMB_API, "YouTube") {
        Ok(found) => found,
        Err(verdict) => return *verdict,
    };
    let url = url_on(base, &format!("/vi/{}/0.jpg", t.id), &[]);
    let rung = ask_twice(|| async { read(&thumb.get(&url).await) }).await;
    alone(rung, Outcome::NotFound)
}

fn read(answer: &Answer) -> Rung {
    let r = match answered(THUMB, answer) {
        Ok(r) => r,
        Err(rung) => return *rung,
    };
    match r.status() {
        200 => Rung::new(THUMB, Some(200), Signal::Alive(None), "200 thumbnail"),
        404 => Rung::new(THUMB, Some(404), Signal::NotFound, "404 no thumbnail"),
        _ => unexpected(THUMB, r, "unexpected status"),
    }
}

/// The video's thumbnail at the size embeds show (`hqdefault`, 480×360),
/// on the thumbnail server the probe asks.
pub(super) fn media(c: &Checker, t: &PostRef) -> Vec<Named> {
    match c.endpoint(&THUMB_API).and_then(|e| e.base()) {
        Some(base) => vec![Named::one(
            Kind::Thumbnail,
            url_on(base, &format!("/vi/{}/hqdefault.jpg", t.id), &[]).as_str(),
        )],
        None => Vec::new(),
    }
}

//! YouTube (docs/platforms.md §5): the video's thumbnail. oEmbed's status codes
//! are inconsistent; a thumbnail answering 404 is the reliable gone signal
//! (asked twice before it counts). Nothing is kept: it is an image.

use super::ask::{Answer, Rung, Signal, alone, answered, ask_twice, unexpected, url_on};
use super::checker::{Checker, unsupported};
use super::outcome::{Outcome, Verdict};
use crate::store::PostTarget;

const THUMB: &str = "youtube_thumb";

pub async fn probe(c: &Checker, t: &PostTarget) -> Verdict {
    let Some(base) = c.youtube_thumb.base() else {
        return unsupported(THUMB, "no YouTube endpoint configured".into());
    };
    let url = url_on(base, &format!("/vi/{}/0.jpg", t.post_id), &[]);
    let rung = ask_twice(|| async { read(&c.youtube_thumb.get(&url).await) }).await;
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

//! YouTube: its post URLs (the conventions are in `urls`).

use super::*;

/// `/watch?v={id}`, `/embed/{id}`, `/v/{id}`, `/e/{id}`, `/shorts/{id}`,
/// `/live/{id}`, `youtu.be/{id}`; the id is exactly 11 characters.
pub(crate) fn parse(link: &Link, _depth: u8) -> Option<PostUrl> {
    let segs = link.segs();
    let id = if link.host == "youtu.be" {
        match segs.as_slice() {
            // Old links glued parameters to the id: `youtu.be/{id}&t=10`.
            [id] => id.split('&').next().unwrap_or_default().to_string(),
            _ => return None,
        }
    } else {
        match segs.as_slice() {
            ["watch"] => link.query("v")?,
            ["embed" | "v" | "e" | "shorts" | "live", id] => id.to_string(),
            _ => return None,
        }
    };
    // Eleven-character words that are not videos (`/embed/videoseries?list=`).
    if !is_word(&id, 11, 11, b"_-") || matches!(id.as_str(), "videoseries" | "live_stream") {
        return None;
    }
    found(
        Platform::YouTube,
        id.clone(),
        format!("https://www.youtube.com/watch?v={id}"),
        None,
    )
}

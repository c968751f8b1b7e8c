//! Telegram: its post URLs (the conventions are in `urls`).

use super::*;

const TELEGRAM_RESERVED: &[&str] = &[
    "s",
    "c",
    "joinchat",
    "addstickers",
    "addemoji",
    "addtheme",
    "addlist",
    "share",
    "proxy",
    "socks",
    "iv",
    "login",
    "setlanguage",
    "bg",
    "invoice",
    "boost",
    "contact",
    "confirmphone",
    "giftcode",
    "m",
];

/// `/{channel}/{id}`, `/s/{channel}/{id}`, `/c/{internal}/{id}`, and forum
/// topics `/{channel}/{topic}/{id}` (stored as `{channel}/{id}`).
pub(crate) fn parse(link: &Link, _depth: u8) -> Option<PostUrl> {
    let segs = link.segs();
    match segs.as_slice() {
        ["c", internal, rest @ ..] => {
            let internal = u64_id(internal, 1)?;
            let id = telegram_message_id(rest)?;
            found(
                Platform::Telegram,
                format!("c/{internal}/{id}"),
                format!("https://t.me/c/{internal}/{id}"),
                None,
            )
        }
        ["s", channel, rest @ ..] | [channel, rest @ ..] => {
            let valid = channel.starts_with(|c: char| c.is_ascii_alphabetic())
                && is_word(channel, 3, 64, b"_")
                && !is_reserved(channel, TELEGRAM_RESERVED);
            if !valid {
                return None;
            }
            let id = telegram_message_id(rest)?;
            found(
                Platform::Telegram,
                format!("{channel}/{id}"),
                format!("https://t.me/{channel}/{id}"),
                Some(channel.to_string()),
            )
        }
        _ => None,
    }
}

/// `{id}` or `{topic}/{id}`.
fn telegram_message_id(rest: &[&str]) -> Option<String> {
    match rest {
        [id] => u64_id(id, 1),
        [topic, id] => u64_id(topic, 1).and_then(|_| u64_id(id, 1)),
        _ => None,
    }
}

//! Telegram (docs/platforms.md §5): `t.me/<channel>/<id>?embed=1` answers 200
//! either way; a gone post carries the `tgme_widget_message_error` marker
//! ("Post not found"), a private channel says "Channel is private". Links
//! into private channels (`t.me/c/…`) cannot be checked without joining.

use super::ask::{Answer, Rung, Signal, alone, answered, ask_twice, raw, unexpected, url_on};
use super::checker::{Checker, PostRef, base, unsupported};
use super::outcome::{Content, Outcome, Verdict};
use super::settings::Spec;
use super::text::{first_attr, first_text, rfc3339};

pub(super) const WIDGET: Spec = Spec {
    name: "telegram",
    env: Some("EMBARC_TELEGRAM_URL"),
    default_url: Some("https://t.me"),
    default_rate: "1/s",
    accept: "text/html",
    keep: true,
};
pub(super) const ENDPOINTS: &[Spec] = &[WIDGET];
const EMBED: &str = WIDGET.name;

pub async fn probe(c: &Checker, t: &PostRef) -> Verdict {
    if t.id.starts_with("c/") {
        return unsupported(
            EMBED,
            "a link into a private channel: only its members can see it".into(),
        );
    }
    let (widget, base) = match base(c, &WIDGET, "Telegram") {
        Ok(found) => found,
        Err(verdict) => return *verdict,
    };
    let url = url_on(base, &format!("/{}", t.id), &[("embed", "1")]);
    let rung = ask_twice(|| async { read(&widget.get(&url).await) }).await;
    alone(rung, Outcome::NotFound)
}

fn read(answer: &Answer) -> Rung {
    let r = match answered(EMBED, answer) {
        Ok(r) => r,
        Err(rung) => return *rung,
    };
    if r.status() != 200 {
        return unexpected(EMBED, r, "unexpected status");
    }
    let page = String::from_utf8_lossy(&r.body);
    let status = Some(200);
    if page.to_lowercase().contains("channel is private") {
        return Rung::new(
            EMBED,
            status,
            Signal::Says(Outcome::Private),
            "200 \"Channel is private\"",
        );
    }
    if page.contains("tgme_widget_message_error") {
        let message = first_text(&page, ".tgme_widget_message_error").unwrap_or_default();
        return Rung::new(
            EMBED,
            status,
            Signal::NotFound,
            format!("200 error {message:?}"),
        );
    }
    if page.contains("tgme_widget_message_text") || page.contains("tgme_widget_message_bubble") {
        let content = Content {
            source: EMBED,
            text: first_text(&page, ".tgme_widget_message_text"),
            author_name: first_text(&page, ".tgme_widget_message_owner_name"),
            handle: None,
            posted_at: first_attr(&page, "time[datetime]", "datetime").and_then(|t| rfc3339(&t)),
            lang: None,
            raw: raw(r),
        };
        return Rung::new(EMBED, status, Signal::Alive(Some(content)), "200 post");
    }
    unexpected(EMBED, r, "without a post or an error marker")
}

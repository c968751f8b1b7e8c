//! The frame every page shares: head, navigation, the "Log out" button,
//! and error pages. maud escapes every value it is given.

use crate::serve::auth::Signed;
use crate::serve::error::Failure;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

/// A whole page for a signed-in user.
pub fn page(title: &str, who: &Signed, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · embarc" }
                link rel="stylesheet" href="/static/embarc.css";
                script src="/static/embarc.js" defer {}
            }
            body {
                header.top {
                    a.brand href="/queue" { "embarc" }
                    nav {
                        a href="/queue" { "Queue" }
                        a href="/search" { "Search" }
                        a href="/report" { "Report" }
                        a href="/jobs" { "Jobs" }
                    }
                    form.logout method="post" action="/logout" {
                        span.who { (who.user.name) " · " (who.user.role) }
                        input type="hidden" name="csrf" value=(who.csrf);
                        button type="submit" { "Log out" }
                    }
                }
                @if who.read_only {
                    p.read-only role="status" {
                        "This archive is served read-only: it can be read and searched, nothing can be changed."
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A page without the signed-in frame (sign-in, errors before sign-in).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · embarc" }
                link rel="stylesheet" href="/static/embarc.css";
            }
            body {
                header.top { a.brand href="/queue" { "embarc" } }
                main { (body) }
            }
        }
    }
}

/// Failures on pages are pages too, with the message and a way back.
impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        let body = bare(
            title,
            html! {
                h1 { (title) }
                p.error role="alert" { (self.message) }
                p { a href="/queue" { "Back to the queue" } }
            },
        );
        (self.status, body).into_response()
    }
}

/// `2025-03-01T09:00:00.000Z` as `2025-03-01 09:00`.
pub fn minutes(at: &str) -> String {
    at.chars().take(16).collect::<String>().replace('T', " ")
}

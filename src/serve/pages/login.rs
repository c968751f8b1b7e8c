//! `/login` and `/logout`.

use super::layout::bare;
use crate::accounts;
use crate::serve::AppState;
use crate::serve::auth::{self, LOGIN_COOKIE, Login, SESSION_COOKIE, Signed};
use crate::serve::error::Failure;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Debug, Deserialize, Default)]
pub struct Next {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Only a path on this site (never `//host` or a full URL) is followed.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/queue",
    }
}

fn form(csrf: &str, next: &str, username: &str, message: Option<&str>) -> Markup {
    bare(
        "Sign in",
        html! {
            h1 { "Sign in" }
            @if let Some(m) = message {
                p.error role="alert" { (m) }
            }
            form.login method="post" action="/login" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="next" value=(next);
                label for="username" { "Username" }
                input #username type="text" name="username" value=(username) autocomplete="username" required autofocus;
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required;
                button type="submit" { "Log in" }
            }
        },
    )
}

/// The sign-in form, with a fresh CSRF cookie of its own.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<Next>,
) -> Result<Response, Failure> {
    let token = accounts::new_token()?;
    let next = safe_next(q.next.as_deref());
    let cookie = auth::set_cookie(&state, &headers, LOGIN_COOKIE, &token, "/login", false);
    Ok(([(header::SET_COOKIE, cookie)], form(&token, next, "", None)).into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    info: ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, Failure> {
    auth::check_origin(&headers)?;
    let expected = auth::cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !accounts::same_secret(&f.csrf, expected) {
        return Err(auth::csrf_failure());
    }
    let next = safe_next(f.next.as_deref()).to_string();
    let again = |status: StatusCode, message: &str| {
        (status, form(expected, &next, &f.username, Some(message))).into_response()
    };
    if f.username.trim().is_empty() || f.password.is_empty() {
        return Ok(again(
            StatusCode::BAD_REQUEST,
            "Enter your username and password.",
        ));
    }
    let outcome = auth::login(
        &state,
        f.username.trim().to_string(),
        f.password.clone(),
        auth::address(&info),
    )
    .await?;
    match outcome {
        Login::Ok { cookie_token } => {
            let session =
                auth::set_cookie(&state, &headers, SESSION_COOKIE, &cookie_token, "/", false);
            let done = auth::set_cookie(&state, &headers, LOGIN_COOKIE, "", "/login", true);
            let mut res = Redirect::to(&next).into_response();
            res.headers_mut().append(header::SET_COOKIE, session);
            res.headers_mut().append(header::SET_COOKIE, done);
            Ok(res)
        }
        Login::Wrong => Ok(again(
            StatusCode::UNAUTHORIZED,
            "Wrong username or password.",
        )),
        Login::Throttled => Ok(again(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many failed sign-ins for this account or from this address; wait 15 minutes and try again, or ask an admin to reset the password.",
        )),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    who: Signed,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Result<Response, Failure> {
    auth::check_origin(&headers)?;
    who.check_csrf(&f.csrf)?;
    if let Some(token) = auth::cookie(&headers, SESSION_COOKIE) {
        let hash = accounts::token_hash(token);
        state.auth.run(move |s| Ok(s.end_session(&hash)?)).await?;
    }
    let clear = auth::set_cookie(&state, &headers, SESSION_COOKIE, "", "/", true);
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}

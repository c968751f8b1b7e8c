//! Who is asking: browser sessions (cookie + CSRF token), API tokens
//! (Bearer), sign-in with throttling, sign-out.

use super::AppState;
use super::error::{ApiError, Failure};
use crate::accounts::{self, Role, Throttle};
use crate::store::User;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;

/// The session cookie: a random token; the archive keeps its SHA-256.
pub const SESSION_COOKIE: &str = "embarc_session";
/// The sign-in form's own CSRF cookie (there is no session yet).
pub const LOGIN_COOKIE: &str = "embarc_login";
/// A token's `last_used_at` is written at most this often (seconds).
pub const TOKEN_USE_EVERY_SECS: i64 = 60;
/// How long a sign-in lasts.
pub const SESSION_HOURS: i64 = 12;

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct Signed {
    pub user: User,
    pub csrf: String,
    /// The archive is served read-only (pages say so; changes are refused).
    pub read_only: bool,
}

impl Signed {
    /// A 403 page unless the user's role allows `needed`.
    pub fn require(&self, needed: Role) -> Result<(), Failure> {
        if self.user.role.allows(needed) {
            Ok(())
        } else {
            Err(Failure::forbidden(format!(
                "{} is a {}; this needs a {needed} (an admin can change roles with `embarc user`)",
                self.user.name, self.user.role
            )))
        }
    }

    /// The checks every changing form passes: sent from this site, with
    /// this session's CSRF token, by a user whose role allows `needed`.
    pub fn check_form(&self, headers: &HeaderMap, csrf: &str, needed: Role) -> Result<(), Failure> {
        check_origin(headers)?;
        self.check_csrf(csrf)?;
        self.require(needed)
    }

    /// A 403 page unless the posted form carries this session's CSRF token.
    pub fn check_csrf(&self, posted: &str) -> Result<(), Failure> {
        if accounts::same_secret(posted, &self.csrf) {
            Ok(())
        } else {
            Err(csrf_failure())
        }
    }
}

pub fn csrf_failure() -> Failure {
    Failure::forbidden(
        "this form is out of date or was sent from another site; nothing was changed. Reload the page and try again.",
    )
}

/// The value of cookie `name` in the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure when asked.
pub fn set_cookie(
    state: &AppState,
    headers: &HeaderMap,
    name: &str,
    value: &str,
    path: &str,
    clear: bool,
) -> HeaderValue {
    let secure = state.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let mut c = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if clear {
        c.push_str("; Max-Age=0");
    }
    // Names and values are ours (hex tokens), always valid header text.
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A request whose `Origin` names another site is refused before anything
/// else (defence in depth beside the CSRF token).
pub fn check_origin(headers: &HeaderMap) -> Result<(), Failure> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, h)| h);
    match (origin_host, host) {
        (Some(o), Some(h)) if o.eq_ignore_ascii_case(h) => Ok(()),
        _ => Err(csrf_failure()),
    }
}

/// Pages: the signed-in user, or a redirect to the sign-in page.
impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let to_login = || {
            let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            let next = form_urlencoded(next);
            Redirect::to(&format!("/login?next={next}")).into_response()
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let hash = accounts::token_hash(token);
        let session = state
            .auth
            .run(move |s| Ok(s.session(&hash)?))
            .await
            .map_err(|e| Failure::from(e).into_response())?;
        match session {
            Some(s) => Ok(Signed {
                user: s.user,
                csrf: s.csrf,
                read_only: state.db.is_read_only(),
            }),
            None => Err(to_login()),
        }
    }
}

/// Percent-encode a path for a query parameter.
pub fn form_urlencoded(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An API caller: a live Bearer token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

impl Caller {
    /// A 403 unless the token's role allows `needed`.
    pub fn require(&self, needed: Role) -> Result<(), ApiError> {
        if self.role.allows(needed) {
            Ok(())
        } else {
            Err(Failure::forbidden(format!(
                "token {} is a {}; this needs a {needed} token",
                self.name, self.role
            ))
            .into())
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let unauthorized = |m: &str| ApiError(Failure::new(StatusCode::UNAUTHORIZED, m));
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(unauthorized(
                "no token: send `Authorization: Bearer TOKEN` (create one with `embarc token create`)",
            ));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| unauthorized("the Authorization header must be `Bearer TOKEN`"))?;
        let hash = accounts::token_hash(token);
        let found = {
            let hash = hash.clone();
            state.auth.run(move |s| Ok(s.token(&hash)?)).await?
        };
        match found {
            Some((name, role)) => {
                // Off the answer's path: a writer busy elsewhere (an
                // `archive` run) never delays the call.
                let db = state.auth.clone();
                tokio::spawn(async move {
                    let every = chrono::Duration::seconds(TOKEN_USE_EVERY_SECS);
                    if let Err(e) = db.run(move |s| Ok(s.touch_token(&hash, every)?)).await {
                        tracing::warn!("cannot record a token's use: {e:#}");
                    }
                });
                Ok(Caller { name, role })
            }
            None => Err(unauthorized("the token is unknown or revoked")),
        }
    }
}

/// What a sign-in attempt came to.
pub enum Login {
    Ok { cookie_token: String },
    Wrong,
    Throttled,
}

/// Check a sign-in: throttling first (per account and per address), then
/// the password (argon2, on a blocking thread; an unknown name costs the
/// same), then a new session.
pub async fn login(
    state: &AppState,
    username: String,
    password: String,
    address: String,
) -> anyhow::Result<Login> {
    let window = chrono::Duration::from_std(Throttle::WINDOW)?;
    let (user, addr) = (username.clone(), address.clone());
    let failures = state
        .auth
        .run(move |s| {
            let since = s.clock() - window;
            Ok(s.login_failures(&user, &addr, since)?)
        })
        .await?;
    match Throttle::decide(failures.0, failures.1) {
        Throttle::Refuse => return Ok(Login::Throttled),
        Throttle::Delay(d) => tokio::time::sleep(d).await,
        Throttle::Allow => {}
    }
    state
        .auth
        .run(move |s| {
            let found = s.login_user(&username)?;
            let hash = found
                .as_ref()
                .map_or(accounts::dummy_hash(), |(_, h)| h.as_str());
            let ok = accounts::verify_password(&password, hash);
            match found {
                Some((user, _)) if ok => {
                    s.clear_login_failures(&username)?;
                    let token = accounts::new_token()?;
                    let csrf = accounts::new_token()?;
                    let expires = s.clock() + chrono::Duration::hours(SESSION_HOURS);
                    s.create_session(user.id, &accounts::token_hash(&token), &csrf, expires)?;
                    Ok(Login::Ok {
                        cookie_token: token,
                    })
                }
                _ => {
                    s.record_login_failure(&username, &address)?;
                    Ok(Login::Wrong)
                }
            }
        })
        .await
}

/// The client's address, for throttling.
pub fn address(info: &ConnectInfo<SocketAddr>) -> String {
    info.0.ip().to_string()
}

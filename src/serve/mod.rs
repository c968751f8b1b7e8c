//! `embarc serve`: the verification desk and the archive in a browser, and
//! a JSON API, over the same store as the CLI.
//!
//! [`router`] is the whole application: pages in [`pages`], the API in
//! [`api`], sign-in and roles in [`auth`]. Every answer carries the
//! security headers of [`security_headers`].

pub mod api;
pub mod archived;
pub mod auth;
pub mod context;
mod db;
pub mod error;
pub mod metrics;
pub mod openapi;
pub mod pages;

pub use db::Db;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use std::net::SocketAddr;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Where sessions and sign-in failures are kept: the archive itself,
    /// or, when it is served read-only, a private in-memory store holding
    /// a copy of its accounts (sessions end with the server).
    pub auth: Db,
    /// Mark cookies `Secure` (HTTPS in front); also done per request when a
    /// proxy says `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// What this server's scheduler did, for `/metrics`.
    pub metrics: std::sync::Arc<metrics::Metrics>,
}

/// The application: every page, the API, the static files.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/claims", get(api::claims).post(api::add_claim))
        .route("/claims/{id}", get(api::claim))
        .route("/claims/{id}/status", post(api::set_status))
        .route("/claims/{id}/notes", post(api::add_note))
        .route("/claims/{id}/assignee", put(api::set_assignee))
        .route("/posts/{id}", get(api::post))
        .route("/articles/{id}", get(api::article))
        .route("/search", get(api::search))
        .route("/report", get(api::report))
        .route(
            "/openapi.json",
            get(|| async { axum::Json(openapi::document()) }),
        )
        .fallback(api::not_found);
    Router::new()
        .route("/", get(|| async { Redirect::to("/queue") }))
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics_text))
        .route("/jobs", get(pages::jobs::show))
        .route("/jobs/{id}/run", post(pages::jobs::run_now))
        .route("/login", get(pages::login::show).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route("/queue", get(pages::queue::show))
        .route("/queue.csv", get(pages::queue::csv))
        .route("/claims/{id}", get(pages::claim::show))
        .route("/claims/{id}/status", post(pages::claim::set_status))
        .route("/claims/{id}/assign", post(pages::claim::assign))
        .route("/claims/{id}/note", post(pages::claim::note))
        .route("/posts/{id}", get(pages::post::show))
        .route("/articles/{id}", get(pages::article::show))
        .route("/captures/{id}", get(pages::capture::show))
        .route("/captures/{id}/body", get(pages::capture::body))
        .route("/media/{id}", get(pages::media::file))
        .route("/search", get(pages::search::show))
        .route("/report", get(pages::report::show))
        .route("/export/{file}", get(pages::export::download))
        .route("/static/embarc.css", get(css))
        .route("/static/embarc.js", get(js))
        .nest("/api/v1", api)
        .fallback(|| async { error::Failure::not_found("there is no such page") })
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// `/metrics` for a Bearer token of any role (Prometheus'
/// `authorization` setting).
async fn metrics_text(
    axum::extract::State(state): axum::extract::State<AppState>,
    _caller: auth::Caller,
) -> Result<Response, error::ApiError> {
    let metrics = state.metrics.clone();
    let text = state.db.run(move |s| Ok(metrics.render(s)?)).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response())
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("assets/embarc.css"),
    )
        .into_response()
}

async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("assets/embarc.js"),
    )
        .into_response()
}

/// The policy of the application's own pages: its own scripts and styles
/// only, no framing, forms only to itself.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; frame-src 'self'";

/// Headers on every answer; a route that set its own policy keeps it.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CSP));
    h.entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    h.entry(header::X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("DENY"));
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    res
}

/// Serve on `listener` until `shutdown` resolves, then finish the requests
/// in flight and return.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves at the first SIGINT or SIGTERM.
pub async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

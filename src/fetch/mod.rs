//! Fetching articles from the web: the only module (with `check`) that
//! touches the network.
//!
//! [`client`] is the reusable HTTP layer (timeouts, limits, redirects,
//! retries, classified errors) on top of [`politeness`] (per-host limits and
//! backoff); [`encoding`] undoes `Content-Encoding` within a size limit.

pub mod client;
pub mod encoding;
pub mod network;
pub mod politeness;
pub mod robots;
pub mod sources;
pub mod tsa;
pub mod webhook;

pub use client::{
    Client, ClientConfig, ErrorClass, Exchange, FetchError, RequestOpts, Response, Validators,
    reason_phrase,
};
pub use network::Network;
pub use politeness::Limits;

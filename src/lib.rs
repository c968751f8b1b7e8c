//! embarc: preserve the social posts that news articles cite.
//!
//! The pipeline (see ARCHITECTURE.md): inputs are read ([`archive`]),
//! posts detected ([`detect`], pure), stored ([`store`], the only SQL), and
//! exported ([`export`]). The binary's command line lives in [`cli`].

pub mod accounts;
pub mod archive;
pub mod capture;
pub mod check;
pub mod cli;
pub mod config;
pub mod detect;
pub mod duration;
pub mod export;
pub mod fetch;
pub mod liveness;
pub mod notify;
pub mod policy;
pub mod queue;
pub mod report;
pub mod serve;
pub mod store;
pub mod timestamp;
pub mod verify;
pub mod watch;
pub mod words;

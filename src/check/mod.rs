//! Link-rot checks: is each cited post, and each article, still there?
//!
//! Every platform has its own ladder of public endpoints (docs/platforms.md):
//! a probe asks them in order and weighs the answers ([`ask`]) into a
//! [`Verdict`]: `alive`, `gone`, `restricted` or `unknown`, with a reason,
//! the HTTP status and a short evidence string. A post is called gone only
//! on two answers that agree, never on a single ambiguous one; rate limits
//! and failures are `unknown`. Gone targets are looked up in the Wayback
//! Machine. [`run`] checks what is due and appends each check to the
//! archive, so history shows when a post died and whether it came back.
//!
//! With `fetch`, this is the only module that touches the network; every
//! endpoint's base URL comes from [`Settings`], so tests point them at
//! servers on 127.0.0.1.

mod article;
mod ask;
mod bluesky;
mod checker;
mod mastodon;
pub mod media;
mod meta;
pub mod push;
/// The vocabulary (`src/liveness.rs`), shared with the store.
pub(crate) use crate::liveness as outcome;
mod reddit;
mod run;
pub mod settings;
pub mod stamp;
mod telegram;
pub mod text;
mod tiktok;
pub mod token;
mod wayback;
mod x;
mod youtube;

pub use checker::{PostRef, endpoints};
pub use outcome::{Content, Outcome, State, Verdict};
pub use run::{Checked, Counts, Error, Lease, Options, Select, Stopping, Summary, run};
pub use settings::{Settings, Spec, parse_duration};

//! Server-rendered pages (maud: every value is escaped unless marked).

pub mod article;
pub mod capture;
mod chart;
pub mod claim;
pub mod export;
pub mod jobs;
pub mod layout;
pub mod login;
pub mod media;
pub mod post;
pub mod queue;
pub mod report;
pub mod search;

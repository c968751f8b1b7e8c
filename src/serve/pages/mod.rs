//! Server-rendered pages (maud: every value is escaped unless marked).

pub mod article;
pub mod capture;
pub mod claim;
pub mod layout;
pub mod login;
pub mod post;
pub mod queue;

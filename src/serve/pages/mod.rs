//! Server-rendered pages (maud: every value is escaped unless marked).

pub mod claim;
pub mod layout;
pub mod login;
pub mod queue;

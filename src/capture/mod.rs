//! Keeping the raw bytes of what was fetched as evidence: WARC files.

pub mod warc;

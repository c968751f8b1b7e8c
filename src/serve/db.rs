//! The server's handle on the archive: one shared [`Store`] (its clones
//! share the writer and the pool of readers), used on blocking threads
//! (SQLite calls block).
//!
//! This is the one seam between the async server and the synchronous
//! store; WAL lets readers run beside the one writer, and the store's
//! `BEGIN IMMEDIATE` transactions and busy timeout order the writers
//! (including `archive` and `check` in other processes).

use crate::store::{Hook, Store};
use anyhow::Result;
use std::path::{Path, PathBuf};

#[derive(Clone)]
pub struct Db {
    store: Store,
    /// Opened only to read (asked once: the answer does not change).
    read_only: bool,
    /// The archive directory (WARC files are named relative to it).
    dir: PathBuf,
}

impl Db {
    /// A handle on `store`, the archive in `dir` (opened by the caller, so
    /// a broken archive stops the server before it listens).
    pub fn new(store: Store, dir: PathBuf) -> Db {
        let read_only = store.is_read_only();
        Db {
            store,
            read_only,
            dir,
        }
    }

    /// True when the archive is served read-only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The archive directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Queue webhooks for `hooks` (`[[notify]]`) with what is recorded
    /// through this handle (claims created and decided).
    pub fn with_hooks(mut self, hooks: Vec<Hook>) -> Db {
        self.store.set_hooks(hooks);
        self
    }

    /// Run `f` with the store on a blocking thread.
    pub async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T> + Send + 'static,
    {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| anyhow::anyhow!("a database task failed: {e}"))?
    }
}

//! The server's handle on the archive: a few open [`Store`]s reused across
//! requests, each used on a blocking thread (SQLite calls block).
//!
//! This is the one seam between the async server and the synchronous
//! store; WAL lets readers run beside the one writer, and the store's
//! `BEGIN IMMEDIATE` transactions and busy timeout order the writers
//! (including `archive` and `check` in other processes).

use crate::store::Store;
use anyhow::Result;
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Open stores kept for reuse; more are opened when all are busy.
const KEEP: usize = 16;

#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    clock: Option<DateTime<Utc>>,
    idle: Mutex<Vec<Store>>,
}

impl Db {
    /// A handle on the archive database at `path` (opened once here, so a
    /// broken archive stops the server before it listens).
    pub fn open(path: PathBuf, clock: Option<DateTime<Utc>>) -> Result<Db> {
        let db = Db {
            inner: Arc::new(Inner {
                path,
                clock,
                idle: Mutex::new(Vec::new()),
            }),
        };
        let store = db.take()?;
        db.put(store);
        Ok(db)
    }

    /// Run `f` with a store on a blocking thread.
    pub async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = db.take()?;
            let out = f(&mut store);
            db.put(store);
            out
        })
        .await
        .map_err(|e| anyhow::anyhow!("a database task failed: {e}"))?
    }

    fn take(&self) -> Result<Store> {
        if let Some(store) = self.idle().pop() {
            return Ok(store);
        }
        let store = Store::open(&self.inner.path)?;
        Ok(match self.inner.clock {
            Some(at) => store.with_clock(at),
            None => store,
        })
    }

    fn put(&self, store: Store) {
        let mut idle = self.idle();
        if idle.len() < KEEP {
            idle.push(store);
        }
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Store>> {
        // A panic while holding the lock leaves a valid Vec: keep using it.
        self.inner.idle.lock().unwrap_or_else(|e| e.into_inner())
    }
}

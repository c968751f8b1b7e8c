//! Per-host politeness: a concurrency limit, a minimum interval between the
//! starts of two requests to one host, and a backoff that grows when the host
//! answers 429 (or `Retry-After`) and relaxes again on success.
//!
//! Every host has its own state, so a slow or rate-limiting host only delays
//! its own requests; the global limit is taken only after the host's turn has
//! come, so waiting for one host never holds a slot another host could use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{AcquireError, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The longest a host is made to wait by its own backoff.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// The first backoff after a 429 without `Retry-After`.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);

/// Limits shared by every request of one client.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Requests in flight over all hosts.
    pub concurrency: usize,
    /// Requests in flight to one host.
    pub per_host: usize,
    /// Least time between the starts of two requests to one host.
    pub min_interval: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            concurrency: 32,
            per_host: 2,
            min_interval: Duration::from_millis(100),
        }
    }
}

/// The politeness state of every host seen.
#[derive(Debug)]
pub struct Hosts {
    limits: Limits,
    global: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

#[derive(Debug)]
struct Host {
    slots: Arc<Semaphore>,
    schedule: Mutex<Schedule>,
}

#[derive(Debug)]
struct Schedule {
    /// No request to the host starts before this.
    not_before: Instant,
    /// The current rate-limit backoff (zero when the host is happy).
    backoff: Duration,
}

/// Permission to send one request; dropping it frees the slots.
#[derive(Debug)]
pub struct Turn {
    // Our semaphores are never closed, so these are always `Ok`.
    _host: Result<OwnedSemaphorePermit, AcquireError>,
    _global: Result<OwnedSemaphorePermit, AcquireError>,
}

impl Hosts {
    pub fn new(limits: Limits) -> Hosts {
        Hosts {
            limits,
            global: Arc::new(Semaphore::new(limits.concurrency.max(1))),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn host(&self, name: &str) -> Arc<Host> {
        // A poisoned lock only means another task panicked while holding it;
        // the map itself is still consistent.
        let mut map = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(name.to_string())
            .or_insert_with(|| {
                Arc::new(Host {
                    slots: Arc::new(Semaphore::new(self.limits.per_host.max(1))),
                    schedule: Mutex::new(Schedule {
                        not_before: Instant::now(),
                        backoff: Duration::ZERO,
                    }),
                })
            })
            .clone()
    }

    /// Wait for a turn to send a request to `host`: a host slot, the host's
    /// interval and backoff, then a global slot.
    pub async fn turn(&self, host: &str) -> Turn {
        let h = self.host(host);
        let host_permit = h.slots.clone().acquire_owned().await;
        loop {
            let wait = {
                let mut s = h.schedule.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                if now >= s.not_before {
                    s.not_before = now + self.limits.min_interval;
                    None
                } else {
                    Some(s.not_before)
                }
            };
            match wait {
                None => break,
                Some(at) => tokio::time::sleep_until(at).await,
            }
        }
        Turn {
            _host: host_permit,
            _global: self.global.clone().acquire_owned().await,
        }
    }

    /// The host asked us to slow down (429): grow its backoff and keep every
    /// request to it waiting for `retry_after` or the backoff, whichever is
    /// longer. Returns the wait imposed.
    pub fn slow_down(&self, host: &str, retry_after: Option<Duration>) -> Duration {
        let h = self.host(host);
        let mut s = h.schedule.lock().unwrap_or_else(|e| e.into_inner());
        s.backoff = (s.backoff * 2).clamp(FIRST_BACKOFF, MAX_BACKOFF);
        let wait = retry_after.unwrap_or(Duration::ZERO).max(s.backoff);
        let until = Instant::now() + wait;
        if until > s.not_before {
            s.not_before = until;
        }
        wait
    }

    /// The host answered normally: halve its backoff.
    pub fn relax(&self, host: &str) {
        let h = self.host(host);
        let mut s = h.schedule.lock().unwrap_or_else(|e| e.into_inner());
        s.backoff /= 2;
        if s.backoff < FIRST_BACKOFF / 2 {
            s.backoff = Duration::ZERO;
        }
    }

    /// The current backoff of `host` (zero when it is happy).
    pub fn backoff(&self, host: &str) -> Duration {
        let h = self.host(host);
        let s = h.schedule.lock().unwrap_or_else(|e| e.into_inner());
        s.backoff
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(per_host: usize, interval_ms: u64) -> Hosts {
        Hosts::new(Limits {
            concurrency: 8,
            per_host,
            min_interval: Duration::from_millis(interval_ms),
        })
    }

    #[tokio::test(start_paused = true)]
    async fn interval_spaces_requests_to_one_host() {
        let h = hosts(4, 100);
        let start = Instant::now();
        let a = h.turn("a.example").await;
        let b = h.turn("a.example").await;
        let c = h.turn("a.example").await;
        assert!(start.elapsed() >= Duration::from_millis(200));
        // Another host is not delayed by the first one's interval.
        let t = Instant::now();
        let d = h.turn("b.example").await;
        assert!(t.elapsed() < Duration::from_millis(1));
        drop((a, b, c, d));
    }

    #[tokio::test(start_paused = true)]
    async fn per_host_slots_are_limited() {
        let h = Arc::new(hosts(1, 0));
        let first = h.turn("a.example").await;
        let h2 = h.clone();
        let waiter = tokio::spawn(async move { h2.turn("a.example").await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !waiter.is_finished(),
            "a second request to a busy host waits"
        );
        let other = tokio::time::timeout(Duration::from_millis(1), h.turn("b.example")).await;
        assert!(other.is_ok(), "another host is free");
        drop(first);
        assert!(
            tokio::time::timeout(Duration::from_millis(10), waiter)
                .await
                .is_ok()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn backoff_grows_on_429_and_relaxes_on_success() {
        let h = hosts(2, 0);
        assert_eq!(h.slow_down("a", None), Duration::from_secs(1));
        assert_eq!(h.slow_down("a", None), Duration::from_secs(2));
        assert_eq!(
            h.slow_down("a", Some(Duration::from_secs(10))),
            Duration::from_secs(10)
        );
        assert_eq!(h.backoff("a"), Duration::from_secs(4));
        let t = Instant::now();
        drop(h.turn("a").await);
        assert!(
            t.elapsed() >= Duration::from_secs(10),
            "Retry-After is honoured"
        );
        let t = Instant::now();
        drop(h.turn("b").await);
        assert!(t.elapsed() < Duration::from_millis(1), "other hosts go on");
        h.relax("a");
        assert_eq!(h.backoff("a"), Duration::from_secs(2));
        h.relax("a");
        h.relax("a");
        h.relax("a");
        assert_eq!(h.backoff("a"), Duration::ZERO);
        for _ in 0..20 {
            h.slow_down("a", None);
        }
        assert_eq!(h.backoff("a"), MAX_BACKOFF);
    }
}

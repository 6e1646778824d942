//! Graceful shutdown: stop taking new interactions, let those in flight finish (up to
//! a deadline), then close.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

/// Counts work in flight and refuses new work once draining.
#[derive(Clone, Default)]
pub struct Drain {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    draining: AtomicBool,
    in_flight: AtomicUsize,
    idle: Notify,
}

/// Held while one piece of work runs; dropping it marks it done.
pub struct Working {
    inner: Arc<Inner>,
}

impl Drop for Working {
    fn drop(&mut self) {
        if self.inner.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.inner.idle.notify_waiters();
        }
    }
}

impl Drain {
    /// Registers new work, or `None` when shutting down (the caller refuses it).
    pub fn begin(&self) -> Option<Working> {
        self.inner.in_flight.fetch_add(1, Ordering::AcqRel);
        let working = Working {
            inner: Arc::clone(&self.inner),
        };
        // Checked after counting, so `finish` can't miss work that got in.
        (!self.inner.draining.load(Ordering::Acquire)).then_some(working)
    }

    /// Whether shutdown has begun.
    pub fn is_draining(&self) -> bool {
        self.inner.draining.load(Ordering::Acquire)
    }

    /// How much work is in flight.
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::Acquire)
    }

    /// Refuses new work from now on (health checks start failing, so load balancers
    /// stop sending any).
    pub fn stop(&self) {
        self.inner.draining.store(true, Ordering::Release);
    }

    /// Stops new work and waits for the work in flight, at most `deadline`; returns
    /// how many were still running when it gave up (0 when all finished).
    pub async fn finish(&self, deadline: Duration) -> usize {
        self.stop();
        let wait = async {
            loop {
                let idle = self.inner.idle.notified();
                if self.in_flight() == 0 {
                    return;
                }
                idle.await;
            }
        };
        let _ = tokio::time::timeout(deadline, wait).await;
        self.in_flight()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn draining_waits_for_work_in_flight_and_refuses_new_work() {
        let drain = Drain::default();
        let working = drain.begin().unwrap();
        let waiter = {
            let drain = drain.clone();
            tokio::spawn(async move { drain.finish(Duration::from_secs(5)).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(drain.is_draining());
        assert!(drain.begin().is_none(), "no new work while draining");
        assert!(!waiter.is_finished(), "waits for the work in flight");
        drop(working);
        assert_eq!(waiter.await.unwrap(), 0);
    }

    #[tokio::test]
    async fn draining_gives_up_at_the_deadline() {
        let drain = Drain::default();
        let _stuck = drain.begin().unwrap();
        assert_eq!(drain.finish(Duration::from_millis(30)).await, 1);
    }
}

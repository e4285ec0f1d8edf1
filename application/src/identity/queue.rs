//! One attempt at a time per account: the login and password checks of one account wait
//! for each other in this process, so parallel guesses at an account are checked one
//! after another against the failures already recorded, while a correct password is
//! never refused because of attempts still in flight.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use futures::lock::{Mutex as AsyncMutex, OwnedMutexGuard};

/// One account's lock and how many turns hold or wait for it.
type Line = (Arc<AsyncMutex<()>>, usize);

/// The per-account queues; an account's entry lives while someone holds or waits for
/// its turn.
#[derive(Debug, Default)]
pub(crate) struct AttemptQueue {
    turns: Mutex<HashMap<String, Line>>,
}

/// The right to check one account now; the next in line goes when it is dropped.
pub(crate) struct Turn<'a> {
    queue: &'a AttemptQueue,
    key: String,
    guard: Option<OwnedMutexGuard<()>>,
}

impl AttemptQueue {
    /// Waits for `key`'s turn (one attempt at a time; the order among waiters is not
    /// guaranteed).
    pub(crate) async fn turn(&self, key: &str) -> Turn<'_> {
        let lock = {
            let mut turns = self.turns.lock().unwrap_or_else(PoisonError::into_inner);
            let (lock, holders) = turns.entry(key.to_owned()).or_default();
            *holders += 1;
            Arc::clone(lock)
        };
        // Counted before waiting, so a cancelled wait still tidies the map up.
        let mut turn = Turn {
            queue: self,
            key: key.to_owned(),
            guard: None,
        };
        turn.guard = Some(lock.lock_owned().await);
        turn
    }

    /// Accounts with someone holding or waiting for a turn.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.turns
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.guard.take();
        let mut turns = self
            .queue
            .turns
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((_, holders)) = turns.get_mut(&self.key) {
            *holders -= 1;
            if *holders == 0 {
                turns.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn one_turn_at_a_time_per_account_and_the_map_empties() {
        let queue = Arc::new(AttemptQueue::default());
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut tasks = vec![];
        for _ in 0..16 {
            let (queue, inside, most) = (queue.clone(), inside.clone(), most.clone());
            tasks.push(tokio::spawn(async move {
                let _turn = queue.turn("email:a@usc.edu.ph").await;
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::task::yield_now().await;
                inside.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        assert_eq!(most.load(Ordering::SeqCst), 1, "never two at once");
        assert_eq!(queue.len(), 0, "no account left behind");
    }

    #[tokio::test]
    async fn other_accounts_do_not_wait() {
        let queue = AttemptQueue::default();
        let _a = queue.turn("email:a@usc.edu.ph").await;
        let _b = queue.turn("email:b@usc.edu.ph").await;
        assert_eq!(queue.len(), 2);
    }

    #[tokio::test]
    async fn a_cancelled_wait_leaves_nothing_behind() {
        let queue = AttemptQueue::default();
        let held = queue.turn("k").await;
        {
            let waiting = queue.turn("k");
            futures::pin_mut!(waiting);
            assert!(futures::poll!(waiting.as_mut()).is_pending());
        }
        drop(held);
        assert_eq!(queue.len(), 0);
    }
}

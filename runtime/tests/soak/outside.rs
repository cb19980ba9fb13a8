//! What happens outside the soak's loop: the waker threads, the watchdog,
//! and the panic hook that keeps planned panics quiet.
//!
//! Part of `soak.rs`, after `soak/model.rs`. A [`RemoteWake`] is how a task
//! waits for another OS thread: it hands its waker to one of the waker
//! threads, which sets a flag and wakes it, sometimes twice.

use super::model::Rng;
use super::PLANNED;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// OS threads that wake tasks from outside the loop.
pub(crate) const WAKER_THREADS: usize = 4;

/// A request to a waker thread: set the flag, then wake (twice if asked).
pub(crate) struct WakeRequest {
    /// The waiting task's waker.
    pub(crate) waker: Waker,
    /// What the task waits for.
    pub(crate) flag: Arc<AtomicBool>,
    /// Whether to wake a second time, to check that waking is idempotent.
    pub(crate) twice: bool,
}

/// Waits until a waker thread sets a flag: a wake from another OS thread.
pub(crate) struct RemoteWake {
    /// Set by the waker thread before it wakes the task.
    flag: Arc<AtomicBool>,
    /// The waker thread to ask, until the request is sent.
    to: Option<(Sender<WakeRequest>, bool)>,
}

impl RemoteWake {
    /// Waits for a wake from the thread behind `to`.
    pub(crate) fn new(to: Sender<WakeRequest>, twice: bool) -> Self {
        RemoteWake {
            flag: Arc::new(AtomicBool::new(false)),
            to: Some((to, twice)),
        }
    }
}

impl Future for RemoteWake {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Acquire pairs with the waker thread's release store.
        if self.flag.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        // A task's waker never changes, so asking once is enough; a spurious
        // poll before the wake just finds the flag unset again.
        if let Some((to, twice)) = self.to.take() {
            let waker = cx.waker().clone();
            let flag = self.flag.clone();
            // The waker threads outlive every task, so the send succeeds.
            to.send(WakeRequest { waker, flag, twice })
                .expect("waker threads are alive");
        }
        Poll::Pending
    }
}

/// Starts the waker threads; each sets the flag, then wakes, from its own thread.
pub(crate) fn start_waker_threads(
    seed: u64,
) -> (Vec<Sender<WakeRequest>>, Vec<std::thread::JoinHandle<()>>) {
    (0..WAKER_THREADS)
        .map(|number| {
            let (sender, receiver) = channel::<WakeRequest>();
            let mut rng = Rng(seed ^ number as u64);
            let thread = std::thread::spawn(move || {
                for request in receiver {
                    // A little jitter, so wakes land at every point of the loop's pass.
                    for _ in 0..rng.below(64) {
                        std::hint::spin_loop();
                    }
                    request.flag.store(true, Ordering::Release);
                    request.waker.wake_by_ref();
                    if request.twice {
                        request.waker.wake_by_ref();
                    }
                }
            });
            (sender, thread)
        })
        .unzip()
}

/// Fails the whole test binary if no batch finishes for a minute: a lost
/// wake-up hangs the loop, and a hang must not hang CI.
pub(crate) fn watchdog(progress: Arc<AtomicU64>, done: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        let mut last = u64::MAX;
        while !done.load(Ordering::Relaxed) {
            let now = progress.load(Ordering::Relaxed);
            if now == last {
                eprintln!("soak: no batch finished for 60 s (after {now}): a lost wake-up?");
                std::process::exit(1);
            }
            last = now;
            for _ in 0..600 {
                if done.load(Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    });
}

/// Silences planned panics (thousands of them), and only those.
pub(crate) fn quiet_planned_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<&str>() != Some(&PLANNED) {
                default(info);
            }
        }));
    });
}

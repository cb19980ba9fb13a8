//! [`yield_now`]: give the loop one turn, like `asyncio.sleep(0)`.
//!
//! A layer over the core's waker: nothing the loop needs to know of.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// Gives the CPU back to the loop once: the task goes to the back of the
/// ready queue, behind every task already waiting.
///
/// # Examples
///
/// ```
/// let rt = minirt::Runtime::with_virtual_clock();
/// rt.block_on(async {
///     let other = minirt::spawn(async { "other ran" });
///     minirt::yield_now().await;
///     assert!(other.is_finished());
/// });
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if core::mem::replace(&mut self.yielded, true) {
            return Poll::Ready(());
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

//! A task in one allocation, and how it is woken: the only `unsafe` in
//! minirt. Read this after `task.rs`.
//!
//! # Why by hand
//!
//! The safe task this replaces cost two allocations and a slot: the body
//! (`Box<dyn Body>`, 48 bytes for a small future), the waker (an
//! `Arc<TaskWaker>`, 48), a registry slot (96) and a 32-byte handle: 224
//! bytes per pending task against smol's 137, and 37 % of a spawn's
//! instructions in malloc and free. async-task, under smol, and embassy make
//! one allocation per task, with a waker whose data pointer is the task
//! itself; this module does the same, in the fewest lines that can be
//! checked. `tests/memory.rs` counts the difference: one allocation per
//! task, not two, and 101 bytes per pending task, not 200.

//! # The layout
//!
//! One `Box<Task<F>>`, `#[repr(C)]` so that a pointer to it is a pointer to
//! its [`Header`], whatever `F` is:
//!
//! | field | bytes | who touches it |
//! |---|---|---|
//! | `state` | 8 | any thread: the reference count and `SCHEDULED` |
//! | `vtable` | 8 | any thread: the functions that know `F` |
//! | `queue` | 8 | any thread: where a wake puts the task |
//! | `id` | 8 | the loop's thread |
//! | `joiner` | 16 | the loop's thread: who awaits the handle |
//! | `flags` | 1, and 7 of padding | the loop's thread: where it is in its life |
//! | `stage` | `F` or its output, plus a tag | the loop's thread |
//!
//! The header is 56 bytes on a 64-bit target (a test checks); a task that
//! keeps nothing across an `await` is 80 in all.
//!
//! # The state word
//!
//! `state` counts references in steps of [`REF_ONE`]: the registry holds one
//! while the task is live, the handle one, every `Waker` clone one, and a
//! queue entry one. The last to go frees the block. Bit 0 is `SCHEDULED`:
//! set by the wake that queues the task, cleared by the loop just before it
//! polls, so that a thousand wakes between two polls queue it once.
//!
//! # A task's life
//!
//! The loop-thread flags say where a task is; only the loop and the handle
//! change them:
//!
//! 1. **Spawned**: three references (the registry's, the handle's, and the
//!    queue entry's for the first poll), `SCHEDULED` set.
//! 2. **Polled**: the loop takes an entry, clears `SCHEDULED` (a wake from
//!    now on queues it again), and polls with `RUNNING` set. `Pending`:
//!    back to waiting, until a waker queues it.
//! 3. **Ended** (`ENDED`): the future returned or panicked, or was
//!    cancelled (an abort while idle, at once; during its own poll,
//!    `ABORTED`, when the poll returns; every live task at shutdown). Its
//!    future is dropped there and then, the outcome stored in its place,
//!    the registry lets go and who awaits the handle is woken.
//! 4. **Collected**: the handle takes the outcome (`RETURNED`), or is
//!    dropped (`DETACHED`), which drops the outcome now or at the end.
//! 5. **Freed**: by whoever drops the last reference: the handle, the
//!    registry, a queue entry, or a waker on any thread.
//!
//! # Which thread may touch what
//!
//! A `Waker` may travel; so it touches only `state`, `vtable` and `queue`.
//! The rest belongs to the thread the runtime lives on: [`TaskRef`] is not
//! `Send`, and the runtime and the handles are not either. The future and
//! its output are dropped there too: the registry's reference lasts until
//! the future is gone, the handle's until the output is; so when a waker on
//! another thread drops the last reference, only memory is left to free.
//! The queue the remote wakes go to is the one piece both sides share:
//! [`ReadyQueue`]. Miri (strict provenance, `tests/raw_task.rs` and the
//! rest), loom (`raw/loom_tests.rs`) and valgrind check all of it.

// Each `unsafe` block does one thing and says why it may.
#![warn(
    clippy::undocumented_unsafe_blocks,
    clippy::multiple_unsafe_ops_per_block
)]

use crate::task::{catching_panics, drop_quietly, JoinError, Outcome, TaskId};
use alloc::boxed::Box;
use alloc::sync::Arc;
use core::cell::{Cell, UnsafeCell};
use core::future::Future;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::ptr::NonNull;
#[cfg(not(loom))]
use core::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
#[cfg(not(loom))]
use crossbeam_queue::SegQueue;
#[cfg(loom)]
use loom_swaps::{fence, AtomicBool, AtomicUsize, Ordering, SegQueue};

#[cfg(loom)]
mod loom_swaps;
mod queue;

#[cfg(all(feature = "std", not(loom)))]
pub(crate) use queue::RunningHere;
pub(crate) use queue::{LocalQueue, MainWaker, ReadyQueue};
#[cfg(all(test, loom))]
mod loom_tests;

/// Set from the wake that queued the task until the loop takes it to poll.
const SCHEDULED: usize = 1;
/// One reference, in the state word.
const REF_ONE: usize = 2;
/// Past this many references something leaks wakers in a loop: stop, as
/// `Arc` does, rather than wrap around and free a live task.
const REF_MAX: usize = usize::MAX / 4;

/// The task is out for a poll (the loop's thread only, as every flag).
const RUNNING: u8 = 1;
/// Its future is gone: the outcome waits in the stage, or was taken.
const ENDED: u8 = 2;
/// Abort was asked during a poll: cancel it when the poll returns.
const ABORTED: u8 = 4;
/// The handle is gone: the outcome is dropped as soon as it exists.
const DETACHED: u8 = 8;
/// The handle has returned the outcome.
const RETURNED: u8 = 16;

/// What every task starts with, whatever its future.
#[repr(C)]
struct Header {
    state: AtomicUsize,
    vtable: &'static VTable,
    queue: Arc<ReadyQueue>,
    id: TaskId,
    joiner: Cell<Option<Waker>>,
    flags: Cell<u8>,
}

/// The block behind a task: the header, then the future or its outcome.
#[repr(C)]
struct Task<F: Future> {
    header: Header,
    stage: UnsafeCell<Stage<F>>,
}

enum Stage<F: Future> {
    Running(F),
    Finished(Outcome<F::Output>),
    /// The outcome went to the handle, or was dropped.
    Taken,
}

/// What needs `F`: each task's `Task<F>` has its own, made by the compiler.
struct VTable {
    /// Polls the future; `Ready` once the outcome is stored.
    poll: unsafe fn(NonNull<Header>, &mut Context<'_>) -> Poll<()>,
    /// Drops the future and stores "cancelled" (or the panic it raised).
    cancel: unsafe fn(NonNull<Header>),
    /// Moves the outcome into `*out`, an `Option<Outcome<F::Output>>`.
    take_outcome: unsafe fn(NonNull<Header>, out: *mut ()),
    /// Drops the outcome nobody will take.
    drop_outcome: unsafe fn(NonNull<Header>),
    /// Frees the block.
    dealloc: unsafe fn(NonNull<Header>),
}

impl<F: Future> Task<F> {
    const VTABLE: VTable = VTable {
        poll: Self::poll,
        cancel: Self::cancel,
        take_outcome: Self::take_outcome,
        drop_outcome: Self::drop_outcome,
        dealloc: Self::dealloc,
    };

    /// The stage behind `header`.
    ///
    /// # Safety
    ///
    /// `header` heads a live `Task<F>`, on the loop's thread, and no other
    /// reference to its stage is alive.
    unsafe fn stage<'a>(header: NonNull<Header>) -> &'a mut Stage<F> {
        let task = header.cast::<Self>().as_ptr();
        // SAFETY: `repr(C)` puts the header first, so the pointer to it is
        // the pointer to the whole block, alive by the caller's promise.
        let stage = unsafe { &(*task).stage };
        // SAFETY: no other reference to the stage, by the caller's promise.
        unsafe { &mut *stage.get() }
    }

    /// # Safety
    ///
    /// As [`Task::stage`], with the task running.
    unsafe fn poll(header: NonNull<Header>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: the caller's promise.
        let stage = unsafe { Self::stage(header) };
        let Stage::Running(future) = stage else {
            unreachable!("only a running task is polled")
        };
        // SAFETY: the future lives in the heap block until it is dropped
        // in place below; it never moves.
        let future = unsafe { Pin::new_unchecked(future) };
        // A panic is the outcome; the future is dropped right after, so its
        // half-updated state is never seen.
        let mut polled = Poll::Pending;
        let outcome = match catching_panics(|| polled = future.poll(cx)) {
            Err(panic) => Err(panic),
            Ok(()) => match polled {
                Poll::Ready(output) => Ok(output),
                Poll::Pending => return Poll::Pending,
            },
        };
        // SAFETY: as above.
        unsafe { Self::replace_future(stage, outcome) };
        Poll::Ready(())
    }

    /// # Safety
    ///
    /// As [`Task::stage`], with the task not running.
    unsafe fn cancel(header: NonNull<Header>) {
        // SAFETY: the caller's promise.
        let stage = unsafe { Self::stage(header) };
        if let Stage::Running(_) = stage {
            // SAFETY: the stage is running, as checked.
            unsafe { Self::replace_future(stage, Err(JoinError::cancelled())) };
        }
    }

    /// Drops the future where it lies, now, not when the handle collects
    /// the outcome, so what it held is released at once; then stores
    /// `outcome`, or the panic the future's destructor raised instead.
    ///
    /// # Safety
    ///
    /// `stage` is `Running`, and is not read again until written here.
    unsafe fn replace_future(stage: &mut Stage<F>, outcome: Outcome<F::Output>) {
        let place: *mut Stage<F> = stage;
        // SAFETY: the future is dropped once (a panic mid-drop leaves the
        // rest to unwinding's drop glue), and the stage is overwritten
        // without reading what is left.
        let dropped = catching_panics(|| unsafe { core::ptr::drop_in_place(place) });
        let outcome = match dropped {
            Ok(()) => outcome,
            Err(panic) => {
                drop_quietly(outcome);
                Err(panic)
            }
        };
        // SAFETY: `place` is valid for writes; the old value is dropped.
        unsafe { place.write(Stage::Finished(outcome)) };
    }

    /// # Safety
    ///
    /// As [`Task::stage`]; `out` points to an `Option<Outcome<F::Output>>`.
    unsafe fn take_outcome(header: NonNull<Header>, out: *mut ()) {
        // SAFETY: the caller's promise.
        let stage = unsafe { Self::stage(header) };
        let Stage::Finished(outcome) = core::mem::replace(stage, Stage::Taken) else {
            unreachable!("an outcome is taken once, after the task ended")
        };
        // SAFETY: the caller's promise on `out`'s type.
        unsafe { *out.cast::<Option<Outcome<F::Output>>>() = Some(outcome) };
    }

    /// # Safety
    ///
    /// As [`Task::stage`].
    unsafe fn drop_outcome(header: NonNull<Header>) {
        // SAFETY: the caller's promise.
        let stage = unsafe { Self::stage(header) };
        drop_quietly(core::mem::replace(stage, Stage::Taken));
    }

    /// # Safety
    ///
    /// `header` heads a `Task<F>` that no reference points to any more.
    unsafe fn dealloc(header: NonNull<Header>) {
        // SAFETY: made by `Box::into_raw` in `spawn`, freed once. The stage
        // is `Taken` (see the module doc), so this frees only memory, the
        // queue's `Arc` and a joiner (both `Send`), on whatever thread.
        drop(unsafe { Box::from_raw(header.cast::<Self>().as_ptr()) });
    }
}

/// The `Waker` of every task: its data pointer is the task's header.
static WAKER: RawWakerVTable = RawWakerVTable::new(clone_waker, wake, wake_by_ref, drop_waker);

unsafe fn clone_waker(header: *const ()) -> RawWaker {
    // SAFETY: a waker's pointer is a live header (the waker holds a reference).
    let header = unsafe { NonNull::new_unchecked(header.cast_mut()).cast::<Header>() };
    add_reference(header);
    RawWaker::new(header.as_ptr().cast(), &WAKER)
}

unsafe fn wake(header: *const ()) {
    // SAFETY: as in `clone_waker`; this waker's reference moves to the
    // queue entry, or is dropped.
    let header = unsafe { NonNull::new_unchecked(header.cast_mut()).cast::<Header>() };
    let state = state(header).fetch_or(SCHEDULED, Ordering::AcqRel);
    if state & SCHEDULED == 0 {
        schedule(header);
    } else {
        // SAFETY: this waker's own reference.
        unsafe { drop_reference(header) };
    }
}

unsafe fn wake_by_ref(header: *const ()) {
    // SAFETY: as in `clone_waker`.
    let header = unsafe { NonNull::new_unchecked(header.cast_mut()).cast::<Header>() };
    // Set `SCHEDULED` and take a reference for the queue entry in one step:
    // only the first wake since the last poll queues the task. Release: the
    // poll sees what was written before the wake.
    let word = state(header);
    let mut current = word.load(Ordering::Acquire);
    loop {
        if current & SCHEDULED != 0 {
            return;
        }
        let next = (current | SCHEDULED) + REF_ONE;
        match word.compare_exchange_weak(current, next, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return schedule(header),
            Err(actual) => current = actual,
        }
    }
}

unsafe fn drop_waker(header: *const ()) {
    // SAFETY: as in `clone_waker`.
    let header = unsafe { NonNull::new_unchecked(header.cast_mut()).cast::<Header>() };
    // SAFETY: this waker's own reference.
    unsafe { drop_reference(header) };
}

/// The state word of the task at `header`: the one field every thread may use.
fn state<'a>(header: NonNull<Header>) -> &'a AtomicUsize {
    // SAFETY: whoever holds `header` holds a reference, so the block is
    // alive; only the atomic field is borrowed, never the whole header.
    unsafe { &(*header.as_ptr()).state }
}

/// Counts one more reference.
fn add_reference(header: NonNull<Header>) {
    // Relaxed: a new reference is made from one already held, which keeps
    // the block alive meanwhile.
    if state(header).fetch_add(REF_ONE, Ordering::Relaxed) > REF_MAX {
        too_many_references();
    }
}

/// Drops one reference; the last frees the block.
///
/// # Safety
///
/// The caller owns the reference it drops.
unsafe fn drop_reference(header: NonNull<Header>) {
    // Release, then acquire for the last: every use of the block by the
    // other holders happens before it is freed.
    if state(header).fetch_sub(REF_ONE, Ordering::Release) & !SCHEDULED != REF_ONE {
        return;
    }
    fence(Ordering::Acquire);
    // SAFETY: the block is alive until the line below.
    let dealloc = unsafe { (*header.as_ptr()).vtable.dealloc };
    // SAFETY: the last reference: nobody can reach the block any more.
    unsafe { dealloc(header) };
}

#[cold]
fn too_many_references() -> ! {
    #[cfg(feature = "std")]
    std::process::abort();
    #[cfg(not(feature = "std"))]
    panic!("a task's reference count overflowed");
}

/// Hands a task (and the reference its entry owns) to its loop: to the
/// local queue when the wake runs on the loop's own thread, no atomics; to
/// the shared queue, with an unpark, from anywhere else.
fn schedule(header: NonNull<Header>) {
    // SAFETY: the wake holds a reference, so the block is alive; the queue
    // field is shared by all threads.
    let queue = unsafe { &(*header.as_ptr()).queue };
    queue.push(Ready(Some(header)));
}

/// An entry of a ready queue: a task and the reference it owns, or `None`
/// for the `block_on` future, which is not a task.
pub(crate) struct Ready(Option<NonNull<Header>>);

// SAFETY: an entry only carries its reference; dropping it on another
// thread frees at most memory (see the module doc). Only the loop turns it
// into a `TaskRef`, on its own thread.
unsafe impl Send for Ready {}

impl Ready {
    /// The `block_on` future's entry.
    pub(crate) const MAIN: Ready = Ready(None);

    /// The task to poll (`None`: the `block_on` future). Only the loop, on
    /// its own thread, takes its entries.
    pub(crate) fn into_task(self) -> Option<TaskRef> {
        ManuallyDrop::new(self).0.map(TaskRef)
    }
}

impl Drop for Ready {
    fn drop(&mut self) {
        if let Some(header) = self.0 {
            // SAFETY: the entry owns this reference.
            unsafe { drop_reference(header) };
        }
    }
}

/// A reference to a task, on the loop's thread: the registry's, the
/// handle's, or one taken from a queue entry for a poll.
pub(crate) struct TaskRef(NonNull<Header>);

impl TaskRef {
    /// A new task for `future`, with three references: the registry's, the
    /// handle's and the entry's that queues it for its first poll (so it
    /// starts `SCHEDULED`).
    pub(crate) fn spawn<F>(future: F, id: TaskId, queue: &Arc<ReadyQueue>) -> [TaskRef; 3]
    where
        F: Future<Output: 'static> + 'static,
    {
        let task = Box::new(Task {
            header: Header {
                state: AtomicUsize::new((3 * REF_ONE) | SCHEDULED),
                vtable: &Task::<F>::VTABLE,
                queue: queue.clone(),
                id,
                joiner: Cell::new(None),
                flags: Cell::new(0),
            },
            stage: UnsafeCell::new(Stage::Running(future)),
        });
        // SAFETY: `Box::into_raw` is never null.
        let header = unsafe { NonNull::new_unchecked(Box::into_raw(task)) }.cast::<Header>();
        [TaskRef(header), TaskRef(header), TaskRef(header)]
    }

    fn header(&self) -> &Header {
        // SAFETY: this reference keeps the block alive, and it is on the
        // loop's thread, where the header's cells are used.
        unsafe { self.0.as_ref() }
    }

    fn has(&self, flag: u8) -> bool {
        self.header().flags.get() & flag != 0
    }

    fn set(&self, flag: u8, on: bool) {
        let flags = &self.header().flags;
        flags.set(if on {
            flags.get() | flag
        } else {
            flags.get() & !flag
        });
    }

    /// Its id.
    pub(crate) fn id(&self) -> TaskId {
        self.header().id
    }

    /// Whether its future is gone: finished, panicked or cancelled.
    pub(crate) fn has_ended(&self) -> bool {
        self.has(ENDED)
    }

    /// Polls the task once; `true`: it ended (finished, or aborted during
    /// the poll), and [`end`](TaskRef::end) must follow.
    pub(crate) fn poll(&self) -> bool {
        // Acquire pairs with the wake's release: the poll sees what the
        // waker wrote before waking. From here on, a wake queues it again.
        state(self.0).fetch_and(!SCHEDULED, Ordering::Acquire);
        let waker = self.waker();
        self.set(RUNNING, true);
        let vtable = self.header().vtable;
        // SAFETY: a live task on the loop's thread, not ended (the loop
        // checks), its stage borrowed by nothing else.
        let polled = unsafe { (vtable.poll)(self.0, &mut Context::from_waker(&waker)) };
        self.set(RUNNING, false);
        polled.is_ready() || (self.has(ABORTED) && self.cancel())
    }

    /// A `Waker` for the task that borrows this reference instead of
    /// counting one of its own: a poll's, or the deadlock census's.
    pub(crate) fn waker(&self) -> ManuallyDrop<Waker> {
        let raw = RawWaker::new(self.0.as_ptr().cast(), &WAKER);
        // SAFETY: `WAKER`'s functions keep its contract; never dropped, so
        // this waker owns no reference and `self` keeps the task alive.
        ManuallyDrop::new(unsafe { Waker::from_raw(raw) })
    }

    /// Cancels the task: `true` if it was cancelled now, and
    /// [`end`](TaskRef::end) must follow; during its poll, only marked, to
    /// be cancelled when the poll returns.
    pub(crate) fn cancel(&self) -> bool {
        if self.has(ENDED) {
            return false;
        }
        if self.has(RUNNING) {
            self.set(ABORTED, true);
            return false;
        }
        let vtable = self.header().vtable;
        // SAFETY: live, on the loop's thread, not being polled.
        unsafe { (vtable.cancel)(self.0) };
        true
    }

    /// Marks the task ended, drops the outcome if nobody will take it, and
    /// gives back who awaits the handle, to wake.
    pub(crate) fn end(&self) -> Option<Waker> {
        self.set(ENDED, true);
        if self.has(DETACHED) {
            self.drop_outcome();
        }
        self.header().joiner.take()
    }

    fn drop_outcome(&self) {
        let vtable = self.header().vtable;
        // SAFETY: live, on the loop's thread, its stage borrowed by nothing.
        unsafe { (vtable.drop_outcome)(self.0) };
    }

    /// How many wakers of the task exist, besides the references the
    /// runtime itself holds: what the deadlock census needs. Asked only of
    /// a live task that waits for a wake (no queue entry).
    pub(crate) fn wakers_elsewhere(&self) -> usize {
        let references = state(self.0).load(Ordering::Acquire) / REF_ONE;
        let handle = usize::from(!self.has(DETACHED | RETURNED));
        references - 1 - handle
    }

    /// The waker kept to be woken when the task ends: the census takes it
    /// out to look at it and puts it back, which counts no clone.
    pub(crate) fn joiner(&self) -> &Cell<Option<Waker>> {
        &self.header().joiner
    }
}

impl Clone for TaskRef {
    fn clone(&self) -> Self {
        add_reference(self.0);
        TaskRef(self.0)
    }
}

impl Drop for TaskRef {
    fn drop(&mut self) {
        // SAFETY: this reference is owned.
        unsafe { drop_reference(self.0) };
    }
}

/// The handle's reference, which knows the output's type.
pub(crate) struct Joinable<T> {
    task: TaskRef,
    output: core::marker::PhantomData<fn() -> T>,
}

impl<T> Joinable<T> {
    /// The handle's reference to a task spawned with a future whose output
    /// is `T`.
    ///
    /// # Safety
    ///
    /// `task` was spawned with a future whose output is `T`.
    unsafe fn new(task: TaskRef) -> Self {
        Joinable {
            task,
            output: core::marker::PhantomData,
        }
    }

    /// The task.
    pub(crate) fn task(&self) -> &TaskRef {
        &self.task
    }

    /// The outcome, once the task has ended; until then `Pending`, with
    /// `waker` kept to be woken at its end.
    ///
    /// # Panics
    ///
    /// Once the outcome was returned.
    pub(crate) fn poll(&self, waker: &Waker) -> Poll<Outcome<T>> {
        assert!(!self.returned(), "JoinHandle polled after it returned");
        if !self.task.has(ENDED) {
            let joiner = &self.task.header().joiner;
            let kept = joiner.take();
            match kept {
                Some(kept) if kept.will_wake(waker) => joiner.set(Some(kept)),
                // The replaced waker drops here, with no borrow held.
                _ => joiner.set(Some(waker.clone())),
            }
            return Poll::Pending;
        }
        let mut outcome: Option<Outcome<T>> = None;
        let vtable = self.task.header().vtable;
        // SAFETY: ended, on the loop's thread; `outcome` has the type
        // `Joinable::new` was promised.
        unsafe { (vtable.take_outcome)(self.task.0, (&raw mut outcome).cast()) };
        self.task.set(RETURNED, true);
        Poll::Ready(outcome.expect("an ended task's outcome is stored"))
    }

    /// Whether the outcome was returned.
    pub(crate) fn returned(&self) -> bool {
        self.task.has(RETURNED)
    }
}

impl<T> Drop for Joinable<T> {
    /// The handle is gone: the outcome goes now, or when the task ends.
    fn drop(&mut self) {
        if self.returned() {
            return;
        }
        self.task.set(DETACHED, true);
        if self.task.has(ENDED) {
            self.task.drop_outcome();
        }
        drop(self.task.header().joiner.take());
    }
}

/// Spawns `future`: the registry's reference, the handle's, and the queue
/// entry for its first poll.
pub(crate) fn spawn<F>(
    future: F,
    id: TaskId,
    queue: &Arc<ReadyQueue>,
) -> (TaskRef, Joinable<F::Output>, Ready)
where
    F: Future<Output: 'static> + 'static,
{
    let [registry, handle, entry] = TaskRef::spawn(future, id, queue);
    let entry = Ready(Some(ManuallyDrop::new(entry).0));
    // SAFETY: spawned just above with this future.
    (registry, unsafe { Joinable::new(handle) }, entry)
}

#[cfg(all(test, not(loom), target_pointer_width = "64"))]
mod tests {
    use super::{Header, Task};

    #[test]
    fn the_header_is_the_56_bytes_the_module_doc_lists() {
        assert_eq!(core::mem::size_of::<Header>(), 56);
        // A future with nothing to keep: the stage is its outcome's room
        // (a `JoinError`'s box) and the tag.
        let stage = core::mem::size_of::<Task<core::future::Pending<()>>>() - 56;
        assert_eq!(stage, 24);
    }
}

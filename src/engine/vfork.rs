//! Starting a program the way posix_spawn() does: the child shares the
//! supervisor's memory (clone with CLONE_VM | CLONE_VFORK) until it execs,
//! and the calling thread sleeps until then.
//!
//! A fork copies the page tables of the supervisor, write-protects every
//! page on both sides (so the next write to each one faults), and the
//! child's exec tears that copy down again, all before the parent hears
//! whether exec succeeded. Sharing the memory skips the three, which is
//! most of what starting a service costs the supervisor.
//!
//! The price is discipline in the child: it runs on its own small stack
//! in the supervisor's memory, so between clone and exec it makes system
//! calls only, touching nothing but what the caller prepared (no
//! allocation, no locks). All signals are blocked around the clone, so
//! that none of the supervisor's handlers can run in the child before it
//! has put every disposition back to the default.

use std::ffi::{CStr, c_char, c_int, c_void};
use std::io;

use nix::libc;
use nix::unistd::Pid;

/// The child's own stack: its setup is a handful of system calls.
const STACK_SIZE: usize = 128 * 1024;

/// What the child reads, and the one word it writes back.
struct Shared<'a> {
    setup: &'a mut dyn FnMut() -> Result<(), i32>,
    program: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
    /// `errno_of_execve` below when exec failed, or the setup's code.
    error: i32,
    errno_of_execve: fn(i32) -> i32,
}

/// How `spawn` went when the child ran but did not exec.
#[derive(Debug)]
pub enum SpawnError {
    /// clone() itself failed.
    Clone(io::Error),
    /// The child's setup or execve() failed with this code; the child
    /// has exited and been waited for.
    Child(i32),
}

/// Runs `setup` in a new child and then execs `program`. `argv` and
/// `envp` end with a null pointer. A failing setup returns its code (not
/// 0); a failing execve() gives `errno_of_execve(errno)`.
///
/// # Safety
/// `setup` runs in the caller's memory while the calling thread is
/// suspended: it must only make system calls on data prepared before the
/// call (no allocation, no locks, no thread-locals). The pointers must be
/// valid C strings and null-terminated arrays of them.
pub unsafe fn spawn(
    setup: &mut dyn FnMut() -> Result<(), i32>,
    program: &CStr,
    argv: &[*const c_char],
    envp: &[*const c_char],
    errno_of_execve: fn(i32) -> i32,
) -> Result<Pid, SpawnError> {
    debug_assert!(argv.last().is_some_and(|p| p.is_null()));
    debug_assert!(envp.last().is_some_and(|p| p.is_null()));
    let mut shared = Shared {
        setup,
        program: program.as_ptr(),
        argv: argv.as_ptr(),
        envp: envp.as_ptr(),
        error: 0,
        errno_of_execve,
    };
    let stack = Stack::new().map_err(SpawnError::Clone)?;
    let blocked = BlockedSignals::all();
    // SAFETY: the stack is ours and unused, `child` never returns into
    // Rust frames of this thread, and CLONE_VFORK keeps `shared` alive
    // (this thread sleeps) until the child has exec'd or exited.
    let pid = unsafe {
        libc::clone(
            child,
            stack.top(),
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            (&mut shared as *mut Shared).cast::<c_void>(),
        )
    };
    let clone_error = io::Error::last_os_error();
    drop(blocked);
    drop(stack);
    if pid < 0 {
        return Err(SpawnError::Clone(clone_error));
    }
    // SAFETY: the child wrote it (or not) before exec or exit, and is gone
    // from our memory now; volatile because the compiler cannot see that.
    let error = unsafe { std::ptr::read_volatile(&shared.error) };
    if error != 0 {
        // The child exited without exec; nothing else may have it.
        let _ = nix::sys::wait::waitpid(Pid::from_raw(pid), None);
        return Err(SpawnError::Child(error));
    }
    Ok(Pid::from_raw(pid))
}

extern "C" fn child(arg: *mut c_void) -> c_int {
    // SAFETY: `arg` is the parent's `Shared`, alive while the parent sleeps.
    let shared = unsafe { &mut *arg.cast::<Shared>() };
    let code = match (shared.setup)() {
        // SAFETY: valid C strings and null-terminated arrays (see `spawn`).
        Ok(()) => unsafe {
            libc::execve(shared.program, shared.argv, shared.envp);
            (shared.errno_of_execve)(*libc::__errno_location())
        },
        Err(code) => code,
    };
    // SAFETY: as above; _exit runs no atexit handlers of the parent's.
    unsafe {
        std::ptr::write_volatile(&mut shared.error, code);
        libc::_exit(127)
    }
}

/// An anonymous mapping for the child's stack, with a guard page below it
/// so that an overflow faults instead of writing over the heap.
struct Stack {
    base: *mut c_void,
    len: usize,
}

impl Stack {
    fn new() -> io::Result<Stack> {
        let guard = page_size();
        let len = STACK_SIZE + guard;
        // SAFETY: a fresh private anonymous mapping, ours alone.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let stack = Stack { base, len };
        // SAFETY: the lowest page of the mapping above.
        if unsafe { libc::mprotect(base, guard, libc::PROT_NONE) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(stack)
    }

    /// The stack grows down from the end of the mapping.
    fn top(&self) -> *mut c_void {
        // SAFETY: one past the end of the mapping, 16-byte aligned as the
        // mapping is page aligned.
        unsafe { self.base.cast::<u8>().add(self.len).cast() }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, no longer used by the child.
        unsafe { libc::munmap(self.base, self.len) };
    }
}

pub(super) fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if size > 0 { size as usize } else { 4096 }
}

/// Every signal blocked in the calling thread until dropped; the child
/// inherits the full mask and clears it once its handlers are reset.
struct BlockedSignals {
    previous: libc::sigset_t,
}

impl BlockedSignals {
    fn all() -> BlockedSignals {
        // SAFETY: plain signal-set calls on local, initialised sets.
        unsafe {
            let mut all: libc::sigset_t = std::mem::zeroed();
            let mut previous: libc::sigset_t = std::mem::zeroed();
            libc::sigfillset(&mut all);
            libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut previous);
            BlockedSignals { previous }
        }
    }
}

impl Drop for BlockedSignals {
    fn drop(&mut self) {
        // SAFETY: restores the mask saved in `all`.
        unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &self.previous, std::ptr::null_mut()) };
    }
}

//! Giving back the main thread's stack pages that start-up used once.
//!
//! Parsing the command line, loading the unit files and booting the
//! services run deeper than the idle event loop ever goes (the command-line
//! parser alone has a frame of some 100 KiB). The kernel keeps every stack
//! page once touched, so without this they would stay resident, unused,
//! for the life of the container.

use nix::libc;

use super::vfork::page_size;

/// Room left below the caller's frame: this function's own frame and the
/// madvise call itself.
const MARGIN: usize = 16 * 1024;

/// Drops the pages of the main thread's stack below the current frame;
/// they read back as zeros if ever reached again, as a fresh stack's do.
/// Does nothing on any other thread (their stacks are not `[stack]`).
#[inline(never)]
pub fn release_below_current_frame() {
    if nix::unistd::gettid() != nix::unistd::getpid() {
        return;
    }
    let marker = 0u8;
    let here = std::hint::black_box(&marker) as *const u8 as usize;
    let Some(low) = std::fs::read_to_string("/proc/self/maps")
        .ok()
        .and_then(|maps| stack_low_end(&maps))
    else {
        return;
    };
    let Some(high) = here.checked_sub(MARGIN).map(|a| a & !(page_size() - 1)) else {
        return;
    };
    if high <= low {
        return;
    }
    // SAFETY: [low, high) is the part of this thread's own stack mapping
    // below the live frames (and below the margin left for this call); no
    // other thread uses the main stack, and nothing points into it.
    unsafe {
        libc::madvise(low as *mut libc::c_void, high - low, libc::MADV_DONTNEED);
    }
}

/// The lowest address of the `[stack]` mapping in a `/proc/PID/maps` text.
fn stack_low_end(maps: &str) -> Option<usize> {
    let line = maps.lines().find(|l| l.ends_with("[stack]"))?;
    let (start, _) = line.split_once('-')?;
    usize::from_str_radix(start, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stack_mapping_is_found_by_its_name() {
        let maps = "55d0c0000000-55d0c0021000 rw-p 00000000 00:00 0                          [heap]\n\
                    7ffd2a1b0000-7ffd2a1d1000 rw-p 00000000 00:00 0                          [stack]\n\
                    7ffd2a1f6000-7ffd2a1f8000 r-xp 00000000 00:00 0                          [vdso]\n";
        assert_eq!(stack_low_end(maps), Some(0x7ffd2a1b0000));
    }

    #[test]
    fn maps_without_a_stack_give_nothing() {
        assert_eq!(stack_low_end("00400000-00401000 r-xp 00000000 08:01 1 /bin/x\n"), None);
        assert_eq!(stack_low_end(""), None);
    }

    #[test]
    fn releasing_off_the_main_thread_is_harmless() {
        // Test threads are not the main thread: nothing happens.
        release_below_current_frame();
        let deep = std::hint::black_box([7u8; 4096]);
        assert_eq!(deep[4095], 7);
    }
}

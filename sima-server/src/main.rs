//! `sima-server`: the command line (`serve`, `check-config`, `migrate`; see
//! `sima_server::cli`).

use std::process::ExitCode;

fn main() -> ExitCode {
    pin_the_mmap_threshold();
    sima_server::cli::main()
}

/// Keeps glibc's mmap threshold at its default, 128 KiB: a larger block gets
/// a mapping of its own, which goes back to the system when freed.
///
/// Left alone, glibc raises the threshold to the largest block freed so far,
/// and every thread's arena then keeps blocks up to that size. A server's
/// largest blocks grow with its database (the metrics read every incident),
/// so its memory crept up for as long as it ran: +19 % over a 10-minute soak
/// on SQLite, against +5 % with the threshold pinned.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn pin_the_mmap_threshold() {
    // SAFETY: mallopt only sets an allocator parameter, under the allocator's
    // own lock, and runs once before any other thread starts. It returns 0
    // only for an unknown parameter, which M_MMAP_THRESHOLD is not.
    let set = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024) };
    debug_assert_eq!(set, 1, "glibc knows M_MMAP_THRESHOLD");
}

/// Other allocators and C libraries keep their own policies.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn pin_the_mmap_threshold() {}

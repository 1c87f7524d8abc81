//! glibc's allocator with one arena for the command line's training runs.
//!
//! Why: glibc gives each thread that allocates its own arena, and rayon's workers run the
//! training step, so their tensors come from small per-thread heaps that glibc trims and unmaps
//! as blocks are freed. ResNet-18 at 96px frees and reallocates tens of MB a step, and every
//! step faulted that memory in again: 794 K page faults in 6 steps, 7 % of the samples in the
//! kernel clearing pages. With one arena the blocks are reused (378 K faults) and the step ran
//! 1.02x-1.13x faster there in alternated runs; the fast preset is a tie, the wgpu backend on
//! lavapipe not slower (bench/RESULTS.md). A step makes a few hundred allocations, so one
//! arena's lock is not contended.

/// One malloc arena for the process, unless `MALLOC_ARENA_MAX` already says otherwise. Call
/// before the thread pool starts.
pub fn use_one_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets a parameter of glibc's allocator, and no other thread
        // allocates yet. It returns 0 when it refuses, which leaves glibc's default: still correct.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 1);
        }
    }
}

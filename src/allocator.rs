//! glibc's malloc settings for paperboy's processes.

/// Sets glibc's malloc for a daemon's memory (BENCHMARKS.md, Memory); a setting given in
/// the environment is left to glibc. Call it first thing in `main`, before threads make
/// arenas of their own: the binary does, and so do the benches that run paperboy's code
/// in their own process.
///
/// - Arenas: each thread that finds the heap busy gets one of its own, up to eight per
///   core, and each keeps what it freed: a run of a thousand sources held about 190 MB
///   resident for a 109 MB heap. Two arenas hold about 140 MB, for about a tenth more CPU
///   while sources run.
/// - The size from which a block is mapped on its own, and unmapped when freed: glibc
///   raises it to the size of each such block freed (up to 32 MiB), and from then on the
///   store's write buffers (512 KiB aligned to 8 KiB: a 520 KiB block) are carved from
///   the arenas, which keep the room. Fixed at 512 KiB, the peak of a run of a thousand
///   sources went from about 145 to 105 MB; rendered feeds and fetched pages, smaller,
///   stay in the arenas and cost no fresh pages per render.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn tune() {
    let settings = [
        ("MALLOC_ARENA_MAX", libc::M_ARENA_MAX, 2),
        ("MALLOC_MMAP_THRESHOLD_", libc::M_MMAP_THRESHOLD, 512 * 1024),
    ];
    for (variable, parameter, value) in settings {
        if std::env::var_os(variable).is_none() {
            // SAFETY: mallopt only sets a parameter of glibc's allocator, under the
            // allocator's own lock.
            unsafe {
                libc::mallopt(parameter, value);
            }
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune() {}

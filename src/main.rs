// mimalloc: extraction makes and drops many small strings per event (bench/README.md,
// "Allocator").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    no_transparent_huge_pages();
    spelunk_cli::run()
}

/// Backs this process's memory with ordinary 4 KiB pages, never transparent huge pages
/// (bench/README.md, "Huge pages"). mimalloc asks the kernel for huge pages on its arenas
/// (`MADV_HUGEPAGE`), and a huge page is zeroed whole when first written: on the 2-core
/// benchmark machine (a virtual machine) that cost 3.0 ms per MB written against 0.55 ms
/// for ordinary pages, about 0.3 s of a cold run over 1 GB. The kernel checks the flag at
/// each fault, so it holds for the arena mimalloc reserved before `main`. Where the call
/// fails (an old kernel) nothing changes.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::{c_int, c_ulong};
        const PR_SET_THP_DISABLE: c_int = 41;
        extern "C" {
            fn prctl(option: c_int, ...) -> c_int;
        }
        // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` reads only its integer arguments,
        // passed as the `unsigned long`s the kernel takes; it changes how the kernel backs
        // the process's memory, not any memory Rust knows of.
        let _ = unsafe { prctl(PR_SET_THP_DISABLE, 1 as c_ulong, 0 as c_ulong, 0 as c_ulong, 0 as c_ulong) };
    }
}

#[path = "cli/mod.rs"]
mod spelunk_cli;

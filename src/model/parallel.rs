//! The CPU ops' work (chunks of images, channels) runs on every core natively and in the
//! browser's threaded module (rayon, the pool burn's CPU backend uses too), and one piece after
//! another in the single-threaded module.

pub use crate::backend::cpu_threads as threads;
#[cfg(any(not(target_family = "wasm"), feature = "threads"))]
use crate::model::kernel_sets;

/// Runs `f` on one of the pool's threads and returns what it returns. A training step's parallel
/// pieces then start from a pool thread, which does a share of the work itself, instead of from
/// a thread outside the pool that sleeps and is woken for every op (the kernel's scheduler was
/// 16 % of a native step). Without threads, `f` just runs.
///
/// The kernel policy is per thread ([`kernel_sets`]): `f` takes the caller's with it, and the
/// caller gets it back as `f` left it (a recording's shapes included).
pub fn on_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    #[cfg(any(not(target_family = "wasm"), feature = "threads"))]
    {
        let policy = kernel_sets::install(kernel_sets::Policy::default());
        let (result, policy) = rayon::scope(|_| kernel_sets::with_policy(policy, f));
        kernel_sets::install(policy);
        result
    }
    #[cfg(all(target_family = "wasm", not(feature = "threads")))]
    f()
}

/// Calls `f(chunk index, chunk)` for consecutive `chunk_len` pieces of `data`, in parallel where
/// threads exist.
pub fn for_each_chunk<F>(data: &mut [f32], chunk_len: usize, f: F)
where
    F: Fn(usize, &mut [f32]) + Sync + Send,
{
    for_each_chunk_map(data, chunk_len, f);
}

/// [`for_each_chunk`], collecting what each call returns, in chunk order.
pub fn for_each_chunk_map<T, F>(data: &mut [f32], chunk_len: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize, &mut [f32]) -> T + Sync + Send,
{
    let count = data.len().div_ceil(chunk_len.max(1));
    map_chunks(data, chunk_len, count, f)
}

/// Like [`for_each_chunk`], collecting what each call returns, in chunk order. With
/// `chunk_len == 0` every call gets an empty slice and there are `count` of them.
pub fn map_chunks<T, F>(data: &mut [f32], chunk_len: usize, count: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize, &mut [f32]) -> T + Sync + Send,
{
    let pieces: Vec<&mut [f32]> = if chunk_len == 0 {
        (0..count).map(|_| Default::default()).collect()
    } else {
        data.chunks_mut(chunk_len).collect()
    };
    #[cfg(any(not(target_family = "wasm"), feature = "threads"))]
    {
        use rayon::prelude::*;
        pieces.into_par_iter().enumerate().map(|(i, piece)| f(i, piece)).collect()
    }
    #[cfg(all(target_family = "wasm", not(feature = "threads")))]
    pieces.into_iter().enumerate().map(|(i, piece)| f(i, piece)).collect()
}

//! Chunks of a batch run on every core natively (rayon, the pool burn's CPU backend already
//! uses) and one after another in the browser's single-threaded module.

/// Threads the chunks are spread over.
pub fn threads() -> usize {
    #[cfg(not(target_family = "wasm"))]
    return rayon::current_num_threads();
    #[cfg(target_family = "wasm")]
    return 1;
}

/// Calls `f(chunk index, chunk)` for consecutive `chunk_len` pieces of `data`, in parallel where
/// threads exist.
pub fn for_each_chunk<F>(data: &mut [f32], chunk_len: usize, f: F)
where
    F: Fn(usize, &mut [f32]) + Sync + Send,
{
    let count = data.len().div_ceil(chunk_len.max(1));
    map_chunks(data, chunk_len, count, f);
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
    #[cfg(not(target_family = "wasm"))]
    {
        use rayon::prelude::*;
        pieces.into_par_iter().enumerate().map(|(i, piece)| f(i, piece)).collect()
    }
    #[cfg(target_family = "wasm")]
    pieces.into_iter().enumerate().map(|(i, piece)| f(i, piece)).collect()
}

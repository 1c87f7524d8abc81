//! Any bytes, under a `.gz` name and a raw one: the reader returns Ok or an error, never panics
//! or exhausts memory.
#![no_main]

#[path = "../../src/data/idx.rs"]
#[allow(dead_code)]
mod idx;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = idx::parse_images(data, "images.gz");
    let _ = idx::parse_images(data, "images");
    let _ = idx::parse_labels(data, "labels.gz", 10);
});

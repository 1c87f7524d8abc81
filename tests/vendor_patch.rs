//! `vendor/cubecl-common` (vendor/README.md) is used through `[patch.crates-io]`, which cargo
//! drops with no more than a warning once the crates that depend on it ask for another version
//! (the next cubecl bump). Then the change silently stops applying: this test fails instead.

use std::fs;

/// The `[[package]]` entries of Cargo.lock named `name`, as text.
fn locked(lock: &str, name: &str) -> Vec<String> {
    lock.split("\n[[")
        .filter(|entry| entry.starts_with("package]]") && entry.contains(&format!("\nname = \"{name}\"\n")))
        .map(str::to_string)
        .collect()
}

/// The `version = "..."` of a manifest's `[package]` or of a lock entry.
fn version(text: &str) -> Option<&str> {
    text.lines().find_map(|line| line.strip_prefix("version = \"")?.strip_suffix('"'))
}

#[test]
fn the_vendored_cubecl_common_is_the_one_built() {
    let root = env!("CARGO_MANIFEST_DIR");
    let lock = fs::read_to_string(format!("{root}/Cargo.lock")).unwrap();
    let vendored = fs::read_to_string(format!("{root}/vendor/cubecl-common/Cargo.toml")).unwrap();
    let vendored_version = version(vendored.split("[package]").nth(1).unwrap()).unwrap();

    assert!(
        !lock.contains("[[patch.unused]]"),
        "Cargo.lock lists an unused [patch]: the dependencies no longer ask for cubecl-common {vendored_version}; \
         re-vendor the new version with the change (vendor/README.md) or drop vendor/ and the [patch] line"
    );
    let entries = locked(&lock, "cubecl-common");
    assert_eq!(entries.len(), 1, "one cubecl-common in the build, the vendored one: {entries:#?}");
    assert!(
        !entries[0].contains("\nsource = "),
        "cubecl-common comes from a registry, not from vendor/: the [patch] stopped applying\n{}",
        entries[0]
    );
    assert_eq!(version(&entries[0]), Some(vendored_version));
}

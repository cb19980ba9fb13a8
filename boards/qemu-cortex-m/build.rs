//! Links the firmware with cortex-m-rt's `link.x`, which takes the board's
//! memory map from this crate's `memory.x`. Set here rather than as
//! rustflags in `.cargo/config.toml`, which a `RUSTFLAGS` in the
//! environment would silently replace.

fn main() {
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rustc-link-search={crate_dir}");
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=build.rs");
}

//! `resnet-explorer`: the native command line over the same core the browser runs.

#[cfg(not(target_family = "wasm"))]
mod cli;

#[cfg(not(target_family = "wasm"))]
fn main() {
    use clap::Parser;
    cli::use_one_arena();
    let args = cli::Cli::parse();
    if let Err(message) = cli::run(args) {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

/// The CLI is native only; the browser uses the library through `web`.
#[cfg(target_family = "wasm")]
fn main() {}

//! `resnet-explorer`: the native command line over the same core the browser runs.

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    if let Err(message) = cli::run(args) {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

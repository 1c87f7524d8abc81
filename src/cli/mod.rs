//! Subcommands: `models`, `shapes`, `train`, `identity`, `bench`, `lab`, `convert`, `kernels`.

mod allocator;
mod bench;
mod convert;
mod identity;
mod kernels;
mod lab;
mod model_args;
mod shapes;
mod train;

pub use allocator::use_one_arena;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "resnet-explorer", version, about = "The d2l.ai ResNet on Fashion-MNIST, natively")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List every model (the README's "Models" table, as markdown).
    Models,
    /// Print each top-level layer's output shape, as d2l does.
    Shapes(shapes::Args),
    /// Train on Fashion-MNIST and print d2l's metrics.
    Train(train::Args),
    /// The identity-mapping checks: zeroed residual branches and inserted blocks.
    Identity(identity::Args),
    /// Measure training examples/sec on every backend in this build (a benchmark, not a test).
    Bench(bench::Args),
    /// The nested-function-classes lab: experiments that write CSV files and PNG figures.
    Lab(lab::Args),
    /// Time both kernel sets (this crate's and burn's) on each operation of a model, on wgpu.
    Kernels(kernels::Args),
    /// Convert a network between .rnxw and .safetensors (the seed's PyTorch layout).
    Convert(convert::Args),
}

pub fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Models => {
            print!("{}", resnet_explorer::model::catalogue::markdown_table());
            Ok(())
        }
        Command::Shapes(args) => shapes::run(args),
        Command::Train(args) => train::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Identity(args) => identity::run(args),
        Command::Lab(args) => lab::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Kernels(args) => kernels::run(args),
    }
}

use resnet_explorer::model::{LayerShape, totals};

use super::model_args::ModelArgs;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
    /// Every layer with its parameters and multiply-accumulates (the page's table).
    #[arg(long)]
    detail: bool,
}

pub fn run(args: Args) -> Result<(), String> {
    let rows = args.model.config()?.layers().map_err(|e| e.to_string())?;
    if args.detail {
        print!("{}", detail_table(&rows));
        return Ok(());
    }
    for row in rows.iter().filter(|r| r.level == 0) {
        println!("{} output shape: {:?}", row.kind, row.shape);
    }
    Ok(())
}

/// The layer table as text, one row per layer, indented by level, with totals.
pub fn detail_table(rows: &[LayerShape]) -> String {
    let mut out = format!("{:<18} {:<18} {:<18} {:>12} {:>14}\n", "layer", "type", "output shape", "params", "MACs");
    for r in rows {
        let label = format!("{}{}", "  ".repeat(r.level as usize), r.label);
        let shape = format!("{:?}", r.shape);
        out += &format!("{label:<18} {:<18} {shape:<18} {:>12} {:>14}\n", r.kind, r.params, r.macs);
    }
    let (params, macs) = totals(rows);
    out += &format!("{:<18} {:<18} {:<18} {params:>12} {macs:>14}\n", "total", "", "");
    out
}

use resnet_explorer::model::infer_top_level_shapes;

use super::model_args::ModelArgs;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
}

pub fn run(args: Args) -> Result<(), String> {
    let config = args.model.config()?;
    for row in infer_top_level_shapes(&config).map_err(|e| e.to_string())? {
        println!("{} output shape: {:?}", row.kind, row.shape);
    }
    Ok(())
}

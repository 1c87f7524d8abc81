//! `resnet-explorer lab degradation`: He et al.'s degradation experiment on Fashion-MNIST.
//! Plain and residual twins of the CIFAR family at two depths train on the same batches with
//! the same settings; the training curves go to a CSV and a PNG, the gradient norms of every
//! conv at initialisation to another pair.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use plotters::prelude::*;
use resnet_explorer::backend::{self, BackendKind};
use resnet_explorer::data::BatchOrder;
use resnet_explorer::lab::{GradientNorm, gradient_norms};
use resnet_explorer::model::{ResNetConfig, init_seeded};
use resnet_explorer::train::{TrainConfig, TrainError, TrainEvent, Trainer};

use super::train::{default_data_dir, load_data};

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    experiment: Experiment,
}

#[derive(clap::Subcommand)]
enum Experiment {
    /// Plain vs residual at two depths: training loss and accuracy curves, gradient norms.
    Degradation(Degradation),
}

#[derive(clap::Args)]
struct Degradation {
    /// Depths 6n + 2 to compare (He et al.: 20 and 56).
    #[arg(long, value_delimiter = ',', default_values_t = [20, 56])]
    depths: Vec<usize>,
    /// Width of the first stage (then doubled twice; He et al.: 16).
    #[arg(long, default_value_t = 16)]
    width: usize,
    #[arg(long, default_value_t = 3)]
    epochs: usize,
    #[arg(long, default_value_t = 128)]
    batch_size: usize,
    #[arg(long, default_value_t = 0.1)]
    lr: f64,
    #[arg(long, default_value_t = 0.9)]
    momentum: f64,
    /// Train on the first N training images (the budget).
    #[arg(long, default_value_t = 6000)]
    train_limit: usize,
    #[arg(long, default_value_t = 1000)]
    test_limit: usize,
    /// Start every residual block as the identity (the last BatchNorm's gamma at 0).
    #[arg(long)]
    zero_gamma: bool,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, default_value = default_data_dir())]
    data_dir: PathBuf,
    /// Where degradation.csv, degradation.png, gradients.csv and gradients.png go.
    #[arg(long, default_value = "docs")]
    out: PathBuf,
    /// Also write the race as JSON here: the command, date, machine and settings, and per network
    /// its training curve and its test accuracy at every epoch end (the page's recorded race).
    #[arg(long)]
    json: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<(), String> {
    match args.experiment {
        Experiment::Degradation(d) => degradation(d),
    }
}

/// One network of the comparison and what it measured.
struct Run {
    name: String,
    residual: bool,
    depth: usize,
    /// (epoch, training loss, training accuracy) at every report.
    curve: Vec<(f64, f64, f64)>,
    test_acc: f64,
    /// (epoch, test accuracy) at every epoch end.
    tests: Vec<(usize, f64)>,
    params: usize,
    seconds: f64,
    gradients: Vec<GradientNorm>,
    /// Stopped because its loss exploded (the curve ends there).
    diverged: bool,
}

fn degradation(args: Degradation) -> Result<(), String> {
    if let Some(depth) = args.depths.iter().find(|&&d| d < 8 || (d - 2) % 6 != 0) {
        return Err(format!("depth {depth} is not 6n + 2 with n >= 1 (e.g. 20, 32, 44, 56)"));
    }
    let device = backend::init_native(BackendKind::Cpu)?;
    let (train, test) = load_data(&args.data_dir, Some(args.train_limit), Some(args.test_limit))?;
    let config = TrainConfig {
        epochs: args.epochs,
        batch_size: args.batch_size,
        lr: args.lr,
        momentum: args.momentum,
        weight_decay: 1e-4,
        seed: args.seed,
    };
    // The gradients at initialisation are measured on the first batch every run trains on.
    let first = BatchOrder::shuffled(train.len(), args.batch_size, args.seed, 0);
    let probe = train.batch(first.batch(0), 28);

    let started = web_time::Instant::now();
    let mut runs = Vec::new();
    for &depth in &args.depths {
        for residual in [false, true] {
            let w = args.width;
            let model = ResNetConfig {
                widths: vec![w, 2 * w, 4 * w],
                zero_init_residual: args.zero_gamma && residual,
                ..ResNetConfig::cifar((depth - 2) / 6, residual)
            };
            let name = format!("{}-{depth}", if residual { "resnet" } else { "plain" });
            let autodiff = device.clone().autodiff();
            let gradients =
                pollster::block_on(gradient_norms(&init_seeded(&model, args.seed, &autodiff), &probe, &autodiff))
                    .map_err(|e| e.to_string())?;
            println!(
                "{name}: {} parameters, training {} epochs on {} images",
                model.parameter_count(),
                args.epochs,
                train.len()
            );
            let mut trainer = Trainer::new(&model, config.clone(), train.clone(), test.clone(), &device)
                .map_err(|e| e.to_string())?;
            let clock = web_time::Instant::now();
            let params = model.parameter_count();
            let (curve, tests) = (Vec::new(), Vec::new());
            let mut run = Run {
                name,
                residual,
                depth,
                curve,
                test_acc: 0.0,
                tests,
                params,
                seconds: 0.0,
                gradients,
                diverged: false,
            };
            while !trainer.is_finished() {
                let events = match pollster::block_on(trainer.step()) {
                    Ok(events) => events,
                    // A diverging twin is a result too: keep its curve so far and go on with the others.
                    Err(e @ TrainError::Diverged { .. }) => {
                        println!("  {e}");
                        run.diverged = true;
                        break;
                    }
                    Err(e) => return Err(format!("{}: {e}", run.name)),
                };
                for event in events {
                    match event {
                        TrainEvent::Report { epoch, train_loss, train_acc, .. } => {
                            run.curve.push((epoch, train_loss, train_acc))
                        }
                        TrainEvent::Epoch { epoch, train_loss, train_acc, test_acc, examples_per_sec } => {
                            run.test_acc = test_acc;
                            run.tests.push((epoch, test_acc));
                            println!(
                                "  epoch {epoch}: loss {train_loss:.4}, train acc {train_acc:.3}, test acc {test_acc:.3}, {examples_per_sec:.0} examples/sec"
                            );
                        }
                    }
                }
            }
            run.seconds = clock.elapsed().as_secs_f64();
            runs.push(run);
        }
    }

    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let write = |name: &str, text: String| {
        let path = args.out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write("degradation.csv", curves_csv(&runs))?;
    write("gradients.csv", gradients_csv(&runs))?;
    plot_curves(&args.out.join("degradation.png"), &runs).map_err(|e| format!("plotting: {e}"))?;
    plot_gradients(&args.out.join("gradients.png"), &runs).map_err(|e| format!("plotting: {e}"))?;
    if let Some(path) = &args.json {
        let json = recorded_json(&args, (train.len(), test.len()), &runs, started.elapsed().as_secs_f64());
        let text = serde_json::to_string(&json).map_err(|e| e.to_string())? + "\n";
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }

    println!("\nnetwork      final training loss  final train acc  test acc  first-conv gradient norm");
    for r in &runs {
        let (_, loss, acc) = r.curve.last().copied().unwrap_or_default();
        let first = r.gradients.first().map_or(0.0, |g| g.norm);
        let note = if r.diverged { "  (diverged: curve ends early)" } else { "" };
        println!("{:<12} {loss:>19.4} {acc:>16.3} {:>9.3} {first:>25.3e}{note}", r.name, r.test_acc);
    }
    println!("wrote degradation.csv, degradation.png, gradients.csv, gradients.png to {}", args.out.display());
    Ok(())
}

fn curves_csv(runs: &[Run]) -> String {
    let mut out = String::from("network,depth,residual,epoch,train_loss,train_acc,diverged\n");
    for r in runs {
        for (epoch, loss, acc) in &r.curve {
            let _ = writeln!(out, "{},{},{},{epoch},{loss},{acc},{}", r.name, r.depth, r.residual, r.diverged);
        }
    }
    out
}

/// The race as the page draws it (`www/data/degradation-recorded.json`): what ran, where and when,
/// and per network its reports (epoch, training loss, training accuracy) and epoch-end test accuracy.
fn recorded_json(args: &Degradation, (train, test): (usize, usize), runs: &[Run], seconds: f64) -> serde_json::Value {
    let round = |x: f64| (x * 1e4).round() / 1e4;
    let args_line: Vec<String> = std::env::args().skip(1).collect();
    let runs: Vec<_> = runs
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r.name, "depth": r.depth, "residual": r.residual, "params": r.params,
                "diverged": r.diverged, "seconds": r.seconds.round(),
                "curve": r.curve.iter().map(|&(e, l, a)| [round(e), round(l), round(a)]).collect::<Vec<_>>(),
                "tests": r.tests.iter().map(|&(e, a)| [e as f64, round(a)]).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({
        "experiment": "degradation",
        "command": format!("resnet-explorer {}", args_line.join(" ")),
        "date": utc_date(std::time::SystemTime::now()),
        "machine": machine(),
        "seconds": seconds.round(),
        "settings": {
            "depths": args.depths, "width": args.width, "epochs": args.epochs, "batch_size": args.batch_size,
            "lr": args.lr, "momentum": args.momentum, "weight_decay": 1e-4, "train_images": train,
            "test_images": test, "zero_gamma": args.zero_gamma, "seed": args.seed, "backend": "cpu",
        },
        "curve_columns": ["epoch", "train_loss", "train_acc"],
        "tests_columns": ["epoch", "test_acc"],
        "runs": runs,
    })
}

/// YYYY-MM-DD (UTC) of `time` (Howard Hinnant's civil-from-days).
fn utc_date(time: std::time::SystemTime) -> String {
    let days = time.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The CPU model (from /proc/cpuinfo where there is one), the cores and the OS.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find(|l| l.starts_with("model name"))?.split(':').nth(1).map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cpu}, {cores} cores, {}, CPU backend (no GPU)", std::env::consts::OS)
}

fn gradients_csv(runs: &[Run]) -> String {
    let mut out = String::from("network,layer,depth,gradient_norm\n");
    for r in runs {
        for g in &r.gradients {
            let _ = writeln!(out, "{},{},{},{}", r.name, g.label, g.depth, g.norm);
        }
    }
    out
}

/// Plain networks in warm colours, residual ones in cool; the deeper, the darker.
fn color(run: &Run, runs: &[Run]) -> RGBColor {
    let deepest = runs.iter().map(|r| r.depth).max().unwrap_or(run.depth);
    match (run.residual, run.depth == deepest) {
        (false, false) => RGBColor(245, 158, 11),
        (false, true) => RGBColor(185, 28, 28),
        (true, false) => RGBColor(56, 189, 248),
        (true, true) => RGBColor(30, 64, 175),
    }
}

type PlotResult = Result<(), Box<dyn std::error::Error>>;

fn plot_curves(path: &Path, runs: &[Run]) -> PlotResult {
    plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).map_err(|_| "the bundled font is invalid")?;
    let root = BitMapBackend::new(path, (1200, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(600);
    let max_epoch = runs.iter().flat_map(|r| r.curve.iter().map(|p| p.0)).fold(1.0, f64::max);
    let max_loss = runs.iter().flat_map(|r| r.curve.iter().map(|p| p.1)).fold(0.5, f64::max);
    type Metric = fn(&(f64, f64, f64)) -> f64;
    let panels: [(_, &str, f64, Metric); 2] =
        [(left, "training loss", max_loss * 1.05, |p| p.1), (right, "training accuracy", 1.0, |p| p.2)];
    for (area, title, top, metric) in panels {
        let mut chart = ChartBuilder::on(&area)
            .caption(title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..max_epoch, 0.0..top)?;
        chart.configure_mesh().x_desc("epoch").label_style(("sans-serif", 14)).draw()?;
        for r in runs {
            let c = color(r, runs);
            chart
                .draw_series(LineSeries::new(r.curve.iter().map(|p| (p.0, metric(p))), c.stroke_width(3)))?
                .label(&r.name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3)));
        }
        chart
            .configure_series_labels()
            .position(if title.contains("loss") {
                SeriesLabelPosition::UpperRight
            } else {
                SeriesLabelPosition::LowerRight
            })
            .label_font(("sans-serif", 15))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

fn plot_gradients(path: &Path, runs: &[Run]) -> PlotResult {
    plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).map_err(|_| "the bundled font is invalid")?;
    let root = BitMapBackend::new(path, (900, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let norms = runs.iter().flat_map(|r| r.gradients.iter().map(|g| g.norm as f64)).filter(|n| *n > 0.0);
    let (lo, hi) = norms.fold((f64::MAX, f64::MIN), |(lo, hi), n| (lo.min(n), hi.max(n)));
    let deepest = runs.iter().map(|r| r.depth).max().unwrap_or(2);
    let mut chart = ChartBuilder::on(&root)
        .caption("||dL/dW|| of every conv at initialisation, by depth", ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(1.0..deepest as f64, (lo / 2.0..hi * 2.0).log_scale())?;
    chart.configure_mesh().x_desc("layer (depth)").y_desc("gradient norm").label_style(("sans-serif", 14)).draw()?;
    for r in runs {
        let c = color(r, runs);
        // The main path only: a block's projection sits beside its first conv.
        let points =
            r.gradients.iter().filter(|g| !g.label.ends_with("conv3")).map(|g| (g.depth as f64, g.norm as f64));
        chart
            .draw_series(LineSeries::new(points, c.stroke_width(3)))?
            .label(&r.name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .label_font(("sans-serif", 15))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

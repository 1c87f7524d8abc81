//! The `resnet-explorer` binary, run as a user would.
#![cfg(not(target_family = "wasm"))]

use std::process::{Command, Output};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_resnet-explorer")).args(args).output().expect("binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn shapes_prints_the_seed_lines() {
    let out = cli(&["shapes", "--model", "resnet18", "--input", "96"]);
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        "Sequential output shape: [1, 64, 24, 24]\n\
         Sequential output shape: [1, 64, 24, 24]\n\
         Sequential output shape: [1, 128, 12, 12]\n\
         Sequential output shape: [1, 256, 6, 6]\n\
         Sequential output shape: [1, 512, 3, 3]\n\
         AdaptiveAvgPool2d output shape: [1, 512, 1, 1]\n\
         Flatten output shape: [1, 512]\n\
         Linear output shape: [1, 10]\n"
    );
    let seed000 = stdout(&cli(&["shapes", "--model", "resnet18", "--input", "224", "--pool-stride", "3"]));
    assert!(seed000.starts_with("Sequential output shape: [1, 64, 38, 38]\n"), "{seed000}");
    assert!(seed000.contains("Sequential output shape: [1, 512, 5, 5]\n"), "{seed000}");
}

#[test]
fn train_prints_d2l_lines() {
    let out = cli(&[
        "train",
        "--model",
        "tiny",
        "--epochs",
        "1",
        "--batch-size",
        "32",
        "--lr",
        "0.1",
        "--train-limit",
        "320",
        "--test-limit",
        "100",
        "--seed",
        "1",
    ]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("training on cpu"), "{text}");
    for (i, fraction) in ["0.2", "0.4", "0.6", "0.8", "1.0"].iter().enumerate() {
        assert!(lines[1 + i].starts_with(&format!("epoch {fraction}, train_loss ")), "{text}");
        assert!(lines[1 + i].contains(", train_acc "), "{text}");
    }
    assert!(
        lines[6].starts_with("loss ") && lines[6].contains(", train acc ") && lines[6].contains(", test acc "),
        "{text}"
    );
    assert!(lines[7].ends_with("examples/sec on cpu (burn flex)"), "{text}");
}

#[test]
fn bad_inputs_give_a_message_not_a_panic() {
    let dir = std::env::temp_dir().join(format!("resnet-explorer-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"] {
        std::fs::write(dir.join(name), b"<html>Not Found</html>").unwrap();
    }
    let out = cli(&["train", "--data-dir", dir.to_str().unwrap(), "--epochs", "1"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.starts_with("error: ") && err.contains("not gzip data") && !err.contains("panicked"), "{err}");

    let out = cli(&["shapes", "--model", "resnet18", "--input", "4", "--stem-padding", "0"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("too small"), "{err}");
    #[cfg(not(feature = "wgpu"))]
    {
        let out = cli(&["train", "--backend", "wgpu", "--epochs", "1"]);
        assert!(String::from_utf8_lossy(&out.stderr).contains("--features wgpu"));
    }
}

#[test]
fn detail_table_has_every_layer_and_the_totals() {
    let out = stdout(&cli(&["shapes", "--model", "resnet18", "--input", "96", "--detail"]));
    let total = out.lines().last().unwrap();
    assert!(total.starts_with("total") && total.contains(" 11178378 ") && total.ends_with(" 318657536"), "{total}");
    // Its top-level rows are exactly the plain printout.
    let plain = stdout(&cli(&["shapes", "--model", "resnet18", "--input", "96"]));
    let top: Vec<String> = out
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with(' ') && !l.starts_with("total"))
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            format!("{} output shape: {}", cols[1], l[37..55].trim())
        })
        .collect();
    assert_eq!(top, plain.lines().collect::<Vec<_>>());
    assert!(out.contains("    b3.0.conv3     Conv2d"), "the 1x1 shortcut conv is listed:\n{out}");
}

#[test]
fn identity_prints_exact_zeros_and_unchanged_predictions() {
    let out = cli(&["identity", "--images", "8", "--test-limit", "300"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    let blocks: Vec<&str> = text.lines().filter(|l| l.starts_with("b") && l.split_whitespace().count() == 3).collect();
    assert_eq!(blocks.len(), 5, "the fast preset has 5 identity-shortcut blocks:\n{text}");
    for line in &blocks {
        assert_eq!(line.split_whitespace().nth(1), Some("0"), "zeroed BN2 must give exactly 0: {line}");
    }
    assert_eq!(text.matches("1x1 projection shortcut").count(), 3);
    let identity_rows: Vec<&str> = text.lines().filter(|l| l.split_whitespace().nth(1) == Some("identity")).collect();
    assert_eq!(identity_rows.len(), 4);
    for row in identity_rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!((cols[2], cols[4]), (cols[3], "0"), "accuracy and predictions unchanged: {row}");
    }
}

/// `lab degradation` at the smallest size (8 layers, width 4, one epoch on 160 images), plus `extra`.
fn tiny_lab(out_dir: &std::path::Path, extra: &[&str]) -> Output {
    let size = ["--depths", "8", "--width", "4", "--epochs", "1", "--batch-size", "32", "--train-limit", "160"];
    let out = ["--test-limit", "32", "--out", out_dir.to_str().unwrap()];
    cli(&[&["lab", "degradation"][..], &size, &out, extra].concat())
}

#[test]
fn lab_degradation_writes_its_csv_and_figures() {
    let out_dir = std::env::temp_dir().join(format!("lab-{}", std::process::id()));
    let json_path = std::env::temp_dir().join(format!("lab-{}.json", std::process::id()));
    let out = tiny_lab(&out_dir, &["--json", json_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    assert!(text.contains("plain-8") && text.contains("resnet-8"), "{text}");
    // --json: the page's recorded race, with what ran, when and where.
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    std::fs::remove_file(&json_path).ok();
    assert!(json["command"].as_str().unwrap().starts_with("resnet-explorer lab degradation --depths 8 "), "{json}");
    assert_eq!(json["date"].as_str().unwrap().len(), "2025-01-31".len(), "{json}");
    assert!(json["machine"].as_str().unwrap().contains("cores"), "{json}");
    assert_eq!((json["settings"]["train_images"].as_u64(), json["settings"]["width"].as_u64()), (Some(160), Some(4)));
    let runs = json["runs"].as_array().unwrap();
    let names: Vec<&str> = runs.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["plain-8", "resnet-8"]);
    for run in runs {
        assert_eq!(run["curve"].as_array().unwrap().len(), 5, "5 reports in one epoch: {run}");
        assert_eq!(run["curve"][4][0].as_f64(), Some(1.0), "[epoch, loss, acc]: {run}");
        let tests = run["tests"].as_array().unwrap();
        assert_eq!(tests.len(), 1, "one test accuracy per epoch: {run}");
        assert!((0.0..=1.0).contains(&tests[0][1].as_f64().unwrap()), "{run}");
        assert_eq!(run["params"], runs[0]["params"], "the twins have the same parameters");
    }
    let csv = std::fs::read_to_string(out_dir.join("degradation.csv")).unwrap();
    // A header, then 5 reports for each of the two twins.
    assert_eq!(csv.lines().count(), 1 + 2 * 5, "{csv}");
    assert!(csv.lines().nth(1).unwrap().starts_with("plain-8,8,false,0.2,"));
    let gradients = std::fs::read_to_string(out_dir.join("gradients.csv")).unwrap();
    assert_eq!(gradients.lines().count(), 1 + 2 * 7, "7 convs in each 8-layer twin (option A has no conv3)");
    for png in ["degradation.png", "gradients.png"] {
        let bytes = std::fs::read(out_dir.join(png)).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{png} is a PNG");
    }
    // A diverging learning rate stops a twin, not the experiment: its curve ends early.
    let wild = tiny_lab(&out_dir, &["--lr", "50"]);
    assert!(wild.status.success(), "{}", String::from_utf8_lossy(&wild.stderr));
    assert!(stdout(&wild).contains("(diverged: curve ends early)"), "{}", stdout(&wild));
    assert!(std::fs::read_to_string(out_dir.join("degradation.csv")).unwrap().contains(",true\n"));
    // Depths must be 6n + 2.
    let bad = cli(&["lab", "degradation", "--depths", "10", "--out", out_dir.to_str().unwrap()]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("depth 10 is not 6n + 2"));
    std::fs::remove_dir_all(out_dir).ok();
}

#[test]
fn the_model_table_in_docs_is_the_models_command_output() {
    let out = cli(&["models"]);
    assert!(out.status.success());
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/MODELS.md")).unwrap();
    let start = readme.find("<!-- models:").expect("docs/MODELS.md marks its model table");
    let table = &readme[start..];
    let table = &table[table.find('\n').unwrap() + 1..table.find("<!-- /models -->").unwrap()];
    assert_eq!(table, stdout(&out), "run `cargo run --release -- models` and paste its output into docs/MODELS.md");
    assert!(stdout(&out).contains("| `d2l96`, `resnet18` | ResNet-18, 96 px, as in d2l (slow) | 96 | 11,178,378 |"));
}

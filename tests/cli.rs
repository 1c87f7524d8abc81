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
        "train", "--model", "tiny", "--epochs", "1", "--batch-size", "32", "--lr", "0.1", "--train-limit", "320",
        "--test-limit", "100", "--seed", "1",
    ]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("training on cpu"), "{text}");
    for (i, fraction) in ["0.2", "0.4", "0.6", "0.8", "1.0"].iter().enumerate() {
        assert!(lines[1 + i].starts_with(&format!("epoch {fraction}, train_loss ")), "{text}");
        assert!(lines[1 + i].contains(", train_acc "), "{text}");
    }
    assert!(lines[6].starts_with("loss ") && lines[6].contains(", train acc ") && lines[6].contains(", test acc "), "{text}");
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

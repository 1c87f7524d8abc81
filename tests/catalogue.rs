//! The model catalogue: one entry a model, each valid, with the page's ranges for its training
//! defaults, and the same models the rest of the crate knows.
#![cfg(not(target_family = "wasm"))]

use std::collections::HashSet;

use resnet_explorer::model::catalogue::{self, Family};
use resnet_explorer::model::zoo::ZooKind;
use resnet_explorer::model::{ModelConfig, ResNetConfig};

#[test]
fn names_are_unique_and_keep_the_page_and_command_line_names() {
    let entries = catalogue::catalogue();
    let names: Vec<&str> = entries.iter().flat_map(|e| [&[e.name][..], e.aliases].concat()).collect();
    assert_eq!(names.iter().collect::<HashSet<_>>().len(), names.len(), "{names:?}");
    let page = [
        "fast",
        "d2l96",
        "tiny",
        "lenet-bn",
        "lenet-bn-scratch",
        "alexnet",
        "vgg11",
        "vgg11-small",
        "nin",
        "googlenet",
    ];
    assert_eq!(entries.iter().map(|e| e.name).collect::<Vec<_>>(), page);
    assert_eq!(catalogue::find("resnet18").unwrap().name, "d2l96", "the command line's old name still works");
    // Every zoo network is in it, under its serde name.
    for kind in ZooKind::ALL {
        assert_eq!(catalogue::find(kind.name()).unwrap().family, Family::Zoo(kind));
    }
}

#[test]
fn every_entry_validates_and_has_defaults_in_the_page_ranges() {
    for e in catalogue::catalogue() {
        let config = e.config();
        config.validate().unwrap_or_else(|err| panic!("{}: {err}", e.name));
        assert_eq!(config.input_size(), e.default_input_size());
        let t = e.training;
        assert!((1..=100).contains(&t.epochs), "{}: epochs {}", e.name, t.epochs);
        assert!((1..=4096).contains(&t.batch), "{}: batch {}", e.name, t.batch);
        assert!((1e-4..=10.0).contains(&t.lr), "{}: lr {}", e.name, t.lr);
        assert!(!e.title.is_empty() && e.notes.len() > 40, "{}", e.name);
        let (params, macs) = e.totals();
        assert_eq!(params, config.parameter_count());
        assert!(macs > 0);
    }
}

#[test]
fn the_resnet_presets_and_figures_are_the_known_ones() {
    let find = |name| catalogue::find(name).unwrap();
    assert_eq!(find("fast").config(), ModelConfig::from(ResNetConfig::fast()));
    assert_eq!(find("tiny").config(), ModelConfig::from(ResNetConfig::tiny()));
    assert_eq!(find("d2l96").config(), ModelConfig::from(ResNetConfig::resnet18(96)));
    assert_eq!(find("d2l96").totals(), (11_178_378, 318_657_536));
    assert_eq!(find("d2l96").seed_test_acc, Some(0.915));
    assert_eq!(find("alexnet").totals(), (46_764_746, 938_146_176));
    assert_eq!(find("googlenet").seed_test_acc, Some(0.869));
}

#[test]
fn the_summary_serialises_with_the_fields_the_page_reads() {
    let summary = catalogue::find("lenet-bn").unwrap().summary();
    let json = serde_json::to_value(&summary).unwrap();
    let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "config",
            "default_input_size",
            "family",
            "macs",
            "name",
            "notes",
            "parameters",
            "seed_test_acc",
            "title",
            "training"
        ]
    );
    assert_eq!(json["family"], "zoo");
    assert_eq!(json["config"], serde_json::json!({"kind": "lenet-bn", "input_size": 28}));
    assert_eq!(json["training"], serde_json::json!({"epochs": 2, "batch": 256, "lr": 0.9}));
    let fast = serde_json::to_value(catalogue::find("fast").unwrap().summary()).unwrap();
    assert_eq!((fast["family"].as_str(), fast["seed_test_acc"].is_null()), (Some("resnet"), true));
    assert_eq!(fast["config"]["widths"], serde_json::json!([16, 32, 64, 128]));
}

/// The test accuracy each model's seed printed (d2l chapter 7 in the seed notes, the last
/// `test acc` line of each section: AlexNet, VGG, NiN, GoogLeNet, LeNet with BatchNorm from
/// scratch and concise, ResNet-18); the catalogue quotes exactly these.
#[test]
fn the_seed_accuracies_are_the_printed_ones() {
    let printed = [
        ("alexnet", 0.883),
        ("vgg11", 0.918),
        ("vgg11-small", 0.918),
        ("nin", 0.867),
        ("googlenet", 0.869),
        ("lenet-bn-scratch", 0.853),
        ("lenet-bn", 0.863),
        ("d2l96", 0.915),
    ];
    for (name, acc) in printed {
        let entry = catalogue::find(name).unwrap_or_else(|| panic!("no catalogue entry {name}"));
        assert_eq!(entry.seed_test_acc, Some(acc), "{name}");
    }
    let quoted: Vec<_> = catalogue::catalogue().iter().filter(|e| e.seed_test_acc.is_some()).map(|e| e.name).collect();
    assert_eq!(quoted.len(), printed.len(), "every quoted accuracy is checked: {quoted:?}");
}

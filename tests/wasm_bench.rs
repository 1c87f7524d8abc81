//! A benchmark, run by hand, of the two ways messages cross the wasm boundary: one JSON string
//! (`serde_json` + `JSON.parse`, `JSON.stringify` + `serde_json`) against serde-wasm-bindgen
//! building (or reading) the JavaScript value field by field, for each message kind the worker
//! sends and receives, and the bulk numbers as typed arrays. Each kind is also checked to give
//! the same JavaScript value both ways. Prints µs per conversion:
//!
//! ```sh
//! source scripts/env.sh
//! wasm-pack test --headless --chrome --release -- --features wgpu --test wasm_bench -- --nocapture
//! ```
//!
//! The figures are in bench/RESULTS.md ("serde-wasm-bindgen vs JSON strings").
#![cfg(target_family = "wasm")]

use resnet_explorer::explore::{BlockCheck, Insertion, InsertionCheck};
use resnet_explorer::lab::GradientNorm;
use resnet_explorer::model::catalogue;
use resnet_explorer::model::zoo::{ZooConfig, ZooKind};
use resnet_explorer::model::{ModelConfig, ResNetConfig};
use resnet_explorer::session::protocol::{ModelEvent, Origin, StartRequest, WorkerEvent, predictions_event};
use resnet_explorer::session::{Magnitude, Probe};
use resnet_explorer::train::{TrainConfig, TrainEvent};
use resnet_explorer::web::convert::{event_to_js, json_from_js, json_to_js};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

// In a Web Worker, as the page's conversions run (and so a long run never blocks the page the
// test runner watches).
wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// A value built in JavaScript field by field by serde-wasm-bindgen, as `JSON.parse` would
/// build it (plain objects for maps, null for `None`).
fn swb_to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, serde_wasm_bindgen::Error> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
}

/// A request read field by field by serde-wasm-bindgen.
fn swb_from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, serde_wasm_bindgen::Error> {
    serde_wasm_bindgen::from_value(value)
}

/// `performance.now()` in ms.
fn now() -> f64 {
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).unwrap();
    let now = js_sys::Reflect::get(&performance, &"now".into()).unwrap();
    now.unchecked_into::<js_sys::Function>().call0(&performance).unwrap().as_f64().unwrap()
}

/// Mean µs of `f`: runs of 1, 2, 4, ... calls, timed as a whole (the clock read outside the
/// calls), until a run of at least 8 calls lasts 20 ms.
fn time(mut f: impl FnMut()) -> f64 {
    f();
    let mut calls = 1;
    loop {
        let start = now();
        for _ in 0..calls {
            f();
        }
        let ms = now() - start;
        if calls >= 8 && ms >= 20.0 {
            return ms * 1000.0 / calls as f64;
        }
        calls *= 2;
    }
}

fn same(a: &JsValue, b: &JsValue) -> bool {
    js_sys::JSON::stringify(a).unwrap() == js_sys::JSON::stringify(b).unwrap()
}

/// An event (or the value a method returns) both ways: µs with JSON, µs with serde-wasm-bindgen.
fn out<T: Serialize>(kind: &str, value: &T) -> (f64, f64) {
    let (json, swb) = (json_to_js(value).unwrap(), swb_to_js(value).unwrap());
    if !same(&json, &swb) {
        // f32 fields: JSON writes the shortest decimal of the f32 (0.3), serde-wasm-bindgen the
        // f64 it widens to (0.30000001192092896).
        web_sys::console::log_1(&format!("{kind}: the two conversions give different values").into());
    }
    let bytes = serde_json::to_string(value).unwrap().len();
    let t = (time(|| drop(json_to_js(value).unwrap())), time(|| drop(swb_to_js(value).unwrap())));
    report("Rust -> JS", kind, bytes, t);
    t
}

/// A request both ways: µs with JSON, µs with serde-wasm-bindgen.
fn back<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(kind: &str, value: &T) -> (f64, f64) {
    let js = json_to_js(value).unwrap();
    assert_eq!(&json_from_js::<T>(js.clone()).unwrap(), value, "{kind}");
    assert_eq!(&swb_from_js::<T>(js.clone()).unwrap(), value, "{kind}");
    let bytes = serde_json::to_string(value).unwrap().len();
    let t =
        (time(|| drop(json_from_js::<T>(js.clone()).unwrap())), time(|| drop(swb_from_js::<T>(js.clone()).unwrap())));
    report("JS -> Rust", kind, bytes, t);
    t
}

fn report(direction: &str, kind: &str, bytes: usize, (json, swb): (f64, f64)) {
    web_sys::console::log_1(
        &format!("| {direction} | {kind} | {bytes} | {json:.1} | {swb:.1} | {:.2} |", swb / json).into(),
    );
}

fn model_event(config: ModelConfig) -> WorkerEvent {
    WorkerEvent::Model(ModelEvent {
        layers: config.layers().unwrap(),
        parameters: config.parameter_count(),
        config,
        note: "trained here: 2 epochs at lr 0.1".into(),
        origin: Origin::Trained { run: 1, id: None, name: None },
        inserted: Vec::new(),
    })
}

fn start_request(model: ModelConfig) -> StartRequest {
    StartRequest {
        model,
        train: TrainConfig { epochs: 2, batch_size: 128, lr: 0.1, ..TrainConfig::default() },
        train_limit: Some(60000),
        test_limit: None,
        max_buffer_bytes: Some(1 << 28),
        kernels: None,
    }
}

#[wasm_bindgen_test]
fn json_strings_against_serde_wasm_bindgen() {
    // What one crossing costs, and the Rust side alone.
    let crossing = time(|| {
        js_sys::Math::random();
    });
    let parse = time(|| drop(js_sys::JSON::parse("1").unwrap()));
    let fast = model_event(ResNetConfig::fast().into());
    let rust = time(|| drop(serde_json::to_string(&fast).unwrap()));
    let s = serde_json::to_string(&fast).unwrap();
    let string = time(|| drop(JsValue::from_str(&s)));
    let msg = format!(
        "one call to JS: {crossing:.2} µs; JSON.parse(\"1\"): {parse:.2} µs; serde_json of the fast model event: \
         {rust:.2} µs; its 8.9 kB string to JS: {string:.2} µs"
    );
    web_sys::console::log_1(&msg.into());
    web_sys::console::log_1(&"| direction | message | JSON bytes | JSON µs | serde-wasm-bindgen µs | ratio |".into());
    let step = WorkerEvent::Step { batch: 120, total: 938 };
    let report = WorkerEvent::Train(TrainEvent::Report {
        epoch: 0.2,
        train_loss: 0.61234,
        train_acc: 0.7712,
        examples_per_sec: 1234.5,
    });
    out("step() per batch: [step]", &vec![step.clone()]);
    out("step() at a report: [step, train report]", &vec![step.clone(), report.clone()]);
    let labels: Vec<u8> = (0..10_000).map(|i| (i * 7 % 10) as u8).collect();
    let predictions: Vec<u8> = (0..10_000).map(|i| (i * 3 % 10) as u8).collect();
    let predictions = predictions_event(&predictions, &labels, 24);
    let epoch = WorkerEvent::Train(TrainEvent::Epoch {
        epoch: 1,
        train_loss: 0.4,
        train_acc: 0.85,
        test_acc: 0.86,
        examples_per_sec: 1200.0,
    });
    let finished = WorkerEvent::Finished { examples_per_sec: 1200.0 };
    out(
        "step() at an epoch end: [step, epoch, predictions, finished]",
        &vec![step, epoch, predictions.clone(), finished],
    );
    out("evaluate(): predictions", &predictions);
    for (name, config) in [
        ("fast", ModelConfig::from(ResNetConfig::fast())),
        ("googlenet", ModelConfig::from(ZooConfig::new(ZooKind::GoogLeNet))),
    ] {
        out(
            &format!("model event, {name} ({} layer rows)", config.layers().unwrap().len()),
            &vec![model_event(config.clone())],
        );
        out(&format!("shapes() answer, {name}"), &config.layers().unwrap());
    }
    let checks: Vec<BlockCheck> = (0..8)
        .map(|i| BlockCheck {
            label: format!("b{}.{}", i / 2 + 2, i % 2),
            stage: i / 2,
            block: i % 2,
            projection: i % 2 == 0 && i > 0,
            zero_branch: Some(0.0),
            zero_conv2: Some(0.25),
        })
        .collect();
    out("identityChecks()", &checks);
    let insertion = WorkerEvent::Insertion(InsertionCheck {
        insertion: Insertion::Identity,
        stage: 1,
        accuracy_before: 0.87,
        accuracy_after: 0.87,
        changed_predictions: 0,
        images: 10_000,
    });
    out("insert(): [insertion, model event fast]", &vec![insertion, model_event(ResNetConfig::fast().into())]);
    let probe = Probe {
        gradients: (0..55).map(|i| GradientNorm { label: format!("c{i}"), depth: i + 1, norm: 1.5 }).collect(),
        magnitudes: (0..27).map(|i| Magnitude { label: format!("b{i}"), ratio: 0.3 }).collect(),
    };
    out("labProbe() (56-layer twin)", &probe);
    let summaries: Vec<_> = catalogue::catalogue().iter().map(catalogue::Entry::summary).collect();
    out("catalogue()", &summaries);

    // Bulk numbers: JSON arrays against typed arrays (what `gallery()` and `featureMaps()` return
    // since they measured faster).
    let gallery = WorkerEvent::Gallery {
        side: 28,
        images: (0..24).map(|i| (0..784).map(|p| ((i * p) % 256) as u8).collect()).collect(),
        labels: (0..24).map(|i| (i % 10) as u8).collect(),
        class_names: (0..10).map(|i| format!("class {i}")).collect(),
    };
    let maps = WorkerEvent::FeatureMaps {
        label: "b2.0".into(),
        channels: 4,
        side_in: 24,
        side_out: 24,
        input: (0..2304).map(|i| i as f32 * 0.01).collect(),
        output: (0..2304).map(|i| i as f32 * -0.01).collect(),
        max_abs_diff: Some(0.0),
    };
    for (kind, event) in [("gallery(24)", &gallery), ("featureMaps() (4 x 24 x 24, twice)", &maps)] {
        let (json, swb) = out(kind, event);
        let typed = time(|| drop(event_to_js(event).unwrap()));
        let kept = if typed < json.min(swb) { "typed arrays" } else { "JSON" };
        web_sys::console::log_1(
            &format!(
                "| Rust -> JS | {kind}, typed arrays | | {typed:.1} | | {:.2} (kept: {kept}) |",
                typed / json.min(swb)
            )
            .into(),
        );
    }
    let typed = event_to_js(&gallery).unwrap();
    let images = js_sys::Reflect::get(&typed, &"images".into()).unwrap();
    assert!(js_sys::Array::from(&images).get(0).is_instance_of::<js_sys::Uint8Array>());

    // Requests.
    back("startTraining()/warmUp() request, fast", &start_request(ResNetConfig::fast().into()));
    back("startTraining() request, googlenet", &start_request(ZooConfig::new(ZooKind::GoogLeNet).into()));
    back("shapes() request, fast", &ModelConfig::from(ResNetConfig::fast()));
}

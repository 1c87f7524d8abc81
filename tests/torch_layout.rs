//! Networks to and from PyTorch: `.safetensors` files in the seed's `net.state_dict()` layout.
//! The fixture (tests/fixtures/torch/, made once by scripts/torch-fixture.py) is d2l's ResNet at
//! the tiny preset's widths, with BatchNorm statistics from train-mode passes, and PyTorch's
//! eval-mode logits on the first 8 test images.
#![cfg(not(target_family = "wasm"))]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use burn::prelude::*;
use resnet_explorer::data::{Dataset, Split};
use resnet_explorer::model::safetensors::{self as st, TorchError, WeightsFormat};
use resnet_explorer::model::torch_layout::{self, Source};
use resnet_explorer::model::weights::{self, WeightsError, WeightsHeader};
use resnet_explorer::model::zoo::{ZooConfig, ZooKind};
use resnet_explorer::model::{ModelConfig, Network, ResNetConfig};
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/torch/tiny.safetensors");
const LOGITS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/torch/tiny-logits.json");

fn fixture() -> Vec<u8> {
    std::fs::read(FIXTURE).unwrap()
}

fn import(bytes: &[u8]) -> Result<(Network, WeightsHeader), TorchError> {
    st::from_safetensors(bytes, &Device::flex())
}

fn values(model: &Network) -> Vec<f32> {
    pollster::block_on(weights::values(model)).unwrap()
}

fn export(model: &Network, header: &WeightsHeader) -> Vec<u8> {
    pollster::block_on(st::to_safetensors(model, header)).unwrap()
}

/// Eval-mode logits of the first `n` test images, as the page computes them.
fn logits(model: &Network, n: usize, side: usize) -> Vec<f32> {
    let test = Dataset::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/www/data")), Split::Test).unwrap();
    let batch = test.truncate(n).batch(&(0..n).collect::<Vec<_>>(), side);
    let device = Device::flex().without_autodiff();
    let images = Tensor::<4>::from_data(TensorData::new(batch.images, [n, 1, side, side]), &device);
    model.valid().forward(images).into_data().try_to_vec::<f32>().unwrap()
}

#[test]
fn the_fixture_gives_pytorchs_logits() {
    let (model, header) = import(&fixture()).unwrap();
    // No metadata of ours in PyTorch's file: the configuration comes from the names and shapes,
    // the input size from the preset with the same widths and blocks.
    assert_eq!(header.model, ModelConfig::from(ResNetConfig::tiny()));
    assert!(header.note.contains("input size 28 from the catalogue preset `tiny`"), "{}", header.note);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(LOGITS).unwrap()).unwrap();
    let expected: Vec<f32> = json["logits"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32))
        .collect();
    let ours = logits(&model, 8, 28);
    assert_eq!(ours.len(), expected.len());
    let max = ours.iter().zip(&expected).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    println!("max |ours - PyTorch| over 8 x 10 logits: {max:e}");
    assert!(max < 1e-4, "max logit difference {max}");
}

#[test]
fn an_export_has_the_fixtures_names_shapes_and_bits() {
    let bytes = fixture();
    let (model, header) = import(&bytes).unwrap();
    let exported = export(&model, &header);
    let (theirs, ours) = (SafeTensors::deserialize(&bytes).unwrap(), SafeTensors::deserialize(&exported).unwrap());
    let mut names = ours.names();
    names.sort_unstable();
    let mut expected = theirs.names();
    expected.sort_unstable();
    assert_eq!(names, expected);
    for name in names {
        let (a, b) = (theirs.tensor(name).unwrap(), ours.tensor(name).unwrap());
        assert_eq!((a.dtype(), a.shape()), (b.dtype(), b.shape()), "{name}");
        // burn does not count batches: PyTorch's count (3 here) is written back as 0.
        if !name.ends_with("num_batches_tracked") {
            assert_eq!(a.data(), b.data(), "{name} is not bit-exact");
        }
    }
    // Read back: the same network, and our metadata gives back the same header.
    let (again, again_header) = import(&exported).unwrap();
    assert_eq!(again_header, header);
    assert_eq!(values(&again), values(&model));
}

#[test]
fn a_network_of_ours_travels_bit_exact() {
    for (config, note) in
        [(ResNetConfig::tiny(), "seeded tiny"), (ResNetConfig { input_size: 40, ..ResNetConfig::fast() }, "fast at 40")]
    {
        let model = ModelConfig::from(&config).init_seeded(7, &Device::flex());
        let header = WeightsHeader { model: config.clone().into(), note: note.into() };
        let bytes = export(&model, &header);
        let (back, back_header) = import(&bytes).unwrap();
        assert_eq!(back_header, header, "the metadata keeps the input size and the note");
        assert_eq!(values(&back), values(&model));
        let file = SafeTensors::deserialize(&bytes).unwrap();
        assert_eq!(file.len(), torch_layout::layout(&config).len());
    }
}

#[test]
fn resnet18s_layout_is_the_seeds_state_dict() {
    // PyTorch's numbers for the seed's `net` (64..512, 1 channel, 10 classes): 127 entries,
    // 11,178,378 parameters, 11,186,186 floats with the running statistics.
    let config = ResNetConfig::resnet18(96);
    let layout = torch_layout::layout(&config);
    assert_eq!(layout.len(), 127);
    let size = |t: &&torch_layout::TorchTensor| t.shape.iter().product::<usize>();
    let floats: usize = layout.iter().filter(|t| t.source != Source::BatchCount).map(|t| size(&t)).sum();
    let running: usize = layout.iter().filter(|t| t.name.contains("running_")).map(|t| size(&t)).sum();
    assert_eq!((floats, floats - running), (11_186_186, 11_178_378));
    assert_eq!(config.parameter_count(), 11_178_378);
    let names: Vec<&str> = layout.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        &names[..7],
        [
            "0.0.weight",
            "0.0.bias",
            "0.1.weight",
            "0.1.bias",
            "0.1.running_mean",
            "0.1.running_var",
            "0.1.num_batches_tracked"
        ]
    );
    let conv3: Vec<&str> = names.iter().copied().filter(|n| n.contains("conv3")).collect();
    assert_eq!(
        conv3,
        [
            "2.0.conv3.weight",
            "2.0.conv3.bias",
            "3.0.conv3.weight",
            "3.0.conv3.bias",
            "4.0.conv3.weight",
            "4.0.conv3.bias"
        ]
    );
    assert_eq!(&names[125..], ["7.weight", "7.bias"]);
    assert_eq!(layout[125].shape, [10, 512]);
    assert!(names.contains(&"4.1.bn2.running_var") && names.contains(&"1.1.conv2.weight"));
}

/// The fixture with its header edited by `edit` (the data untouched).
fn edited(edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) -> Vec<u8> {
    let bytes = fixture();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let mut header: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    edit(&mut header);
    let json = serde_json::to_vec(&header).unwrap();
    [&(json.len() as u64).to_le_bytes()[..], &json, &bytes[8 + n..]].concat()
}

fn error(bytes: &[u8]) -> String {
    let err = import(bytes).expect_err("the file must be refused");
    // The same words through the loader that picks the format by content.
    let any = st::load_any(bytes, &Device::flex()).expect_err("refused by content too");
    assert_eq!(any.to_string(), err.to_string());
    err.to_string()
}

#[test]
fn bad_files_are_refused_in_words_naming_the_tensor() {
    let renamed = error(&edited(|h| {
        let v = h.remove("1.0.conv1.weight").unwrap();
        h.insert("1.0.convX.weight".into(), v);
    }));
    assert!(renamed.contains("missing tensor `1.0.conv1.weight`"), "{renamed}");
    assert!(renamed.contains("unexpected tensor `1.0.convX.weight`"), "{renamed}");

    let reshaped = error(&edited(|h| h["2.0.conv1.weight"]["shape"] = serde_json::json!([16, 8, 9, 1])));
    assert!(reshaped.contains("tensor `2.0.conv1.weight` has shape [16, 8, 9, 1]"), "{reshaped}");
    assert!(reshaped.contains("[16, 8, 3, 3]"), "{reshaped}");

    let retyped = error(&edited(|h| h["6.bias"]["dtype"] = "I32".into()));
    assert!(retyped.contains("tensor `6.bias` is I32"), "{retyped}");
    let count = error(&edited(|h| h["0.1.num_batches_tracked"]["dtype"] = "F64".into()));
    assert!(count.contains("tensor `0.1.num_batches_tracked` is F64"), "{count}");

    let bytes = fixture();
    let cut = error(&bytes[..bytes.len() - 10]);
    assert!(cut.contains("cut short") && cut.contains("tensor `"), "{cut}");
    let cut = error(&bytes[..100]);
    assert!(cut.contains("cut short"), "{cut}");

    let moved = error(&edited(|h| {
        let offsets = h["3.0.conv2.weight"]["data_offsets"].as_array_mut().unwrap();
        for o in offsets {
            *o = (o.as_u64().unwrap() + 4).into();
        }
    }));
    assert!(moved.contains("`3.0.conv2.weight`"), "{moved}");
    let resized = error(&edited(|h| {
        let offsets = h["0.0.weight"]["data_offsets"].as_array_mut().unwrap();
        offsets[1] = (offsets[1].as_u64().unwrap() - 4).into();
    }));
    assert!(resized.contains("`0.0.weight`"), "{resized}");
}

#[test]
fn metadata_that_does_not_fit_the_tensors_is_refused() {
    let (model, header) = import(&fixture()).unwrap();
    let exported = export(&model, &header);
    let n = u64::from_le_bytes(exported[..8].try_into().unwrap()) as usize;
    let with_model = |model: &ModelConfig| {
        let mut json: serde_json::Value = serde_json::from_slice(&exported[8..8 + n]).unwrap();
        json["__metadata__"][st::MODEL_KEY] = serde_json::to_string(model).unwrap().into();
        let json = serde_json::to_vec(&json).unwrap();
        [&(json.len() as u64).to_le_bytes()[..], &json, &exported[8 + n..]].concat()
    };
    let err = error(&with_model(&ResNetConfig::fast().into()));
    assert!(err.contains("widths [16, 32, 64, 128]") && err.contains("missing tensor"), "{err}");
    let err = error(&with_model(&ZooConfig::new(ZooKind::LeNetBn).into()));
    assert!(err.contains("describes a LeNet with BatchNorm, not a ResNet"), "{err}");
    let err = error(&with_model(&ResNetConfig { shortcut: false, ..ResNetConfig::tiny() }.into()));
    assert!(err.contains("cannot hold this network: block b2.0 has no shortcut"), "{err}");
}

#[test]
fn networks_the_seed_cannot_build_are_not_exported() {
    let lenet = ModelConfig::from(ZooConfig::new(ZooKind::LeNetBn));
    let header = WeightsHeader { model: lenet.clone(), note: String::new() };
    let err = pollster::block_on(st::to_safetensors(&lenet.init(&Device::flex()), &header)).unwrap_err();
    assert!(err.to_string().starts_with("safetensors export is for the ResNet"), "{err}");
    for (config, words) in [
        (ResNetConfig::cifar(3, true), "zero-padding"),
        (ResNetConfig { shortcut: false, ..ResNetConfig::tiny() }, "no shortcut"),
    ] {
        let model = ModelConfig::from(&config);
        let header = WeightsHeader { model: model.clone(), note: String::new() };
        let err = pollster::block_on(st::to_safetensors(&model.init(&Device::flex()), &header)).unwrap_err();
        assert!(err.to_string().contains(words), "{err}");
    }
}

/// One f32 as the bytes of another dtype, and the f32 those bytes hold.
type Encode = fn(f32) -> (Vec<u8>, f32);

/// The fixture with every float tensor stored as `dtype`, and the f32 values expected back.
fn converted(dtype: Dtype, encode: Encode) -> (Vec<u8>, BTreeMap<String, Vec<f32>>) {
    let bytes = fixture();
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let mut data = Vec::new();
    let mut expected = BTreeMap::new();
    for (name, view) in file.iter() {
        if view.dtype() != Dtype::F32 {
            data.push((name.to_string(), view.dtype(), view.shape().to_vec(), view.data().to_vec()));
            continue;
        }
        let floats = view.data().chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap()));
        let (raw, back): (Vec<Vec<u8>>, Vec<f32>) = floats.map(encode).unzip();
        expected.insert(name.to_string(), back);
        data.push((name.to_string(), dtype, view.shape().to_vec(), raw.concat()));
    }
    let views = data.iter().map(|(n, d, s, b)| (n.clone(), TensorView::new(*d, s.clone(), b).unwrap()));
    (safetensors::serialize(views, None).unwrap(), expected)
}

/// f32 to IEEE half by truncation (the fixture's values are within half's range), and the f32
/// that half holds exactly.
fn f16_truncated(x: f32) -> (Vec<u8>, f32) {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exponent = ((bits >> 23) & 0xff) as i32 - 127;
    assert!(exponent <= 15, "{x} is out of half's range");
    let (half, value) = if exponent < -14 {
        let m = (f64::from(x.abs()) * 2f64.powi(24)).floor();
        (sign | m as u16, (m * 2f64.powi(-24)) as f32 * if sign != 0 { -1.0 } else { 1.0 })
    } else {
        let h = sign | (((exponent + 15) as u16) << 10) | ((bits >> 13) & 0x3ff) as u16;
        (h, f32::from_bits(bits & !0x1fff))
    };
    (half.to_le_bytes().to_vec(), value)
}

#[test]
fn f64_f16_and_bf16_files_are_read() {
    let cases: [(Dtype, Encode); 3] = [
        (Dtype::F64, |x| (f64::from(x).to_le_bytes().to_vec(), x)),
        (Dtype::BF16, |x| {
            (((x.to_bits() >> 16) as u16).to_le_bytes().to_vec(), f32::from_bits(x.to_bits() & 0xffff_0000))
        }),
        (Dtype::F16, f16_truncated),
    ];
    for (dtype, encode) in cases {
        let (bytes, expected) = converted(dtype, encode);
        let (model, _) = import(&bytes).unwrap();
        // Our own export of the result holds exactly the expected f32 values.
        let header = WeightsHeader { model: ResNetConfig::tiny().into(), note: String::new() };
        let back = export(&model, &header);
        let file = SafeTensors::deserialize(&back).unwrap();
        for (name, values) in expected {
            let data = file.tensor(&name).unwrap().data().to_vec();
            let got: Vec<f32> = data.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect();
            assert!(got.iter().zip(&values).all(|(a, b)| a.to_bits() == b.to_bits()), "{dtype} {name}");
        }
    }
}

#[test]
fn formats_are_told_apart() {
    assert_eq!(WeightsFormat::from_file_name("net.SafeTensors"), Some(WeightsFormat::Safetensors));
    assert_eq!(WeightsFormat::from_file_name("a.b.rnxw"), Some(WeightsFormat::Rnxw));
    assert_eq!(WeightsFormat::from_file_name("net.pt"), None);
    assert_eq!(WeightsFormat::from_file_name("rnxw"), None);
    assert_eq!(WeightsFormat::sniff(&fixture()), Some(WeightsFormat::Safetensors));
    assert_eq!(WeightsFormat::sniff(b"RNXW\x01\0\0\0"), Some(WeightsFormat::Rnxw));
    assert_eq!(WeightsFormat::sniff(b"<html>"), None);
    let err = st::load_any(b"<html>Not Found</html>", &Device::flex()).err().unwrap();
    assert!(matches!(err, WeightsError::Torch(TorchError::UnknownFormat)), "{err}");
    let (model, header) = st::load_any(&fixture(), &Device::flex()).unwrap();
    let rnxw = pollster::block_on(st::save_as(WeightsFormat::Rnxw, &model, &header)).unwrap();
    let (again, _) = st::load_any(&rnxw, &Device::flex()).unwrap();
    assert_eq!(values(&again), values(&model));
}

fn cli(args: &[&Path]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_resnet-explorer")).arg("convert").args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn convert_goes_rnxw_to_safetensors_and_back() {
    let dir = std::env::temp_dir().join(format!("resnet-explorer-torch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = ModelConfig::from(ResNetConfig::tiny());
    let model = config.init_seeded(3, &Device::flex());
    let header = WeightsHeader { model: config, note: "seeded for the round trip".into() };
    let (a, b, c) = (dir.join("a.rnxw"), dir.join("b.safetensors"), dir.join("c.rnxw"));
    std::fs::write(&a, pollster::block_on(weights::save(&model, &header)).unwrap()).unwrap();
    let (ok, out, err) = cli(&[&a, &b]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("ResNet-8, widths [8, 16, 32], blocks [1, 1, 1], input 28"), "{out}");
    let (ok, out, err) = cli(&[&b, &c]);
    assert!(ok, "{out}{err}");
    let (back, back_header) = weights::load(&std::fs::read(&c).unwrap(), &Device::flex()).unwrap();
    assert_eq!(back_header, header);
    assert_eq!(values(&back), values(&model));

    let (ok, _, err) = cli(&[Path::new(FIXTURE), &c]);
    assert!(ok, "{err}");
    let (_, fixture_header) = weights::load(&std::fs::read(&c).unwrap(), &Device::flex()).unwrap();
    assert!(fixture_header.note.contains("preset `tiny`"), "{}", fixture_header.note);

    let (ok, _, err) = cli(&[&a, &c]);
    assert!(!ok && err.contains("both files are .rnxw"), "{err}");
    let (ok, _, err) = cli(&[&a, &dir.join("d.pt")]);
    assert!(!ok && err.contains("d.pt: unknown extension"), "{err}");
    std::fs::write(&b, b"not a network").unwrap();
    let (ok, _, err) = cli(&[&b, &c]);
    assert!(
        !ok && err.contains("b.safetensors: the safetensors file is damaged") && !err.contains("panicked"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

//! The worker's session, driven as the page drives it (CPU backend, real Fashion-MNIST): data,
//! the network in memory, training runs, weights, insertion and restore.
#![cfg(not(target_family = "wasm"))]

use std::path::Path;

use burn::prelude::*;
use pollster::block_on;
use resnet_explorer::data::{Dataset, Split};
use resnet_explorer::explore::Insertion;
use resnet_explorer::model::zoo::{ZooConfig, ZooKind};
use resnet_explorer::model::{ModelConfig, ResNetConfig, ZeroMode};
use resnet_explorer::session::protocol::{Inserted, Origin, StartRequest, WorkerEvent};
use resnet_explorer::session::{Session, SessionDevices};
use resnet_explorer::train::{TrainConfig, TrainEvent};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/www/data");
const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/www/weights/fast.rnxw");

/// A session on the CPU, as a worker opens it, with a test subset small enough to be quick.
fn session() -> Session {
    let load = |split| Dataset::load(Path::new(DATA), split).unwrap();
    let devices = SessionDevices { train: Device::flex(), demos: Device::flex(), demos_elsewhere: false };
    let mut session = Session::new(devices, load(Split::Train), load(Split::Test));
    session.set_test_limit(Some(300));
    session
}

/// What the worker says of a file the user chose.
fn uploaded() -> Origin {
    Origin::Uploaded { name: "mine.rnxw".into() }
}

fn shipped() -> Vec<u8> {
    std::fs::read(SHIPPED).unwrap()
}

/// What the page sends to start a short run of `model`.
fn request(model: impl Into<ModelConfig>, epochs: usize) -> StartRequest {
    StartRequest {
        model: model.into(),
        train: TrainConfig { epochs, batch_size: 32, lr: 0.1, ..TrainConfig::default() },
        train_limit: Some(320),
        test_limit: Some(100),
        max_buffer_bytes: None,
        kernels: None,
    }
}

fn model_event(events: &[WorkerEvent]) -> &resnet_explorer::session::protocol::ModelEvent {
    events
        .iter()
        .find_map(|e| match e {
            WorkerEvent::Model(m) => Some(m),
            _ => None,
        })
        .expect("a model event")
}

#[test]
fn loading_weights_makes_them_the_network_in_memory_and_bad_files_change_nothing() {
    let mut s = session();
    assert!(!s.has_model());
    assert_eq!(s.model_event().unwrap_err().to_string(), "there is no network yet: train one or load weights");
    let events = s.load_weights(&shipped(), Origin::Shipped).unwrap();
    let model = model_event(&events);
    assert_eq!(model.config, ModelConfig::from(ResNetConfig::fast()));
    assert_eq!(model.parameters, 702_570);
    assert!(model.note.contains("test acc"), "{}", model.note);
    assert!(model.inserted.is_empty());
    assert!(s.has_model() && !s.is_training());

    let err = s.load_weights(b"<html>Not Found</html>", Origin::Shipped).unwrap_err();
    assert_eq!(err.to_string(), "neither a ResNet Explorer weights file (RNXW) nor a safetensors file");
    assert_eq!(s.network().unwrap().config, ModelConfig::from(ResNetConfig::fast()), "unchanged");
    // The shipped network is accurate on the test subset.
    let WorkerEvent::Predictions { accuracy, samples, .. } = block_on(s.evaluate()).unwrap() else { panic!() };
    assert!(accuracy > 0.8, "{accuracy}");
    assert_eq!(samples.len(), 24);
}

#[test]
fn inserting_blocks_then_restoring_gives_back_the_original_network() {
    let mut s = session();
    s.load_weights(&shipped(), Origin::Shipped).unwrap();
    let before = block_on(s.save_weights()).unwrap();
    assert!(s.restore().unwrap_err().to_string().contains("nothing to restore"));

    let events = block_on(s.insert(Insertion::Identity, 1)).unwrap();
    let WorkerEvent::Insertion(check) = &events[0] else { panic!("{events:?}") };
    assert_eq!((check.changed_predictions, check.images), (0, 300), "an identity block changes no prediction");
    let events = block_on(s.insert(Insertion::Plain, 2)).unwrap();
    let WorkerEvent::Insertion(plain) = &events[0] else { panic!() };
    assert!(plain.accuracy_after < 0.2, "a zeroed plain block gives chance: {}", plain.accuracy_after);
    let model = model_event(&events);
    let bigger = model.config.as_resnet().unwrap();
    assert_eq!(bigger.blocks, [2, 3, 3, 2]);
    assert_eq!(
        model.inserted,
        [Inserted { insertion: Insertion::Identity, stage: 1 }, Inserted { insertion: Insertion::Plain, stage: 2 }]
    );
    assert!(model.parameters > 702_570);
    assert_eq!(s.original().unwrap().config, ModelConfig::from(ResNetConfig::fast()));
    // Still labelled as the shipped network, and the note (a download's header) names the blocks.
    assert_eq!(model.origin, Origin::Shipped);
    let shipped_note = s.original().unwrap().note.clone();
    let blocks = "; then 2 inserted blocks (identity at stage 2, plain at stage 3)";
    assert_eq!(model.note, format!("{shipped_note}{blocks}"));

    let events = s.restore().unwrap();
    let model = model_event(&events);
    assert_eq!(model.config, ModelConfig::from(ResNetConfig::fast()));
    assert_eq!((model.parameters, model.inserted.len()), (702_570, 0));
    assert!(s.original().is_none());
    let after = block_on(s.save_weights()).unwrap();
    assert!(before == after, "the restored network has exactly the original parameters");
}

#[test]
fn insertion_needs_a_residual_network_and_no_run_in_progress() {
    let mut s = session();
    assert!(block_on(s.insert(Insertion::Identity, 0)).is_err(), "no network yet");
    s.load_weights(&shipped(), Origin::Shipped).unwrap();
    let err = block_on(s.insert(Insertion::Identity, 4)).unwrap_err();
    assert_eq!(err.to_string(), "there is no stage b6");
    s.start_training(request(ResNetConfig::tiny(), 1), true, 1).unwrap();
    let err = block_on(s.insert(Insertion::Identity, 0)).unwrap_err();
    assert_eq!(err.to_string(), "a training run is in progress (paused runs too): stop it first");
    assert!(s.load_weights(&shipped(), Origin::Shipped).is_err() && s.restore().is_err());
    s.stop_training();
    s.start_training(request(ZooConfig::new(ZooKind::LeNetBn), 1), true, 1).unwrap();
    block_on(s.step()).unwrap();
    s.stop_training();
    let err = block_on(s.insert(Insertion::Identity, 0)).unwrap_err();
    assert_eq!(err.to_string(), "block insertion needs a residual network; lenet-bn has no residual blocks");
}

#[test]
fn a_finished_run_becomes_the_network_in_memory() {
    let mut s = session();
    s.load_weights(&shipped(), Origin::Shipped).unwrap();
    let events = s.start_training(request(ResNetConfig::tiny(), 1), true, 1).unwrap();
    let model = model_event(&events);
    assert_eq!(model.origin, Origin::Trained { run: 1, id: None, name: None });
    assert!(model.note.starts_with("ResNet-8, trained in this browser: 0 of 1 epochs, batch 32"), "{}", model.note);
    assert!(matches!(events[1], WorkerEvent::DataReady { train: 320, test: 100 }));
    assert!(s.is_training());
    // The network in memory is still the loaded one while the run goes on.
    assert_eq!(s.network().unwrap().config, ModelConfig::from(ResNetConfig::fast()));
    let mut all = Vec::new();
    while s.is_training() {
        all.extend(block_on(s.step()).unwrap());
    }
    let steps = all.iter().filter(|e| matches!(e, WorkerEvent::Step { .. })).count();
    assert_eq!(steps, 10, "320 images in batches of 32");
    let epoch = all.iter().any(|e| matches!(e, WorkerEvent::Train(TrainEvent::Epoch { epoch: 1, .. })));
    assert!(epoch, "{all:?}");
    assert!(all.iter().any(|e| matches!(e, WorkerEvent::Predictions { .. })));
    // The run's end, then the network in memory afterwards (the run's).
    assert!(matches!(all[all.len() - 2], WorkerEvent::Finished { .. }), "{all:?}");
    assert!(
        matches!(all.last(), Some(WorkerEvent::Model(m)) if m.origin == Origin::Trained { run: 1, id: None, name: None })
    );

    let n = s.network().unwrap();
    assert_eq!(n.config, ModelConfig::from(ResNetConfig::tiny()));
    let note = "ResNet-8, trained in this browser: 1 of 1 epochs, batch 32, lr 0.1, 320 training images, test acc";
    assert!(n.note.starts_with(note), "{}", n.note);
    assert!(n.note.ends_with("on 100 test images"), "{}", n.note);
    assert_eq!(n.origin, Origin::Trained { run: 1, id: None, name: None });
    assert!(block_on(s.step()).unwrap_err().to_string().contains("no training run"));
    // Saved, it loads back as the same network.
    let bytes = block_on(s.save_weights()).unwrap();
    let events = s.load_weights(&bytes, uploaded()).unwrap();
    assert_eq!(model_event(&events).config, ModelConfig::from(ResNetConfig::tiny()));
}

#[test]
fn stopping_keeps_the_partly_trained_network_and_keep_training_resumes_it() {
    let mut s = session();
    s.start_training(request(ResNetConfig::tiny(), 2), true, 1).unwrap();
    block_on(s.step()).unwrap();
    s.stop_training();
    assert!(!s.is_training());
    assert_eq!(s.network().unwrap().config, ModelConfig::from(ResNetConfig::tiny()));
    // Keep training after an insertion: the bigger network trains, and its insertions stay listed.
    block_on(s.insert(Insertion::Identity, 0)).unwrap();
    let events = s.start_training(request(ResNetConfig::tiny(), 1), false, 2).unwrap();
    assert_eq!(model_event(&events).config.as_resnet().unwrap().blocks, [2, 1, 1]);
    assert_eq!(model_event(&events).inserted.len(), 1);
    block_on(s.step()).unwrap();
    s.stop_training();
    assert_eq!(s.network().unwrap().inserted.len(), 1);
    // A fresh run forgets them, and there is nothing left to restore.
    s.start_training(request(ResNetConfig::tiny(), 1), true, 3).unwrap();
    block_on(s.step()).unwrap();
    s.stop_training();
    assert!(s.network().unwrap().inserted.is_empty() && s.original().is_none());
}

#[test]
fn use_data_switches_to_the_users_files_and_refuses_bad_ones() {
    let mut s = session();
    let file = |name: &str| std::fs::read(Path::new(DATA).join(name)).unwrap();
    let (images, labels) = (file("t10k-images-idx3-ubyte.gz"), file("t10k-labels-idx1-ubyte.gz"));
    let names: Vec<String> = ["digits-images.gz", "digits-labels.gz"].map(String::from).to_vec();

    // Without a test pair, the last sixth is held out.
    let event = s.use_data(&names, &images, &labels, None, None).unwrap();
    assert!(matches!(event, WorkerEvent::DataReady { train: 8334, test: 1666 }), "{event:?}");
    assert_eq!((s.data().0.len(), s.data().1.len()), (8334, 1666));
    assert_eq!(s.class_names(), ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    let WorkerEvent::Gallery { images: gallery, class_names, .. } = s.gallery(4) else { panic!() };
    assert_eq!((gallery.len(), class_names[9].as_str()), (4, "9"));

    // With both pairs, as given.
    let event = s.use_data(&names, &images, &labels, Some(&images), Some(&labels)).unwrap();
    assert!(matches!(event, WorkerEvent::DataReady { train: 10000, test: 10000 }));

    // Refused, naming the file; the data in use stays.
    let err = s.use_data(&names, b"<html>", &labels, None, None).unwrap_err();
    assert!(err.to_string().contains("digits-images.gz"), "{err}");
    let err = s.use_data(&names, &images, &labels, Some(&images), None).unwrap_err();
    assert_eq!(err.to_string(), "choose the test images and the test labels together");
    assert_eq!((s.data().0.len(), s.data().1.len()), (10000, 10000));
    s.start_training(request(ResNetConfig::tiny(), 1), true, 1).unwrap();
    assert!(s.use_data(&names, &images, &labels, None, None).is_err(), "not while training");
}

#[test]
fn the_page_opens_on_the_test_set_and_the_training_set_follows() {
    let file = |name: &str| std::fs::read(Path::new(DATA).join(name)).unwrap();
    let devices = SessionDevices { train: Device::flex(), demos: Device::flex(), demos_elsewhere: false };
    let mut s = Session::new(devices, Dataset::default(), Dataset::load(Path::new(DATA), Split::Test).unwrap());
    s.set_test_limit(Some(300));

    // The demos work on the test set alone; training waits for its images, and says so.
    s.load_weights(&shipped(), Origin::Shipped).unwrap();
    assert!(matches!(block_on(s.evaluate()).unwrap(), WorkerEvent::Predictions { .. }));
    let err = s.start_training(request(ResNetConfig::tiny(), 1), true, 1).unwrap_err();
    assert_eq!(err.to_string(), "the training images have not been loaded yet");
    assert!(s.network().is_some(), "the refused start kept the network in memory");

    // A bad file is refused by name; the good ones make the training set.
    let (images, labels) = (file("train-images-idx3-ubyte.gz"), file("train-labels-idx1-ubyte.gz"));
    let err = s.set_training_data(b"<html>", &labels).unwrap_err();
    assert!(err.to_string().contains("train-images-idx3-ubyte.gz"), "{err}");
    let event = s.set_training_data(&images, &labels).unwrap();
    assert!(matches!(event, Some(WorkerEvent::DataReady { train: 60000, test: 10000 })), "{event:?}");
    s.start_training(request(ResNetConfig::tiny(), 1), true, 1).unwrap();

    // Once the user's own data is in use, Fashion-MNIST arriving late does not replace it.
    let mut s = session();
    let (test_images, test_labels) = (file("t10k-images-idx3-ubyte.gz"), file("t10k-labels-idx1-ubyte.gz"));
    let names: Vec<String> = ["digits-images.gz", "digits-labels.gz"].map(String::from).to_vec();
    s.use_data(&names, &test_images, &test_labels, None, None).unwrap();
    assert!(s.set_training_data(&images, &labels).unwrap().is_none());
    assert_eq!((s.data().0.len(), s.data().1.len()), (8334, 1666));
}

#[test]
fn a_batch_too_big_for_the_gpu_is_refused_before_anything_changes() {
    let mut s = session();
    s.load_weights(&shipped(), Origin::Shipped).unwrap();
    let mut big = StartRequest { max_buffer_bytes: Some(32 << 20), ..request(ResNetConfig::resnet18(96), 1) };
    big.train.batch_size = 256;
    let err = s.start_training(big, true, 1).unwrap_err();
    assert!(err.to_string().contains("largest batch that fits"), "{err}");
    assert!(!s.is_training());
    assert_eq!(s.network().unwrap().config, ModelConfig::from(ResNetConfig::fast()));
}

#[test]
fn the_lab_measures_the_network_in_memory_and_builds_twins() {
    let mut s = session();
    s.load_weights(&shipped(), Origin::Shipped).unwrap();
    let probe = block_on(s.lab_probe()).unwrap();
    assert_eq!(probe.gradients.len(), 20, "17 convs on the main path and 3 projections");
    assert_eq!(probe.magnitudes.len(), 8);
    let lesions = block_on(s.lesions()).unwrap();
    assert_eq!(lesions.len(), 8);
    assert_eq!(lesions.iter().filter(|l| l.accuracy.is_none()).count(), 3, "blocks that reshape");
    let [plain, residual] = resnet_explorer::session::lab_twins(20, 16, false).unwrap();
    assert_eq!(plain.parameter_count(), residual.parameter_count());
    assert!(resnet_explorer::session::lab_twins(21, 16, false).is_err());
}

#[test]
fn a_run_that_learnt_nothing_leaves_the_network_before_it_in_memory() {
    let mut s = session();
    s.load_weights(&shipped(), Origin::Shipped).unwrap();
    let shipped_file = block_on(s.save_weights()).unwrap();
    // Stopped before its first batch.
    s.start_training(request(ResNetConfig::tiny(), 1), true, 1).unwrap();
    let events = s.stop_training();
    assert!(matches!(&events[..], [WorkerEvent::Model(m)] if m.origin == Origin::Shipped));
    // Diverged before its first report (lr 10 from the defaults, as a teacher tried): the message
    // says what is kept, and the shipped network is still in memory, still labelled as such.
    let mut diverging = request(ResNetConfig::tiny(), 1);
    diverging.train.lr = 1e9;
    s.start_training(diverging, true, 2).unwrap();
    let mut events = Vec::new();
    while s.is_training() {
        events.extend(block_on(s.step()).unwrap());
    }
    let message = events.iter().find_map(|e| match e {
        WorkerEvent::Diverged { message, .. } => Some(message.clone()),
        _ => None,
    });
    let message = message.expect("diverged");
    assert!(message.contains("the network in memory before it is kept unchanged"), "{message}");
    assert!(!message.contains("epoch 0.0"), "{message}");
    assert!(
        matches!(events.last(), Some(WorkerEvent::Model(m)) if m.origin == Origin::Shipped && m.config == ModelConfig::from(ResNetConfig::fast()))
    );
    assert!(block_on(s.save_weights()).unwrap() == shipped_file);
}

#[test]
fn keep_training_after_a_plain_block_is_refused_with_the_reason() {
    let mut s = session();
    s.load_weights(&shipped(), Origin::Shipped).unwrap();
    block_on(s.insert(Insertion::Plain, 1)).unwrap();
    let err = s.start_training(request(ResNetConfig::tiny(), 1), false, 1).unwrap_err().to_string();
    assert!(err.contains("outputs 0 for every image") && err.contains("insert a residual (identity) block"), "{err}");
    assert!(!err.contains("lower learning rate"), "{err}");
    assert!(!s.is_training());
    // A fresh run of the same size is fine: its blocks are initialised, not zeroed.
    s.start_training(request(ResNetConfig::tiny(), 1), true, 2).unwrap();
}

#[test]
fn a_file_saved_right_after_a_step_holds_that_steps_batchnorm_statistics() {
    let mut s = session();
    s.start_training(request(ResNetConfig::tiny(), 1), true, 1).unwrap();
    block_on(s.step()).unwrap();
    s.stop_training();
    let first = block_on(s.save_weights()).unwrap();
    let second = block_on(s.save_weights()).unwrap();
    let values = |file: &[u8]| {
        let (network, _) = resnet_explorer::model::weights::load(file, &Device::flex()).unwrap();
        block_on(resnet_explorer::model::weights::values(&network)).unwrap()
    };
    assert_eq!(values(&first), values(&second), "the first file missed the last update of the running statistics");
}

#[test]
fn predictions_run_in_batches_sized_by_the_networks_layer_outputs() {
    use resnet_explorer::model::memory::prediction_batch;
    // The shipped fast network predicts 500 images a batch; ResNet-18 at 96x96 (4.3 MB of layer
    // outputs an image) about 30, not the 100 (430 MB) it used to.
    let fast = resnet_explorer::model::weights::read_header(&shipped()).unwrap().0.model;
    assert_eq!(prediction_batch(&fast).unwrap(), 500);
    let d2l96 = ModelConfig::from(ResNetConfig::resnet18(96));
    assert!((16..=40).contains(&prediction_batch(&d2l96).unwrap()), "{}", prediction_batch(&d2l96).unwrap());
    // A batch that does not divide the test set: every image still gets its prediction.
    let mut s = session();
    s.load_weights(&shipped(), Origin::Shipped).unwrap();
    s.set_test_limit(Some(1234));
    let WorkerEvent::Predictions { confusion, accuracy, .. } = block_on(s.evaluate()).unwrap() else {
        panic!("not a predictions event")
    };
    assert_eq!(confusion.iter().flatten().sum::<u32>(), 1234);
    assert!(accuracy > 0.8, "the shipped network's accuracy on 1,234 test images: {accuracy}");
}

#[test]
fn predictions_kept_under_the_key_of_a_loaded_file_give_the_same_event_and_serve_the_insertion_demo() {
    let mut first = session();
    first.load_weights(&shipped(), Origin::Shipped).unwrap();
    let key = first.predictions_key().expect("a weights file as loaded has a key");
    assert!(first.computed_predictions().is_none(), "nothing computed yet");
    let computed = block_on(first.evaluate()).unwrap();
    let predictions = first.computed_predictions().unwrap().to_vec();
    assert_eq!(predictions.len(), 300);

    // Another visit: the same file and test images, the same key; the kept predictions give the
    // same event and the insertion demo compares against them.
    let mut later = session();
    later.load_weights(&shipped(), Origin::Shipped).unwrap();
    assert_eq!(later.predictions_key().as_deref(), Some(key.as_str()));
    let reused = later.use_predictions(predictions.clone()).unwrap();
    assert_eq!(serde_json::to_value(&reused).unwrap(), serde_json::to_value(&computed).unwrap());
    assert_eq!(later.computed_predictions(), Some(&predictions[..]));
    block_on(later.insert(Insertion::Identity, 0)).unwrap();
    assert_eq!(later.predictions_key(), None, "an inserted block: no longer the file");
    later.restore().unwrap();
    assert_eq!(later.predictions_key().as_deref(), Some(key.as_str()));

    // Other test images, another key; predictions that do not fit are refused.
    later.set_test_limit(Some(200));
    assert_ne!(later.predictions_key().as_deref(), Some(key.as_str()));
    assert!(later.computed_predictions().is_none(), "computed for 300 images, not 200");
    let err = later.use_predictions(predictions.clone()).unwrap_err().to_string();
    assert!(err.contains("not for these 200 test images"), "{err}");
    assert!(later.use_predictions(vec![10; 200]).is_err(), "a class past the tenth");
    let mut other = shipped();
    let last = other.len() - 1;
    other[last] ^= 1; // one weight changed
    later.load_weights(&other, Origin::Uploaded { name: "changed".into() }).unwrap();
    later.set_test_limit(Some(300));
    assert_ne!(later.predictions_key().as_deref(), Some(key.as_str()), "other weights, another key");

    // A network trained here has no key until it is saved; then the key of the file it became.
    let mut trained = session();
    trained.start_training(request(ResNetConfig::fast(), 1), true, 1).unwrap();
    while trained.is_training() {
        block_on(trained.step()).unwrap();
    }
    assert_eq!(trained.predictions_key(), None);
    let file = block_on(trained.save_weights()).unwrap();
    trained.saved_as(&file);
    let saved_key = trained.predictions_key().expect("saved: the key of its file");
    let mut reopened = session();
    reopened.load_weights(&file, Origin::Uploaded { name: "trained".into() }).unwrap();
    reopened.set_test_limit(Some(100)); // the run's test images
    assert_eq!(reopened.predictions_key(), Some(saved_key));
}

#[test]
fn a_batch_that_would_outgrow_the_wasm_memory_is_refused_with_the_largest_that_fits() {
    use resnet_explorer::model::memory::{check_memory_fits, training_bytes};
    let d2l96 = ModelConfig::from(ResNetConfig::resnet18(96));
    // The estimate grows by two copies of the layer outputs an image (4.3 MB each for ResNet-18
    // at 96x96; natively the peak grew by 6 MB an image from batch 64 to 128).
    let per_image = (training_bytes(&d2l96, 128).unwrap() - training_bytes(&d2l96, 64).unwrap()) / 64;
    assert!((8_000_000..9_000_000).contains(&per_image), "{per_image}");
    // The seed's preset at its batch 256 fits 4 GiB, not the 2 GiB the threaded module had.
    assert!(check_memory_fits(&d2l96, 256, 4 << 30).is_ok());
    let err = check_memory_fits(&d2l96, 256, 2 << 30).unwrap_err();
    assert!(err.contains("the largest batch that fits is 1"), "{err}");
    let fits: usize = err.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(check_memory_fits(&d2l96, fits, 2 << 30).is_ok() && check_memory_fits(&d2l96, fits + 1, 2 << 30).is_err());

    let mut s = session();
    s.load_weights(&shipped(), Origin::Shipped).unwrap();
    s.set_memory_limit(Some(2 << 30));
    let mut big = request(ResNetConfig::resnet18(96), 1);
    big.train.batch_size = 256;
    let err = s.start_training(big, true, 1).unwrap_err().to_string();
    assert!(err.starts_with("a batch of 256 of ResNet-18 at 96x96 needs about"), "{err}");
    assert!(!s.is_training());
    assert_eq!(s.network().unwrap().origin, Origin::Shipped);
}

#[test]
fn a_picture_is_classified_like_the_test_image_it_copies_and_the_identity_demo_runs_on_it() {
    let mut s = session();
    s.load_weights(&shipped(), Origin::Shipped).unwrap();
    let maps = |s: &mut Session| block_on(s.feature_maps(0, 0, Some(ZeroMode::Branch), None, 4));
    assert_eq!(maps(&mut s).unwrap_err().to_string(), "draw or upload a picture first");
    let WorkerEvent::Predictions { samples, .. } = block_on(s.evaluate()).unwrap() else { panic!() };
    let test = Dataset::load(Path::new(DATA), Split::Test).unwrap();
    let classify = |s: &mut Session, picture: &[u8]| match block_on(s.classify(picture.to_vec())).unwrap() {
        WorkerEvent::Picture { probabilities, predicted, class_names } => (probabilities, predicted, class_names),
        other => panic!("{other:?}"),
    };
    for sample in &samples[..6] {
        let (probabilities, predicted, class_names) = classify(&mut s, test.image(sample.index));
        assert_eq!(predicted, sample.predicted, "test image {}", sample.index);
        assert_eq!((probabilities.len(), class_names.len()), (10, 10));
        assert!((probabilities.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
    // Zeroing b2.0's branch makes it exactly the identity on the picture too.
    let WorkerEvent::FeatureMaps { max_abs_diff, label, .. } = maps(&mut s).unwrap() else { panic!() };
    assert_eq!((label.as_str(), max_abs_diff), ("b2.0", Some(0.0)));
    // An inserted identity block changes none of the picture's probabilities.
    let last = test.image(samples[5].index);
    let (before, ..) = classify(&mut s, last);
    block_on(s.insert(Insertion::Identity, 0)).unwrap();
    assert_eq!(classify(&mut s, last).0, before);

    let err = block_on(s.classify(vec![0; 100])).unwrap_err();
    assert_eq!(err.to_string(), "a picture is 28x28 = 784 grey values, not 100");
}

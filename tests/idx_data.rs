//! Fashion-MNIST IDX parsing: the real shipped files, and generated bad files, each with its
//! own error naming the file.
#![cfg(not(target_family = "wasm"))]

use std::io::Write;
use std::path::Path;

use resnet_explorer::data::{BatchOrder, Dataset, IdxError, Split, parse_images, parse_labels, resize_bilinear};

fn data_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/www/data"))
}

fn idx(magic: u32, dims: &[u32], payload: &[u8]) -> Vec<u8> {
    let mut out = magic.to_be_bytes().to_vec();
    for d in dims {
        out.extend(d.to_be_bytes());
    }
    out.extend(payload);
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn images(n: u32) -> Vec<u8> {
    idx(0x803, &[n, 28, 28], &vec![7u8; n as usize * 784])
}

fn labels(values: &[u8]) -> Vec<u8> {
    idx(0x801, &[values.len() as u32], values)
}

#[test]
fn real_training_and_test_files_parse() {
    let train = Dataset::load(data_dir(), Split::Train).unwrap();
    let test = Dataset::load(data_dir(), Split::Test).unwrap();
    assert_eq!((train.len(), test.len()), (60_000, 10_000));
    // Fashion-MNIST is balanced: 6000 / 1000 examples of every class.
    for (data, per_class) in [(&train, 6000), (&test, 1000)] {
        let mut counts = [0usize; 10];
        (0..data.len()).for_each(|i| counts[data.label(i) as usize] += 1);
        assert_eq!(counts, [per_class; 10]);
    }
    // The first test image is an ankle boot (class 9); its pixels span the byte range.
    assert_eq!(test.label(0), 9);
    assert!(test.image(0).iter().any(|&p| p > 200) && test.image(0).contains(&0));
}

#[test]
fn raw_and_gzip_idx_give_the_same_dataset() {
    let raw = Dataset::from_idx(&images(3), "i", &labels(&[1, 2, 3]), "l").unwrap();
    let gz = Dataset::from_idx(&gzip(&images(3)), "i.gz", &gzip(&labels(&[1, 2, 3])), "l.gz").unwrap();
    assert_eq!(raw, gz);
    assert_eq!(raw.len(), 3);
}

#[test]
fn wrong_magic_is_reported() {
    let err = parse_images(&labels(&[1, 2]), "x-images").unwrap_err();
    assert!(matches!(err, IdxError::WrongMagic { found: 0x801, expected: 0x803, .. }), "{err}");
    assert!(err.to_string().contains("x-images"));
}

#[test]
fn truncated_files_are_reported() {
    let mut bytes = images(2);
    bytes.truncate(bytes.len() - 10);
    let err = parse_images(&bytes, "cut.idx").unwrap_err();
    assert!(matches!(err, IdxError::Truncated { expected: 1584, found: 1574, .. }), "{err}");
    // Cut inside the header, too.
    assert!(matches!(parse_labels(&[0, 0, 8], "h", 10).unwrap_err(), IdxError::Truncated { .. }));
    // And a gzip stream cut short.
    let gz = gzip(&images(2));
    let err = parse_images(&gz[..gz.len() / 2], "cut.gz").unwrap_err();
    assert!(matches!(err, IdxError::BadGzip { .. }), "{err}");
}

#[test]
fn count_mismatch_is_reported() {
    let err = Dataset::from_idx(&images(3), "imgs", &labels(&[1, 2]), "lbls").unwrap_err();
    assert_eq!(
        err,
        IdxError::CountMismatch { images_file: "imgs".into(), images: 3, labels_file: "lbls".into(), labels: 2 }
    );
    assert_eq!(err.to_string(), "imgs holds 3 images but lbls holds 2 labels");
}

#[test]
fn label_out_of_range_is_reported() {
    let err = parse_labels(&labels(&[0, 9, 10, 3]), "bad-labels", 10).unwrap_err();
    assert_eq!(err, IdxError::LabelOutOfRange { file: "bad-labels".into(), index: 2, label: 10, classes: 10 });
}

#[test]
fn not_gzip_is_reported() {
    let html = b"<!DOCTYPE html><html><body>404 Not Found</body></html>";
    let err = parse_images(html, "train-images-idx3-ubyte.gz").unwrap_err();
    assert!(matches!(err, IdxError::NotGzip { .. }), "{err}");
    assert!(err.to_string().contains("<!DOCTYPE html>"));
}

#[test]
fn empty_file_and_wrong_image_size_are_reported() {
    assert!(matches!(parse_images(&[], "e.gz").unwrap_err(), IdxError::Empty { .. }));
    let cifar_like = idx(0x803, &[1, 32, 32], &[0; 1024]);
    assert!(matches!(parse_images(&cifar_like, "c").unwrap_err(), IdxError::WrongImageSize { rows: 32, cols: 32, .. }));
    let trailing = [images(1), vec![0]].concat();
    assert!(matches!(parse_images(&trailing, "t").unwrap_err(), IdxError::TrailingData { .. }));
}

#[test]
fn batches_scale_pixels_to_unit_range() {
    let data = Dataset::from_idx(&idx(0x803, &[1, 28, 28], &[255; 784]), "i", &labels(&[4]), "l").unwrap();
    let batch = data.batch(&[0], 28);
    assert_eq!(batch.labels, [4]);
    assert!(batch.images.iter().all(|&p| p == 1.0));
    assert_eq!(data.batch(&[0], 96).images.len(), 96 * 96);
}

#[test]
fn bilinear_resize_matches_pytorch_half_pixel() {
    // torch.nn.functional.interpolate([[0,1],[2,3]], size=4, mode='bilinear', align_corners=False)
    let mut out = Vec::new();
    resize_bilinear(&[0.0, 1.0, 2.0, 3.0], 2, 4, &mut out);
    let expected = [
        0.0, 0.25, 0.75, 1.0, //
        0.5, 0.75, 1.25, 1.5, //
        1.5, 1.75, 2.25, 2.5, //
        2.0, 2.25, 2.75, 3.0,
    ];
    assert_eq!(out, expected);
}

#[test]
fn shuffles_are_seeded_permutations_with_a_partial_last_batch() {
    let a = BatchOrder::shuffled(10, 4, 7, 0);
    assert_eq!(a, BatchOrder::shuffled(10, 4, 7, 0));
    assert_ne!(a, BatchOrder::shuffled(10, 4, 7, 1), "each epoch gets its own order");
    assert_eq!(a.num_batches(), 3);
    let mut seen: Vec<usize> = (0..3).flat_map(|i| a.batch(i).to_vec()).collect();
    assert_eq!(a.batch(2).len(), 2);
    seen.sort();
    assert_eq!(seen, (0..10).collect::<Vec<_>>());
}

#[test]
fn gzip_bombs_and_overflowing_headers_are_refused() {
    // 300 MB of zeros compress to about 300 KB; inflating them all would exhaust a browser tab.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..300 {
        enc.write_all(&zeros).unwrap();
    }
    let bomb = enc.finish().unwrap();
    assert!(matches!(parse_images(&bomb, "bomb.gz").unwrap_err(), IdxError::TooLarge { .. }));
    // Dimensions whose product overflows: a header no file can match, not a panic.
    let huge = idx(0x803, &[u32::MAX, u32::MAX, u32::MAX], &[0; 16]);
    assert!(matches!(parse_images(&huge, "huge").unwrap_err(), IdxError::Truncated { .. }));
}

#[test]
fn a_single_user_pair_of_28x28_files_is_split_into_train_and_held_out_test() {
    // The page's "use your own data": e.g. the original MNIST digits, one gzip pair; the last
    // sixth becomes the test set, in order.
    let values: Vec<u8> = (0..12).map(|i| i % 10).collect();
    let mut pixels = vec![0u8; 12 * 784];
    (0..12).for_each(|i| pixels[i * 784] = i as u8);
    let image_file = gzip(&idx(0x803, &[12, 28, 28], &pixels));
    let mut train =
        Dataset::from_idx(&image_file, "digits-images.gz", &gzip(&labels(&values)), "digits-labels.gz").unwrap();
    let test = train.split_off(train.len() / 6);
    assert_eq!((train.len(), test.len()), (10, 2));
    assert_eq!(test.labels(), &[0, 1]);
    assert_eq!((test.image(0)[0], test.image(1)[0], train.image(9)[0]), (10, 11, 9));
    // Asking for more than there is takes everything.
    assert_eq!(train.split_off(100).len(), 10);
    assert!(train.is_empty());
}

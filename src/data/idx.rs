//! The IDX format (LeCun's MNIST files): a big-endian magic number `0x0000_08NN` where `NN` is
//! the number of dimensions, then one u32 size per dimension, then the u8 payload. Files may be
//! gzip-compressed. Every check names the file, so a user knows which download is broken.

use std::io::Read;

/// Magic number of an IDX file of unsigned bytes with 3 dimensions (images).
const IMAGES_MAGIC: u32 = 0x0000_0803;
/// ... and with 1 dimension (labels).
const LABELS_MAGIC: u32 = 0x0000_0801;
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// The most an IDX file may inflate to (Fashion-MNIST's training images: 47 MB). A few bytes of
/// gzip can expand to gigabytes; past this the file is refused rather than exhausting memory.
pub const MAX_INFLATED: u64 = 256 << 20;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdxError {
    #[error("{file}: the file is empty (0 bytes)")]
    Empty { file: String },
    #[error(
        "{file}: the name ends in .gz but the content is not gzip data (it starts with {start:?}); is it an HTML error page?"
    )]
    NotGzip { file: String, start: String },
    #[error("{file}: the gzip data is corrupt or cut short ({reason})")]
    BadGzip { file: String, reason: String },
    #[error("{file}: inflates to more than {} MB, far more than any 28x28 IDX dataset", MAX_INFLATED >> 20)]
    TooLarge { file: String },
    #[error("{file}: wrong magic number 0x{found:08x}, expected 0x{expected:08x} (an IDX {what} file)")]
    WrongMagic { file: String, found: u32, expected: u32, what: &'static str },
    #[error("{file}: truncated: the header promises {expected} bytes but the file has {found}")]
    Truncated { file: String, expected: usize, found: usize },
    #[error("{file}: {found} bytes, {expected} expected from the header (trailing data)")]
    TrailingData { file: String, expected: usize, found: usize },
    #[error("{file}: images are {rows}x{cols}, only 28x28 IDX datasets are supported")]
    WrongImageSize { file: String, rows: usize, cols: usize },
    #[error("{file}: label {label} at index {index} is out of range 0..{classes}")]
    LabelOutOfRange { file: String, index: usize, label: u8, classes: usize },
    #[error("{images_file} holds {images} images but {labels_file} holds {labels} labels")]
    CountMismatch { images_file: String, images: usize, labels_file: String, labels: usize },
    #[error("{file}: {reason}")]
    Io { file: String, reason: String },
}

/// Images of one IDX file: `count` images of `rows * cols` bytes, row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxImages {
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    pub pixels: Vec<u8>,
}

/// Inflates gzip data (recognised by its magic bytes); raw IDX passes through untouched, even
/// under a `.gz` name.
fn decompress(bytes: &[u8], file: &str) -> Result<Vec<u8>, IdxError> {
    if bytes.is_empty() {
        return Err(IdxError::Empty { file: file.into() });
    }
    if !bytes.starts_with(&GZIP_MAGIC) {
        // Raw IDX starts with two zero bytes; a browser may have inflated a `.gz` already.
        if file.ends_with(".gz") && !bytes.starts_with(&[0, 0]) {
            let start = String::from_utf8_lossy(&bytes[..bytes.len().min(16)]).into_owned();
            return Err(IdxError::NotGzip { file: file.into(), start });
        }
        return Ok(bytes.to_vec());
    }
    let mut out = Vec::with_capacity(bytes.len() * 4);
    flate2::read::GzDecoder::new(bytes)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut out)
        .map_err(|e| IdxError::BadGzip { file: file.into(), reason: e.to_string() })?;
    if out.len() as u64 > MAX_INFLATED {
        return Err(IdxError::TooLarge { file: file.into() });
    }
    Ok(out)
}

/// Checks magic and size fields, returns the dimensions and the payload.
fn parse<'a>(data: &'a [u8], file: &str, magic: u32, what: &'static str) -> Result<(Vec<usize>, &'a [u8]), IdxError> {
    let ndim = (magic & 0xff) as usize;
    let header = 4 + 4 * ndim;
    let word = |i: usize| u32::from_be_bytes(data[4 * i..4 * i + 4].try_into().unwrap());
    if data.len() < 4 {
        return Err(IdxError::Truncated { file: file.into(), expected: header, found: data.len() });
    }
    if word(0) != magic {
        return Err(IdxError::WrongMagic { file: file.into(), found: word(0), expected: magic, what });
    }
    if data.len() < header {
        return Err(IdxError::Truncated { file: file.into(), expected: header, found: data.len() });
    }
    let dims: Vec<usize> = (1..=ndim).map(|i| word(i) as usize).collect();
    // Sizes are untrusted: a product that overflows is a header no file can match.
    let expected = dims
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .and_then(|payload| payload.checked_add(header))
        .unwrap_or(usize::MAX);
    match data.len() {
        n if n < expected => Err(IdxError::Truncated { file: file.into(), expected, found: n }),
        n if n > expected => Err(IdxError::TrailingData { file: file.into(), expected, found: n }),
        _ => Ok((dims, &data[header..])),
    }
}

/// Parses an IDX image file (gzip or raw) of 28x28 images.
pub fn parse_images(bytes: &[u8], file: &str) -> Result<IdxImages, IdxError> {
    let data = decompress(bytes, file)?;
    let (dims, payload) = parse(&data, file, IMAGES_MAGIC, "images")?;
    let (count, rows, cols) = (dims[0], dims[1], dims[2]);
    if (rows, cols) != (28, 28) {
        return Err(IdxError::WrongImageSize { file: file.into(), rows, cols });
    }
    Ok(IdxImages { count, rows, cols, pixels: payload.to_vec() })
}

/// Parses an IDX label file (gzip or raw); every label must be below `classes`.
pub fn parse_labels(bytes: &[u8], file: &str, classes: usize) -> Result<Vec<u8>, IdxError> {
    let data = decompress(bytes, file)?;
    let (_, payload) = parse(&data, file, LABELS_MAGIC, "labels")?;
    if let Some((index, &label)) = payload.iter().enumerate().find(|(_, l)| **l as usize >= classes) {
        return Err(IdxError::LabelOutOfRange { file: file.into(), index, label, classes });
    }
    Ok(payload.to_vec())
}

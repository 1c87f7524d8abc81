//! Bilinear resizing with half-pixel centres (PyTorch's `align_corners=False`), as torchvision's
//! `Resize` does when d2l upsamples Fashion-MNIST from 28 to 96 or 224 pixels.

/// Resizes one square single-channel image of side `from` (values in [0, 1]) to side `to`,
/// appending the result to `out`.
pub fn resize_bilinear(src: &[f32], from: usize, to: usize, out: &mut Vec<f32>) {
    let scale = from as f32 / to as f32;
    // Source coordinate and weight along one axis, identical for rows and columns.
    let taps: Vec<(usize, usize, f32)> = (0..to)
        .map(|d| {
            let x = ((d as f32 + 0.5) * scale - 0.5).clamp(0.0, (from - 1) as f32);
            let x0 = x.floor() as usize;
            (x0, (x0 + 1).min(from - 1), x - x0 as f32)
        })
        .collect();
    for &(y0, y1, wy) in &taps {
        let (r0, r1) = (&src[y0 * from..][..from], &src[y1 * from..][..from]);
        for &(x0, x1, wx) in &taps {
            let top = r0[x0] + (r0[x1] - r0[x0]) * wx;
            let bottom = r1[x0] + (r1[x1] - r1[x0]) * wx;
            out.push(top + (bottom - top) * wy);
        }
    }
}

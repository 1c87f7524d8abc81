//! The kernels against max pooling's definition.

use super::kernels::{self, Geometry};

#[test]
fn each_output_is_its_windows_maximum_and_the_gradient_goes_there() {
    // One 4x4 plane, 3x3 windows, stride 2, padding 1: outputs 2x2.
    #[rustfmt::skip]
    let x = [
        1.0, 9.0, 2.0, 0.0,
        3.0, 4.0, 8.0, 1.0,
        0.0, 7.0, 5.0, 6.0,
        2.0, 1.0, 0.0, 3.0,
    ];
    let g = Geometry::new([1, 1, 4, 4], [3, 3], [2, 2], [1, 1]).unwrap();
    let (y, argmax) = kernels::forward(&g, &x);
    assert_eq!(y, [9.0, 9.0, 7.0, 8.0]);
    assert_eq!(argmax, [1, 1, 9, 6]);
    let dx = kernels::backward(&g, &[1.0, 2.0, 3.0, 4.0], &argmax);
    let mut want = [0.0; 16];
    (want[1], want[9], want[6]) = (3.0, 3.0, 4.0);
    assert_eq!(dx, want);
}

#[test]
fn a_nan_wins_its_window() {
    let g = Geometry::new([1, 1, 2, 2], [2, 2], [2, 2], [0, 0]).unwrap();
    let (y, argmax) = kernels::forward(&g, &[1.0, f32::NAN, 5.0, 2.0]);
    assert!(y[0].is_nan());
    assert_eq!(argmax, [1]);
}

#[test]
fn windows_that_do_not_fit_are_left_to_burn() {
    assert!(Geometry::new([1, 1, 4, 4], [3, 3], [1, 1], [2, 2]).is_none(), "padding over half the window");
    assert!(Geometry::new([1, 1, 2, 2], [3, 3], [1, 1], [0, 0]).is_none(), "window larger than the input");
    assert!(Geometry::new([1, 1, 4, 4], [2, 2], [0, 1], [0, 0]).is_none(), "zero stride");
}

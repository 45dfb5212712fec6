//! Garbage in, errors out: parsing and comparing random strings never panics.

use crate::{compare, Scheme};

/// A small xorshift generator: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn string(&mut self) -> String {
        const ALPHABET: &[u8] = b"0123456789.-_+~^:abcvxXz*<>=!|, ()[]rp\t";
        let len = (self.next() % 24) as usize;
        (0..len)
            .map(|_| match self.next() % 50 {
                0 => 'é',
                _ => ALPHABET[(self.next() % ALPHABET.len() as u64) as usize] as char,
            })
            .collect()
    }
}

/// Validates that no scheme panics on random input, whether it accepts it or not.
#[test]
fn random_strings_never_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    for _ in 0..3000 {
        let a = rng.string();
        let b = rng.string();
        for scheme in Scheme::ALL {
            let _ = compare(scheme, &a, &b);
            let _ = compare(scheme, "1.0", &b);
        }
    }
}

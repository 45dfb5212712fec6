//! Garbage in, errors out: parsing, comparing, specifiers and OSV events never panic on
//! random strings.

use crate::{affected, compare, satisfies, Event, Scheme};

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
                1 => '9',
                _ => ALPHABET[(self.next() % ALPHABET.len() as u64) as usize] as char,
            })
            .collect()
    }
}

/// Validates that no scheme panics on random input, whether it accepts it or not.
#[test]
fn random_strings_never_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut accepted = 0;
    for _ in 0..2000 {
        let a = rng.string();
        let b = rng.string();
        for scheme in Scheme::ALL {
            accepted += usize::from(compare(scheme, &a, &b).is_ok());
            let _ = compare(scheme, "1.0", &b);
            let _ = satisfies(scheme, "1.0.0", &a);
            let _ = satisfies(scheme, &b, &a);
            let _ = affected(
                scheme,
                &a,
                &[Event::Introduced("0".into()), Event::Fixed(b.clone())],
            );
        }
    }
    // Some random strings are valid versions somewhere; the loop is not all errors.
    assert!(accepted > 0);
}

/// Validates huge numbers are compared, not overflowed.
#[test]
fn huge_numbers() {
    use std::cmp::Ordering::*;
    let big = "123456789012345678901234567890";
    let bigger = "123456789012345678901234567891";
    for scheme in [
        Scheme::Dpkg,
        Scheme::Apk,
        Scheme::Rpm,
        Scheme::Maven,
        Scheme::RubyGems,
        Scheme::NuGet,
        Scheme::Packagist,
    ] {
        assert_eq!(compare(scheme, big, bigger).unwrap(), Less, "{scheme}");
        assert_eq!(
            compare(scheme, &format!("1.{big}"), "1.2").unwrap(),
            Greater,
            "{scheme}"
        );
    }
    assert!(compare(Scheme::Npm, &format!("{big}.0.0"), "1.0.0").is_err());
    assert!(satisfies(Scheme::Npm, "1.0.0", &format!("^{big}")).is_err());
    assert!(satisfies(Scheme::Npm, "1.0.0", "^9007199254740991").is_ok());
}

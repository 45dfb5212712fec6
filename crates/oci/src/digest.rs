//! Content addresses (`sha256:<hex>`) and readers that check them while bytes stream through.

use std::fmt;
use std::io::{self, Read};
use std::str::FromStr;

use sha2::{Digest as _, Sha256, Sha512};

use crate::error::{Error, ErrorKind};

/// A validated content digest such as `sha256:9f86d0…`.
///
/// Only `sha256` and `sha512` are accepted, with lower-case hex of the right length, as the
/// OCI image spec requires of registered algorithms.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Digest(String);

impl Digest {
    /// The digest of `bytes` with sha256.
    pub fn sha256_of(bytes: &[u8]) -> Digest {
        Digest(format!("sha256:{}", hex::encode(Sha256::digest(bytes))))
    }

    /// The algorithm part (`sha256`).
    pub fn algorithm(&self) -> &str {
        self.0.split_once(':').map(|(a, _)| a).unwrap_or("")
    }

    /// The hex part.
    pub fn hex(&self) -> &str {
        self.0.split_once(':').map(|(_, h)| h).unwrap_or("")
    }

    /// The whole digest as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Digest {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| {
            Error::new(ErrorKind::InvalidDigest {
                digest: s.to_string(),
                why: why.to_string(),
            })
        };
        let (alg, hex) = s
            .split_once(':')
            .ok_or_else(|| bad("expected ALGORITHM:HEX"))?;
        let want = match alg {
            "sha256" => 64,
            "sha512" => 128,
            _ => {
                return Err(bad(
                    "unsupported algorithm (sha256 and sha512 are supported)",
                ))
            }
        };
        if hex.len() != want
            || !hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(bad("hex part has the wrong length or characters"));
        }
        Ok(Digest(s.to_string()))
    }
}

impl TryFrom<String> for Digest {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Digest> for String {
    fn from(d: Digest) -> String {
        d.0
    }
}

enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

/// Wraps a blob stream and checks its digest (and size, when known) when it reaches the end.
///
/// A mismatch surfaces as an [`io::Error`] of kind `InvalidData` from the `read` call that
/// hit end of stream, carrying an [`Error`] with [`ErrorKind::DigestMismatch`]; so a consumer
/// that reads to the end cannot miss it. Readers that stop early (tar stops at its end
/// marker) must call [`VerifyingReader::finish`], which drains the rest and verifies.
pub struct VerifyingReader<R> {
    inner: R,
    expected: Digest,
    hasher: Option<Hasher>,
    expected_size: Option<u64>,
    read: u64,
    what: String,
}

impl<R: Read> VerifyingReader<R> {
    /// Verify `inner` against `expected`; `what` names the blob in error messages
    /// (e.g. `layer 2 of docker-archive:app.tar`).
    pub fn new(
        inner: R,
        expected: Digest,
        expected_size: Option<u64>,
        what: impl Into<String>,
    ) -> Self {
        let hasher = match expected.algorithm() {
            "sha512" => Hasher::Sha512(Sha512::new()),
            _ => Hasher::Sha256(Sha256::new()),
        };
        VerifyingReader {
            inner,
            expected,
            hasher: Some(hasher),
            expected_size,
            read: 0,
            what: what.into(),
        }
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    /// Read what is left of the stream, then verify. Returns the number of bytes drained.
    pub fn finish(&mut self) -> io::Result<u64> {
        let mut drained = 0u64;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = self.read(&mut buf)?;
            if n == 0 {
                return Ok(drained);
            }
            drained += n as u64;
        }
    }

    fn verify(&mut self) -> io::Result<()> {
        let Some(h) = self.hasher.take() else {
            return Ok(());
        };
        let actual = match h {
            Hasher::Sha256(h) => format!("sha256:{}", hex::encode(h.finalize())),
            Hasher::Sha512(h) => format!("sha512:{}", hex::encode(h.finalize())),
        };
        if let Some(size) = self.expected_size {
            if size != self.read {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    Error::new(ErrorKind::SizeMismatch {
                        what: self.what.clone(),
                        expected: size,
                        actual: self.read,
                    }),
                ));
            }
        }
        if actual != self.expected.as_str() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                Error::new(ErrorKind::DigestMismatch {
                    what: self.what.clone(),
                    expected: self.expected.clone(),
                    actual,
                }),
            ));
        }
        Ok(())
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n == 0 {
            self.verify()?;
            return Ok(0);
        }
        self.read += n as u64;
        if let Some(size) = self.expected_size {
            if self.read > size {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    Error::new(ErrorKind::SizeMismatch {
                        what: self.what.clone(),
                        expected: size,
                        actual: self.read,
                    }),
                ));
            }
        }
        match self.hasher.as_mut() {
            Some(Hasher::Sha256(h)) => h.update(&buf[..n]),
            Some(Hasher::Sha512(h)) => h.update(&buf[..n]),
            None => {}
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let d: Digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            .parse()
            .unwrap();
        assert_eq!(d.algorithm(), "sha256");
        assert!("sha256:abc".parse::<Digest>().is_err());
        assert!("md5:d41d8cd98f00b204e9800998ecf8427e"
            .parse::<Digest>()
            .is_err());
        assert!(
            "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
                .parse::<Digest>()
                .is_err()
        );
    }

    #[test]
    fn verifying_reader_accepts_and_rejects() {
        let good = Digest::sha256_of(b"hello");
        let mut r = VerifyingReader::new(&b"hello"[..], good.clone(), Some(5), "test blob");
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"hello");

        let mut r = VerifyingReader::new(&b"hellO"[..], good, None, "test blob");
        let err = r.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("test blob"), "{err}");
    }
}

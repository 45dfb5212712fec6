//! Downloads one feed over HTTP(S) with `ureq` (blocking): conditional requests, bounded
//! retries with exponential backoff, a size cap, and the body streamed to a file.
//!
//! Retried: connection and protocol errors, a body cut short, `5xx` and `429`. Not retried:
//! other `4xx`. A `gzip` `Content-Encoding` is decoded by `ureq`; gzip *files* (EPSS
//! `.csv.gz`) are stored as they are and decompressed by the loader.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use super::{Progress, UpdateConfig};

/// A download failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The server answered with an error status.
    #[error("the server answered HTTP {status} (after {attempts} attempt(s))")]
    Status {
        /// The last status.
        status: u16,
        /// Attempts made.
        attempts: u32,
    },
    /// The connection failed or broke.
    #[error("network error after {attempts} attempt(s): {message}")]
    Network {
        /// The last error.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The body is larger than the configured cap.
    #[error("the download is larger than the {limit}-byte limit")]
    TooLarge {
        /// The cap.
        limit: u64,
    },
    /// Writing the downloaded file failed.
    #[error("cannot write {path}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        #[source]
        err: std::io::Error,
    },
}

/// Conditional request headers from a previous download.
#[derive(Clone, Debug, Default)]
pub(crate) struct Conditions {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What a download gave.
#[derive(Debug)]
pub(crate) enum Fetched {
    /// `200`: the body is in the destination file.
    New {
        etag: Option<String>,
        last_modified: Option<String>,
        bytes: u64,
    },
    /// `304 Not Modified`.
    NotModified,
}

pub(crate) fn agent(config: &UpdateConfig) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_global(Some(config.timeout))
        .user_agent(concat!("shipshape/", env!("CARGO_PKG_VERSION")))
        .build()
        .new_agent()
}

enum Attempt {
    Done(Fetched),
    Retry(FetchError),
    Fail(FetchError),
}

fn header(resp: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Downloads `url` into `dest` (replacing it), trying up to `config.retries` times.
pub(crate) fn fetch(
    agent: &ureq::Agent,
    config: &UpdateConfig,
    url: &str,
    cond: Option<&Conditions>,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<Fetched, FetchError> {
    let tries = config.retries.max(1);
    let mut delay = config.retry_delay;
    let mut attempt = 1;
    loop {
        match try_once(agent, config, url, cond, dest, progress, attempt) {
            Attempt::Done(f) => return Ok(f),
            Attempt::Fail(e) => return Err(e),
            Attempt::Retry(e) if attempt >= tries => return Err(e),
            Attempt::Retry(_) => {
                std::thread::sleep(delay);
                delay = delay.saturating_mul(2);
                attempt += 1;
            }
        }
    }
}

fn try_once(
    agent: &ureq::Agent,
    config: &UpdateConfig,
    url: &str,
    cond: Option<&Conditions>,
    dest: &Path,
    progress: &dyn Progress,
    attempt: u32,
) -> Attempt {
    let network = |message: String| FetchError::Network {
        message,
        attempts: attempt,
    };
    let mut req = agent.get(url);
    if let Some(c) = cond {
        if let Some(e) = &c.etag {
            req = req.header("If-None-Match", e);
        }
        if let Some(m) = &c.last_modified {
            req = req.header("If-Modified-Since", m);
        }
    }
    let resp = match req.call() {
        Ok(r) => r,
        Err(e) => return Attempt::Retry(network(e.to_string())),
    };
    let status = resp.status().as_u16();
    if status == 304 && cond.is_some() {
        return Attempt::Done(Fetched::NotModified);
    }
    if status != 200 {
        let err = FetchError::Status {
            status,
            attempts: attempt,
        };
        return if status >= 500 || status == 429 {
            Attempt::Retry(err)
        } else {
            Attempt::Fail(err)
        };
    }
    let etag = header(&resp, "etag");
    let last_modified = header(&resp, "last-modified");
    let total = header(&resp, "content-length").and_then(|l| l.parse::<u64>().ok());
    if total.is_some_and(|t| t > config.max_bytes) {
        return Attempt::Fail(FetchError::TooLarge {
            limit: config.max_bytes,
        });
    }
    progress.download_started(total);
    let io = |err| FetchError::Io {
        path: dest.to_owned(),
        err,
    };
    let mut file = match fs::File::create(dest) {
        Ok(f) => f,
        Err(e) => return Attempt::Fail(io(e)),
    };
    let mut reader = resp.into_body().into_reader();
    let mut buf = vec![0u8; 1 << 16];
    let mut written = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Attempt::Retry(network(format!("reading the body: {e}"))),
        };
        written += n as u64;
        if written > config.max_bytes {
            return Attempt::Fail(FetchError::TooLarge {
                limit: config.max_bytes,
            });
        }
        if let Err(e) = file.write_all(&buf[..n]) {
            return Attempt::Fail(io(e));
        }
        progress.downloaded(n as u64);
    }
    if let Some(t) = total.filter(|&t| t != written) {
        // Only meaningful without Content-Encoding; ureq decodes gzip and drops the length.
        return Attempt::Retry(network(format!(
            "the body ended after {written} of {t} bytes"
        )));
    }
    if let Err(e) = file.sync_all() {
        return Attempt::Fail(io(e));
    }
    Attempt::Done(Fetched::New {
        etag,
        last_modified,
        bytes: written,
    })
}

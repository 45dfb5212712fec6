//! Where the database lives: `--db`, `$SHIPSHAPE_DB`, else the XDG cache directory.

use std::path::{Path, PathBuf};

/// The default database path: `$XDG_CACHE_HOME/shipshape/db/shipshape.db`, falling back to
/// `~/.cache/shipshape/db/shipshape.db` (a relative `XDG_CACHE_HOME` is ignored, as the XDG
/// spec says), and to the system temporary directory when there is no home either.
pub fn default_path() -> PathBuf {
    default_path_with(&|k| std::env::var_os(k))
}

/// The database path a command should use: `explicit` (`--db PATH`) if given, else
/// `$SHIPSHAPE_DB` if set and non-empty, else [`default_path`].
pub fn resolve_path(explicit: Option<&Path>) -> PathBuf {
    resolve_path_with(explicit, &|k| std::env::var_os(k))
}

type Env<'a> = &'a dyn Fn(&str) -> Option<std::ffi::OsString>;

fn default_path_with(env: Env<'_>) -> PathBuf {
    let cache = env("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            env("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })
        .unwrap_or_else(std::env::temp_dir);
    cache.join("shipshape").join("db").join("shipshape.db")
}

fn resolve_path_with(explicit: Option<&Path>, env: Env<'_>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_owned();
    }
    match env("SHIPSHAPE_DB") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => default_path_with(env),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn default_path_prefers_xdg_cache_home() {
        let e = env(&[("XDG_CACHE_HOME", "/x/cache"), ("HOME", "/home/u")]);
        assert_eq!(
            default_path_with(&e),
            PathBuf::from("/x/cache/shipshape/db/shipshape.db")
        );
    }

    #[test]
    fn default_path_falls_back_to_home_cache() {
        let e = env(&[("XDG_CACHE_HOME", "relative"), ("HOME", "/home/u")]);
        assert_eq!(
            default_path_with(&e),
            PathBuf::from("/home/u/.cache/shipshape/db/shipshape.db")
        );
    }

    #[test]
    fn resolve_path_order() {
        let e = env(&[("SHIPSHAPE_DB", "/db/x.db"), ("HOME", "/home/u")]);
        assert_eq!(
            resolve_path_with(Some(Path::new("/flag.db")), &e),
            PathBuf::from("/flag.db")
        );
        assert_eq!(resolve_path_with(None, &e), PathBuf::from("/db/x.db"));
        let e = env(&[("SHIPSHAPE_DB", ""), ("HOME", "/home/u")]);
        assert_eq!(
            resolve_path_with(None, &e),
            PathBuf::from("/home/u/.cache/shipshape/db/shipshape.db")
        );
    }
}

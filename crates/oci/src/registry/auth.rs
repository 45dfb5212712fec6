//! `WWW-Authenticate` challenges and bearer tokens.
//!
//! Traps: parameter values are quoted strings that may contain commas (`scope="repository:a:
//! pull,push"`); token endpoints answer with `token`, `access_token` or both; a token is only
//! good for the scope it was issued for, so tokens are cached per scope.

use std::collections::BTreeMap;

/// A parsed authentication challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Challenge {
    /// `bearer` or `basic` (lower-cased).
    pub scheme: String,
    /// Parameters with lower-cased names (`realm`, `service`, `scope`).
    pub params: BTreeMap<String, String>,
}

/// Parse one `WWW-Authenticate` header value (the first challenge it holds).
pub(crate) fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = match header.split_once(char::is_whitespace) {
        Some((s, r)) => (s, r),
        None => (header, ""),
    };
    if scheme.is_empty() {
        return None;
    }
    let mut params = BTreeMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ',' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        if key.is_empty() {
            break;
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek() != Some(&'=') {
            // A token68 or a second challenge's scheme: stop here.
            break;
        }
        chars.next();
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
            value = value.trim().to_string();
        }
        params.insert(key.to_ascii_lowercase(), value);
    }
    Some(Challenge {
        scheme: scheme.to_ascii_lowercase(),
        params,
    })
}

/// A token endpoint's answer.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct TokenResponse {
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub access_token: Option<String>,
}

impl TokenResponse {
    /// The token, preferring `token` as the distribution spec says.
    pub(crate) fn into_token(self) -> Option<String> {
        self.token
            .filter(|t| !t.is_empty())
            .or(self.access_token.filter(|t| !t.is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates quoted values with commas, unquoted values and scheme case.
    #[test]
    fn parses_challenges() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull,push""#,
        )
        .unwrap();
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.params["realm"], "https://auth.docker.io/token");
        assert_eq!(c.params["service"], "registry.docker.io");
        assert_eq!(c.params["scope"], "repository:library/debian:pull,push");
        let c = parse_challenge(r#"Basic realm=Registry, charset="UTF-8""#).unwrap();
        assert_eq!(c.scheme, "basic");
        assert_eq!(c.params["realm"], "Registry");
        assert_eq!(c.params["charset"], "UTF-8");
        assert!(parse_challenge("").is_none());
    }

    /// Validates `token` and `access_token` are both accepted.
    #[test]
    fn token_fields() {
        let t: TokenResponse = serde_json::from_str(r#"{"access_token":"a"}"#).unwrap();
        assert_eq!(t.into_token().as_deref(), Some("a"));
        let t: TokenResponse = serde_json::from_str(r#"{"token":"t","access_token":"a"}"#).unwrap();
        assert_eq!(t.into_token().as_deref(), Some("t"));
        let t: TokenResponse = serde_json::from_str(r#"{}"#).unwrap();
        assert_eq!(t.into_token(), None);
    }
}

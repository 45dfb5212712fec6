//! Variable substitution and word splitting as BuildKit's shell lexer does them.
//!
//! Traps: single quotes stop expansion and double quotes do not; the escape character
//! is the directive's (`\` or `` ` ``), and `\$` is a literal dollar; `${V:-w}` tests
//! "unset or empty" while `${V-w}` tests only "unset"; `$` followed by anything that
//! cannot start a name is a literal `$`.

/// What to do with a variable that is not in scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unknown {
    /// Substitute the empty string, as the builder does for ADD, COPY, ENV, FROM, ….
    Empty,
    /// Leave `$VAR` / `${…}` as written: the shell (RUN) may still know it.
    Keep,
}

/// How a string is expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mode {
    /// Keep quotes and escapes (a text view of a whole instruction) or remove them
    /// (the value of one word, such as an ENV value).
    pub keep_quotes: bool,
    /// Unknown variables.
    pub unknown: Unknown,
}

/// Text view of an instruction the builder expands.
pub(crate) const TEXT_STRICT: Mode = Mode {
    keep_quotes: true,
    unknown: Unknown::Empty,
};
/// Text view of an instruction the shell expands (RUN, CMD, …): only known variables.
pub(crate) const TEXT_LENIENT: Mode = Mode {
    keep_quotes: true,
    unknown: Unknown::Keep,
};
/// One word's value (ENV/ARG values, flag values, FROM image).
pub(crate) const WORD_STRICT: Mode = Mode {
    keep_quotes: false,
    unknown: Unknown::Empty,
};
/// One word's value, unknown variables kept (`--platform=$BUILDPLATFORM`).
pub(crate) const WORD_LENIENT: Mode = Mode {
    keep_quotes: false,
    unknown: Unknown::Keep,
};

/// Why expansion failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ExpandError {
    /// `${` without `}`.
    Unterminated,
    /// `${V:?msg}` with V unset.
    Required { name: String, message: String },
}

/// Expand `s` with `lookup` resolving variable names.
pub(crate) fn expand(
    s: &str,
    escape: char,
    mode: Mode,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, ExpandError> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut in_single = false;
    let mut in_double = false;
    while i < chars.len() {
        let c = chars[i];
        if in_single {
            if c == '\'' {
                in_single = false;
                if mode.keep_quotes {
                    out.push(c);
                }
            } else {
                out.push(c);
            }
            i += 1;
            continue;
        }
        if c == escape {
            match chars.get(i + 1) {
                None => out.push(c),
                Some(&n) => {
                    if n == '$' {
                        out.push('$');
                    } else if mode.keep_quotes || (in_double && n != '"' && n != escape) {
                        out.push(c);
                        out.push(n);
                    } else {
                        out.push(n);
                    }
                }
            }
            i += 2;
            continue;
        }
        match c {
            '\'' if !in_double => {
                in_single = true;
                if mode.keep_quotes {
                    out.push(c);
                }
                i += 1;
            }
            '"' => {
                in_double = !in_double;
                if mode.keep_quotes {
                    out.push(c);
                }
                i += 1;
            }
            '$' => i = expand_dollar(&chars, i, escape, mode, lookup, &mut out)?,
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Index of the `}` closing a `${` whose body starts at `from`.
fn find_close(chars: &[char], from: usize, escape: char) -> Option<usize> {
    let mut depth = 1usize;
    let mut k = from;
    while k < chars.len() {
        let c = chars[k];
        if c == escape {
            k += 2;
            continue;
        }
        if c == '{' {
            depth += 1;
        } else if c == '}' {
            depth -= 1;
            if depth == 0 {
                return Some(k);
            }
        }
        k += 1;
    }
    None
}

/// Expand the reference starting at `chars[i] == '$'`; returns the index after it.
fn expand_dollar(
    chars: &[char],
    i: usize,
    escape: char,
    mode: Mode,
    lookup: &dyn Fn(&str) -> Option<String>,
    out: &mut String,
) -> Result<usize, ExpandError> {
    match chars.get(i + 1) {
        Some('{') => {
            let close = find_close(chars, i + 2, escape).ok_or(ExpandError::Unterminated)?;
            let raw: String = chars[i..=close].iter().collect();
            let inner = &chars[i + 2..close];
            let name_len = inner.iter().take_while(|c| is_name_char(**c)).count();
            let name: String = inner[..name_len].iter().collect();
            let rest: String = inner[name_len..].iter().collect();
            if name.is_empty() || !name.starts_with(is_name_start) {
                out.push_str(&raw);
                return Ok(close + 1);
            }
            let (op, word) = if rest.is_empty() {
                ("", "")
            } else if let Some(op) = [":-", ":+", ":?"]
                .into_iter()
                .find(|op| rest.starts_with(op))
            {
                (op, &rest[2..])
            } else if let Some(op) = ["-", "+", "?"].into_iter().find(|op| rest.starts_with(op)) {
                (op, &rest[1..])
            } else {
                // `${V#p}`, `${V%p}`, `${V/a/b}`…: not modelled, kept as written.
                out.push_str(&raw);
                return Ok(close + 1);
            };
            let value = lookup(&name);
            if value.is_none() && mode.unknown == Unknown::Keep {
                out.push_str(&raw);
                return Ok(close + 1);
            }
            let set = value.is_some();
            let nonempty = value.as_deref().is_some_and(|v| !v.is_empty());
            let word = || expand(word, escape, mode, lookup);
            let result = match op {
                "" => value.unwrap_or_default(),
                ":-" if nonempty => value.unwrap_or_default(),
                ":-" => word()?,
                "-" if set => value.unwrap_or_default(),
                "-" => word()?,
                ":+" if nonempty => word()?,
                "+" if set => word()?,
                ":+" | "+" => String::new(),
                ":?" if nonempty => value.unwrap_or_default(),
                "?" if set => value.unwrap_or_default(),
                _ => {
                    return Err(ExpandError::Required {
                        name,
                        message: word()?,
                    });
                }
            };
            out.push_str(&result);
            Ok(close + 1)
        }
        Some(&c) if is_name_start(c) => {
            let len = chars[i + 1..]
                .iter()
                .take_while(|c| is_name_char(**c))
                .count();
            let name: String = chars[i + 1..i + 1 + len].iter().collect();
            match lookup(&name) {
                Some(v) => out.push_str(&v),
                None if mode.unknown == Unknown::Keep => {
                    out.push('$');
                    out.push_str(&name);
                }
                None => {}
            }
            Ok(i + 1 + len)
        }
        _ => {
            out.push('$');
            Ok(i + 1)
        }
    }
}

/// Split on unquoted whitespace, keeping each word exactly as written (quotes and
/// escapes included).
pub(crate) fn split_words(s: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                cur.push(c);
                if c == escape && q == '"' {
                    if let Some(n) = chars.next() {
                        cur.push(n);
                    }
                } else if c == q {
                    quote = None;
                }
            }
            None if c.is_whitespace() => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            None => {
                cur.push(c);
                if c == escape {
                    if let Some(n) = chars.next() {
                        cur.push(n);
                    }
                } else if c == '"' || c == '\'' {
                    quote = Some(c);
                }
            }
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        match name {
            "A" => Some("a".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn table() {
        let cases: &[(&str, Mode, &str)] = &[
            ("$A", TEXT_STRICT, "a"),
            ("${A}b", TEXT_STRICT, "ab"),
            ("$Ab", TEXT_STRICT, ""),
            ("${NO:-d}", TEXT_STRICT, "d"),
            ("${EMPTY:-d}", TEXT_STRICT, "d"),
            ("${EMPTY-d}", TEXT_STRICT, ""),
            ("${NO-d}", TEXT_STRICT, "d"),
            ("${A:+alt}", TEXT_STRICT, "alt"),
            ("${EMPTY:+alt}", TEXT_STRICT, ""),
            ("${EMPTY+alt}", TEXT_STRICT, "alt"),
            ("${NO+alt}", TEXT_STRICT, ""),
            ("${NO:-${A}x}", TEXT_STRICT, "ax"),
            ("\\$A", TEXT_STRICT, "$A"),
            ("'$A' \"$A\"", TEXT_STRICT, "'$A' \"a\""),
            ("'$A' \"$A\"", WORD_STRICT, "$A a"),
            ("\"x\\\"y\" \\ z", WORD_STRICT, "x\"y  z"),
            ("$NO ${NO:-d} $A", TEXT_LENIENT, "$NO ${NO:-d} a"),
            ("${A%%.*} $ 5$ $1", TEXT_STRICT, "${A%%.*} $ 5$ $1"),
            ("héllo ${A}é", TEXT_STRICT, "héllo aé"),
        ];
        for (input, mode, want) in cases {
            assert_eq!(&expand(input, '\\', *mode, &vars).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn backtick_escape() {
        assert_eq!(
            expand("`$A c:\\x $A", '`', TEXT_STRICT, &vars).unwrap(),
            "$A c:\\x a"
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            expand("${A", '\\', TEXT_STRICT, &vars),
            Err(ExpandError::Unterminated)
        );
        assert_eq!(
            expand("${NO:?need it}", '\\', TEXT_STRICT, &vars),
            Err(ExpandError::Required {
                name: "NO".into(),
                message: "need it".into()
            })
        );
    }

    #[test]
    fn words() {
        assert_eq!(
            split_words(r#"a "b c" 'd e' f\ g  h"#, '\\'),
            vec!["a", "\"b c\"", "'d e'", "f\\ g", "h"]
        );
    }
}

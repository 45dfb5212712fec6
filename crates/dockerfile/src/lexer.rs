//! From text to raw instructions: parser directives, continuation lines, comments and
//! heredoc bodies. Nothing here knows what an instruction means.
//!
//! Traps (as BuildKit's `parser` package behaves): directives are only recognised
//! before the first comment, blank line or instruction, and an unknown `# key=value`
//! there ends the directive block; the escape character ends a line only when nothing
//! but spaces or tabs follows it; comment lines and blank lines inside a continuation
//! are dropped rather than ending the instruction; heredoc bodies follow the logical
//! line that opened them, one after another, and `<<-` strips leading tabs.

use crate::error::ParseError;
use crate::expand::split_words;
use crate::{Directives, Flag, Heredoc};

/// One instruction as written, before stage and variable handling.
#[derive(Debug, Clone)]
pub(crate) struct RawInstruction {
    pub line: usize,
    pub end_line: usize,
    pub keyword: String,
    pub flags: Vec<Flag>,
    pub args: String,
    pub original_text: String,
    pub heredocs: Vec<Heredoc>,
}

/// Instruction keywords the Dockerfile reference defines.
pub const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Instructions whose leading `--name[=value]` words are flags.
const FLAGGED: &[&str] = &["FROM", "RUN", "COPY", "ADD", "HEALTHCHECK"];

/// Instructions that may open heredocs.
const HEREDOC: &[&str] = &["RUN", "COPY", "ADD"];

pub(crate) fn lex(text: &str) -> Result<(Directives, Vec<RawInstruction>), ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let (directives, mut i) = directives(&lines)?;
    let escape = directives.escape;
    let mut out = Vec::new();
    while i < lines.len() {
        let t = lines[i].trim_start();
        if t.is_empty() || t.starts_with('#') {
            i += 1;
            continue;
        }
        let start = i;
        let mut last = i;
        let mut logical = String::new();
        loop {
            let cur = lines[i];
            let tt = cur.trim_start();
            if i != start && (tt.is_empty() || tt.starts_with('#')) {
                i += 1;
                if i >= lines.len() {
                    break;
                }
                continue;
            }
            last = i;
            i += 1;
            let (content, continues) = strip_continuation(cur, escape);
            logical.push_str(content);
            if !continues || i >= lines.len() {
                break;
            }
        }
        let logical = logical.trim();
        let (word, rest) = split_first_word(logical);
        let keyword = word.to_ascii_uppercase();
        if !KEYWORDS.contains(&keyword.as_str()) {
            return Err(ParseError::UnknownInstruction {
                line: start + 1,
                keyword: word.to_string(),
            });
        }
        let (flags, args) = if FLAGGED.contains(&keyword.as_str()) {
            split_flags(rest)
        } else {
            (Vec::new(), rest.to_string())
        };
        let mut heredocs = Vec::new();
        if HEREDOC.contains(&keyword.as_str()) {
            for (fd, strip_tabs, name, expand) in heredoc_words(&args, escape) {
                let mut content = String::new();
                loop {
                    let Some(l) = lines.get(i) else {
                        return Err(ParseError::UnterminatedHeredoc {
                            line: start + 1,
                            name,
                        });
                    };
                    i += 1;
                    last = i - 1;
                    let l = if strip_tabs {
                        l.trim_start_matches('\t')
                    } else {
                        l
                    };
                    if l == name {
                        break;
                    }
                    content.push_str(l);
                    content.push('\n');
                }
                heredocs.push(Heredoc {
                    name,
                    fd,
                    strip_tabs,
                    expand,
                    content,
                    expanded: None,
                });
            }
        }
        out.push(RawInstruction {
            line: start + 1,
            end_line: last + 1,
            keyword,
            flags,
            args,
            original_text: lines[start..=last].join("\n"),
            heredocs,
        });
    }
    Ok((directives, out))
}

/// Read the parser directives at the top; returns them and the first line index after.
fn directives(lines: &[&str]) -> Result<(Directives, usize), ParseError> {
    let mut d = Directives::default();
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        let Some((key, value)) = directive(line) else {
            break;
        };
        match key.as_str() {
            "escape" => {
                d.escape = match value.as_str() {
                    "\\" => '\\',
                    "`" => '`',
                    _ => return Err(ParseError::InvalidEscape { line: i + 1, value }),
                }
            }
            "syntax" => d.syntax = Some(value),
            "check" => d.check = Some(value),
            _ => break,
        }
        i += 1;
    }
    Ok((d, i))
}

/// `# key = value` → (lower-case key, value).
fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.trim_start().strip_prefix('#')?.trim_start();
    let (key, value) = rest.split_once('=')?;
    let key = key.trim_end();
    let mut chars = key.chars();
    if !chars.next()?.is_ascii_alphabetic() || !chars.all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    Some((key.to_ascii_lowercase(), value.to_string()))
}

/// Remove a trailing escape character (followed only by spaces/tabs); says whether it
/// was there.
fn strip_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    match trimmed.strip_suffix(escape) {
        Some(content) => (content, true),
        None => (line, false),
    }
}

fn split_first_word(s: &str) -> (&str, &str) {
    match s.find(char::is_whitespace) {
        Some(p) => (&s[..p], s[p..].trim_start()),
        None => (s, ""),
    }
}

/// Leading `--name[=value]` words, then the rest (trimmed).
pub(crate) fn split_flags(rest: &str) -> (Vec<Flag>, String) {
    let mut flags = Vec::new();
    let mut rest = rest.trim();
    while rest.starts_with("--") {
        let (word, after) = split_first_word(rest);
        let body = &word[2..];
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (body.to_string(), None),
        };
        flags.push(Flag {
            name,
            value,
            expanded: None,
        });
        rest = after;
    }
    (flags, rest.to_string())
}

/// Heredoc openers among the words of `args`: (fd, strip tabs, name, expand content).
fn heredoc_words(args: &str, escape: char) -> Vec<(Option<u32>, bool, String, bool)> {
    let mut found = Vec::new();
    let words = split_words(args, escape);
    for (i, word) in words.iter().enumerate() {
        let digits = word.chars().take_while(char::is_ascii_digit).count();
        let fd = word[..digits].parse().ok();
        let Some(rest) = word[digits..].strip_prefix("<<") else {
            continue;
        };
        if rest.starts_with('<') {
            continue; // here-string `<<<`
        }
        let (strip_tabs, rest) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        // BuildKit 0.22 accepts `<< EOF` (a space before the word).
        let rest = match (rest.is_empty(), words.get(i + 1)) {
            (true, Some(next)) => next.as_str(),
            _ => rest,
        };
        let quoted = rest.contains(['"', '\'']) || rest.contains(escape);
        let name: String = rest
            .chars()
            .filter(|c| *c != '"' && *c != '\'' && *c != escape)
            .collect();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || "_-.".contains(c))
        {
            continue;
        }
        found.push((fd, strip_tabs, name, !quoted));
    }
    found
}

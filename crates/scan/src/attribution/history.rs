//! Reading an image history `created_by` back as a Dockerfile instruction.
//!
//! # History shapes
//!
//! | builder | `RUN` | other steps |
//! |---|---|---|
//! | classic docker, buildah/podman | `/bin/sh -c apt-get …`, `\|2 A=1 B=2 /bin/sh -c …`, exec form as `a b` | `/bin/sh -c #(nop)  CMD ["bash"]`, `/bin/sh -c #(nop) COPY dir:<hash> in /opt/app ` |
//! | BuildKit | `RUN /bin/sh -c … # buildkit`, `RUN \|1 V=2 /bin/sh -c … # buildkit`, exec form `RUN a b # buildkit` | `COPY app /app # buildkit`, `WORKDIR /app`, `ENV A=b` |
//! | kaniko | the instruction as written: `RUN apt-get update && …` (flags included) | `COPY app /app`, `WORKDIR /app` |
//!
//! A custom `SHELL` replaces `/bin/sh -c` with that shell (`/bin/bash -o pipefail -c …`);
//! any absolute path to `sh`, `bash`, `ash`, `dash`, `zsh` or `ksh` followed by options
//! and `-c` is recognised as the shell. Windows (`cmd /S /C`) is not handled.

use std::fmt;

/// Which kind of builder wrote a history line, as far as its shape tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryForm {
    /// The classic docker builder, buildah or podman: `/bin/sh -c …`, `#(nop)`, `|N …`.
    Classic,
    /// BuildKit: ends in `# buildkit`.
    BuildKit,
    /// The instruction as written (kaniko, or a tool that records plain instructions).
    Plain,
}

/// One history `created_by`, read back as a Dockerfile instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryStep {
    /// Upper-case keyword (`RUN`, `COPY`, `CMD`).
    pub keyword: String,
    /// What follows the keyword, as a Dockerfile would say it: for `RUN` the command
    /// without the shell, build-arg prefix or flags; for classic `COPY`/`ADD` the
    /// builder's `dir:<hash> in /dest`.
    pub args: String,
    /// For `RUN`, the command with the shell kept (`/bin/sh -c apt-get …`) or, for the
    /// exec form, its argv joined by spaces; otherwise the same as `args`.
    pub command: String,
    /// The shape the line had.
    pub form: HistoryForm,
}

impl HistoryStep {
    /// The instruction on one line (`RUN apt-get install -y git`). A multi-line command
    /// (a BuildKit heredoc body) has its lines joined with `; `, or with a space after a
    /// line ending in `&&`, `||`, `|`, `;` or `\`.
    pub fn text(&self) -> String {
        let args = one_line(&self.args);
        if args.is_empty() {
            self.keyword.clone()
        } else {
            format!("{} {}", self.keyword, args)
        }
    }

    /// `RUN`, `COPY` and `ADD` make layers.
    pub fn creates_layer(&self) -> bool {
        matches!(self.keyword.as_str(), "RUN" | "COPY" | "ADD")
    }

    /// For `COPY`/`ADD`, where it copied to (`/opt/app`); for `WORKDIR`, the directory.
    pub fn destination(&self) -> Option<String> {
        match self.keyword.as_str() {
            "COPY" | "ADD" => {
                if let Some(i) = self.args.rfind(" in ") {
                    // Classic: `dir:<hash> in /dest `.
                    let dest = self.args[i + 4..].trim();
                    if !dest.is_empty() && !dest.contains(char::is_whitespace) {
                        return Some(dest.to_owned());
                    }
                }
                copy_destination(&self.args)
            }
            "WORKDIR" => Some(self.args.trim().to_owned()).filter(|d| !d.is_empty()),
            _ => None,
        }
    }
}

impl fmt::Display for HistoryStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// Lines trimmed and joined as [`HistoryStep::text`] describes.
fn one_line(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            let joined = ["&&", "||", "|", ";", "\\"]
                .iter()
                .any(|e| out.ends_with(e));
            if out.ends_with('\\') {
                out.pop();
                out.truncate(out.trim_end().len());
            }
            out.push_str(if joined { " " } else { "; " });
        }
        out.push_str(line);
    }
    out
}

/// Shells recognised in front of `-c`.
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"];

/// Splits `<shell> [options] -c <command>` into the shell part (up to and including
/// `-c`) and the command, as written after the single space that follows `-c`.
fn split_shell(s: &str) -> Option<(&str, &str)> {
    let mut pos = 0;
    let mut first = true;
    let mut after_o = false;
    loop {
        let rest = &s[pos..];
        let start = pos + (rest.len() - rest.trim_start().len());
        let tail = &s[start..];
        if tail.is_empty() {
            return None;
        }
        let len = tail.find(char::is_whitespace).unwrap_or(tail.len());
        let tok = &tail[..len];
        let end = start + len;
        if first {
            let base = tok.rsplit('/').next().unwrap_or(tok);
            if !tok.starts_with('/') || !SHELLS.contains(&base) {
                return None;
            }
            first = false;
        } else if is_dash_c(tok) {
            let cmd = &s[end..];
            let cmd = cmd
                .strip_prefix(' ')
                .unwrap_or_else(|| cmd.trim_start_matches(char::is_whitespace));
            return Some((&s[..end], cmd));
        } else if tok.starts_with('-') {
            // `-o pipefail`, `-eo pipefail`, `-euo pipefail`: an option with a value.
            after_o = !tok.starts_with("--") && tok.ends_with('o');
        } else if after_o {
            after_o = false;
        } else {
            return None;
        }
        pos = end;
    }
}

/// `-c`, or short options ending in it (`-ec`, `-euxc`).
fn is_dash_c(tok: &str) -> bool {
    tok.len() >= 2
        && tok.starts_with('-')
        && tok.ends_with('c')
        && tok[1..].chars().all(|c| c.is_ascii_alphabetic())
}

/// Strips `|N K=V …` (build args the classic builder and BuildKit put before a RUN's
/// command); `None` when `s` does not start with `|N`.
fn strip_build_args(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('|')?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    if digits == 0 {
        return None;
    }
    let n: usize = rest[..digits].parse().ok()?;
    let mut rest = rest[digits..].trim_start();
    if n == 0 {
        return Some(rest);
    }
    // Values may contain spaces: prefer the shell's start when there is one.
    let mut idx = 0;
    while idx < rest.len() {
        if rest[idx..].starts_with('/') && split_shell(&rest[idx..]).is_some() {
            return Some(&rest[idx..]);
        }
        match rest[idx..].find(char::is_whitespace) {
            Some(w) => {
                let next = &rest[idx + w..];
                idx += w + (next.len() - next.trim_start().len());
            }
            None => break,
        }
    }
    // No shell (exec form): skip N words.
    for _ in 0..n {
        let w = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest = rest[w..].trim_start();
    }
    Some(rest)
}

/// A RUN body (after any build-arg prefix): shell form, exec JSON, or a bare command.
fn run_step(body: &str, form: HistoryForm) -> HistoryStep {
    let body = body.trim();
    let (args, command) = if let Some((_, cmd)) = split_shell(body) {
        (cmd.trim().to_owned(), body.to_owned())
    } else if body.starts_with('[') {
        match serde_json::from_str::<Vec<String>>(body) {
            Ok(argv) => (body.to_owned(), argv.join(" ")),
            Err(_) => (body.to_owned(), body.to_owned()),
        }
    } else {
        (body.to_owned(), body.to_owned())
    };
    HistoryStep {
        keyword: "RUN".to_owned(),
        args,
        command,
        form,
    }
}

/// Reads a history `created_by` back into the instruction a Dockerfile would say, for
/// the classic builder, buildah/podman, BuildKit and kaniko (see the module docs);
/// `None` when it is empty.
pub fn normalize(created_by: &str) -> Option<HistoryStep> {
    let mut s = created_by.trim();
    let mut form = HistoryForm::Classic;
    if let Some(rest) = s.strip_suffix("# buildkit") {
        s = rest.trim_end();
        form = HistoryForm::BuildKit;
    }
    if s.is_empty() {
        return None;
    }
    let after_args = strip_build_args(s);
    let body = after_args.unwrap_or(s);
    if let Some((_, cmd)) = split_shell(body) {
        let cmd = cmd.trim_start();
        if let Some(meta) = cmd.strip_prefix("#(nop)") {
            let meta = meta.trim();
            if meta.is_empty() {
                return None;
            }
            let (word, rest) = meta.split_once(char::is_whitespace).unwrap_or((meta, ""));
            let args = rest.trim().to_owned();
            return Some(HistoryStep {
                keyword: word.to_ascii_uppercase(),
                command: args.clone(),
                args,
                form,
            });
        }
        return Some(run_step(body, form));
    }
    if after_args.is_some() {
        // `|1 V=2 a b`: an exec-form RUN with build args.
        return Some(run_step(body, form));
    }
    let (word, rest) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
    let upper = word.to_ascii_uppercase();
    // A plain (kaniko/BuildKit) history line starts with a Dockerfile keyword.
    let is_keyword = dockerfile::KEYWORDS.contains(&word)
        || (matches!(upper.as_str(), "RUN" | "COPY" | "ADD" | "WORKDIR")
            && word == word.to_ascii_lowercase());
    if !is_keyword {
        // The classic builder writes an exec-form RUN as its argv joined by spaces.
        return Some(run_step(s, form));
    }
    let form = if form == HistoryForm::BuildKit {
        form
    } else {
        HistoryForm::Plain
    };
    let rest = rest.trim();
    if upper == "RUN" {
        // Kaniko keeps RUN flags (`--mount=…`); BuildKit may write `|N K=V`.
        let mut body = rest;
        while body.starts_with("--") {
            let w = body.find(char::is_whitespace).unwrap_or(body.len());
            body = body[w..].trim_start();
        }
        let body = strip_build_args(body).unwrap_or(body);
        return Some(run_step(body, form));
    }
    Some(HistoryStep {
        keyword: upper,
        args: rest.to_owned(),
        command: rest.to_owned(),
        form,
    })
}

/// The Dockerfile instruction behind a history `created_by` (`RUN apt-get install -y git`),
/// or `None` when it is empty. See [`normalize`].
pub fn dockerfile_instruction(created_by: &str) -> Option<String> {
    normalize(created_by).map(|s| s.text())
}

/// The destination of `COPY`/`ADD` arguments: the last element of the JSON form, else
/// the last word that is not a flag, ignoring a trailing ` # comment`.
pub(super) fn copy_destination(args: &str) -> Option<String> {
    let args = args.trim();
    if args.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Vec<String>>(args) {
            return v.last().cloned();
        }
    }
    let words: Vec<&str> = args.split_whitespace().collect();
    let end = words.iter().position(|w| *w == "#").unwrap_or(words.len());
    words[..end]
        .iter()
        .rev()
        .find(|w| !w.starts_with("--") && !w.starts_with("<<"))
        .map(|w| (*w).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(s: &str) -> HistoryStep {
        normalize(s).expect("a step")
    }

    /// Classic docker builder (and buildah, which writes the same shapes): metadata via
    /// `#(nop)`, RUN via the shell, build args as `|N K=V`, exec form as argv.
    #[test]
    fn normalize_classic() {
        let s = step("/bin/sh -c #(nop)  CMD [\"bash\"]");
        assert_eq!((s.keyword.as_str(), s.args.as_str()), ("CMD", "[\"bash\"]"));
        let s = step("/bin/sh -c #(nop) COPY dir:4c385768ee9c in /opt/app ");
        assert_eq!(s.text(), "COPY dir:4c385768ee9c in /opt/app");
        assert_eq!(s.destination().as_deref(), Some("/opt/app"));
        let s = step("/bin/sh -c #(nop) ADD file:e69d441d7294 in / ");
        assert_eq!(s.destination().as_deref(), Some("/"));
        let s = step("/bin/sh -c apt-get update  && apt-get install -y git");
        assert_eq!(s.text(), "RUN apt-get update  && apt-get install -y git");
        assert_eq!(
            s.command,
            "/bin/sh -c apt-get update  && apt-get install -y git"
        );
        assert_eq!(s.form, HistoryForm::Classic);
        let s = step("|2 A=1 B=two words /bin/sh -c echo $A $B");
        assert_eq!(s.text(), "RUN echo $A $B");
        let s = step("|1 V=2 /usr/bin/env true");
        assert_eq!(s.text(), "RUN /usr/bin/env true");
        // Exec form: the argv joined by spaces.
        assert_eq!(
            step("/usr/local/bin/setup --quiet").text(),
            "RUN /usr/local/bin/setup --quiet"
        );
        // A SHELL instruction changes the shell in front of both forms.
        let s = step("/bin/bash -o pipefail -c curl -s x | sh");
        assert_eq!(s.text(), "RUN curl -s x | sh");
        let s = step("/bin/bash -o pipefail -c #(nop)  ENV A=1");
        assert_eq!((s.keyword.as_str(), s.text().as_str()), ("ENV", "ENV A=1"));
        assert!(normalize("/bin/sh -c #(nop) ").is_none());
    }

    /// BuildKit: every line is the instruction, ending in `# buildkit` when it ran.
    #[test]
    fn normalize_buildkit() {
        let s = step("RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit");
        assert_eq!(s.text(), "RUN apt-get update && apt-get install -y curl");
        assert_eq!(s.form, HistoryForm::BuildKit);
        let s = step("RUN |1 V=2 /bin/sh -c pip install x==${V} # buildkit");
        assert_eq!(s.text(), "RUN pip install x==${V}");
        let s = step("COPY app /app # buildkit");
        assert_eq!(
            (s.text().as_str(), s.destination().as_deref()),
            ("COPY app /app", Some("/app"))
        );
        let s = step("COPY --from=build --chown=1000:1000 /out/app /usr/local/bin/ # buildkit");
        assert_eq!(s.destination().as_deref(), Some("/usr/local/bin/"));
        assert_eq!(step("WORKDIR /app").text(), "WORKDIR /app");
        assert_eq!(step("ENV A=b").keyword, "ENV");
        assert_eq!(step("CMD [\"x\"]").text(), "CMD [\"x\"]");
        // Exec form, as BuildKit writes it (argv joined) or as JSON.
        let s = step("RUN /app/setup --quiet # buildkit");
        assert_eq!(s.text(), "RUN /app/setup --quiet");
        let s = step("RUN [\"/bin/true\",\"x\"] # buildkit");
        assert_eq!(
            (s.args.as_str(), s.command.as_str()),
            ("[\"/bin/true\",\"x\"]", "/bin/true x")
        );
        // A heredoc RUN: the body is passed to the shell.
        let s = step("RUN /bin/sh -c apt-get update\napt-get install -y git\n # buildkit");
        assert_eq!(s.keyword, "RUN");
        assert_eq!(s.args, "apt-get update\napt-get install -y git");
        assert_eq!(s.text(), "RUN apt-get update; apt-get install -y git");
        let s = step("RUN /bin/sh -c set -e &&\n  make \\\n  install\n # buildkit");
        assert_eq!(s.text(), "RUN set -e && make install");
    }

    /// Kaniko: the instruction as written, flags included, no buildkit marker.
    #[test]
    fn normalize_kaniko() {
        let s = step("RUN apt-get update &&     apt-get install -y curl");
        assert_eq!(
            s.text(),
            "RUN apt-get update &&     apt-get install -y curl"
        );
        assert_eq!(s.form, HistoryForm::Plain);
        let s = step("RUN --mount=type=cache,target=/var/cache/apt apt-get install -y git");
        assert_eq!(s.text(), "RUN apt-get install -y git");
        let s = step("COPY app /app");
        assert_eq!(s.destination().as_deref(), Some("/app"));
        assert_eq!(
            step("COPY [\"a b\", \"/dst dir/\"]")
                .destination()
                .as_deref(),
            Some("/dst dir/")
        );
        assert_eq!(step("WORKDIR /app").destination().as_deref(), Some("/app"));
        assert_eq!(step("ENV A=b").text(), "ENV A=b");
        // Lower-case keywords as written.
        assert_eq!(step("run make").text(), "RUN make");
        // A bare command word is a classic exec-form RUN, not an instruction.
        assert_eq!(step("env FOO=1 make").text(), "RUN env FOO=1 make");
    }
}

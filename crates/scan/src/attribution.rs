//! Which Dockerfile instruction made each layer of an image.
//!
//! Two parts:
//!
//! * [`normalize`] reads one image history `created_by` string, in the shape any builder
//!   writes it, back into the instruction a Dockerfile would say ([`HistoryStep`]).
//! * [`attribute`] aligns the image's history with the layer-making instructions of a
//!   parsed Dockerfile, top down, and says for each layer which instruction (and line)
//!   made it, and how many layers at the bottom the base image made ([`Attribution`]).
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
//!
//! # Alignment rules
//!
//! * Non-empty history entries pair with the layers in order; when their counts differ
//!   nothing is attributed (a warning says so).
//! * The target stage's chain (`FROM stage` followed back to an external image) gives
//!   the instructions; only `RUN`, `COPY` and `ADD` must each have a history entry.
//!   `WORKDIR` may have one (the classic builder, buildah and kaniko may record a layer
//!   when it creates the directory) and is matched when present. Metadata entries (`ENV`,
//!   `CMD`, …) are skipped.
//! * Matching runs from the top of the history down: same keyword; for `RUN` the same
//!   command, compared with whitespace collapsed and continuations joined, with or
//!   without the shell prefix, raw or with the Dockerfile's ARG/ENV values expanded; for
//!   `COPY`/`ADD` the same destination (resolved against the `WORKDIR`). A `RUN` that
//!   changed nothing may have an empty-layer entry (BuildKit): it matches but makes no
//!   layer.
//! * The layers below the lowest matched entry are the base image's.
//! * Any disagreement yields a warning naming the Dockerfile line and the history entry,
//!   and no per-layer attribution at all: a wrong attribution is worse than none.

use std::fmt;

use dockerfile::{Dockerfile, Form, Instruction};
use inventory::{ImageInfo, LayerInfo};

/// An attribution request that cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttributionError {
    /// `--target` names no stage of the Dockerfile.
    #[error("the Dockerfile has no stage `{stage}` (stages: {})", known.join(", "))]
    UnknownStage {
        /// The name or index asked for.
        stage: String,
        /// The stages there are: names, or indexes for unnamed ones.
        known: Vec<String>,
    },
}

/// The stage index `stage` names (an `AS` name, case-insensitive, or an index); the final
/// stage when `None`.
pub fn resolve_stage(
    dockerfile: &Dockerfile,
    stage: Option<&str>,
) -> Result<usize, AttributionError> {
    match stage {
        None => Ok(dockerfile.final_stage().index),
        Some(name) => dockerfile
            .stage(name.trim())
            .map(|s| s.index)
            .ok_or_else(|| AttributionError::UnknownStage {
                stage: name.to_owned(),
                known: dockerfile
                    .stages
                    .iter()
                    .map(|s| s.name.clone().unwrap_or_else(|| s.index.to_string()))
                    .collect(),
            }),
    }
}

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
fn copy_destination(args: &str) -> Option<String> {
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

/// `/a/./b/` → `/a/b`; relative paths resolved against `workdir`.
fn resolve_path(path: &str, workdir: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("{workdir}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for p in joined.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Whitespace collapsed to single spaces, line continuations (`\` newline) removed.
fn collapse(s: &str) -> String {
    let joined = s.replace("\\\r\n", " ").replace("\\\n", " ");
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whitespace outside quotes collapsed to single spaces; quoted text kept.
fn collapse_outside_quotes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut quote: Option<char> = None;
    let mut chars = s.trim().chars().peekable();
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == '\\' && q == '"' {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else if c == q {
                    quote = None;
                }
            }
            None if c.is_whitespace() => pending_space = true,
            None => {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(c);
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else if c == '"' || c == '\'' {
                    quote = Some(c);
                }
            }
        }
    }
    out
}

/// The instruction as written in the Dockerfile, on one line: continuations joined,
/// comment lines dropped, whitespace outside quotes collapsed; a heredoc shows its first
/// line as BuildKit's progress output does (`RUN <<EOF (apt-get update...)`).
pub fn instruction_line(inst: &Instruction) -> String {
    let mut s = inst.keyword.clone();
    for f in &inst.flags {
        s.push_str(" --");
        s.push_str(&f.name);
        if let Some(v) = &f.value {
            s.push('=');
            s.push_str(v);
        }
    }
    let args = collapse_outside_quotes(&inst.args);
    if !args.is_empty() {
        s.push(' ');
        s.push_str(&args);
    }
    for h in &inst.heredocs {
        let mut lines = h.content.lines().map(str::trim).filter(|l| !l.is_empty());
        if let Some(first) = lines.next() {
            let more = if lines.next().is_some() { "..." } else { "" };
            s.push_str(&format!(" ({first}{more})"));
        }
    }
    s
}

/// The build step that made one layer, from the Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The instruction as written, on one line ([`instruction_line`]):
    /// `RUN apt-get update && apt-get install -y git vim && rm -rf /var/lib/apt/lists/*`.
    pub instruction: String,
    /// Its first line in the Dockerfile (from 1).
    pub line: usize,
    /// The `AS` name of the stage it belongs to, if the stage has one.
    pub stage: Option<String>,
}

/// The result of aligning an image with a Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution {
    /// How many layers, from the bottom, the base image made; `None` when the Dockerfile
    /// does not match the image.
    pub base_layers: Option<usize>,
    /// Per layer index: the instruction that made it; all `None` when the Dockerfile
    /// does not match (and for base layers).
    pub steps: Vec<Option<Step>>,
    /// Why the alignment failed, naming the Dockerfile line and the history entry.
    pub warnings: Vec<String>,
    /// The `FROM` that brought the base layers (the first stage of the chain), when the
    /// Dockerfile matches the image.
    pub from: Option<Step>,
}

/// An instruction of the stage chain that the history may record.
struct Item<'a> {
    inst: &'a Instruction,
    stage: Option<String>,
    /// The working directory in effect for the instruction (after it, for WORKDIR).
    workdir: String,
}

/// A history entry with its layer index, if it made one.
struct Entry {
    index: usize,
    layer: Option<usize>,
    step: Option<HistoryStep>,
    created_by: String,
}

impl Entry {
    fn describe(&self) -> String {
        let text = self
            .step
            .as_ref()
            .map(HistoryStep::text)
            .unwrap_or_else(|| self.created_by.clone());
        match self.layer {
            Some(l) => format!("layer {l} `{}`", shorten(&text)),
            None => format!("history entry {} `{}`", self.index, shorten(&text)),
        }
    }

    fn keyword(&self) -> &str {
        self.step.as_ref().map(|s| s.keyword.as_str()).unwrap_or("")
    }
}

/// At most 80 characters, on one line.
fn shorten(s: &str) -> String {
    let s = collapse(s);
    if s.chars().count() <= 80 {
        s
    } else {
        format!("{}…", s.chars().take(79).collect::<String>())
    }
}

const NOT_THIS_ONE: &str = "the Dockerfile is not the one this image was built from";

/// The texts a Dockerfile RUN may appear as in history, collapsed.
fn run_candidates(inst: &Instruction) -> Vec<String> {
    let mut out = Vec::new();
    let shell = inst.shell.as_ref().map(|sh| sh.join(" "));
    let mut push = |cmd: String| {
        if let Some(sh) = &shell {
            out.push(collapse(&format!("{sh} {cmd}")));
        }
        out.push(collapse(&cmd));
    };
    for text in [&inst.args, &inst.expanded] {
        match &inst.form {
            Form::Exec(argv) => {
                push(argv.join(" "));
                push(text.clone());
            }
            Form::Shell => push(text.clone()),
            Form::Heredoc => {
                let simple = text.split_whitespace().count() == 1 && text.trim().starts_with("<<");
                if simple {
                    if let Some(h) = inst.heredocs.first() {
                        push(h.content.clone());
                        push(format!("/dev/pipes/{}", h.name));
                    }
                }
                let mut full = text.clone();
                for h in &inst.heredocs {
                    full.push('\n');
                    full.push_str(&h.content);
                    full.push_str(&h.name);
                }
                push(full);
            }
        }
    }
    out
}

/// Whether history `step` is what Dockerfile `item` records.
fn same_step(step: &HistoryStep, item: &Item<'_>) -> bool {
    let inst = item.inst;
    if step.keyword != inst.keyword {
        return false;
    }
    match inst.keyword.as_str() {
        "RUN" => {
            let seen = [collapse(&step.args), collapse(&step.command)];
            run_candidates(inst).iter().any(|c| seen.contains(c))
        }
        "COPY" | "ADD" => {
            let Some(seen) = step.destination() else {
                return false;
            };
            let seen = resolve_path(&seen, &item.workdir);
            let wanted = |text: &str| {
                let d = match &inst.form {
                    Form::Exec(argv) if text == inst.expanded => argv.last().cloned(),
                    _ => copy_destination(text),
                };
                d.is_some_and(|d| resolve_path(&d, &item.workdir) == seen)
            };
            wanted(&inst.expanded) || wanted(&inst.args)
        }
        // Builders record the resolved directory or the argument as written.
        "WORKDIR" => step.destination().is_some_and(|d| {
            d == inst.expanded.trim()
                || (d.starts_with('/') && resolve_path(&d, "/") == item.workdir)
        }),
        _ => false,
    }
}

/// Aligns `image`'s history (paired with `layers`) with the instructions of `stage` (an
/// `AS` name or index; the final stage when `None`) and the stages it is built `FROM`.
/// See the module docs for the rules. A Dockerfile that does not match gives warnings
/// and no per-layer steps; only an unknown `stage` is an error.
pub fn attribute(
    image: &ImageInfo,
    layers: &[LayerInfo],
    dockerfile: &Dockerfile,
    stage: Option<&str>,
) -> Result<Attribution, AttributionError> {
    let target = resolve_stage(dockerfile, stage)?;
    let mut out = Attribution {
        base_layers: None,
        steps: vec![None; layers.len()],
        warnings: Vec::new(),
        from: None,
    };
    let Some(entries) = pair_history(image, layers, &mut out.warnings) else {
        return Ok(out);
    };

    // The chain's instructions that history records, bottom first.
    let chain = dockerfile.stage_chain(target);
    let mut items: Vec<Item<'_>> = Vec::new();
    let mut workdir = "/".to_owned();
    for &s in &chain {
        let st = &dockerfile.stages[s];
        for inst in &st.instructions {
            if inst.keyword == "WORKDIR" {
                workdir = resolve_path(inst.expanded.trim(), &workdir);
            }
            if inst.creates_layer() || inst.keyword == "WORKDIR" {
                items.push(Item {
                    inst,
                    stage: st.name.clone(),
                    workdir: workdir.clone(),
                });
            }
        }
    }

    let mut matched: Vec<(usize, usize)> = Vec::new(); // (entry, item)
    let mut h = entries.len();
    let mut i = items.len();
    let mismatch = loop {
        // WORKDIRs are optional: builders need not record them.
        let only_optional = items[..i].iter().all(|it| !it.inst.creates_layer());
        if i == 0 || (only_optional && h == 0) {
            break None;
        }
        let item = &items[i - 1];
        if h == 0 {
            if item.inst.creates_layer() {
                break Some(format!(
                    "Dockerfile line {} `{}` has no matching step in the image's history (the \
                     Dockerfile has more build steps than the image has layers); {NOT_THIS_ONE}",
                    item.inst.line,
                    shorten(&instruction_line(item.inst)),
                ));
            }
            i -= 1;
            continue;
        }
        let e = &entries[h - 1];
        let kw = e.keyword();
        let layer_kw = matches!(kw, "RUN" | "COPY" | "ADD");
        if only_optional {
            // Only WORKDIRs are left: take the user's WORKDIR entry if it is there, skip
            // metadata, and stop at anything else (the base image's steps).
            match &e.step {
                Some(step) if kw == "WORKDIR" && same_step(step, item) => {
                    matched.push((h - 1, i - 1));
                    h -= 1;
                    i -= 1;
                }
                _ if kw == "WORKDIR" => i -= 1,
                _ if !layer_kw && e.layer.is_none() => h -= 1,
                _ => break None,
            }
            continue;
        }
        if !layer_kw && kw != "WORKDIR" {
            if e.layer.is_none() {
                h -= 1; // metadata: ENV, CMD, LABEL, …
                continue;
            }
            break Some(disagree(item, e));
        }
        if item.inst.keyword == "WORKDIR" {
            match &e.step {
                Some(step) if kw == "WORKDIR" && same_step(step, item) => {
                    matched.push((h - 1, i - 1));
                    h -= 1;
                }
                _ => {}
            }
            i -= 1;
            continue;
        }
        if kw == "WORKDIR" {
            if e.layer.is_none() {
                h -= 1;
                continue;
            }
            break Some(disagree(item, e));
        }
        match &e.step {
            Some(step) if same_step(step, item) => {
                matched.push((h - 1, i - 1));
                h -= 1;
                i -= 1;
            }
            _ => break Some(disagree(item, e)),
        }
    };
    if let Some(w) = mismatch {
        out.warnings.push(w);
        return Ok(out);
    }
    // Everything below `h` is the base image's.
    let boundary = h;
    let base_layers = entries[..boundary]
        .iter()
        .filter(|e| e.layer.is_some())
        .count();
    let root = chain.first().map(|&s| &dockerfile.stages[s].base);
    if root.is_some_and(|b| b.expanded.eq_ignore_ascii_case("scratch")) && base_layers > 0 {
        out.warnings.push(format!(
            "the Dockerfile builds FROM scratch but the image has {base_layers} more layers \
             below its first build step; {NOT_THIS_ONE}"
        ));
        return Ok(out);
    }
    out.base_layers = Some(base_layers);
    out.from = chain.first().map(|&s| {
        let st = &dockerfile.stages[s];
        Step {
            instruction: instruction_line(&st.from),
            line: st.from.line,
            stage: st.name.clone(),
        }
    });
    for (e, it) in matched {
        if let Some(l) = entries[e].layer {
            out.steps[l] = Some(Step {
                instruction: instruction_line(items[it].inst),
                line: items[it].inst.line,
                stage: items[it].stage.clone(),
            });
        }
    }
    Ok(out)
}

fn disagree(item: &Item<'_>, e: &Entry) -> String {
    format!(
        "Dockerfile line {} `{}` does not match the image's {}; {NOT_THIS_ONE}",
        item.inst.line,
        shorten(&instruction_line(item.inst)),
        e.describe()
    )
}

/// History entries with the layer each one made ([`inventory::LayerHistory`]); `None` (and
/// a warning) when there is no history or its layer-making entries and the layers do not
/// pair up exactly.
fn pair_history(
    image: &ImageInfo,
    layers: &[LayerInfo],
    warnings: &mut Vec<String>,
) -> Option<Vec<Entry>> {
    if image.history.is_empty() {
        warnings.push(
            "the image has no build history, so its layers cannot be matched to Dockerfile \
             instructions"
                .to_owned(),
        );
        return None;
    }
    let pairing = image.layer_history(layers.len());
    if !pairing.is_exact() {
        warnings.push(format!(
            "the image's history records {} steps that made layers but the image has \
             {} layers, so its layers cannot be matched to Dockerfile instructions",
            pairing.made_layers(),
            layers.len()
        ));
        return None;
    }
    Some(
        image
            .history
            .iter()
            .enumerate()
            .map(|(index, h)| {
                let created_by = h.created_by.clone().unwrap_or_default();
                Entry {
                    index,
                    layer: pairing.layer(index),
                    step: normalize(&created_by),
                    created_by,
                }
            })
            .collect(),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use inventory::HistoryEntry;

    /// The `history` of an OCI/Docker image config (`{"history": [...]}`), as the
    /// inventory reads it.
    pub(crate) fn history(config: &str) -> Vec<HistoryEntry> {
        let v: serde_json::Value = serde_json::from_str(config).expect("fixture JSON");
        v["history"]
            .as_array()
            .expect("history array")
            .iter()
            .map(|h| HistoryEntry {
                created_by: h["created_by"].as_str().map(str::to_owned),
                comment: h["comment"].as_str().map(str::to_owned),
                empty_layer: h["empty_layer"].as_bool().unwrap_or(false),
            })
            .collect()
    }

    /// An image with that history and one layer per non-empty entry.
    pub(crate) fn image(config: &str) -> (ImageInfo, Vec<LayerInfo>) {
        let history = history(config);
        let layers = history
            .iter()
            .filter(|h| !h.empty_layer)
            .enumerate()
            .map(|(index, h)| LayerInfo {
                index,
                digest: format!("sha256:{index:064x}"),
                diff_id: Some(format!("sha256:{:064x}", index + 100)),
                size: None,
                created_by: h.created_by.clone(),
            })
            .collect();
        (
            ImageInfo {
                history,
                ..ImageInfo::default()
            },
            layers,
        )
    }

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

    fn df(text: &str) -> Dockerfile {
        Dockerfile::parse(text).expect("fixture Dockerfile")
    }

    fn lines(a: &Attribution) -> Vec<Option<usize>> {
        a.steps.iter().map(|s| s.as_ref().map(|s| s.line)).collect()
    }

    /// The project's test image Dockerfile (tests/images/app/Dockerfile).
    pub(crate) const APP_DOCKERFILE: &str = "\
FROM localhost/test/debian:bookworm

RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
        ca-certificates curl git python3-pip vim-tiny \\
        liblzma5 libpcre2-8-0 \\
 && rm -rf /var/lib/apt/lists/*

COPY app /opt/app

# The host CA is bind-mounted at build time.
RUN PIP_CERT=/run/host-ca.crt pip install --no-cache-dir --break-system-packages \\
        Jinja2==2.11.2 MarkupSafe==1.1.1 urllib3==1.26.4 requests==2.25.1

ENV APP_HOME=/opt/app
WORKDIR /opt/app
CMD [\"python3\", \"/opt/app/main.py\"]
";

    /// The history buildah wrote for it (from the built image's config).
    pub(crate) const APP_BUILDAH: &str = r#"{"history": [
 {"created":"2026-11-28T14:45:39Z","created_by":"ADD rootfs.tar / # debootstrap bookworm"},
 {"created":"2026-11-28T14:46:14Z","created_by":"/bin/sh -c apt-get update  && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends         ca-certificates curl git python3-pip vim-tiny         liblzma5 libpcre2-8-0  && rm -rf /var/lib/apt/lists/*","comment":"FROM localhost/test/debian:bookworm"},
 {"created":"2026-11-28T14:46:21Z","created_by":"/bin/sh -c #(nop) COPY dir:4c385768ee9c25db6c443737736b6a408e0de10c7b5291255e1cdfe8fe197ed0 in /opt/app ","comment":"FROM 449f7a0bf80a"},
 {"created":"2026-11-28T14:46:24Z","created_by":"/bin/sh -c PIP_CERT=/run/host-ca.crt pip install --no-cache-dir --break-system-packages         Jinja2==2.11.2 MarkupSafe==1.1.1 urllib3==1.26.4 requests==2.25.1","comment":"FROM 50c6a808255f"},
 {"created":"2026-11-28T14:46:24Z","created_by":"/bin/sh -c #(nop) ENV APP_HOME=/opt/app","comment":"FROM de794be2b8f5","empty_layer":true},
 {"created":"2026-11-28T14:46:24Z","created_by":"/bin/sh -c #(nop) WORKDIR /opt/app","comment":"FROM b550f147127f","empty_layer":true},
 {"created":"2026-11-28T14:46:24Z","created_by":"/bin/sh -c #(nop) CMD [\"python3\", \"/opt/app/main.py\"]","comment":"FROM 6d191f6f450b","empty_layer":true}
]}"#;

    /// buildah's history of the project's test image aligns with its Dockerfile: the
    /// base made layer 0, and layers 1–3 name their lines, written on one line.
    #[test]
    fn aligns_buildah_history() {
        let (img, layers) = image(APP_BUILDAH);
        let a = attribute(&img, &layers, &df(APP_DOCKERFILE), None).unwrap();
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
        assert_eq!(a.base_layers, Some(1));
        assert_eq!(lines(&a), [None, Some(3), Some(9), Some(12)]);
        assert_eq!(
            a.steps[1].as_ref().unwrap().instruction,
            "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
             --no-install-recommends ca-certificates curl git python3-pip vim-tiny liblzma5 \
             libpcre2-8-0 && rm -rf /var/lib/apt/lists/*"
        );
        assert_eq!(
            a.steps[2].as_ref().unwrap().instruction,
            "COPY app /opt/app"
        );
        assert_eq!(a.steps[2].as_ref().unwrap().stage, None);
    }

    /// A Dockerfile that differs from the image: a warning naming the line and the layer,
    /// and no attribution at all.
    #[test]
    fn mismatch_warns_and_attributes_nothing() {
        let (img, layers) = image(APP_BUILDAH);
        let other = APP_DOCKERFILE.replace("Jinja2==2.11.2", "Jinja2==3.1.4");
        let a = attribute(&img, &layers, &df(&other), None).unwrap();
        assert_eq!(a.base_layers, None);
        assert!(a.steps.iter().all(Option::is_none));
        assert_eq!(a.warnings.len(), 1);
        let w = &a.warnings[0];
        assert!(
            w.starts_with("Dockerfile line 12 `RUN PIP_CERT=/run/host-ca.crt pip install"),
            "{w}"
        );
        assert!(
            w.contains("does not match the image's layer 3 `RUN PIP_CERT="),
            "{w}"
        );
        assert!(
            w.ends_with("the Dockerfile is not the one this image was built from"),
            "{w}"
        );

        // One instruction more than the image has.
        let at = APP_DOCKERFILE.find("RUN apt-get").unwrap();
        let extra = format!("FROM debian:12\nRUN echo first\n{}", &APP_DOCKERFILE[at..]);
        let a = attribute(&img, &layers, &df(&extra), None).unwrap();
        assert_eq!(a.base_layers, None);
        assert!(
            a.warnings[0].contains(
                "Dockerfile line 2 `RUN echo first` does not match the image's layer 0 \
                 `ADD rootfs.tar /"
            ),
            "{:?}",
            a.warnings
        );
        // With nothing left below: more instructions than layers.
        let (img1, layers1) = image(r#"{"history": [{"created_by":"COPY hello / # buildkit"}]}"#);
        let a = attribute(
            &img1,
            &layers1,
            &df("FROM scratch\nRUN x\nCOPY hello /\n"),
            None,
        )
        .unwrap();
        assert!(
            a.warnings[0].contains("line 2 `RUN x` has no matching step in the image's history"),
            "{:?}",
            a.warnings
        );

        // A different instruction kind.
        let copy = APP_DOCKERFILE.replace("COPY app /opt/app", "ADD app /opt/app");
        let a = attribute(&img, &layers, &df(&copy), None).unwrap();
        assert!(
            a.warnings[0].contains(
                "line 9 `ADD app /opt/app` does not match the image's layer 2 `COPY dir:"
            ),
            "{:?}",
            a.warnings
        );
    }

    /// Non-empty history entries and layers must pair up.
    #[test]
    fn count_mismatch_warns() {
        let (img, mut layers) = image(APP_BUILDAH);
        layers.pop();
        let a = attribute(&img, &layers, &df(APP_DOCKERFILE), None).unwrap();
        assert_eq!(a.base_layers, None);
        assert_eq!(a.steps.len(), 3);
        assert!(
            a.warnings[0].contains("records 4 steps that made layers but the image has 3 layers"),
            "{:?}",
            a.warnings
        );
        let a = attribute(&ImageInfo::default(), &layers, &df(APP_DOCKERFILE), None).unwrap();
        assert!(a.warnings[0].contains("no build history"));
    }

    /// BuildKit history of a multi-stage build with ARGs, a WORKDIR, a heredoc RUN, an
    /// exec-form RUN and a RUN that changed nothing (an empty-layer entry); `--target`
    /// picks the stage.
    #[test]
    fn aligns_buildkit_multistage() {
        let dockerfile = [
            "# syntax=docker/dockerfile:1",
            "ARG DEBIAN=12",
            "FROM debian:${DEBIAN}-slim AS base",
            "ARG CURL=7.88.1-10+deb12u5",
            "RUN apt-get update && \\",
            "    apt-get install -y curl=${CURL}",
            "WORKDIR /srv",
            "",
            "FROM base AS app",
            "COPY --chown=1000 . .",
            "RUN <<EOF",
            "set -e",
            "./configure",
            "EOF",
            "RUN [\"/srv/bin/setup\", \"--quiet\"]",
            "RUN true",
            "",
            "FROM app AS test",
            "RUN make test",
            "",
        ]
        .join("\n");
        let config = r#"{"history": [
 {"created_by":"/bin/sh -c #(nop) ADD file:6f2d1a4 in / "},
 {"created_by":"/bin/sh -c #(nop)  CMD [\"bash\"]","empty_layer":true},
 {"created_by":"ARG CURL=7.88.1-10+deb12u5","comment":"buildkit.dockerfile.v0","empty_layer":true},
 {"created_by":"RUN |1 CURL=7.88.1-10+deb12u5 /bin/sh -c apt-get update &&     apt-get install -y curl=${CURL} # buildkit","comment":"buildkit.dockerfile.v0"},
 {"created_by":"WORKDIR /srv","comment":"buildkit.dockerfile.v0"},
 {"created_by":"COPY --chown=1000 . . # buildkit","comment":"buildkit.dockerfile.v0"},
 {"created_by":"RUN |1 CURL=7.88.1-10+deb12u5 /bin/sh -c set -e\n./configure\n # buildkit","comment":"buildkit.dockerfile.v0"},
 {"created_by":"RUN |1 CURL=7.88.1-10+deb12u5 /srv/bin/setup --quiet # buildkit","comment":"buildkit.dockerfile.v0"},
 {"created_by":"RUN |1 CURL=7.88.1-10+deb12u5 /bin/sh -c true # buildkit","comment":"buildkit.dockerfile.v0","empty_layer":true}
]}"#;
        let (img, layers) = image(config);
        let d = df(&dockerfile);
        let a = attribute(&img, &layers, &d, Some("app")).unwrap();
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
        assert_eq!(a.base_layers, Some(1));
        assert_eq!(
            lines(&a),
            [None, Some(5), Some(7), Some(10), Some(11), Some(15)]
        );
        assert_eq!(a.steps[1].as_ref().unwrap().stage.as_deref(), Some("base"));
        assert_eq!(
            a.steps[3].as_ref().unwrap().instruction,
            "COPY --chown=1000 . ."
        );
        assert_eq!(
            a.steps[4].as_ref().unwrap().instruction,
            "RUN <<EOF (set -e...)"
        );
        assert_eq!(a.steps[4].as_ref().unwrap().stage.as_deref(), Some("app"));
        // By index too, and case-insensitively.
        assert_eq!(attribute(&img, &layers, &d, Some("1")).unwrap(), a);
        assert_eq!(attribute(&img, &layers, &d, Some("APP")).unwrap(), a);
        // The final stage has one more RUN than the image: no attribution.
        let a = attribute(&img, &layers, &d, None).unwrap();
        assert_eq!(a.base_layers, None);
        assert!(
            a.warnings[0].contains("line 19 `RUN make test`"),
            "{:?}",
            a.warnings
        );
        // An unknown stage is an error that lists the stages.
        let err = attribute(&img, &layers, &d, Some("prod")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the Dockerfile has no stage `prod` (stages: base, app, test)"
        );
    }

    /// Kaniko records the instructions as written (ARGs unexpanded, flags kept) and a
    /// layer for a WORKDIR that creates its directory.
    #[test]
    fn aligns_kaniko() {
        let dockerfile = "\
FROM python:3.12-slim
ARG REQS=requirements.txt
WORKDIR /app
COPY ${REQS} ./
RUN --mount=type=cache,target=/var/cache/pip pip install -r ${REQS}
COPY . .
ENV PORT=8080
CMD [\"python\", \"app.py\"]
";
        let config = r#"{"history": [
 {"created_by":"/bin/sh -c #(nop) ADD file:c8ef6447752 in / "},
 {"created_by":"/bin/sh -c #(nop)  CMD [\"bash\"]","empty_layer":true},
 {"created_by":"/bin/sh -c set -eux; apt-get update; apt-get install -y --no-install-recommends ca-certificates"},
 {"created_by":"/bin/sh -c #(nop)  CMD [\"python3\"]","empty_layer":true},
 {"created_by":"WORKDIR /app"},
 {"created_by":"COPY ${REQS} ./"},
 {"created_by":"RUN --mount=type=cache,target=/var/cache/pip pip install -r ${REQS}"},
 {"created_by":"COPY . ."}
]}"#;
        let (img, layers) = image(config);
        let a = attribute(&img, &layers, &df(dockerfile), None).unwrap();
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
        assert_eq!(a.base_layers, Some(2));
        assert_eq!(lines(&a), [None, None, Some(3), Some(4), Some(5), Some(6)]);
        assert_eq!(
            a.steps[4].as_ref().unwrap().instruction,
            "RUN --mount=type=cache,target=/var/cache/pip pip install -r ${REQS}"
        );
    }

    /// Classic builder with build args (`|1 V=…`), a custom SHELL and a WORKDIR layer.
    #[test]
    fn aligns_classic_with_args_and_shell() {
        let dockerfile = "\
FROM alpine:3.19
ARG V=8.5.0-r0
SHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]
RUN apk add --no-cache curl=${V}
WORKDIR /srv
COPY run.sh .
";
        let config = r#"{"history": [
 {"created_by":"/bin/sh -c #(nop) ADD file:37a76ec18f9887751cd8473744917d08b7431fc4085097bb6a09d81b41775473 in / "},
 {"created_by":"/bin/sh -c #(nop)  CMD [\"/bin/sh\"]","empty_layer":true},
 {"created_by":"/bin/sh -c #(nop)  ARG V=8.5.0-r0","empty_layer":true},
 {"created_by":"/bin/ash -eo pipefail -c #(nop)  SHELL [/bin/ash -eo pipefail -c]","empty_layer":true},
 {"created_by":"|1 V=8.5.0-r0 /bin/ash -eo pipefail -c apk add --no-cache curl=${V}"},
 {"created_by":"/bin/ash -eo pipefail -c #(nop) WORKDIR /srv"},
 {"created_by":"/bin/ash -eo pipefail -c #(nop) COPY file:9a1e0ac in . "}
]}"#;
        let (img, layers) = image(config);
        let a = attribute(&img, &layers, &df(dockerfile), None).unwrap();
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
        assert_eq!(a.base_layers, Some(1));
        assert_eq!(lines(&a), [None, Some(4), Some(5), Some(6)]);
        // The same history against a Dockerfile copying elsewhere.
        let other = dockerfile.replace("COPY run.sh .", "COPY run.sh /usr/local/bin/");
        let a = attribute(&img, &layers, &df(&other), None).unwrap();
        assert_eq!(a.base_layers, None);
        assert!(
            a.warnings[0].contains("line 6 `COPY run.sh /usr/local/bin/`"),
            "{:?}",
            a.warnings
        );
    }

    /// `FROM scratch`: every layer is the user's; extra layers below are a mismatch.
    #[test]
    fn scratch_has_no_base_layers() {
        let dockerfile = "FROM scratch\nCOPY hello /\nCMD [\"/hello\"]\n";
        let config = r#"{"history": [
 {"created_by":"COPY hello / # buildkit","comment":"buildkit.dockerfile.v0"},
 {"created_by":"CMD [\"/hello\"]","comment":"buildkit.dockerfile.v0","empty_layer":true}
]}"#;
        let (img, layers) = image(config);
        let a = attribute(&img, &layers, &df(dockerfile), None).unwrap();
        assert_eq!(a.base_layers, Some(0));
        assert_eq!(lines(&a), [Some(2)]);

        let (img, layers) = image(APP_BUILDAH);
        let d = df(
            "FROM scratch\nCOPY app /opt/app\nRUN PIP_CERT=/run/host-ca.crt pip install \
             --no-cache-dir --break-system-packages Jinja2==2.11.2 MarkupSafe==1.1.1 \
             urllib3==1.26.4 requests==2.25.1\n",
        );
        let a = attribute(&img, &layers, &d, None).unwrap();
        assert_eq!(a.base_layers, None);
        assert!(
            a.warnings[0].contains("FROM scratch but the image has 2 more layers"),
            "{:?}",
            a.warnings
        );
    }

    /// WORKDIR layers (classic builder: resolved paths; BuildKit: as written) are
    /// matched to their WORKDIR, and relative COPY destinations resolve against it.
    #[test]
    fn workdir_layers() {
        let d = df("FROM x\nWORKDIR /srv\nWORKDIR app\nCOPY a b/\n");
        for config in [
            r#"{"history": [{"created_by":"/bin/sh -c #(nop) ADD file:1 in / "},
 {"created_by":"/bin/sh -c #(nop) WORKDIR /srv"},
 {"created_by":"/bin/sh -c #(nop) WORKDIR /srv/app"},
 {"created_by":"/bin/sh -c #(nop) COPY file:2 in /srv/app/b/ "}]}"#,
            r#"{"history": [{"created_by":"/bin/sh -c #(nop) ADD file:1 in / "},
 {"created_by":"WORKDIR /srv","comment":"buildkit.dockerfile.v0"},
 {"created_by":"WORKDIR app","comment":"buildkit.dockerfile.v0"},
 {"created_by":"COPY a b/ # buildkit","comment":"buildkit.dockerfile.v0"}]}"#,
        ] {
            let (img, layers) = image(config);
            let a = attribute(&img, &layers, &d, None).unwrap();
            assert!(a.warnings.is_empty(), "{:?}", a.warnings);
            assert_eq!(a.base_layers, Some(1));
            assert_eq!(lines(&a), [None, Some(2), Some(3), Some(4)]);
        }
        // A WORKDIR layer below the Dockerfile's first step is the base image's.
        let d = df("FROM x\nCOPY a /b\n");
        let (img, layers) = image(
            r#"{"history": [{"created_by":"/bin/sh -c #(nop) ADD file:1 in / "},
 {"created_by":"/bin/sh -c #(nop) WORKDIR /srv"},
 {"created_by":"/bin/sh -c #(nop) COPY file:2 in /b "}]}"#,
        );
        let a = attribute(&img, &layers, &d, None).unwrap();
        assert_eq!(a.base_layers, Some(2), "{:?}", a.warnings);
    }

    /// The one-line form joins continuations, drops comment lines and collapses
    /// whitespace outside quotes.
    #[test]
    fn one_line_instructions() {
        let d = df("FROM x\nRUN echo \"a   b\" \\\n  # a comment\n   &&   ls\n");
        assert_eq!(
            instruction_line(&d.stages[0].instructions[0]),
            "RUN echo \"a   b\" && ls"
        );
    }
}

//! Parse a Dockerfile into stages and instructions, with ARG/ENV expansion.
//!
//! This crate owns the Dockerfile reference syntax: parser directives (`# escape=`,
//! `# syntax=`, `# check=`), line continuations, comments, heredocs, exec and shell forms,
//! `ARG` before `FROM`, `$VAR`/`${VAR:-default}` expansion where the builder does it,
//! multi-stage builds and instruction flags (`--platform`, `--mount`, `--from`, …). It
//! does no I/O and knows nothing about images, registries or layers: it takes the
//! Dockerfile text and the caller's `--build-arg` values, and returns plain data that
//! attribution (matching image history to instructions) can walk.
//!
//! # Brief overview
//!
//! - [`Dockerfile::parse`] / [`Dockerfile::parse_with_build_args`] return a [`Dockerfile`]:
//!   its [`Directives`], its global [`Arg`]s (before the first `FROM`) and its [`Stage`]s.
//! - A [`Stage`] has a name, a [`BaseImage`] (raw, expanded, `--platform`, and the earlier
//!   stage it names, if any) and its [`Instruction`]s after `FROM`.
//! - An [`Instruction`] keeps its lines, upper-case keyword, [`Flag`]s, raw `args`, an
//!   `expanded` view, the `original_text` exactly as written, its [`Form`] and any
//!   [`Heredoc`]s.
//! - [`Dockerfile::final_stage`], [`Dockerfile::resolve_base`] (follow `FROM stage` to the
//!   external image) and [`Dockerfile::stage_chain`]; [`creates_layer`] says which
//!   instructions add a filesystem layer.
//! - Errors name the line: [`ParseError`].
//!
//! # Example
//!
//! ```
//! use dockerfile::{Dockerfile, Form};
//!
//! let text = "\
//! ARG GO=1.22
//! FROM golang:${GO}-bookworm AS build
//! RUN --mount=type=cache,target=/root/.cache go build -o /app . && \\
//!     strip /app
//! FROM build AS test
//! FROM gcr.io/distroless/static
//! COPY --from=build /app /app
//! ENTRYPOINT [\"/app\"]
//! ";
//! let df = Dockerfile::parse(text).unwrap();
//! assert_eq!(df.stages[0].base.expanded, "golang:1.22-bookworm");
//! let run = &df.stages[0].instructions[0];
//! assert_eq!((run.line, run.end_line), (3, 4));
//! assert_eq!(run.flag("mount"), Some("type=cache,target=/root/.cache"));
//! assert_eq!(run.args, "go build -o /app . &&     strip /app");
//! assert_eq!(df.resolve_base(1).unwrap().expanded, "golang:1.22-bookworm");
//! let last = df.final_stage();
//! assert_eq!(last.base.expanded, "gcr.io/distroless/static");
//! assert_eq!(last.instructions[1].form, Form::Exec(vec!["/app".into()]));
//! assert!(dockerfile::creates_layer(&last.instructions[0]));
//! ```
//!
//! # Choices
//!
//! - **Hand-written.** Two crates were evaluated (November 2026) and neither handles
//!   both heredocs and expansion: `dockerfile-parser` 0.9 (HPE, pest grammar) has no
//!   heredocs and no `# escape=` directive, and substitutes variables only in `FROM`
//!   image references; `dockerfile-parser-rs` 3.4 reads `RUN` heredocs (not `COPY`) but
//!   expands no variables and keeps no line numbers. Attribution needs exact line spans,
//!   the text as written and expanded `FROM`s, so the parser is ours, following
//!   BuildKit's `frontend/dockerfile/parser` and `shell` lexer.
//! - **What is expanded.** The builder expands `ADD`, `COPY`, `ENV`, `EXPOSE`, `FROM`,
//!   `LABEL`, `STOPSIGNAL`, `USER`, `VOLUME`, `WORKDIR` and `ARG` values, and flag
//!   values; unknown variables become empty there, as in the builder. `RUN`, `CMD`,
//!   `ENTRYPOINT`, `SHELL`, `HEALTHCHECK`, `ONBUILD` and `MAINTAINER` are left to the
//!   shell: `args` keeps them raw (which is what builders record in image history) and
//!   `expanded` is a best-effort view substituting only variables the Dockerfile
//!   defines, leaving `$HOME`, `$(…)` and unknown `${…}` as written.
//! - **Text views keep quotes.** `expanded` substitutes variables and turns `\$` into
//!   `$` but keeps quotes and other escapes, so it reads like the instruction. ENV and
//!   ARG values (in [`Stage::env`], [`Arg::value`]) are words: quotes removed.
//! - **Scopes as in Docker.** Global `ARG`s are visible only to `FROM` lines, and to a
//!   stage that re-declares them (`ARG NAME`); `--build-arg` values override declared
//!   defaults and are ignored for names never declared. `ENV` wins over `ARG` of the same
//!   name and takes effect from the next instruction (`ENV A=1 B=$A` gives B the old
//!   A). A stage `FROM` an earlier stage inherits its ENV and SHELL. BuildKit's automatic
//!   platform args (`TARGETARCH`, `BUILDPLATFORM`, …) are known only if the caller passes
//!   them as build args; `--platform=$BUILDPLATFORM` stays as written otherwise.
//! - **Exec form falls back to shell form**, as Docker does: `RUN [ -f x ] && …` is a
//!   shell command. Only `SHELL`, which Docker requires in JSON, errors on bad JSON.
//! - **Unknown `${VAR#…}`, `${VAR%…}`, `${VAR/…}` modifiers** are kept as written rather
//!   than failing the parse.
//! - **Heredoc bodies** of `COPY`/`ADD` with an unquoted delimiter are expanded like a
//!   text view (quotes kept, `\$` → `$`), following BuildKit's quote-preserving
//!   expansion (moby/buildkit#2442); BuildKit's exact treatment of other backslashes and
//!   of `'$VAR'` inside a body is approximated. `RUN` bodies are the shell's: `expanded`
//!   substitutes known variables only.
//! - **Layers.** [`creates_layer`] is true for `RUN`, `COPY` and `ADD`. The classic
//!   builder also records a (usually empty) layer for `WORKDIR` when it creates the
//!   directory; history matching should allow for that rather than expect it.
//!
//! # Not handled
//!
//! - The base image's own `ENV` (e.g. `PATH` in `ENV PATH=/x:$PATH` expands to `/x:`)
//!   and BuildKit's predefined proxy args: the caller knows them, this crate does not.
//! - `${VAR#…}`, `${VAR%…}`, `${VAR/…}` (Dockerfile 1.7 labs/stable) are not evaluated.
//! - Heredocs inside `ONBUILD`; `--parents`/`--exclude` are kept as flags with no meaning
//!   attached. Instruction-specific validation (e.g. `EXPOSE` ports, `COPY` needing two
//!   arguments) is left to the builder: such files parse.
//! - The classic builder's `|N KEY=VALUE /bin/sh -c …` history prefix is attribution's
//!   business, not this crate's.

#![deny(missing_docs)]

mod build;
mod error;
mod expand;
mod lexer;

use std::collections::BTreeMap;

use serde::Serialize;

pub use error::ParseError;
pub use lexer::KEYWORDS;

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dockerfile {
    /// Parser directives from the top of the file.
    pub directives: Directives,
    /// `ARG`s before the first `FROM`, usable in `FROM` lines.
    pub global_args: Vec<Arg>,
    /// Build stages in file order; never empty.
    pub stages: Vec<Stage>,
}

/// Parser directives (`# escape=`, `# syntax=`, `# check=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directives {
    /// The escape character: `\` by default, `` ` `` in Windows-style Dockerfiles.
    pub escape: char,
    /// The `# syntax=` frontend image, if any.
    pub syntax: Option<String>,
    /// The `# check=` build-check configuration, if any.
    pub check: Option<String>,
}

impl Default for Directives {
    fn default() -> Self {
        Directives {
            escape: '\\',
            syntax: None,
            check: None,
        }
    }
}

/// One declared `ARG`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Arg {
    /// Line of the `ARG` instruction.
    pub line: usize,
    /// The variable name.
    pub name: String,
    /// The declared default, expanded; `None` for `ARG NAME`.
    pub default: Option<String>,
    /// The value in effect: the build arg, else the default, else (in a stage) the
    /// global value; `None` when unset.
    pub value: Option<String>,
}

/// A build stage: one `FROM` and the instructions up to the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// Position in [`Dockerfile::stages`] (the index `COPY --from=N` uses).
    pub index: usize,
    /// The `AS` name, as written.
    pub name: Option<String>,
    /// What the stage is built on.
    pub base: BaseImage,
    /// The `FROM` instruction itself.
    pub from: Instruction,
    /// Instructions after `FROM`, in order.
    pub instructions: Vec<Instruction>,
    /// Environment at the end of the stage from `ENV` (inherited from a parent stage);
    /// the external base image's own environment is not known here.
    pub env: BTreeMap<String, String>,
    /// The shell for shell-form commands at the end of the stage (`SHELL` changes it).
    pub shell: Vec<String>,
}

/// The base of a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseImage {
    /// The image word as written (`python:${PY}-slim`).
    pub raw: String,
    /// After global ARG expansion (`python:3.12-slim`).
    pub expanded: String,
    /// The `--platform` value (expanded; unknown variables kept).
    pub platform: Option<String>,
    /// The earlier stage this names, if it names one (case-insensitive, as Docker).
    pub stage_ref: Option<usize>,
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instruction {
    /// 1-based first line.
    pub line: usize,
    /// 1-based last line, continuation lines and heredoc bodies included.
    pub end_line: usize,
    /// Upper-case keyword (`RUN`).
    pub keyword: String,
    /// Leading `--name[=value]` flags (FROM, RUN, COPY, ADD, HEALTHCHECK).
    pub flags: Vec<Flag>,
    /// Arguments after keyword and flags: continuations joined (escape and newline
    /// removed, indentation kept, comment lines dropped), heredoc bodies excluded.
    pub args: String,
    /// `args` with variables expanded (see the crate's "Choices").
    pub expanded: String,
    /// The lines exactly as written, from `line` to `end_line`.
    pub original_text: String,
    /// Shell, exec (JSON array) or heredoc form.
    pub form: Form,
    /// Heredocs opened by this instruction, in order.
    pub heredocs: Vec<Heredoc>,
    /// For shell-form and heredoc RUN, CMD and ENTRYPOINT: the shell in effect.
    pub shell: Option<Vec<String>>,
    /// For `COPY --from` / `ADD --from`: the stage or image it copies from.
    pub copy_from: Option<CopySource>,
    /// For `ONBUILD`: the trigger instruction (not expanded).
    pub trigger: Option<Box<Instruction>>,
}

/// How an instruction's command is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Form {
    /// Plain text (run through the shell for RUN, CMD, ENTRYPOINT).
    Shell,
    /// A JSON array of strings.
    Exec(Vec<String>),
    /// The instruction opens one or more heredocs.
    Heredoc,
}

/// A `--name[=value]` flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// Name without the dashes (`mount`).
    pub name: String,
    /// Value as written; `None` for a bare `--link`.
    pub value: Option<String>,
    /// Value after expansion.
    pub expanded: Option<String>,
}

/// A heredoc body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    /// Delimiter word, without quotes.
    pub name: String,
    /// File descriptor prefix (`3<<EOF`).
    pub fd: Option<u32>,
    /// `<<-`: leading tabs were stripped from the body and the terminator.
    pub strip_tabs: bool,
    /// Unquoted delimiter: the body is subject to expansion.
    pub expand: bool,
    /// The body, one `\n` after each line.
    pub content: String,
    /// For an unquoted delimiter, the body with Dockerfile variables expanded (COPY/ADD:
    /// as the builder does; RUN: known variables only, the shell does the rest).
    pub expanded: Option<String>,
}

/// Where `COPY --from` copies from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CopySource {
    /// An earlier stage, by index.
    Stage(usize),
    /// An image reference.
    Image(String),
}

/// Whether an instruction adds a filesystem layer: `RUN`, `COPY` and `ADD` do.
///
/// Everything else changes only the image config. The classic (pre-BuildKit) builder may
/// also record a layer for `WORKDIR` when it creates the directory; callers matching
/// image history should tolerate such extra (usually empty) layers.
pub fn creates_layer(instruction: &Instruction) -> bool {
    matches!(instruction.keyword.as_str(), "RUN" | "COPY" | "ADD")
}

impl Instruction {
    /// The expanded value of flag `name` (first occurrence), or `""` for a bare flag.
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.expanded.as_deref().or(f.value.as_deref()).unwrap_or(""))
    }

    /// Every expanded value of flag `name` (`--mount` may repeat).
    pub fn flag_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.flags
            .iter()
            .filter(move |f| f.name == name)
            .map(|f| f.expanded.as_deref().or(f.value.as_deref()).unwrap_or(""))
    }

    /// See [`creates_layer`].
    pub fn creates_layer(&self) -> bool {
        creates_layer(self)
    }
}

impl Dockerfile {
    /// Parse with no build args.
    pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
        Self::parse_with_build_args(text, &BTreeMap::new())
    }

    /// Parse with `--build-arg NAME=VALUE` overrides.
    pub fn parse_with_build_args(
        text: &str,
        build_args: &BTreeMap<String, String>,
    ) -> Result<Dockerfile, ParseError> {
        let (directives, raw) = lexer::lex(text)?;
        build::build(directives, raw, build_args)
    }

    /// The last stage: what `docker build` produces without `--target`.
    pub fn final_stage(&self) -> &Stage {
        self.stages
            .last()
            .expect("a parsed Dockerfile has at least one stage")
    }

    /// The stage named `name` (case-insensitive) or with index `name`.
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages
            .iter()
            .find(|s| {
                s.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .or_else(|| name.parse::<usize>().ok().and_then(|i| self.stages.get(i)))
    }

    /// Stages from the one built on an external image down to `stage`, following
    /// `FROM <stage>`; empty if `stage` is out of range.
    pub fn stage_chain(&self, stage: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut cur = Some(stage).filter(|s| *s < self.stages.len());
        while let Some(i) = cur {
            chain.push(i);
            // stage_ref always points to an earlier stage, so this terminates.
            cur = self.stages[i].base.stage_ref;
        }
        chain.reverse();
        chain
    }

    /// The external image `stage` is ultimately built on, following `FROM <stage>`.
    pub fn resolve_base(&self, stage: usize) -> Option<&BaseImage> {
        let root = *self.stage_chain(stage).first()?;
        Some(&self.stages[root].base)
    }
}

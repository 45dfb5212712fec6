//! From raw instructions to stages: scopes, expansion, forms, stage references.

use std::collections::BTreeMap;

use crate::error::ParseError;
use crate::expand::{
    expand, split_words, ExpandError, Mode, TEXT_LENIENT, TEXT_STRICT, WORD_LENIENT, WORD_STRICT,
};
use crate::lexer::{split_flags, RawInstruction, KEYWORDS};
use crate::{Arg, BaseImage, CopySource, Directives, Dockerfile, Form, Instruction, Stage};

/// Instructions whose arguments the builder expands.
const EXPANDED: &[&str] = &[
    "ADD",
    "ARG",
    "COPY",
    "ENV",
    "EXPOSE",
    "FROM",
    "LABEL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// BuildKit's automatic platform ARGs, usable in FROM without a declaration.
const AUTOMATIC: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// Variables visible to one instruction.
#[derive(Default, Clone)]
struct Scope {
    args: BTreeMap<String, Option<String>>,
    env: BTreeMap<String, String>,
}

impl Scope {
    fn get(&self, name: &str) -> Option<String> {
        self.env
            .get(name)
            .cloned()
            .or_else(|| self.args.get(name).cloned().flatten())
    }
}

fn default_shell() -> Vec<String> {
    vec!["/bin/sh".into(), "-c".into()]
}

fn map_err(line: usize) -> impl Fn(ExpandError) -> ParseError {
    move |e| match e {
        ExpandError::Unterminated => ParseError::UnterminatedVariable { line },
        ExpandError::Required { name, message } => ParseError::RequiredVariable {
            line,
            name,
            message,
        },
    }
}

struct Ctx<'a> {
    escape: char,
    build_args: &'a BTreeMap<String, String>,
}

impl Ctx<'_> {
    fn strict(
        &self,
        s: &str,
        mode: Mode,
        scope: &Scope,
        line: usize,
    ) -> Result<String, ParseError> {
        expand(s, self.escape, mode, &|n| scope.get(n)).map_err(map_err(line))
    }

    fn lenient(&self, s: &str, mode: Mode, scope: &Scope) -> String {
        expand(s, self.escape, mode, &|n| scope.get(n)).unwrap_or_else(|_| s.to_string())
    }

    /// Parse `ARG a=1 b` words into args, expanded against `scope`, updating it.
    fn declare_args(
        &self,
        raw: &RawInstruction,
        scope: &mut Scope,
        globals: Option<&[Arg]>,
    ) -> Result<Vec<Arg>, ParseError> {
        let before = scope.clone();
        let mut out = Vec::new();
        for word in split_words(&raw.args, self.escape) {
            let (name, default) = match word.split_once('=') {
                Some((n, d)) => (
                    n.to_string(),
                    Some(self.strict(d, WORD_STRICT, &before, raw.line)?),
                ),
                None => (word.clone(), None),
            };
            let global = || {
                globals
                    .and_then(|g| g.iter().rev().find(|a| a.name == name))
                    .and_then(|a| a.value.clone())
            };
            let value = self
                .build_args
                .get(&name)
                .cloned()
                .or_else(|| default.clone())
                .or_else(|| if default.is_none() { global() } else { None });
            scope.args.insert(name.clone(), value.clone());
            out.push(Arg {
                line: raw.line,
                name,
                default,
                value,
            });
        }
        Ok(out)
    }
}

pub(crate) fn build(
    directives: Directives,
    raw: Vec<RawInstruction>,
    build_args: &BTreeMap<String, String>,
) -> Result<Dockerfile, ParseError> {
    let ctx = Ctx {
        escape: directives.escape,
        build_args,
    };
    let mut global_args: Vec<Arg> = Vec::new();
    let mut global_scope = Scope::default();
    // BuildKit defines these in the global scope without a declaration; we know their
    // values only when the caller passes them.
    for name in AUTOMATIC {
        if let Some(v) = build_args.get(*name) {
            global_scope
                .args
                .insert((*name).to_string(), Some(v.clone()));
        }
    }
    let mut stages: Vec<Stage> = Vec::new();
    let mut cur: Option<(Stage, Scope)> = None;

    for r in raw {
        if r.keyword == "FROM" {
            if let Some((mut done, scope)) = cur.take() {
                done.env = scope.env;
                stages.push(done);
            }
            let mut stage = from_stage(&ctx, r, &global_scope, &stages)?;
            let mut scope = Scope::default();
            if let Some(p) = stage.base.stage_ref {
                scope.env = stages[p].env.clone();
                stage.shell = stages[p].shell.clone();
            }
            cur = Some((stage, scope));
            continue;
        }
        let Some((stage, scope)) = cur.as_mut() else {
            if r.keyword == "ARG" {
                let args = ctx.declare_args(&r, &mut global_scope, None)?;
                global_args.extend(args);
                continue;
            }
            return Err(ParseError::InstructionBeforeFrom {
                line: r.line,
                keyword: r.keyword,
            });
        };
        let mut inst = instruction(&ctx, &r, scope, &stage.shell)?;
        match inst.keyword.as_str() {
            "ARG" => {
                ctx.declare_args(&r, scope, Some(&global_args))?;
            }
            "ENV" => {
                // Every pair sees the scope before the instruction: apply all at once.
                let mut pairs = Vec::new();
                for (k, v) in name_values(&r.args, ctx.escape) {
                    pairs.push((k, ctx.strict(&v, WORD_STRICT, scope, r.line)?));
                }
                scope.env.extend(pairs);
            }
            "SHELL" => {
                if let Form::Exec(argv) = &inst.form {
                    stage.shell = argv.clone();
                }
            }
            "COPY" | "ADD" => {
                if let Some(from) = inst.flag("from") {
                    inst.copy_from = Some(copy_source(from, &stages));
                }
            }
            _ => {}
        }
        stage.instructions.push(inst);
    }
    if let Some((mut done, scope)) = cur.take() {
        done.env = scope.env;
        stages.push(done);
    }
    if stages.is_empty() {
        return Err(ParseError::NoFrom);
    }
    Ok(Dockerfile {
        directives,
        global_args,
        stages,
    })
}

/// `COPY --from=X`: an earlier stage by index or name, else an image.
fn copy_source(from: &str, stages: &[Stage]) -> CopySource {
    if let Ok(i) = from.parse::<usize>() {
        if i < stages.len() {
            return CopySource::Stage(i);
        }
    }
    match stages.iter().rposition(|s| {
        s.name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(from))
    }) {
        Some(i) => CopySource::Stage(i),
        None => CopySource::Image(from.to_string()),
    }
}

/// `KEY=VALUE …` pairs, or the legacy `KEY VALUE` (rest of line); values raw.
fn name_values(args: &str, escape: char) -> Vec<(String, String)> {
    let words = split_words(args, escape);
    match words.first() {
        None => Vec::new(),
        Some(first) if first.contains('=') => words
            .iter()
            .filter_map(|w| w.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        Some(first) => {
            let rest = args.trim_start()[first.len()..].trim().to_string();
            vec![(first.clone(), rest)]
        }
    }
}

/// The FROM instruction and the stage it opens.
fn from_stage(
    ctx: &Ctx<'_>,
    r: RawInstruction,
    globals: &Scope,
    stages: &[Stage],
) -> Result<Stage, ParseError> {
    let line = r.line;
    let bad = |message: &str| ParseError::BadFrom {
        line,
        message: message.to_string(),
    };
    let words: Vec<&str> = r.args.split_whitespace().collect();
    let (image, name) = match words.as_slice() {
        [image] => (image.to_string(), None),
        [image, as_, name] if as_.eq_ignore_ascii_case("as") => {
            (image.to_string(), Some(name.to_string()))
        }
        [] => return Err(bad("no image named")),
        _ => return Err(bad("expected `FROM [--platform=P] IMAGE [AS NAME]`")),
    };
    let mut flags = r.flags.clone();
    for f in &mut flags {
        f.expanded = f
            .value
            .as_deref()
            .map(|v| ctx.lenient(v, WORD_LENIENT, globals));
    }
    let expanded_image = ctx.strict(&image, WORD_STRICT, globals, line)?;
    if expanded_image.is_empty() {
        return Err(bad(&format!("image `{image}` expands to nothing")));
    }
    let stage_ref = stages.iter().rposition(|s| {
        s.name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(&expanded_image))
    });
    let platform = flags
        .iter()
        .find(|f| f.name == "platform")
        .and_then(|f| f.expanded.clone());
    let from = Instruction {
        line,
        end_line: r.end_line,
        keyword: r.keyword,
        flags,
        expanded: ctx.strict(&r.args, TEXT_STRICT, globals, line)?,
        args: r.args,
        original_text: r.original_text,
        form: Form::Shell,
        heredocs: Vec::new(),
        shell: None,
        copy_from: None,
        trigger: None,
    };
    Ok(Stage {
        index: stages.len(),
        name,
        base: BaseImage {
            raw: image,
            expanded: expanded_image,
            platform,
            stage_ref,
        },
        from,
        instructions: Vec::new(),
        env: BTreeMap::new(),
        shell: default_shell(),
    })
}

/// Build one in-stage instruction against the scope before it.
fn instruction(
    ctx: &Ctx<'_>,
    r: &RawInstruction,
    scope: &Scope,
    shell: &[String],
) -> Result<Instruction, ParseError> {
    let line = r.line;
    let strict = EXPANDED.contains(&r.keyword.as_str());
    let expanded = if strict {
        ctx.strict(&r.args, TEXT_STRICT, scope, line)?
    } else {
        ctx.lenient(&r.args, TEXT_LENIENT, scope)
    };
    let mut flags = r.flags.clone();
    for f in &mut flags {
        f.expanded = match &f.value {
            Some(v) => Some(ctx.strict(v, WORD_STRICT, scope, line)?),
            None => None,
        };
    }
    let mut heredocs = r.heredocs.clone();
    for h in heredocs.iter_mut().filter(|h| h.expand) {
        h.expanded = Some(if r.keyword == "RUN" {
            ctx.lenient(&h.content, TEXT_LENIENT, scope)
        } else {
            ctx.lenient(&h.content, TEXT_STRICT, scope)
        });
    }
    let form = form(&r.keyword, &r.args, !heredocs.is_empty(), line)?;
    let shell = match (&form, r.keyword.as_str()) {
        (Form::Shell | Form::Heredoc, "RUN" | "CMD" | "ENTRYPOINT") => Some(shell.to_vec()),
        _ => None,
    };
    let trigger = if r.keyword == "ONBUILD" {
        Some(Box::new(trigger(r)?))
    } else {
        None
    };
    Ok(Instruction {
        line,
        end_line: r.end_line,
        keyword: r.keyword.clone(),
        flags,
        args: r.args.clone(),
        expanded,
        original_text: r.original_text.clone(),
        form,
        heredocs,
        shell,
        copy_from: None,
        trigger,
    })
}

/// The instruction inside `ONBUILD`, unexpanded (it runs in the child build).
fn trigger(r: &RawInstruction) -> Result<Instruction, ParseError> {
    let line = r.line;
    let (word, rest) = match r.args.split_once(char::is_whitespace) {
        Some((w, rest)) => (w, rest.trim_start()),
        None => (r.args.as_str(), ""),
    };
    let keyword = word.to_ascii_uppercase();
    if !KEYWORDS.contains(&keyword.as_str())
        || matches!(keyword.as_str(), "ONBUILD" | "FROM" | "MAINTAINER")
    {
        return Err(ParseError::UnknownInstruction {
            line,
            keyword: format!("ONBUILD {word}"),
        });
    }
    let (flags, args) = if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD" | "HEALTHCHECK") {
        split_flags(rest)
    } else {
        (Vec::new(), rest.to_string())
    };
    Ok(Instruction {
        line,
        end_line: r.end_line,
        form: form(&keyword, &args, false, line)?,
        keyword,
        flags,
        expanded: args.clone(),
        args,
        original_text: r.original_text.clone(),
        heredocs: Vec::new(),
        shell: None,
        copy_from: None,
        trigger: None,
    })
}

/// Shell, exec or heredoc form.
fn form(keyword: &str, args: &str, heredoc: bool, line: usize) -> Result<Form, ParseError> {
    if heredoc {
        return Ok(Form::Heredoc);
    }
    let cmd = if keyword == "HEALTHCHECK" {
        match args.split_once(char::is_whitespace) {
            Some((w, rest)) if w.eq_ignore_ascii_case("CMD") => rest.trim(),
            _ => return Ok(Form::Shell),
        }
    } else {
        args.trim()
    };
    let json_capable = matches!(
        keyword,
        "RUN" | "CMD" | "ENTRYPOINT" | "SHELL" | "HEALTHCHECK" | "COPY" | "ADD" | "VOLUME"
    );
    if !json_capable {
        return Ok(Form::Shell);
    }
    if cmd.starts_with('[') {
        match serde_json::from_str::<Vec<String>>(cmd) {
            Ok(argv) => return Ok(Form::Exec(argv)),
            Err(e) if keyword == "SHELL" => {
                return Err(ParseError::BadExecJson {
                    line,
                    keyword: keyword.to_string(),
                    message: e.to_string(),
                })
            }
            Err(_) => {}
        }
    } else if keyword == "SHELL" {
        return Err(ParseError::BadExecJson {
            line,
            keyword: keyword.to_string(),
            message: "not a JSON array".to_string(),
        });
    }
    Ok(Form::Shell)
}

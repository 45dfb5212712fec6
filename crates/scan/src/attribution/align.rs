//! Aligning an image's history with a Dockerfile's instructions.
//!
//! # Alignment rules
//!
//! * Non-empty history entries pair with the layers in order
//!   ([`inventory::LayerHistory`]); when their counts differ nothing is attributed (a
//!   warning says so).
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

use dockerfile::{Dockerfile, Form, Instruction};
use inventory::{ImageInfo, LayerInfo};

use super::history::{copy_destination, normalize, HistoryStep};

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
mod tests {
    use super::*;
    use crate::attribution::tests::{image, APP_BUILDAH, APP_DOCKERFILE};

    fn df(text: &str) -> Dockerfile {
        Dockerfile::parse(text).expect("fixture Dockerfile")
    }

    fn lines(a: &Attribution) -> Vec<Option<usize>> {
        a.steps.iter().map(|s| s.as_ref().map(|s| s.line)).collect()
    }

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

//! Table tests on real-world Dockerfile shapes, expansion, errors and random input.

use std::collections::BTreeMap;

use dockerfile::{creates_layer, CopySource, Dockerfile, Form, ParseError};

fn parse(text: &str) -> Dockerfile {
    match Dockerfile::parse(text) {
        Ok(d) => d,
        Err(e) => panic!("{e}\n---\n{text}"),
    }
}

fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn keywords(df: &Dockerfile, stage: usize) -> Vec<&str> {
    df.stages[stage]
        .instructions
        .iter()
        .map(|i| i.keyword.as_str())
        .collect()
}

/// The shape of docker-library/python's `3.12/slim-bookworm/Dockerfile` (legacy
/// `ENV K V`, tab-indented continuations, `\`-only lines, `${VAR%%…}` in RUN).
const PYTHON_SLIM: &str = "#
# NOTE: THIS DOCKERFILE IS GENERATED VIA \"apply-templates.sh\"
#
# PLEASE DO NOT EDIT IT DIRECTLY.
#

FROM debian:bookworm-slim

# ensure local python is preferred over distribution python
ENV PATH /usr/local/bin:$PATH

# cannot remove LANG even though https://bugs.python.org/issue19846 is fixed
ENV LANG C.UTF-8

# runtime dependencies
RUN set -eux; \\
\tapt-get update; \\
\tapt-get install -y --no-install-recommends \\
\t\tca-certificates \\
\t\tnetbase \\
\t\ttzdata \\
\t; \\
\trm -rf /var/lib/apt/lists/*

ENV GPG_KEY A035C8C19219BA821ECEA86B64E628F8D684696D
ENV PYTHON_VERSION 3.12.7

RUN set -eux; \\
\t\\
\tsavedAptMark=\"$(apt-mark showmanual)\"; \\
\twget -O python.tar.xz \"https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz\"; \\
\tpython3 --version

# make some useful symlinks that are expected to exist (\"/usr/local/bin/python\" and friends)
RUN set -eux; \\
\tfor src in idle3 pydoc3 python3 python3-config; do \\
\t\tdst=\"$(echo \"$src\" | tr -d 3)\"; \\
\t\t[ -s \"/usr/local/bin/$src\" ]; \\
\t\tln -svT \"$src\" \"/usr/local/bin/$dst\"; \\
\tdone

CMD [\"python3\"]
";

#[test]
fn python_slim() {
    let df = parse(PYTHON_SLIM);
    assert_eq!(df.stages.len(), 1);
    let s = df.final_stage();
    assert_eq!(s.base.expanded, "debian:bookworm-slim");
    assert_eq!(s.from.line, 7);
    assert_eq!(
        keywords(&df, 0),
        ["ENV", "ENV", "RUN", "ENV", "ENV", "RUN", "RUN", "CMD"]
    );
    let lines: Vec<(usize, usize)> = s
        .instructions
        .iter()
        .map(|i| (i.line, i.end_line))
        .collect();
    assert_eq!(
        lines,
        [
            (10, 10),
            (13, 13),
            (16, 23),
            (25, 25),
            (26, 26),
            (28, 32),
            (35, 40),
            (42, 42)
        ]
    );
    // The base image's PATH is not known here, so `$PATH` expands to nothing.
    assert_eq!(s.env["PATH"], "/usr/local/bin:");
    assert_eq!(s.env["LANG"], "C.UTF-8");
    assert_eq!(s.env["PYTHON_VERSION"], "3.12.7");
    let run = &s.instructions[2];
    assert_eq!(
        run.args,
        "set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tca-certificates \t\tnetbase \t\ttzdata \t; \trm -rf /var/lib/apt/lists/*"
    );
    assert_eq!(run.original_text.lines().count(), 8);
    assert!(run
        .original_text
        .starts_with("RUN set -eux; \\\n\tapt-get update; \\\n"));
    assert_eq!(
        run.shell.as_deref(),
        Some(&["/bin/sh".to_string(), "-c".to_string()][..])
    );
    let download = &s.instructions[5];
    assert!(download
        .args
        .contains("${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz"));
    // RUN's expanded view substitutes what the Dockerfile defines and keeps the rest.
    assert!(download
        .expanded
        .contains("${PYTHON_VERSION%%[a-z]*}/Python-3.12.7.tar.xz"));
    assert!(download.expanded.contains("\"$(apt-mark showmanual)\""));
    assert!(s.instructions[6]
        .expanded
        .contains("\"/usr/local/bin/$src\""));
    assert_eq!(s.instructions[7].form, Form::Exec(vec!["python3".into()]));
    let layers: Vec<&str> = s
        .instructions
        .iter()
        .filter(|i| creates_layer(i))
        .map(|i| i.keyword.as_str())
        .collect();
    assert_eq!(layers, ["RUN", "RUN", "RUN"]);
}

/// A multi-stage Go build in the shape of Docker's `docker init` template.
const GO_MULTI: &str = "# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
ARG ALPINE_VERSION=3.20
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine${ALPINE_VERSION} AS build
WORKDIR /src
RUN --mount=type=cache,target=/go/pkg/mod/ \\
    --mount=type=bind,source=go.sum,target=go.sum \\
    --mount=type=bind,source=go.mod,target=go.mod \\
    go mod download -x
ARG TARGETOS TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod/ \\
    --mount=type=bind,target=. \\
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /bin/server ./cmd/server

FROM Build AS test
RUN go test -v ./...

FROM alpine:${ALPINE_VERSION} AS final
RUN --mount=type=cache,target=/var/cache/apk \\
    apk --update add \\
        ca-certificates \\
        tzdata \\
        && \\
        update-ca-certificates
ARG UID=10001
RUN adduser --disabled-password --gecos \"\" --uid \"${UID}\" appuser
USER appuser
COPY --from=build --chmod=755 /bin/server /bin/
EXPOSE 8000
ENTRYPOINT [ \"/bin/server\" ]
";

#[test]
fn go_multi_stage() {
    let df = parse(GO_MULTI);
    assert_eq!(df.directives.syntax.as_deref(), Some("docker/dockerfile:1"));
    assert_eq!(df.global_args.len(), 2);
    assert_eq!(df.global_args[0].value.as_deref(), Some("1.22"));
    assert_eq!(df.stages.len(), 3);
    let build = &df.stages[0];
    assert_eq!(build.name.as_deref(), Some("build"));
    assert_eq!(
        build.base.raw,
        "golang:${GO_VERSION}-alpine${ALPINE_VERSION}"
    );
    assert_eq!(build.base.expanded, "golang:1.22-alpine3.20");
    assert_eq!(build.base.platform.as_deref(), Some("$BUILDPLATFORM"));
    assert_eq!(build.base.stage_ref, None);
    let dl = &build.instructions[1];
    assert_eq!(dl.flag_values("mount").count(), 3);
    assert_eq!(dl.flag("mount"), Some("type=cache,target=/go/pkg/mod/"));
    assert_eq!(dl.args, "go mod download -x");
    assert_eq!((dl.line, dl.end_line), (6, 9));
    // Undeclared in the stage and not passed: kept as written in RUN's view.
    let gobuild = &build.instructions[3];
    assert!(gobuild
        .expanded
        .contains("GOOS=$TARGETOS GOARCH=$TARGETARCH"));

    let test = &df.stages[1];
    assert_eq!(
        test.base.stage_ref,
        Some(0),
        "FROM names are case-insensitive"
    );
    assert_eq!(
        df.resolve_base(1).unwrap().expanded,
        "golang:1.22-alpine3.20"
    );
    assert_eq!(df.stage_chain(1), [0, 1]);

    let fin = df.final_stage();
    assert_eq!(fin.name.as_deref(), Some("final"));
    assert_eq!(fin.base.expanded, "alpine:3.20");
    assert_eq!(df.resolve_base(2).unwrap().expanded, "alpine:3.20");
    assert_eq!(df.stage_chain(2), [2]);
    assert_eq!(
        keywords(&df, 2),
        ["RUN", "ARG", "RUN", "USER", "COPY", "EXPOSE", "ENTRYPOINT"]
    );
    assert_eq!(
        fin.instructions[0].args,
        "apk --update add         ca-certificates         tzdata         &&         update-ca-certificates"
    );
    assert_eq!(
        fin.instructions[2].expanded,
        "adduser --disabled-password --gecos \"\" --uid \"10001\" appuser"
    );
    let copy = &fin.instructions[4];
    assert_eq!(copy.copy_from, Some(CopySource::Stage(0)));
    assert_eq!(copy.flag("chmod"), Some("755"));
    assert_eq!(
        fin.instructions[6].form,
        Form::Exec(vec!["/bin/server".into()])
    );
    assert_eq!(df.stage("TEST").unwrap().index, 1);
    assert_eq!(df.stage("2").unwrap().index, 2);

    // With the platform args passed, as BuildKit would define them.
    let df = Dockerfile::parse_with_build_args(
        GO_MULTI,
        &args(&[
            ("BUILDPLATFORM", "linux/amd64"),
            ("TARGETOS", "linux"),
            ("TARGETARCH", "arm64"),
            ("GO_VERSION", "1.23"),
        ]),
    )
    .unwrap();
    assert_eq!(df.stages[0].base.platform.as_deref(), Some("linux/amd64"));
    assert_eq!(df.stages[0].base.expanded, "golang:1.23-alpine3.20");
    assert!(df.stages[0].instructions[3]
        .expanded
        .contains("GOOS=linux GOARCH=arm64"));
}

/// Heredoc examples from the Dockerfile reference.
#[test]
fn heredocs() {
    let df = parse(
        "# syntax=docker/dockerfile:1
FROM debian
RUN <<EOT bash
  set -ex
  apt-get update
  apt-get install -y vim
EOT
RUN <<EOT
#!/usr/bin/env python
print(\"hello world\")
EOT
RUN <<FILE1 cat > file1 && <<FILE2 cat > file2
I am
first
FILE1
I am
second
FILE2
ARG FOO=bar
COPY <<-EOT /script.sh
\techo \"hello ${FOO}\"
\tEOT
COPY <<\"EOF\" /quoted
$FOO stays
EOF
RUN python3 <<'EOF' && 3<<END cat /proc/self/fd/3
print('$FOO')
EOF
fd three $FOO $HOME
END
RUN echo done
RUN cat << EOF
spaced
EOF
",
    );
    let s = df.final_stage();
    assert_eq!(
        keywords(&df, 0),
        ["RUN", "RUN", "RUN", "ARG", "COPY", "COPY", "RUN", "RUN", "RUN"]
    );
    let first = &s.instructions[0];
    assert_eq!(first.form, Form::Heredoc);
    assert_eq!(first.args, "<<EOT bash");
    assert_eq!((first.line, first.end_line), (3, 7));
    assert_eq!(
        first.heredocs[0].content,
        "  set -ex\n  apt-get update\n  apt-get install -y vim\n"
    );
    assert!(first.original_text.ends_with("apt-get install -y vim\nEOT"));
    assert_eq!(
        s.instructions[1].heredocs[0].content,
        "#!/usr/bin/env python\nprint(\"hello world\")\n"
    );
    let two = &s.instructions[2];
    assert_eq!(two.heredocs.len(), 2);
    assert_eq!(two.heredocs[0].name, "FILE1");
    assert_eq!(two.heredocs[0].content, "I am\nfirst\n");
    assert_eq!(two.heredocs[1].content, "I am\nsecond\n");
    assert_eq!((two.line, two.end_line), (12, 18));
    let copy = &s.instructions[4];
    assert!(copy.heredocs[0].strip_tabs);
    assert_eq!(copy.heredocs[0].content, "echo \"hello ${FOO}\"\n");
    assert_eq!(
        copy.heredocs[0].expanded.as_deref(),
        Some("echo \"hello bar\"\n")
    );
    assert_eq!(copy.args, "<<-EOT /script.sh");
    assert!(creates_layer(copy));
    let quoted = &s.instructions[5];
    assert!(!quoted.heredocs[0].expand);
    assert_eq!(quoted.heredocs[0].expanded, None);
    let mixed = &s.instructions[6];
    assert!(!mixed.heredocs[0].expand);
    assert_eq!(mixed.heredocs[1].fd, Some(3));
    assert_eq!(
        mixed.heredocs[1].expanded.as_deref(),
        Some("fd three bar $HOME\n")
    );
    assert_eq!(s.instructions[7].line, 31);
    assert_eq!(
        s.instructions[8].heredocs[0].content, "spaced\n",
        "BuildKit 0.22 `<< EOF`"
    );
}

#[test]
fn windows_backtick_escape() {
    let df = parse(
        "# escape=`

FROM mcr.microsoft.com/windows/servercore
COPY testfile.txt c:\\
RUN dir c:\\
ENV TOOLS=C:\\tools PRICE=`$5
RUN powershell -Command `
    $ErrorActionPreference = 'Stop'; `
    Write-Host $env:TOOLS
",
    );
    assert_eq!(df.directives.escape, '`');
    let s = df.final_stage();
    assert_eq!(keywords(&df, 0), ["COPY", "RUN", "ENV", "RUN"]);
    assert_eq!(s.instructions[0].args, "testfile.txt c:\\");
    assert_eq!(s.env["TOOLS"], "C:\\tools");
    assert_eq!(s.env["PRICE"], "$5");
    let ps = &s.instructions[3];
    assert_eq!((ps.line, ps.end_line), (7, 9));
    assert_eq!(
        ps.args,
        "powershell -Command     $ErrorActionPreference = 'Stop';     Write-Host $env:TOOLS"
    );
}

#[test]
fn directives() {
    let cases: &[(&str, char, Option<&str>)] = &[
        (
            "# syntax=docker/dockerfile:1.7\n# escape=`\nFROM a\n",
            '`',
            Some("docker/dockerfile:1.7"),
        ),
        ("#ESCAPE = `\nFROM a\n", '`', None),
        ("# comment\n# escape=`\nFROM a\n", '\\', None),
        ("\n# escape=`\nFROM a\n", '\\', None),
        ("# unknown=x\n# escape=`\nFROM a\n", '\\', None),
        ("\u{feff}# escape=`\r\nFROM a\r\n", '`', None),
    ];
    for (text, escape, syntax) in cases {
        let df = parse(text);
        assert_eq!(df.directives.escape, *escape, "{text:?}");
        assert_eq!(df.directives.syntax.as_deref(), *syntax, "{text:?}");
    }
    let df = parse("# check=skip=JSONArgsRecommended\nFROM a\n");
    assert_eq!(
        df.directives.check.as_deref(),
        Some("skip=JSONArgsRecommended")
    );
}

#[test]
fn continuations_and_comments() {
    let text = "FROM alpine
RUN apk add \\
# a comment inside the continuation is dropped
    curl \\

    git \\    
    # indented comment too
    jq
   # leading whitespace comment
  run echo lower-case keyword
RUN echo unterminated at end \\";
    let df = parse(text);
    let s = df.final_stage();
    let apk = &s.instructions[0];
    assert_eq!(apk.args, "apk add     curl     git     jq");
    assert_eq!((apk.line, apk.end_line), (2, 8));
    assert_eq!(
        apk.original_text,
        text.lines().skip(1).take(7).collect::<Vec<_>>().join("\n")
    );
    assert_eq!(s.instructions[1].keyword, "RUN");
    assert_eq!(s.instructions[1].line, 10);
    assert_eq!(s.instructions[2].args, "echo unterminated at end");
}

#[test]
fn expansion_scopes() {
    let text = "ARG BASE=alpine
ARG TAG
ARG UNUSED=x
FROM ${BASE}:${TAG:-3.20} AS one
ARG BASE
ARG LOCAL=l
ENV A=1 B=2
ENV A=${A}0 C=$A D=\"${B} two\" E='$A' F=\\$A
ENV LEGACY hello  world
ENV LOCAL=env-wins
WORKDIR /app/${LOCAL}
LABEL version=\"${VERSION:-dev}\" alt=\"${A:+set}\" none=\"${NOPE+set}\" dash=\"${EMPTY-d}\"
COPY ${BASE}.conf ${UNUSED}/etc/
RUN echo $BASE $LOCAL $A $HOME
FROM one
ENV G=$C
";
    let df = parse(text);
    let one = &df.stages[0];
    assert_eq!(one.base.expanded, "alpine:3.20");
    assert_eq!(df.global_args[1].value, None);
    let env = &one.env;
    assert_eq!(env["A"], "10");
    assert_eq!(env["C"], "1", "pairs see the scope before the instruction");
    assert_eq!(env["D"], "2 two");
    assert_eq!(env["E"], "$A");
    assert_eq!(env["F"], "$A");
    assert_eq!(env["LEGACY"], "hello  world");
    let i = &one.instructions;
    assert_eq!(i[6].expanded, "/app/env-wins", "ENV overrides ARG");
    assert_eq!(
        i[7].expanded,
        "version=\"dev\" alt=\"set\" none=\"\" dash=\"d\""
    );
    assert_eq!(
        i[8].expanded, "alpine.conf /etc/",
        "global ARG only after re-declaration"
    );
    assert_eq!(i[9].expanded, "echo alpine env-wins 10 $HOME");
    assert_eq!(i[9].args, "echo $BASE $LOCAL $A $HOME");
    let two = &df.stages[1];
    assert_eq!(two.base.stage_ref, Some(0));
    assert_eq!(two.env["G"], "1", "ENV is inherited from the parent stage");
    assert_eq!(two.env["A"], "10");

    // --build-arg overrides declared args, global and local; undeclared are ignored.
    let df = Dockerfile::parse_with_build_args(
        text,
        &args(&[
            ("TAG", "edge"),
            ("BASE", "debian"),
            ("LOCAL", "cli"),
            ("VERSION", "9"),
        ]),
    )
    .unwrap();
    let one = &df.stages[0];
    assert_eq!(one.base.expanded, "debian:edge");
    assert_eq!(
        one.instructions[7].expanded,
        "version=\"dev\" alt=\"set\" none=\"\" dash=\"d\""
    );
    assert_eq!(one.instructions[8].expanded, "debian.conf /etc/");
    let local = one
        .instructions
        .iter()
        .find(|i| i.args == "LOCAL=l")
        .unwrap();
    assert_eq!(local.line, 6);
}

#[test]
fn stage_references_and_flags() {
    let df = parse(
        "FROM --platform=linux/arm64 node:20 AS deps
FROM deps AS Builder
FROM builder
FROM scratch
COPY --from=0 /a /a
COPY --from=Builder --chown=1000:1000 --link /b /b
COPY --from=nginx:latest /etc/nginx/nginx.conf /etc/
COPY --from=7 /c /c
ADD --checksum=sha256:abc https://example.com/x.tgz /x
COPY [\"a file\", \"/dst/\"]
",
    );
    assert_eq!(df.stages[0].base.platform.as_deref(), Some("linux/arm64"));
    assert_eq!(df.stages[2].base.stage_ref, Some(1));
    assert_eq!(df.stage_chain(2), [0, 1, 2]);
    assert_eq!(df.resolve_base(2).unwrap().expanded, "node:20");
    assert_eq!(df.resolve_base(3).unwrap().expanded, "scratch");
    assert_eq!(df.resolve_base(9), None);
    let i = &df.final_stage().instructions;
    assert_eq!(i[0].copy_from, Some(CopySource::Stage(0)));
    assert_eq!(i[1].copy_from, Some(CopySource::Stage(1)));
    assert_eq!(i[1].flag("chown"), Some("1000:1000"));
    assert_eq!(i[1].flag("link"), Some(""));
    assert_eq!(i[1].args, "/b /b");
    assert_eq!(
        i[2].copy_from,
        Some(CopySource::Image("nginx:latest".into()))
    );
    assert_eq!(i[3].copy_from, Some(CopySource::Image("7".into())));
    assert_eq!(i[4].flag("checksum"), Some("sha256:abc"));
    assert_eq!(i[5].form, Form::Exec(vec!["a file".into(), "/dst/".into()]));
}

#[test]
fn onbuild_healthcheck_shell() {
    let df = parse(
        "FROM python:3.12
ONBUILD COPY . /app/src
ONBUILD RUN --mount=type=cache,target=/root/.cache pip install -r /app/src/requirements.txt
HEALTHCHECK --interval=5m --timeout=3s CMD curl -f http://localhost/ || exit 1
HEALTHCHECK CMD [\"/bin/check\", \"--fast\"]
HEALTHCHECK NONE
SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]
RUN set -o pipefail && wget -O - https://some.site | wc -l > /number
RUN [\"/bin/true\"]
RUN [ -f /etc/os-release ] && cat /etc/os-release
CMD [\"python\", 'app.py']
STOPSIGNAL SIGTERM
VOLUME [\"/data\"]
FROM 0
RUN echo inherits shell
",
    );
    let s = &df.stages[0];
    let ob = s.instructions[1].trigger.as_deref().unwrap();
    assert_eq!(ob.keyword, "RUN");
    assert_eq!(ob.flag("mount"), Some("type=cache,target=/root/.cache"));
    assert!(
        !creates_layer(&s.instructions[1]),
        "ONBUILD runs in the child build"
    );
    let hc = &s.instructions[2];
    assert_eq!(hc.flag("interval"), Some("5m"));
    assert_eq!(hc.args, "CMD curl -f http://localhost/ || exit 1");
    assert_eq!(
        s.instructions[3].form,
        Form::Exec(vec!["/bin/check".into(), "--fast".into()])
    );
    assert_eq!(s.instructions[4].form, Form::Shell);
    let bash: Vec<String> = ["/bin/bash", "-o", "pipefail", "-c"]
        .map(String::from)
        .to_vec();
    assert_eq!(s.instructions[6].shell.as_ref(), Some(&bash));
    assert_eq!(s.instructions[7].shell, None, "exec form runs no shell");
    assert_eq!(
        s.instructions[8].form,
        Form::Shell,
        "`[ -f … ]` is a shell command"
    );
    assert_eq!(
        s.instructions[9].form,
        Form::Shell,
        "invalid JSON falls back, as in Docker"
    );
    assert_eq!(s.instructions[11].form, Form::Exec(vec!["/data".into()]));
    assert_eq!(s.shell, bash);
    // `FROM 0` is an image named "0", not a stage reference (Docker agrees).
    assert_eq!(df.stages[1].base.stage_ref, None);
    assert_eq!(
        df.stages[1].instructions[0].shell.as_ref().unwrap()[0],
        "/bin/sh"
    );
}

#[test]
fn errors_name_the_line() {
    let cases: &[(&str, ParseError)] = &[
        (
            "FROM a\nRUN <<EOF\necho hi\n",
            ParseError::UnterminatedHeredoc {
                line: 2,
                name: "EOF".into(),
            },
        ),
        (
            "FROM a\n\nRUNN echo\n",
            ParseError::UnknownInstruction {
                line: 3,
                keyword: "RUNN".into(),
            },
        ),
        ("# just a comment\n\n", ParseError::NoFrom),
        (
            "ARG X=1\nRUN echo\nFROM a\n",
            ParseError::InstructionBeforeFrom {
                line: 2,
                keyword: "RUN".into(),
            },
        ),
        (
            "FROM a\nSHELL /bin/bash -c\n",
            ParseError::BadExecJson {
                line: 2,
                keyword: "SHELL".into(),
                message: "not a JSON array".into(),
            },
        ),
        (
            "FROM a\nCOPY ${SRC /dst\n",
            ParseError::UnterminatedVariable { line: 2 },
        ),
        (
            "ARG V\nFROM a:${V\n",
            ParseError::UnterminatedVariable { line: 2 },
        ),
        (
            "FROM a\nENV X=1 \\\n  Y=${X}${Z\n",
            ParseError::UnterminatedVariable { line: 2 },
        ),
        (
            "FROM a\nWORKDIR ${DIR:?set DIR}\n",
            ParseError::RequiredVariable {
                line: 2,
                name: "DIR".into(),
                message: "set DIR".into(),
            },
        ),
        (
            "# escape=/\nFROM a\n",
            ParseError::InvalidEscape {
                line: 1,
                value: "/".into(),
            },
        ),
        (
            "FROM\n",
            ParseError::BadFrom {
                line: 1,
                message: "no image named".into(),
            },
        ),
        (
            "FROM a b c d\n",
            ParseError::BadFrom {
                line: 1,
                message: "expected `FROM [--platform=P] IMAGE [AS NAME]`".into(),
            },
        ),
        (
            "FROM ${NOPE}\n",
            ParseError::BadFrom {
                line: 1,
                message: "image `${NOPE}` expands to nothing".into(),
            },
        ),
        (
            "FROM a\nONBUILD FROM b\n",
            ParseError::UnknownInstruction {
                line: 2,
                keyword: "ONBUILD FROM".into(),
            },
        ),
    ];
    for (text, want) in cases {
        let got = Dockerfile::parse(text).unwrap_err();
        assert_eq!(&got, want, "{text:?}");
        if let Some(line) = want.line() {
            assert!(
                got.to_string().starts_with(&format!("line {line}:")),
                "{got}"
            );
        }
    }
    // Bad JSON message comes from the JSON parser.
    let err = Dockerfile::parse("FROM a\nSHELL [\"/bin/sh\", -c]\n").unwrap_err();
    assert!(
        matches!(err, ParseError::BadExecJson { line: 2, .. }),
        "{err}"
    );
    // RUN is the shell's business: a broken `${` there is kept, not an error.
    let df = parse("FROM a\nRUN echo ${oops\n");
    assert_eq!(df.final_stage().instructions[0].expanded, "echo ${oops");
}

/// Random Dockerfile-ish input never panics.
#[test]
fn random_input_does_not_panic() {
    const PIECES: &[&str] = &[
        "FROM ",
        "RUN ",
        "COPY ",
        "ARG ",
        "ENV ",
        "ONBUILD ",
        "HEALTHCHECK ",
        "SHELL ",
        "AS ",
        "--from=",
        "--mount=",
        "--platform=",
        "<<",
        "<<-",
        "EOF",
        "\"EOF\"",
        "'",
        "\"",
        "\\",
        "`",
        "$",
        "${",
        "}",
        ":-",
        ":+",
        ":?",
        "-",
        "+",
        "=",
        "[",
        "]",
        ",",
        "#",
        "# escape=`",
        "\n",
        "\n",
        "\n",
        "\t",
        " ",
        " ",
        "a",
        "B",
        "0",
        "3",
        "é",
        "\r",
        "{",
        "%%",
        "\u{feff}",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..5000 {
        let len = (next() % 60) as usize;
        let mut text = String::new();
        if next() % 2 == 0 {
            text.push_str("FROM x\n");
        }
        for _ in 0..len {
            text.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
        }
        if let Ok(df) = Dockerfile::parse(&text) {
            let last = df.stages.len() - 1;
            assert!(df.resolve_base(last).is_some());
            for s in &df.stages {
                for i in &s.instructions {
                    assert!(i.line <= i.end_line);
                }
            }
        }
    }
}

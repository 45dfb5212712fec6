//! The build step that introduced a layer, read back from the image history.
//!
//! Traps: the classic builder writes `/bin/sh -c #(nop)  CMD ["bash"]` for metadata steps
//! and `/bin/sh -c apt-get …` (or `|2 A=1 B=2 /bin/sh -c …` when build arguments are set)
//! for `RUN`; BuildKit writes `RUN /bin/sh -c apt-get … # buildkit`, and `COPY … # buildkit`
//! for the rest. All of these become the instruction as a Dockerfile would say it.

/// The Dockerfile instruction behind a history `created_by` (`RUN apt-get install -y git`),
/// or `None` when it is empty.
pub fn dockerfile_instruction(created_by: &str) -> Option<String> {
    let mut s = created_by.trim();
    s = s.strip_suffix("# buildkit").unwrap_or(s).trim_end();
    if s.is_empty() {
        return None;
    }
    if let Some(rest) = s.strip_prefix("/bin/sh -c #(nop)") {
        return Some(rest.trim().to_owned()).filter(|r| !r.is_empty());
    }
    let run_body = s.strip_prefix("RUN ").map(str::trim_start).unwrap_or(s);
    let after_args = if run_body.starts_with('|') {
        // `|2 A=1 B=2 /bin/sh -c …`: build arguments before the shell.
        run_body.find("/bin/sh -c ").map(|i| &run_body[i..])
    } else {
        Some(run_body)
    };
    if let Some(cmd) = after_args.and_then(|b| b.strip_prefix("/bin/sh -c ")) {
        return Some(format!("RUN {}", cmd.trim()));
    }
    Some(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::dockerfile_instruction as di;

    /// Validates classic-builder and BuildKit history lines.
    #[test]
    fn history_lines() {
        let cases = [
            (
                "/bin/sh -c #(nop) ADD file:abc in / ",
                Some("ADD file:abc in /"),
            ),
            ("/bin/sh -c #(nop)  CMD [\"bash\"]", Some("CMD [\"bash\"]")),
            (
                "/bin/sh -c apt-get update && apt-get install -y git",
                Some("RUN apt-get update && apt-get install -y git"),
            ),
            (
                "|1 V=2 /bin/sh -c apk add curl=${V}",
                Some("RUN apk add curl=${V}"),
            ),
            (
                "RUN /bin/sh -c apt-get install -y curl # buildkit",
                Some("RUN apt-get install -y curl"),
            ),
            (
                "RUN |1 V=2 /bin/sh -c pip install x # buildkit",
                Some("RUN pip install x"),
            ),
            ("COPY app /app # buildkit", Some("COPY app /app")),
            ("RUN [\"/bin/true\"]", Some("RUN [\"/bin/true\"]")),
            ("  ", None),
        ];
        for (input, want) in cases {
            assert_eq!(di(input).as_deref(), want, "{input}");
        }
    }
}

//! The build step that introduced a layer, read back from the image history.
//!
//! Traps: the classic builder writes `/bin/sh -c #(nop)  CMD ["bash"]` for metadata steps
//! and `/bin/sh -c apt-get …` (or `|2 A=1 B=2 /bin/sh -c …` when build arguments are set)
//! for `RUN`; BuildKit writes `RUN /bin/sh -c apt-get … # buildkit`, and `COPY … # buildkit`
//! for the rest; kaniko writes the instruction as written. All of these become the
//! instruction as a Dockerfile would say it; the rules live in [`crate::attribution`].

/// The Dockerfile instruction behind a history `created_by` (`RUN apt-get install -y git`),
/// or `None` when it is empty. See [`crate::attribution::normalize`].
pub fn dockerfile_instruction(created_by: &str) -> Option<String> {
    crate::attribution::dockerfile_instruction(created_by)
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

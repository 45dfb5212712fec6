//! Which Dockerfile instruction made each layer of an image.
//!
//! Two parts:
//!
//! * [`normalize`] ([`history`]) reads one image history `created_by` string, in the shape
//!   any builder writes it, back into the instruction a Dockerfile would say
//!   ([`HistoryStep`]).
//! * [`attribute`] ([`align`]) aligns the image's history with the layer-making
//!   instructions of a parsed Dockerfile, top down, and says for each layer which
//!   instruction (and line) made it, and how many layers at the bottom the base image made
//!   ([`Attribution`]).

pub mod align;
pub mod history;

pub use align::{attribute, instruction_line, resolve_stage, Attribution, AttributionError, Step};
pub use history::{dockerfile_instruction, normalize, HistoryForm, HistoryStep};

#[cfg(test)]
pub(crate) mod tests {
    //! Image and Dockerfile fixtures shared by the aligner's and base detection's tests.

    use inventory::{HistoryEntry, ImageInfo, LayerInfo};

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
}

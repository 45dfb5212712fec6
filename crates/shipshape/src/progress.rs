//! A progress bar for layer reading, drawn on standard error only when it is a terminal.

use indicatif::{ProgressBar, ProgressStyle};

/// Feeds an indicatif bar from inventory progress callbacks.
pub struct LayerBar {
    bar: ProgressBar,
}

impl LayerBar {
    pub fn new(label: &str) -> LayerBar {
        let bar = ProgressBar::new(0);
        let style = ProgressStyle::with_template(
            "{spinner} {msg} [{bar:30}] {bytes}/{total_bytes} ({eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(label.to_string());
        LayerBar { bar }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl inventory::Progress for LayerBar {
    fn start(&self, layers: usize, total_bytes: Option<u64>) {
        self.bar.set_length(total_bytes.unwrap_or(0));
        self.bar
            .set_message(format!("{} ({layers} layers)", self.bar.message()));
    }
    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }
    fn layer_done(&self, _index: usize) {}
}

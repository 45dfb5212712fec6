//! Which history entry of an image config made which layer.
//!
//! The rule, the only one in shipshape: the entries not marked `empty_layer` made the
//! layers, in order, bottom first: the n-th such entry made layer n. Builders write one
//! entry per build step and mark the steps that changed no files (`ENV`, `CMD`, a BuildKit
//! `RUN` that wrote nothing), so the unmarked entries and the layers normally pair up
//! exactly.
//!
//! When history records more or fewer layer-making entries than the image has layers (an
//! image squashed or rebuilt by a tool that drops history, or no history at all), the
//! pairing is not exact ([`LayerHistory::is_exact`]). Callers then choose by what a wrong
//! pairing would cost:
//!
//! * the per-layer `created_by` of the inventory still pairs in order as far as both go
//!   (the bottom layers take the first entries) and the inventory says so with a
//!   diagnostic ([`crate::diagnostics::LAYER_MISMATCH`]);
//! * Dockerfile attribution and base image detection from history use nothing.

use crate::model::{HistoryEntry, ImageInfo};

/// The pairing of an image's layers with the history entries that made them (see the
/// module docs for the rule).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerHistory {
    /// The index in history of each entry that made a layer, in order.
    made: Vec<usize>,
    /// How many entries history has, empty-layer ones included.
    entries: usize,
    /// How many layers the image has.
    layers: usize,
}

impl LayerHistory {
    /// Pairs `history` (every entry, in order) with `layer_count` layers.
    pub fn new(history: &[HistoryEntry], layer_count: usize) -> LayerHistory {
        LayerHistory {
            made: history
                .iter()
                .enumerate()
                .filter(|(_, h)| !h.empty_layer)
                .map(|(i, _)| i)
                .collect(),
            entries: history.len(),
            layers: layer_count,
        }
    }

    /// How many history entries made a layer (are not marked `empty_layer`).
    pub fn made_layers(&self) -> usize {
        self.made.len()
    }

    /// Whether history is not empty and its layer-making entries are exactly as many as
    /// the layers, so that every layer has its entry and every such entry its layer.
    pub fn is_exact(&self) -> bool {
        self.entries > 0 && self.made.len() == self.layers
    }

    /// The history index of the entry that made `layer`; `None` when history has no entry
    /// for it (fewer layer-making entries than layers) or the image has no such layer.
    pub fn entry(&self, layer: usize) -> Option<usize> {
        self.made
            .get(layer)
            .copied()
            .filter(|_| layer < self.layers)
    }

    /// The layer history entry `entry` made; `None` for an `empty_layer` entry, and for a
    /// layer-making entry beyond the image's last layer.
    pub fn layer(&self, entry: usize) -> Option<usize> {
        self.made
            .binary_search(&entry)
            .ok()
            .filter(|&l| l < self.layers)
    }

    /// `(layer, entry)` for each layer that has its entry, bottom first.
    pub fn pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.made.iter().copied().enumerate().take(self.layers)
    }

    /// How many layers the history entries before index `end` made: the index of the
    /// layer the next layer-making entry from `end` on made.
    pub fn layers_below(&self, end: usize) -> usize {
        self.made.partition_point(|&e| e < end)
    }
}

impl ImageInfo {
    /// The pairing of this image's history with its `layer_count` layers.
    pub fn layer_history(&self, layer_count: usize) -> LayerHistory {
        LayerHistory::new(&self.history, layer_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(empty: &[bool]) -> Vec<HistoryEntry> {
        empty
            .iter()
            .map(|&empty_layer| HistoryEntry {
                empty_layer,
                ..HistoryEntry::default()
            })
            .collect()
    }

    /// Validates the exact pairing: unmarked entries take the layers in order, marked
    /// entries make none.
    #[test]
    fn pairs_layer_making_entries_in_order() {
        let h = history(&[false, true, false, true, false, true]);
        let p = LayerHistory::new(&h, 3);
        assert!(p.is_exact());
        assert_eq!(p.made_layers(), 3);
        assert_eq!(p.pairs().collect::<Vec<_>>(), [(0, 0), (1, 2), (2, 4)]);
        assert_eq!(
            (0..4).map(|l| p.entry(l)).collect::<Vec<_>>(),
            [Some(0), Some(2), Some(4), None]
        );
        assert_eq!(
            (0..7).map(|e| p.layer(e)).collect::<Vec<_>>(),
            [Some(0), None, Some(1), None, Some(2), None, None]
        );
        assert_eq!(
            (0..7).map(|e| p.layers_below(e)).collect::<Vec<_>>(),
            [0, 1, 1, 2, 2, 3, 3]
        );
    }

    /// Validates count mismatches: the bottom layers still take the first entries, but the
    /// pairing is not exact; no history is never exact.
    #[test]
    fn mismatches_pair_as_far_as_both_go() {
        let h = history(&[false, false, true, false]);
        let more_layers = LayerHistory::new(&h, 4);
        assert!(!more_layers.is_exact());
        assert_eq!(more_layers.entry(2), Some(3));
        assert_eq!(more_layers.entry(3), None);
        let fewer_layers = LayerHistory::new(&h, 2);
        assert!(!fewer_layers.is_exact());
        assert_eq!(fewer_layers.made_layers(), 3);
        assert_eq!(fewer_layers.pairs().collect::<Vec<_>>(), [(0, 0), (1, 1)]);
        assert_eq!(fewer_layers.entry(2), None);
        assert_eq!(fewer_layers.layer(3), None);
        assert!(!LayerHistory::new(&[], 0).is_exact());
        assert!(LayerHistory::new(&history(&[true]), 0).is_exact());
    }
}

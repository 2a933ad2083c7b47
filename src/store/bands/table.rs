//! The band index's sorted table of `(band key, slot)` pairs, with a directory of where
//! each run of band keys starts.

/// `(band key, slot)` pairs in order, 8 bytes a pair (a hash map rounds its table up to a
/// power of two and took 20 bytes a pair at a million items).
#[derive(Default)]
pub(super) struct Table {
    pairs: Vec<(u32, u32)>,
    /// Where the pairs whose band keys begin with the same `bits` bits start in `pairs`
    /// (one more at the end): a lookup reads one short run, not the whole table.
    starts: Vec<u32>,
    bits: u32,
}

impl Table {
    /// The table of `pairs`, which are in order.
    pub(super) fn new(pairs: Vec<(u32, u32)>) -> Table {
        let mut table = Table {
            pairs,
            ..Table::default()
        };
        table.index();
        table
    }

    pub(super) fn pairs(&self) -> &[(u32, u32)] {
        &self.pairs
    }

    pub(super) fn len(&self) -> usize {
        self.pairs.len()
    }

    /// The pairs with this band key.
    pub(super) fn run(&self, band: u32) -> &[(u32, u32)] {
        if self.starts.is_empty() {
            return &[];
        }
        let run = (band >> (32 - self.bits)) as usize;
        let run = &self.pairs[self.starts[run] as usize..self.starts[run + 1] as usize];
        let start = run.partition_point(|(key, _)| *key < band);
        let end = start + run[start..].partition_point(|(key, _)| *key == band);
        &run[start..end]
    }

    /// Drops the pairs of the slots `keep` turns down and merges the sorted `fresh` ones in.
    pub(super) fn update(&mut self, keep: impl Fn(u32) -> bool, fresh: &[(u32, u32)]) {
        self.pairs.retain(|(_, slot)| keep(*slot));
        self.pairs.reserve_exact(fresh.len());
        merge_into(&mut self.pairs, fresh);
        self.index();
    }

    /// Rebuilds `starts`: 8 to 16 pairs per run.
    fn index(&mut self) {
        let bits = (usize::BITS - self.pairs.len().leading_zeros())
            .saturating_sub(4)
            .clamp(8, 24);
        let mut starts = vec![0u32; (1 << bits) + 1];
        for (band, _) in &self.pairs {
            starts[(band >> (32 - bits)) as usize + 1] += 1;
        }
        for at in 1..starts.len() {
            starts[at] += starts[at - 1];
        }
        self.starts = starts;
        self.bits = bits;
    }
}

/// Merges the sorted `fresh` pairs into the sorted table, from the back, in the room the
/// table grows by. Written by hand: the standard library's stable sort merges two sorted
/// runs in one pass too, but takes scratch space as long as the table up to a million
/// pairs and half of it beyond (5.6 MB seen at 50,000 items; 64 MB at a million by that
/// rule).
fn merge_into(sorted: &mut Vec<(u32, u32)>, fresh: &[(u32, u32)]) {
    let mut old = sorted.len();
    let mut new = fresh.len();
    sorted.resize(old + new, (0, 0));
    while new > 0 {
        let at = old + new - 1;
        if old > 0 && sorted[old - 1] > fresh[new - 1] {
            sorted[at] = sorted[old - 1];
            old -= 1;
        } else {
            sorted[at] = fresh[new - 1];
            new -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_into_the_table_gives_the_pairs_in_order() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        for (old, new) in [(0, 0), (0, 5), (5, 0), (1, 1), (300, 40), (40, 300)] {
            // Few band keys, so that equal keys meet across the two runs.
            let mut draw = |count: usize| -> Vec<(u32, u32)> {
                let mut pairs: Vec<_> = (0..count)
                    .map(|_| (rng.random_range(0..50), rng.random()))
                    .collect();
                pairs.sort_unstable();
                pairs
            };
            let (mut sorted, fresh) = (draw(old), draw(new));
            let mut expected = [sorted.clone(), fresh.clone()].concat();
            expected.sort_unstable();
            merge_into(&mut sorted, &fresh);
            assert_eq!(sorted, expected, "{old} + {new}");
        }
    }
}

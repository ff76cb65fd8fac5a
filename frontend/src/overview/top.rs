//! Picking the few largest values out of many, and a part's share of a whole: the overview's
//! "who is heavy" lists, made each refresh from up to tens of thousands of pods.

/// How many entries each list shows.
pub const LIMIT: usize = 10;

/// Positions and values of the `k` largest values, largest first; equal values keep their
/// order in `values` (the rows' display order), and absent values (no usage) are skipped.
///
/// One pass keeping a short sorted buffer: most values lose a single comparison against the
/// smallest kept, so there is no sort of all rows and no allocation per row. A `dyn`
/// iterator keeps this one function in the wasm whatever the rows are.
pub fn top(values: &mut dyn Iterator<Item = Option<u64>>, k: usize) -> Vec<(usize, u64)> {
    let mut best: Vec<(usize, u64)> = Vec::with_capacity(k + 1);
    for (i, value) in values.enumerate() {
        let Some(value) = value else { continue };
        if best.len() == k && best.last().is_none_or(|&(_, min)| value <= min) {
            continue;
        }
        // After the equal values already kept, which came first.
        let at = best.partition_point(|&(_, v)| v >= value);
        best.insert(at, (i, value));
        best.truncate(k);
    }
    best
}

/// `part` as a share of `whole` in basis points (hundredths of a percent), rounded to the
/// nearest; `None` when `whole` is zero.
pub fn share_bp(part: u64, whole: u64) -> Option<u64> {
    // In floating point: a large cluster's nanocores times 10 000 pass u64's range, and
    // 128-bit division would add its own code to the wasm.
    (whole > 0).then(|| (part as f64 * 10_000.0 / whole as f64).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top_of(values: &[Option<u64>], k: usize) -> Vec<(usize, u64)> {
        top(&mut values.iter().copied(), k)
    }

    #[test]
    fn keeps_the_largest_in_order() {
        let values: Vec<Option<u64>> = (0..1000u64).map(|v| Some((v * 7919) % 1000)).collect();
        let picked = top_of(&values, LIMIT);
        let mut sorted: Vec<(usize, u64)> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((i, (*v)?)))
            .collect();
        sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        sorted.truncate(LIMIT);
        assert_eq!(picked, sorted);
        assert_eq!(picked.first().map(|p| p.1), Some(999));
    }

    #[test]
    fn ties_keep_the_rows_order() {
        let values = [Some(5), Some(9), Some(5), Some(9), Some(5), Some(1)];
        assert_eq!(top_of(&values, 4), [(1, 9), (3, 9), (0, 5), (2, 5)]);
        assert_eq!(top_of(&values, 3), [(1, 9), (3, 9), (0, 5)]);
    }

    #[test]
    fn rows_without_usage_are_left_out() {
        let values = [None, Some(0), None, Some(3)];
        assert_eq!(top_of(&values, LIMIT), [(3, 3), (1, 0)]);
        assert!(top_of(&[None, None], LIMIT).is_empty());
        assert!(top_of(&values, 0).is_empty());
        assert!(top_of(&[], LIMIT).is_empty());
    }

    #[test]
    fn shares_are_basis_points() {
        assert_eq!(share_bp(1, 3), Some(3333));
        assert_eq!(share_bp(2, 3), Some(6667));
        assert_eq!(share_bp(5, 5), Some(10_000));
        assert_eq!(share_bp(0, 5), Some(0));
        assert_eq!(share_bp(5, 0), None);
        let big = 4_000_000_000_000_000;
        assert_eq!(share_bp(big / 4, big), Some(2500));
    }
}

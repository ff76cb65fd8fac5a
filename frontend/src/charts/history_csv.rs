//! A chart's history as CSV: one row per sample time, one column per line, in base units
//! (nanocores, bytes, bytes per second) as whole numbers.

use super::line_chart::SeriesStyle;

/// `time,usage,requests,…` then a row per sample, oldest first, its time written by `time`;
/// gaps (and lines with no series) are empty fields. Series shorter than `times` line up with
/// its newest end.
pub fn history_csv(
    styles: &[SeriesStyle],
    times: &[i64],
    values: &[Vec<Option<u64>>],
    time: fn(i64) -> String,
) -> String {
    let mut out = String::from("time");
    for style in styles {
        out.push(',');
        out.push_str(style.name);
    }
    out.push_str("\r\n");
    for (i, &at_ms) in times.iter().enumerate() {
        out.push_str(&time(at_ms));
        for line in 0..styles.len() {
            out.push(',');
            let series = values.get(line).map_or(&[][..], Vec::as_slice);
            let at = (i + series.len()).checked_sub(times.len());
            if let Some(Some(v)) = at.and_then(|at| series.get(at)) {
                out.push_str(&v.to_string());
            }
        }
        out.push_str("\r\n");
    }
    out
}

/// Live lines in whole base units: the buffers hold f32, so finer digits are not real.
pub fn whole_units(values: &[Vec<f32>]) -> Vec<Vec<Option<u64>>> {
    values
        .iter()
        .map(|s| {
            s.iter()
                .map(|v| v.is_finite().then(|| v.round() as u64))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STYLES: [SeriesStyle; 2] = [
        SeriesStyle {
            name: "usage",
            class: "a",
        },
        SeriesStyle {
            name: "limits",
            class: "b",
        },
    ];

    #[test]
    fn rows_per_time_columns_per_line() {
        let csv = history_csv(
            &STYLES,
            &[1_700_000_000_000, 1_700_000_002_000],
            &whole_units(&[vec![250_000_000.0, 1.6], vec![f32::NAN, 5e8]]),
            |ms| ms.to_string(),
        );
        assert_eq!(
            csv,
            "time,usage,limits\r\n\
             1700000000000,250000000,\r\n\
             1700000002000,2,500000000\r\n"
        );
    }

    #[test]
    fn short_series_line_up_with_the_newest_time() {
        let csv = history_csv(
            &STYLES[..1],
            &[1_000, 2_000, 3_000],
            &[vec![Some(7)]],
            |ms| ms.to_string(),
        );
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(rows.len(), 4);
        assert_eq!(&rows[1..3], ["1000,", "2000,"]);
        assert_eq!(rows[3], "3000,7");
    }

    #[test]
    fn wire_integers_are_written_exactly() {
        let csv = history_csv(
            &STYLES[..1],
            &[1_000],
            &[vec![Some(123_456_789_012)]],
            |ms| ms.to_string(),
        );
        assert_eq!(csv, "time,usage\r\n1000,123456789012\r\n");
    }

    #[test]
    fn a_missing_series_is_an_empty_column() {
        let csv = history_csv(&STYLES, &[1_000], &[vec![Some(3)]], |ms| ms.to_string());
        assert_eq!(csv, "time,usage,limits\r\n1000,3,\r\n");
    }
}

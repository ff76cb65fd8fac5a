//! Reading a Prometheus HTTP API answer (`/api/v1/query_range`): a matrix of series, or the
//! source's own error. Pure.

use std::collections::BTreeMap;

use serde::Deserialize;

/// One series of a matrix: its labels and `(Unix seconds, value)` samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The series' labels (after aggregation: often none).
    pub labels: BTreeMap<String, String>,
    /// Samples, oldest first.
    pub samples: Vec<(f64, f64)>,
}

/// Why an answer gave no series.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// The source said the query failed (`"status":"error"`).
    #[error("the history source refused the query ({kind}): {message}")]
    Refused {
        /// `errorType`, e.g. `bad_data`, `timeout`.
        kind: String,
        /// `error`.
        message: String,
    },
    /// Not the Prometheus API's JSON.
    #[error("the history source's answer is not Prometheus API JSON: {0}")]
    NotPrometheus(String),
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: Vec<Raw>,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    #[serde(default)]
    values: Vec<(f64, String)>,
}

/// The series of a `query_range` answer. Values come as strings (`"0.25"`, `"NaN"`,
/// `"+Inf"`); those that do not parse are left out.
pub fn matrix(body: &[u8]) -> Result<Vec<Series>, AnswerError> {
    let envelope: Envelope =
        serde_json::from_slice(body).map_err(|e| AnswerError::NotPrometheus(e.to_string()))?;
    if envelope.status != "success" {
        return Err(AnswerError::Refused {
            kind: envelope.error_type.unwrap_or_else(|| "unknown".into()),
            message: envelope.error.unwrap_or_default(),
        });
    }
    let data = envelope
        .data
        .ok_or_else(|| AnswerError::NotPrometheus("no data".into()))?;
    if data.result_type != "matrix" {
        return Err(AnswerError::NotPrometheus(format!(
            "a {} where a matrix was expected",
            data.result_type
        )));
    }
    Ok(data
        .result
        .into_iter()
        .map(|raw| Series {
            labels: raw.metric,
            samples: raw
                .values
                .into_iter()
                .filter_map(|(t, v)| v.parse::<f64>().ok().map(|v| (t, v)))
                .collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_matrix() {
        let body = br#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{},"values":[[1700000000,"0.25"],[1700000060,"NaN"],[1700000120,"bad"]]},
            {"metric":{"namespace":"shop","pod":"a"},"values":[[1700000000.5,"1e3"]]}]}}"#;
        let series = matrix(body).expect("a matrix");
        assert_eq!(series.len(), 2);
        assert_eq!(series[0].samples.len(), 2);
        assert_eq!(series[0].samples[0], (1_700_000_000.0, 0.25));
        assert!(series[0].samples[1].1.is_nan());
        assert_eq!(series[1].labels["pod"], "a");
        assert_eq!(series[1].samples, vec![(1_700_000_000.5, 1000.0)]);
    }

    #[test]
    fn the_sources_error_is_kept() {
        let body = br#"{"status":"error","errorType":"bad_data","error":"parse error at char 5"}"#;
        assert_eq!(
            matrix(body),
            Err(AnswerError::Refused {
                kind: "bad_data".into(),
                message: "parse error at char 5".into()
            })
        );
    }

    #[test]
    fn other_answers_are_not_prometheus() {
        for body in [
            &b"<html>login</html>"[..],
            br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#,
            br#"{"status":"success"}"#,
            b"",
        ] {
            assert!(
                matches!(matrix(body), Err(AnswerError::NotPrometheus(_))),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}

//! `anomalydetection [method=histogram] [action=filter|annotate] [pthresh=P] fields`, as far
//! as Splunk documents its default method: an event's probability is the product of the
//! frequencies of its field values (a categorical value: its count over the number of
//! events; a numeric field: the share of events in the histogram bin of its value). Events
//! below the threshold are anomalous.
//!
//! Not documented, so chosen here (UNVERIFIED): the threshold without `pthresh` is 0.01
//! (`anomalousvalue`'s documented default); numeric histograms have 10 equal-width bins; a
//! numeric field is one whose every present value is a number; `probable_cause` is the
//! field with the lowest frequency. Annotations: `log_event_prob` (natural log),
//! `probable_cause`, `probable_cause_freq`, `max_freq` (the highest frequency among the
//! event's fields), on anomalous events only.

use std::collections::{BTreeSet, HashMap};

use super::{known_options, option};
use crate::engine::EngineError;
use crate::eval::value::{format_number, parse_number};
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::{CmdOption, Ident};

/// The probability below which an event is anomalous when `pthresh` is not given.
pub const DEFAULT_PTHRESH: f64 = 0.01;
/// Bins of a numeric field's histogram.
pub const NUMERIC_BINS: usize = 10;

pub fn run(f: &mut Frame, options: &[CmdOption], fields: &[Ident]) -> Result<(), EngineError> {
    known_options(options, &["method", "action", "pthresh", "cutoff"], "anomalydetection")?;
    if let Some(m) = option(options, "method") {
        if !m.value.text.eq_ignore_ascii_case("histogram") {
            return Err(EngineError::new(
                "spelunk::unsupported",
                format!("`anomalydetection method={}` is not supported (only the histogram method)", m.value.text),
                m.value.span,
                "not supported",
            ));
        }
    }
    let annotate = match option(options, "action").map(|o| (o, o.value.text.to_ascii_lowercase())) {
        None => false,
        Some((_, a)) if a == "filter" => false,
        Some((_, a)) if a == "annotate" => true,
        Some((o, a)) => {
            return Err(EngineError::new(
                "spelunk::unsupported",
                format!("`anomalydetection action={a}` is not supported (filter or annotate)"),
                o.value.span,
                "not supported",
            ))
        }
    };
    let pthresh = match option(options, "pthresh") {
        None => DEFAULT_PTHRESH,
        Some(o) => parse_number(&o.value.text).ok_or_else(|| {
            EngineError::new("spelunk::option", "`pthresh` must be a number", o.value.span, "not a number")
        })?,
    };
    let names: Vec<String> = if fields.is_empty() {
        f.ensure_all();
        f.names().into_iter().filter(|n| !n.starts_with('_')).collect()
    } else {
        fields.iter().map(|i| i.name.clone()).collect()
    };
    f.ensure(&names.iter().cloned().collect::<BTreeSet<_>>());
    let n = f.height();
    if n == 0 {
        return Ok(());
    }
    // Each field's frequency per row (None where the field is absent).
    let mut freqs: Vec<(String, Vec<Option<f64>>)> = Vec::new();
    for name in &names {
        let col = f.values(name);
        let firsts: Vec<Option<&String>> = col.iter().map(|v| v.values().first()).collect();
        let numeric: Option<Vec<Option<f64>>> =
            firsts.iter().map(|v| v.map(|s| parse_number(s)).map_or(Some(None), |p| p.map(Some))).collect();
        let per_row: Vec<Option<f64>> = match numeric {
            Some(nums) if nums.iter().any(Option::is_some) => {
                let present: Vec<f64> = nums.iter().flatten().copied().collect();
                let (lo, hi) =
                    present.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
                let width = (hi - lo) / NUMERIC_BINS as f64;
                let bin = |x: f64| if width == 0.0 { 0 } else { (((x - lo) / width) as usize).min(NUMERIC_BINS - 1) };
                let mut counts = [0usize; NUMERIC_BINS];
                for &x in &present {
                    counts[bin(x)] += 1;
                }
                nums.iter().map(|x| x.map(|x| counts[bin(x)] as f64 / n as f64)).collect()
            }
            _ => {
                let mut counts: HashMap<&String, usize> = HashMap::new();
                for v in firsts.iter().flatten() {
                    *counts.entry(v).or_insert(0) += 1;
                }
                firsts.iter().map(|v| v.map(|v| counts[v] as f64 / n as f64)).collect()
            }
        };
        freqs.push((name.clone(), per_row));
    }
    let mut keep = vec![true; n];
    let mut cols: [Vec<Value>; 4] = std::array::from_fn(|_| vec![Value::Null; n]);
    // Frequencies and their products repeat across rows: each number is shown once.
    let mut shown: HashMap<u64, String> = HashMap::new();
    let mut show = |x: f64| Value::Str(shown.entry(x.to_bits()).or_insert_with(|| format_number(x)).clone());
    for row in 0..n {
        let present: Vec<(&String, f64)> = freqs.iter().filter_map(|(name, v)| v[row].map(|p| (name, p))).collect();
        let p: f64 = present.iter().map(|(_, p)| p).product();
        let anomalous = !present.is_empty() && p < pthresh;
        keep[row] = anomalous;
        if anomalous {
            let (cause, cause_freq) = present.iter().min_by(|a, b| a.1.total_cmp(&b.1)).expect("not empty");
            let max = present.iter().map(|(_, p)| *p).fold(0.0, f64::max);
            cols[0][row] = show(p.ln());
            cols[1][row] = Value::Str((*cause).clone());
            cols[2][row] = show(*cause_freq);
            cols[3][row] = show(max);
        }
    }
    if annotate {
        for (name, col) in ["log_event_prob", "probable_cause", "probable_cause_freq", "max_freq"].iter().zip(&cols) {
            f.set(name, col);
        }
    } else {
        f.filter(&keep);
    }
    Ok(())
}

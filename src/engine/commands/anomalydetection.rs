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
use crate::frame::{FieldValues, Frame, RowCodes};
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
    let (keep, annotations) = {
        // Each field's cells as codes (a multivalue by its first value), and each code's
        // frequency: a row's frequency is its code's, worked out once per distinct value.
        let direct: Vec<Option<RowCodes>> = names.iter().map(|name| f.row_codes(name)).collect();
        let listed: Vec<Option<FieldValues>> =
            direct.iter().zip(&names).map(|(d, name)| d.is_none().then(|| f.read(name))).collect();
        let codes: Vec<RowCodes> = direct
            .into_iter()
            .zip(&listed)
            .map(|(d, l)| match (d, l) {
                (Some(d), _) => d,
                (None, Some(values)) => {
                    RowCodes::interned((0..n).map(|row| values.get(row).values().first().map(String::as_str)))
                }
                (None, None) => unreachable!("a field is read when it has no codes"),
            })
            .collect();
        let freqs: Vec<Vec<Option<f64>>> = codes.iter().map(|c| frequencies(c, n)).collect();
        judge(&codes, &freqs, &names, n, pthresh)
    };
    if annotate {
        let names = ["log_event_prob", "probable_cause", "probable_cause_freq", "max_freq"];
        for (k, name) in names.iter().enumerate() {
            f.set_text(name, annotations.rows.iter().map(|r| r.map(|r| annotations.text[r[k] as usize].as_str())));
        }
    } else {
        f.filter(&keep);
    }
    Ok(())
}

/// Each code's frequency (`None` for code 0, no value): a categorical value's count over the
/// `n` rows; for a numeric field (every present value a number), the share of rows in its
/// value's histogram bin.
fn frequencies(codes: &RowCodes, n: usize) -> Vec<Option<f64>> {
    let dict = codes.dict();
    let mut counts = vec![0usize; dict.len() + 1];
    for row in 0..n {
        counts[codes.code(row) as usize] += 1;
    }
    let used = || (1..=dict.len()).filter(|&c| counts[c] > 0);
    let numbers: Option<Vec<(usize, f64)>> = used().map(|c| parse_number(dict[c - 1]).map(|x| (c, x))).collect();
    let mut freq = vec![None; dict.len() + 1];
    match numbers {
        Some(numbers) if !numbers.is_empty() => {
            let (lo, hi) =
                numbers.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &(_, x)| (a.min(x), b.max(x)));
            let width = (hi - lo) / NUMERIC_BINS as f64;
            let bin = |x: f64| if width == 0.0 { 0 } else { (((x - lo) / width) as usize).min(NUMERIC_BINS - 1) };
            let mut in_bin = [0usize; NUMERIC_BINS];
            for &(c, x) in &numbers {
                in_bin[bin(x)] += counts[c];
            }
            for (c, x) in numbers {
                freq[c] = Some(in_bin[bin(x)] as f64 / n as f64);
            }
        }
        _ => {
            for c in used() {
                freq[c] = Some(counts[c] as f64 / n as f64);
            }
        }
    }
    freq
}

/// The annotations of anomalous rows: for each, the places in `text` of its
/// `log_event_prob`, `probable_cause`, `probable_cause_freq` and `max_freq`; numbers
/// repeat across rows, so each is written once.
struct Annotations {
    rows: Vec<Option<[u32; 4]>>,
    text: Vec<String>,
}

/// Which rows are anomalous (their probability, the product of their fields'
/// frequencies, below `pthresh`), and their annotations.
fn judge(
    codes: &[RowCodes],
    freqs: &[Vec<Option<f64>>],
    names: &[String],
    n: usize,
    pthresh: f64,
) -> (Vec<bool>, Annotations) {
    let mut keep = vec![true; n];
    let mut text: Vec<String> = names.to_vec();
    let mut shown: HashMap<u64, u32> = HashMap::new();
    let mut show = |x: f64| {
        *shown.entry(x.to_bits()).or_insert_with(|| {
            text.push(format_number(x));
            text.len() as u32 - 1
        })
    };
    let mut rows = vec![None; n];
    let mut present: Vec<(usize, f64)> = Vec::with_capacity(codes.len());
    for row in 0..n {
        present.clear();
        present.extend(
            codes.iter().zip(freqs).enumerate().filter_map(|(k, (c, fr))| fr[c.code(row) as usize].map(|p| (k, p))),
        );
        let p: f64 = present.iter().map(|(_, p)| p).product();
        let anomalous = !present.is_empty() && p < pthresh;
        keep[row] = anomalous;
        if anomalous {
            let (cause, cause_freq) = *present.iter().min_by(|a, b| a.1.total_cmp(&b.1)).expect("not empty");
            let max = present.iter().map(|(_, p)| *p).fold(0.0, f64::max);
            rows[row] = Some([show(p.ln()), cause as u32, show(cause_freq), show(max)]);
        }
    }
    (keep, Annotations { rows, text })
}

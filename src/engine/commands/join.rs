//! `join [type=inner|left|outer] [max=N] [overwrite=bool] fields [subsearch]`
//! (docs/spl-semantics.md 7.5).

use std::collections::{BTreeSet, HashMap};

use super::append::MAXOUT;
use super::{bool_option, count_option, known_options, option, Cx};
use crate::engine::EngineError;
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::Join;

pub fn run<'d>(f: &mut Frame<'d>, j: &Join, cx: &Cx<'d>) -> Result<(), EngineError> {
    known_options(&j.options, &["type", "max", "overwrite", "usetime", "earlier"], "join")?;
    let left = match option(&j.options, "type").map(|o| o.value.text.to_ascii_lowercase()) {
        None => false,
        Some(t) if t == "inner" => false,
        Some(t) if t == "left" || t == "outer" => true,
        Some(t) => {
            let o = option(&j.options, "type").expect("given");
            return Err(EngineError::new(
                "spelunk::join",
                format!("join type `{t}` is not inner, left or outer"),
                o.value.span,
                "here",
            ));
        }
    };
    if bool_option(&j.options, "usetime", false)? {
        let o = option(&j.options, "usetime").expect("given");
        return Err(EngineError::new("spelunk::unsupported", "`join usetime=true` is not supported", o.span, "here"));
    }
    let max = count_option(&j.options, "max")?.unwrap_or(1) as usize;
    let overwrite = bool_option(&j.options, "overwrite", true)?;

    let mut sub = super::pipeline(&j.subsearch, cx)?;
    if sub.is_events() {
        sub.ensure_all();
    }
    sub.slice(0, MAXOUT.min(sub.height()));
    let sub_names = sub.names();
    let fields: Vec<String> = if j.fields.is_empty() {
        f.ensure_all();
        let mine: BTreeSet<String> = f.names().into_iter().collect();
        sub_names.iter().filter(|n| mine.contains(*n)).cloned().collect()
    } else {
        j.fields.iter().map(|i| i.name.clone()).collect()
    };
    f.ensure(&fields.iter().cloned().chain(sub_names.iter().cloned()).collect());

    // Subsearch rows by their join values, in subsearch order. Values compare exactly
    // (case-sensitive, UNVERIFIED).
    let sub_keys: Vec<Vec<Value>> = fields.iter().map(|n| sub.values(n)).collect();
    let mut index: HashMap<Vec<&[String]>, Vec<usize>> = HashMap::new();
    for row in 0..sub.height() {
        let key: Vec<&[String]> = sub_keys.iter().map(|c| c[row].values()).collect();
        if key.iter().all(|v| !v.is_empty()) {
            index.entry(key).or_default().push(row);
        }
    }
    let main_keys: Vec<Vec<Value>> = fields.iter().map(|n| f.values(n)).collect();
    let mut pairs: Vec<(usize, Option<usize>)> = Vec::new();
    for row in 0..f.height() {
        let key: Vec<&[String]> = main_keys.iter().map(|c| c[row].values()).collect();
        match index.get(&key) {
            Some(matches) => {
                let n = if max == 0 { matches.len() } else { max.min(matches.len()) };
                pairs.extend(matches[..n].iter().map(|&s| (row, Some(s))));
            }
            None if left => pairs.push((row, None)),
            None => {}
        }
    }
    if pairs.len() > cx.limits.max_rows {
        return Err(EngineError::new(
            "spelunk::limit",
            format!("`join` would make {} rows, more than the limit of {}", pairs.len(), cx.limits.max_rows),
            j.subsearch.span,
            "this join",
        ));
    }
    f.take(&pairs.iter().map(|(m, _)| *m).collect::<Vec<_>>());
    for name in sub_names.iter().filter(|n| !fields.contains(n)) {
        let theirs = sub.values(name);
        let mut mine = f.values(name);
        for (k, (_, s)) in pairs.iter().enumerate() {
            let Some(s) = s else { continue };
            let v = &theirs[*s];
            if !v.is_null() && (overwrite || mine[k].is_null()) {
                mine[k] = v.clone();
            }
        }
        f.set(name, &mine);
    }
    Ok(())
}

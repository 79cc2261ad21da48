//! `sort [N] [+|-]field ... [desc]` (docs/spl-semantics.md 5.6), and the collation rule
//! that `dedup sortby` shares.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use super::{count_option, known_options};
use crate::engine::EngineError;
use crate::eval::value::parse_number;
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::{Sort, SortKey};

/// Rows sorted by `keys`: a stable sort, rows missing a key last whichever the direction.
pub fn run(f: &mut Frame, s: &Sort) -> Result<(), EngineError> {
    known_options(&s.options, &["limit"], "sort")?;
    let limit = match s.count.or(count_option(&s.options, "limit")?) {
        None => 10_000,
        Some(0) => usize::MAX,
        Some(n) => n as usize,
    };
    let mut order = sorted_rows(f, &s.keys, s.reverse);
    order.truncate(limit);
    f.take(&order);
    Ok(())
}

/// Row indices in the order `keys` give.
pub fn sorted_rows(f: &mut Frame, keys: &[SortKey], reverse: bool) -> Vec<usize> {
    let names: BTreeSet<String> = keys.iter().map(|k| k.field.name.clone()).collect();
    f.ensure(&names);
    let columns: Vec<Vec<Value>> = keys.iter().map(|k| f.values(&k.field.name)).collect();
    let mut order: Vec<usize> = (0..f.height()).collect();
    order.sort_by(|&a, &b| {
        for (k, col) in keys.iter().zip(&columns) {
            let o = compare_cells(&col[a], &col[b], k.func.as_deref(), k.descending != reverse);
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
    order
}

/// Two cells for sorting: a missing value after every present one in both directions;
/// present values by [`collate`], reversed when `descending`. A multivalue sorts by its
/// first value (UNVERIFIED).
fn compare_cells(a: &Value, b: &Value, func: Option<&str>, descending: bool) -> Ordering {
    match (a.values().first(), b.values().first()) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => {
            let o = collate(x, y, func);
            if descending {
                o.reverse()
            } else {
                o
            }
        }
    }
}

/// Splunk's sort collation: numbers as numbers, IPv4 addresses in address order, anything
/// else in byte order (uppercase before lowercase). Between kinds, numbers come before
/// addresses and addresses before text, so that the order is total (the docs compare
/// per pair; mixed pairs are UNVERIFIED). `num(f)`, `str(f)`, `ip(f)` force one reading.
pub fn collate(a: &str, b: &str, func: Option<&str>) -> Ordering {
    // (kind, number, address): kind 0 number, 1 IPv4 address, 2 text.
    let read = |s: &str| -> (u8, f64, u32) {
        match func {
            Some("str") => (2, 0.0, 0),
            Some("ip") => s.parse::<Ipv4Addr>().map_or((2, 0.0, 0), |ip| (1, 0.0, u32::from(ip))),
            Some("num") => parse_number(s).map_or((2, 0.0, 0), |n| (0, n, 0)),
            _ => match parse_number(s) {
                Some(n) => (0, n, 0),
                None => s.parse::<Ipv4Addr>().map_or((2, 0.0, 0), |ip| (1, 0.0, u32::from(ip))),
            },
        }
    };
    let (ka, na, ia) = read(a);
    let (kb, nb, ib) = read(b);
    ka.cmp(&kb).then_with(|| match ka {
        0 => na.total_cmp(&nb),
        1 => ia.cmp(&ib),
        _ => a.as_bytes().cmp(b.as_bytes()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collation() {
        let mut v = vec!["10", "9", "100", "abc", "B", "10.0.0.2", "9.1.1.1"];
        v.sort_by(|a, b| collate(a, b, None));
        assert_eq!(v, ["9", "10", "100", "9.1.1.1", "10.0.0.2", "B", "abc"]);
        assert_eq!(collate("10", "9", Some("str")), Ordering::Less);
    }
}

//! Which fields an expression or a search reads: the planner asks this to decide which
//! fields to extract, and the knowledge layer to know which JSON fields its rules need.

use std::collections::BTreeSet;

use super::ast::{AggArg, Aggregation, Expr, ExprKind, SearchExpr, SearchKind, Stats};

/// Every field `e` reads. `*` wildcards in names are kept as written (callers decide what a
/// pattern means).
pub fn expr_fields(e: &Expr, out: &mut BTreeSet<String>) {
    match &e.kind {
        ExprKind::Field(name) => {
            out.insert(name.clone());
        }
        ExprKind::Str(_) | ExprKind::Num(_) => {}
        ExprKind::Call { args, .. } => args.iter().for_each(|a| expr_fields(a, out)),
        ExprKind::Unary { expr, .. } => expr_fields(expr, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            expr_fields(lhs, out);
            expr_fields(rhs, out);
        }
        ExprKind::In { expr, list } => {
            expr_fields(expr, out);
            list.iter().for_each(|a| expr_fields(a, out));
        }
    }
}

/// Every field a search expression reads; a bare term or phrase reads `_raw`. Subsearches
/// are not entered (their fields come from their own events).
pub fn search_fields(e: &SearchExpr, out: &mut BTreeSet<String>) {
    match &e.kind {
        SearchKind::And(items) | SearchKind::Or(items) => items.iter().for_each(|i| search_fields(i, out)),
        SearchKind::Not(inner) => search_fields(inner, out),
        SearchKind::Compare { field, .. } | SearchKind::In { field, .. } => {
            out.insert(field.name.clone());
        }
        SearchKind::Term { text, phrase } => {
            if *phrase || text != "*" {
                out.insert("_raw".to_string());
            }
        }
        SearchKind::TimeModifier { .. } | SearchKind::Subsearch(_) => {}
    }
}

/// The name of the result field an aggregation of a named field makes: its `as` name, else
/// `func(field)`. `None` for `count` with no field, an `eval()` argument and a wildcard
/// (whose names depend on the fields present).
pub fn aggregation_name(a: &Aggregation) -> Option<String> {
    match &a.arg {
        Some(AggArg::Field(f)) if !f.name.contains('*') => {
            Some(a.alias.as_ref().map_or_else(|| format!("{}({})", a.func, f.name), |i| i.name.clone()))
        }
        _ => None,
    }
}

/// Which aggregations of a `stats` the `where` right after it (`then`) does not read
/// (`true`): their values matter only for the groups it keeps, so they may be made for
/// those alone (`engine::commands::stats::stats_then_where`), and their fields need not be
/// read for the other events (`frame::ScanPlan::of`). `where` reads only the fields its
/// expression names ([`expr_fields`]), so a group's fate does not depend on them. Only
/// aggregations of a named field; none at all when the `where` names a wildcard, or a
/// result name is not known before running or is given twice.
pub fn deferred_aggregations(s: &Stats, then: &Expr) -> Vec<bool> {
    let none = vec![false; s.aggs.len()];
    let mut reads = BTreeSet::new();
    expr_fields(then, &mut reads);
    if reads.iter().any(|n| n.contains('*')) {
        return none;
    }
    let mut names: BTreeSet<String> = s.by.iter().map(|b| b.name.clone()).collect();
    if names.len() < s.by.len() {
        return none;
    }
    for a in &s.aggs {
        let name = match (&a.arg, &a.alias) {
            // Named, with or without `as`, only when it runs (one result per field present).
            (Some(AggArg::Field(f)), _) if f.name.contains('*') => return none,
            (_, Some(alias)) => alias.name.clone(),
            _ => match aggregation_name(a) {
                Some(name) => name,
                // `count`, `eval()` without `as`: named by the function alone.
                None => a.func.clone(),
            },
        };
        if !names.insert(name) {
            return none;
        }
    }
    s.aggs.iter().map(|a| aggregation_name(a).is_some_and(|n| !reads.contains(&n))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse, parse_expr, CommandKind};

    #[test]
    fn fields_of_an_expression() {
        let e = parse_expr(r#"if(isnull('userIdentity.arn'), coalesce(a, "x"), b IN (c, 1))"#).unwrap();
        let mut out = BTreeSet::new();
        expr_fields(&e, &mut out);
        assert_eq!(out.into_iter().collect::<Vec<_>>(), ["a", "b", "c", "userIdentity.arn"]);
    }

    #[test]
    fn fields_of_a_search() {
        let p = parse(r#"eventName=Get* NOT (errorCode IN (x, y) OR "denied") user*=bob *"#).unwrap();
        let CommandKind::Search(Some(s)) = &p.commands[0].kind else { panic!("a search") };
        let mut out = BTreeSet::new();
        search_fields(s, &mut out);
        assert_eq!(out.into_iter().collect::<Vec<_>>(), ["_raw", "errorCode", "eventName", "user*"]);
    }

    fn stats_then_where(text: &str) -> (Stats, Expr) {
        let p = parse(text).unwrap();
        let CommandKind::Stats(s) = &p.commands[1].kind else { panic!("a stats") };
        let CommandKind::Where(e) = &p.commands[2].kind else { panic!("a where") };
        (s.clone(), e.clone())
    }

    #[test]
    fn aggregations_a_where_after_stats_does_not_read_are_deferred() {
        let (s, e) = stats_then_where(
            "x=1 | stats dc(eventName) as dc_events count values(src) as src max(_time) by user | where dc_events > 50",
        );
        assert_eq!(deferred_aggregations(&s, &e), [false, false, true, true]);
        // Read by the `where`, by its own name.
        let (s, e) = stats_then_where("x=1 | stats values(src) dc(src) by user | where mvcount('values(src)') > 1");
        assert_eq!(deferred_aggregations(&s, &e), [false, true]);
        // A name given twice, a wildcard aggregation, a wildcard in the `where`: nothing.
        for text in [
            "x=1 | stats values(a) as n values(b) as n by u | where u=1",
            "x=1 | stats values(a) as u by u | where u=1",
            "x=1 | stats values(*) values(b) by u | where u=1",
            "x=1 | stats values(*) as *_v values(b) by u | where u=1",
            "x=1 | stats values(a) by u | where 'v*'=1",
        ] {
            let (s, e) = stats_then_where(text);
            assert!(deferred_aggregations(&s, &e).iter().all(|d| !d), "{text}");
        }
    }
}

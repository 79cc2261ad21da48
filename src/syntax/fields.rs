//! Which fields an expression or a search reads: the planner asks this to decide which
//! fields to extract, and the knowledge layer to know which JSON fields its rules need.

use std::collections::BTreeSet;

use super::ast::{Expr, ExprKind, SearchExpr, SearchKind};

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
}

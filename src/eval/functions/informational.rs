//! Informational functions: what kind of value an expression has.

use super::{Function, Imp};
use crate::eval::expr::Context;
use crate::eval::value::EvalValue;

pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "isnull",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| Ok(EvalValue::Bool(a[0].is_null()))),
        examples: &[("if(isnull(missing),1,0)", "1"), ("if(isnull(n),1,0)", "0")],
    },
    Function {
        name: "isnotnull",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| Ok(EvalValue::Bool(!a[0].is_null()))),
        examples: &[("if(isnotnull(n),1,0)", "1"), ("if(isnotnull(missing),1,0)", "0")],
    },
    Function {
        name: "isnum",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(isnum),
        examples: &[
            ("if(isnum(n),1,0)", "1"),
            (r#"if(isnum("12"),1,0)"#, "0"),
            ("if(isnum(3),1,0)", "1"),
            ("if(isnum(s),1,0)", "0"),
        ],
    },
    Function {
        name: "isstr",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(isstr),
        examples: &[(r#"if(isstr("12"),1,0)"#, "1"), ("if(isstr(s),1,0)", "1"), ("if(isstr(3),1,0)", "0")],
    },
    Function {
        name: "isint",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| Ok(EvalValue::Bool(a[0].as_number().is_some_and(|n| n.fract() == 0.0)))),
        examples: &[("if(isint(n),1,0)", "1"), ("if(isint(1.5),1,0)", "0")],
    },
    Function {
        name: "isbool",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| Ok(EvalValue::Bool(matches!(a[0], EvalValue::Bool(_))))),
        examples: &[("if(isbool(1==1),1,0)", "1"), ("if(isbool(1),1,0)", "0")],
    },
    Function {
        name: "typeof",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| Ok(EvalValue::Str(a[0].type_name().to_string()))),
        examples: &[
            (r#"typeof(12) + typeof("string") + typeof(1==2) + typeof(badfield)"#, "NumberStringBoolInvalid"),
            ("typeof(n)", "Number"),
        ],
    },
];

fn isnum(a: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    Ok(EvalValue::Bool(match &a[0] {
        EvalValue::Num(_) => true,
        EvalValue::Field(s) => crate::eval::value::parse_number(s).is_some(),
        _ => false,
    }))
}

/// Strings, including field values (a field's value is text even when it looks numeric;
/// UNVERIFIED for ordinary numbers, section 3.7).
fn isstr(a: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    Ok(EvalValue::Bool(matches!(a[0], EvalValue::Str(_) | EvalValue::Field(_) | EvalValue::Multi(_))))
}

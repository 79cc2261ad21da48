//! The syntax tree of one SPL search, after macro expansion.
//!
//! Every node carries a [`Span`] into the expanded text (see `macros::Expansion` for how
//! an expanded offset maps back to the text the user wrote). Spans never take part in
//! equality, so two trees compare equal when they say the same thing.
//!
//! Commands the engine runs have typed nodes; any other command parses into
//! [`Generic`], which keeps its arguments so the search still round-trips and the engine
//! can refuse it by name.

use super::span::Span;

/// A pipeline: `cmd | cmd | ...`. The first command of a top-level search that does not
/// start with `|` is an implicit `search`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub commands: Vec<Command>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub kind: CommandKind,
    /// The command name as written (empty span for an implicit `search`).
    pub name_span: Span,
    pub span: Span,
}

/// A field name, or a field-name pattern with `*` wildcards where the command allows one.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A value written in a command: `text` is the value (escapes resolved when `quoted`);
/// a bare literal holds its source text unchanged.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub text: String,
    pub quoted: bool,
    pub span: Span,
}

/// `name=value` given to a command (`span=1h`, `max_match=0`, `type=left`).
#[derive(Debug, Clone, PartialEq)]
pub struct CmdOption {
    pub name: String,
    pub value: Literal,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CommandKind {
    Search(Option<SearchExpr>),
    Where(Expr),
    Eval(Vec<Assignment>),
    Stats(Stats),
    Eventstats(Stats),
    Streamstats(Stats),
    Tstats(Tstats),
    Timechart(Stats),
    Rename(Vec<RenamePair>),
    Table(Vec<Ident>),
    Fields {
        remove: bool,
        fields: Vec<Ident>,
    },
    Fillnull {
        options: Vec<CmdOption>,
        fields: Vec<Ident>,
    },
    Dedup(Dedup),
    Sort(Sort),
    Head(Head),
    Tail {
        count: Option<u64>,
    },
    Rex(Rex),
    Spath(Spath),
    Convert(Convert),
    /// `bin` and its alias `bucket`.
    Bin(Bin),
    Mvexpand {
        options: Vec<CmdOption>,
        field: Ident,
    },
    Makemv {
        options: Vec<CmdOption>,
        field: Ident,
    },
    Nomv {
        field: Ident,
    },
    Lookup(Lookup),
    Inputlookup(Inputlookup),
    Outputlookup {
        options: Vec<CmdOption>,
        table: Literal,
    },
    Join(Join),
    Append {
        options: Vec<CmdOption>,
        subsearch: Box<Pipeline>,
    },
    Top(Top),
    Rare(Top),
    Iplocation {
        options: Vec<CmdOption>,
        field: Ident,
    },
    Makeresults {
        options: Vec<CmdOption>,
    },
    Transaction {
        fields: Vec<Ident>,
        options: Vec<CmdOption>,
    },
    Anomalydetection {
        options: Vec<CmdOption>,
        fields: Vec<Ident>,
    },
    Generic(Generic),
}

impl CommandKind {
    /// The canonical command name (`bucket` is printed as `bin`).
    pub fn name(&self) -> &str {
        match self {
            CommandKind::Search(_) => "search",
            CommandKind::Where(_) => "where",
            CommandKind::Eval(_) => "eval",
            CommandKind::Stats(_) => "stats",
            CommandKind::Eventstats(_) => "eventstats",
            CommandKind::Streamstats(_) => "streamstats",
            CommandKind::Tstats(_) => "tstats",
            CommandKind::Timechart(_) => "timechart",
            CommandKind::Rename(_) => "rename",
            CommandKind::Table(_) => "table",
            CommandKind::Fields { .. } => "fields",
            CommandKind::Fillnull { .. } => "fillnull",
            CommandKind::Dedup(_) => "dedup",
            CommandKind::Sort(_) => "sort",
            CommandKind::Head(_) => "head",
            CommandKind::Tail { .. } => "tail",
            CommandKind::Rex(_) => "rex",
            CommandKind::Spath(_) => "spath",
            CommandKind::Convert(_) => "convert",
            CommandKind::Bin(_) => "bin",
            CommandKind::Mvexpand { .. } => "mvexpand",
            CommandKind::Makemv { .. } => "makemv",
            CommandKind::Nomv { .. } => "nomv",
            CommandKind::Lookup(_) => "lookup",
            CommandKind::Inputlookup(_) => "inputlookup",
            CommandKind::Outputlookup { .. } => "outputlookup",
            CommandKind::Join(_) => "join",
            CommandKind::Append { .. } => "append",
            CommandKind::Top(_) => "top",
            CommandKind::Rare(_) => "rare",
            CommandKind::Iplocation { .. } => "iplocation",
            CommandKind::Makeresults { .. } => "makeresults",
            CommandKind::Transaction { .. } => "transaction",
            CommandKind::Anomalydetection { .. } => "anomalydetection",
            CommandKind::Generic(g) => &g.name,
        }
    }
}

// ---------------------------------------------------------------------------------------
// The search language (implicit first search, `search`, tstats/inputlookup `where`).

#[derive(Debug, Clone, PartialEq)]
pub struct SearchExpr {
    pub kind: SearchKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SearchKind {
    /// Adjacent terms or explicit `AND`. Binds looser than `OR` in search.
    And(Vec<SearchExpr>),
    Or(Vec<SearchExpr>),
    Not(Box<SearchExpr>),
    /// `field=value`, `field!=value`, `field>=value`... `value` may hold `*` wildcards.
    Compare {
        field: Ident,
        op: CmpOp,
        value: String,
    },
    /// `field IN (v1, v2, ...)`.
    In {
        field: Ident,
        values: Vec<String>,
    },
    /// A bare word (may hold `*`), kept as written, or a quoted phrase (escapes resolved),
    /// matched against `_raw`. `parser::search::term_text` gives the text to match.
    Term {
        text: String,
        phrase: bool,
    },
    /// `earliest=-24h`, `latest=now` and the legacy time modifiers.
    TimeModifier {
        name: String,
        value: String,
    },
    /// `[ ... ]`: replaced at run time by the formatted results of the inner search.
    Subsearch(Box<Pipeline>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// Search-string keys that set the time range instead of comparing a field.
pub const TIME_MODIFIERS: &[&str] = &[
    "earliest",
    "latest",
    "starttime",
    "endtime",
    "startdaysago",
    "enddaysago",
    "starthoursago",
    "endhoursago",
    "startminutesago",
    "endminutesago",
    "startmonthsago",
    "endmonthsago",
    "timeformat",
];

// ---------------------------------------------------------------------------------------
// The eval / where expression language.

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A field reference, bare (`src_ip`) or single-quoted (`'userAgent{}'`).
    Field(String),
    /// A double-quoted string, escapes resolved.
    Str(String),
    /// A numeric literal, kept as written (`1`, `2.50`, `1e3`).
    Num(String),
    /// `name(args)`, including the constants `true()`, `false()`, `null()`.
    Call {
        name: String,
        args: Vec<Expr>,
    },
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `expr IN (v1, v2)`.
    In {
        expr: Box<Expr>,
        list: Vec<Expr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Mul,
    Div,
    Mod,
    Add,
    Sub,
    Concat,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    Like,
    And,
    Or,
    Xor,
}

/// Binding strength of eval operators, tightest highest (docs/spl-semantics.md 3.2).
pub mod prec {
    pub const XOR: u8 = 1;
    pub const OR: u8 = 2;
    pub const AND: u8 = 3;
    pub const NOT: u8 = 4;
    pub const EQUALITY: u8 = 5;
    pub const RELATIONAL: u8 = 6;
    pub const ADDITIVE: u8 = 7;
    pub const MULTIPLICATIVE: u8 = 8;
    pub const NEG: u8 = 9;
    pub const ATOM: u8 = 10;
}

impl BinOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Concat => ".",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Like => "LIKE",
            BinOp::And => "AND",
            BinOp::Or => "OR",
            BinOp::Xor => "XOR",
        }
    }

    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Mul | BinOp::Div | BinOp::Mod => prec::MULTIPLICATIVE,
            BinOp::Add | BinOp::Sub | BinOp::Concat => prec::ADDITIVE,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => prec::RELATIONAL,
            BinOp::Eq | BinOp::Ne | BinOp::Like => prec::EQUALITY,
            BinOp::And => prec::AND,
            BinOp::Or => prec::OR,
            BinOp::Xor => prec::XOR,
        }
    }
}

impl Expr {
    pub fn precedence(&self) -> u8 {
        match &self.kind {
            ExprKind::Binary { op, .. } => op.precedence(),
            ExprKind::Unary { op: UnaryOp::Not, .. } => prec::NOT,
            ExprKind::Unary { op: UnaryOp::Neg, .. } => prec::NEG,
            ExprKind::In { .. } => prec::EQUALITY,
            _ => prec::ATOM,
        }
    }
}

/// `field = expression` in `eval`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub field: Ident,
    pub value: Expr,
    pub span: Span,
}

// ---------------------------------------------------------------------------------------
// Aggregating commands.

/// `stats`, `eventstats`, `streamstats` and `timechart`:
/// `[options] agg [AS name], ... [BY field, ...] [by-options]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub options: Vec<CmdOption>,
    pub aggs: Vec<Aggregation>,
    pub by: Vec<Ident>,
    /// Options written after the by-clause (`timechart ... by x limit=0`).
    pub by_options: Vec<CmdOption>,
}

/// `count`, `dc(user)`, `values(x) AS y`, `count(eval(x="y"))`, `perc95(bytes)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregation {
    pub func: String,
    pub arg: Option<AggArg>,
    pub alias: Option<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AggArg {
    Field(Ident),
    Eval(Expr),
}

/// `tstats [options] agg... [FROM datamodel=...] [WHERE search] [BY fields [span=...]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Tstats {
    pub options: Vec<CmdOption>,
    pub aggs: Vec<Aggregation>,
    pub from: Option<Literal>,
    pub filter: Option<SearchExpr>,
    pub by: Vec<Ident>,
    pub by_options: Vec<CmdOption>,
}

// ---------------------------------------------------------------------------------------
// Shaping and extraction commands.

#[derive(Debug, Clone, PartialEq)]
pub struct RenamePair {
    pub from: Ident,
    pub to: Ident,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dedup {
    pub count: Option<u64>,
    pub fields: Vec<Ident>,
    pub options: Vec<CmdOption>,
    pub sortby: Vec<SortKey>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sort {
    pub count: Option<u64>,
    pub options: Vec<CmdOption>,
    pub keys: Vec<SortKey>,
    /// A trailing `desc` (or `d`) reverses the whole order.
    pub reverse: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub field: Ident,
    pub descending: bool,
    /// `auto`, `str`, `ip` or `num` when written as `num(field)`.
    pub func: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub count: Option<u64>,
    pub expr: Option<Expr>,
    pub options: Vec<CmdOption>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rex {
    pub options: Vec<CmdOption>,
    pub regex: Literal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Spath {
    pub options: Vec<CmdOption>,
    /// A positional path (`spath requestParameters.policy`).
    pub path: Option<Literal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Convert {
    pub options: Vec<CmdOption>,
    pub conversions: Vec<Conversion>,
}

/// `ctime(firstTime) AS first`.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    pub func: String,
    pub field: Ident,
    pub alias: Option<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bin {
    pub options: Vec<CmdOption>,
    pub field: Ident,
    pub alias: Option<Ident>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    pub options: Vec<CmdOption>,
    pub table: Literal,
    pub inputs: Vec<FieldMap>,
    pub output: Option<LookupOutput>,
}

/// `OUTPUT` (overwrite) or `OUTPUTNEW` (fill only missing fields); no fields means all.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupOutput {
    pub new_only: bool,
    pub fields: Vec<FieldMap>,
}

/// `field [AS alias]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldMap {
    pub field: Ident,
    pub alias: Option<Ident>,
}

impl FieldMap {
    /// The field's name on the event side: `field AS alias` reads or writes `alias`.
    pub fn event_field(&self) -> &str {
        &self.alias.as_ref().unwrap_or(&self.field).name
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Inputlookup {
    pub options: Vec<CmdOption>,
    pub table: Literal,
    pub filter: Option<SearchExpr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    pub options: Vec<CmdOption>,
    pub fields: Vec<Ident>,
    pub subsearch: Box<Pipeline>,
}

/// `top` and `rare`: `[N] [options] fields [BY fields]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Top {
    pub count: Option<u64>,
    pub options: Vec<CmdOption>,
    pub fields: Vec<Ident>,
    pub by: Vec<Ident>,
}

// ---------------------------------------------------------------------------------------
// Every other command.

/// A command spelunk has no typed node for: its name and arguments as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Generic {
    pub name: String,
    pub args: Vec<Arg>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// `key=value`.
    Option(CmdOption),
    /// Any other word or quoted string.
    Positional(Literal),
    /// `[ ... ]` holding a search.
    Subsearch(Pipeline),
    /// `[ ... ]` whose content is not a search (a `foreach` template): kept as text.
    Block {
        text: String,
        span: Span,
    },
    Comma,
}

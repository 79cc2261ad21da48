//! The time range of a search: `--earliest`/`--latest` and the `earliest=`/`latest=`
//! modifiers of the first search (docs/spl-semantics.md 10.1).

/// Events with `earliest <= _time < latest` are searched; `None` is unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TimeRange {
    pub earliest: Option<f64>,
    pub latest: Option<f64>,
}

impl TimeRange {
    /// No bound on either side: every event is in it, those without a time too.
    pub fn is_all(&self) -> bool {
        self.earliest.is_none() && self.latest.is_none()
    }

    pub fn contains(&self, t: Option<f64>) -> bool {
        match t {
            None => self.is_all(),
            Some(t) => self.earliest.is_none_or(|e| t >= e) && self.latest.is_none_or(|l| t < l),
        }
    }

    /// The narrower of two ranges.
    pub fn and(self, other: TimeRange) -> TimeRange {
        let max = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let min = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        TimeRange { earliest: max(self.earliest, other.earliest), latest: min(self.latest, other.latest) }
    }
}

pub use crate::eval::reltime::{parse_time, time_unit, TimeUnit};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let r = TimeRange { earliest: Some(10.0), latest: Some(20.0) };
        assert!(r.contains(Some(10.0)) && !r.contains(Some(20.0)) && !r.contains(None));
        assert!(TimeRange::default().contains(None));
        let n = r.and(TimeRange { earliest: Some(15.0), latest: None });
        assert_eq!(n, TimeRange { earliest: Some(15.0), latest: Some(20.0) });
    }
}

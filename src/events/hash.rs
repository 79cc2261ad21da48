//! The hasher of the maps keyed by field names and values (an event's fields, column
//! dictionaries).

/// A fast hasher for short keys made and compared within one process (field names and
/// values): the Fx hash (rotate, xor, multiply per word).
#[derive(Default, Clone, Copy)]
pub struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        for &b in chunks.remainder() {
            self.add(b as u64);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl Fx {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub type FxBuild = std::hash::BuildHasherDefault<Fx>;

/// A summary in 256 bits of a set of names (field names, JSON paths): a name whose bit is
/// not set is not in the set. A walk over an event's JSON asks of each path it meets
/// whether it is wanted, and most are not (a shared pass wants a few of the sixty or so
/// leaves of a CloudTrail record): the bit answers them without hashing the path or
/// comparing it.
#[derive(Debug, Clone, Default)]
pub struct NameFilter([u64; 4]);

impl NameFilter {
    /// A name's bit, by its length and its first and last bytes (paths in one object
    /// share their beginning, and keys differ most in length and ending).
    fn bit(name: &str) -> usize {
        let b = name.as_bytes();
        let (first, last) = (*b.first().unwrap_or(&0) as u32, *b.last().unwrap_or(&0) as u32);
        let mix = (b.len() as u32) ^ first << 8 ^ last << 16;
        (mix.wrapping_mul(0x9e37_79b9) >> 24) as usize
    }

    pub fn insert(&mut self, name: &str) {
        let k = Self::bit(name);
        self.0[k / 64] |= 1 << (k % 64);
    }

    /// Whether `name` may be in the set (`false`: it is not).
    #[inline]
    pub fn may_hold(&self, name: &str) -> bool {
        let k = Self::bit(name);
        self.0[k / 64] >> (k % 64) & 1 == 1
    }
}

/// A set of names behind their [`NameFilter`].
#[derive(Debug, Clone, Default)]
pub struct NameSet {
    names: std::collections::HashSet<String, FxBuild>,
    filter: NameFilter,
}

impl NameSet {
    pub fn contains(&self, name: &str) -> bool {
        self.filter.may_hold(name) && self.names.contains(name)
    }

    pub fn insert(&mut self, name: String) {
        self.filter.insert(&name);
        self.names.insert(name);
    }

    pub fn iter(&self) -> impl Iterator<Item = &String> {
        self.names.iter()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

impl FromIterator<String> for NameSet {
    fn from_iter<I: IntoIterator<Item = String>>(names: I) -> NameSet {
        let mut set = NameSet::default();
        names.into_iter().for_each(|n| set.insert(n));
        set
    }
}

impl<'s> IntoIterator for &'s NameSet {
    type Item = &'s String;
    type IntoIter = std::collections::hash_set::Iter<'s, String>;
    fn into_iter(self) -> Self::IntoIter {
        self.names.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A set answers as its names do, and the filter turns away most names not in it.
    #[test]
    fn a_name_set_holds_its_names_and_its_filter_turns_most_others_away() {
        let wanted = ["eventName", "userIdentity.arn", "userIdentity.type", "sourceIPAddress", "userAgent"];
        let set: NameSet = wanted.iter().map(|s| s.to_string()).collect();
        assert!(wanted.iter().all(|n| set.contains(n)));
        let others: Vec<String> = (0..1000).map(|k| format!("requestParameters.key{k}")).collect();
        assert!(others.iter().all(|n| !set.contains(n)));
        let passed = others.iter().filter(|n| set.filter.may_hold(n)).count();
        assert!(passed < 100, "{passed} of 1000 passed the filter of 5 names");
        assert!(!set.contains("eventname") && !set.contains(""));
    }
}

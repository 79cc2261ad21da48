//! Digests of inputs, and the checksummed files spelunk keeps between runs (the column
//! cache, [`crate::frame::cache`], and load records, [`crate::events::record`]).
//!
//! Not cryptographic: a digest tells inputs apart and a checksum catches a damaged file;
//! neither defends against a file made to collide.

use std::io::Write;

/// Two independent 64-bit multiply-xor hashes over 8-byte words: fast (the whole input is
/// hashed on every run) and wide enough that different inputs do not meet.
#[derive(Clone, Copy)]
pub struct Hasher128 {
    a: u64,
    b: u64,
}

impl Default for Hasher128 {
    fn default() -> Self {
        Self::new()
    }
}

impl Hasher128 {
    pub fn new() -> Self {
        Hasher128 { a: 0x243f_6a88_85a3_08d3, b: 0x1319_8a2e_0370_7344 }
    }

    fn word(&mut self, w: u64) {
        self.a = (self.a ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
        self.b = (self.b.rotate_left(17) ^ w).wrapping_mul(0xff51_afd7_ed55_8ccd);
    }

    pub fn u64(&mut self, v: u64) {
        self.word(v);
    }

    pub fn bytes(&mut self, data: &[u8]) {
        let mut chunks = data.chunks_exact(8);
        for c in &mut chunks {
            self.word(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        self.word(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 56));
    }

    pub fn finish(&self) -> [u8; 16] {
        let mix = |mut x: u64| {
            x ^= x >> 33;
            x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
            x ^ (x >> 29)
        };
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&mix(self.a ^ self.b.rotate_left(7)).to_le_bytes());
        out[8..].copy_from_slice(&mix(self.b ^ self.a.rotate_left(41)).to_le_bytes());
        out
    }
}

/// The checksum is over blocks of this many bytes: each block's digest, then the digests
/// in order with the length, so a writer sums as it goes and a reader on all cores.
pub const SUM_BLOCK: usize = 1 << 20;

pub fn block_digest(block: &[u8]) -> [u8; 16] {
    let mut h = Hasher128::new();
    h.bytes(block);
    h.finish()
}

pub fn combine(len: usize, digests: &[[u8; 16]]) -> [u8; 16] {
    let mut h = Hasher128::new();
    h.u64(len as u64);
    digests.iter().for_each(|d| h.bytes(d));
    h.finish()
}

/// The checksum of `data`, its blocks digested side by side.
pub fn checksum(data: &[u8]) -> [u8; 16] {
    checksum_then(data, |_| {})
}

/// [`checksum`], `summed` told of each block once its digest is taken.
fn checksum_then(data: &[u8], summed: impl Fn(&[u8]) + Sync) -> [u8; 16] {
    let digests = blocks(data, |_, block| {
        let digest = block_digest(block);
        summed(block);
        digest
    });
    combine(data.len(), &digests)
}

/// `each` of the [`SUM_BLOCK`]-sized blocks of `data` (with its index), in order, on all
/// cores.
pub fn blocks<R: Send>(data: &[u8], each: impl Fn(usize, &[u8]) -> R + Sync) -> Vec<R> {
    let blocks: Vec<&[u8]> = data.chunks(SUM_BLOCK).collect();
    in_runs(&blocks, |k, b| each(k, b))
}

/// Each part's digest, in order, on all cores.
pub fn digest_parts<T: Sync>(parts: &[&[T]], digest: impl Fn(&[T]) -> [u8; 16] + Sync) -> Vec<[u8; 16]> {
    in_runs(parts, |_, p| digest(p))
}

/// `each` of `items` (with its index), in order: the items shared out to the cores in
/// runs, each core going through its run in order.
fn in_runs<T: Sync, R: Send>(items: &[T], each: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get()).min(items.len()).max(1);
    if threads == 1 {
        return items.iter().enumerate().map(|(k, x)| each(k, x)).collect();
    }
    let per = items.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(per)
            .enumerate()
            .map(|(run, some)| {
                let each = &each;
                s.spawn(move || some.iter().enumerate().map(|(k, x)| each(run * per + k, x)).collect::<Vec<_>>())
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("hashing does not panic")).collect()
    })
}

/// Writes through to `inner`, summing what it writes ([`checksum`]'s blocks).
pub struct Summing<W: Write> {
    inner: std::io::BufWriter<W>,
    block: Vec<u8>,
    digests: Vec<[u8; 16]>,
    len: usize,
}

impl<W: Write> Summing<W> {
    pub fn new(inner: W) -> Self {
        Summing {
            inner: std::io::BufWriter::new(inner),
            block: Vec::with_capacity(SUM_BLOCK),
            digests: Vec::new(),
            len: 0,
        }
    }

    pub fn put(&mut self, mut data: &[u8]) -> std::io::Result<()> {
        self.len += data.len();
        while !data.is_empty() {
            let n = (SUM_BLOCK - self.block.len()).min(data.len());
            self.block.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.block.len() == SUM_BLOCK {
                self.flush_block()?;
            }
        }
        Ok(())
    }

    fn flush_block(&mut self) -> std::io::Result<()> {
        self.digests.push(block_digest(&self.block));
        self.inner.write_all(&self.block)?;
        self.block.clear();
        Ok(())
    }

    /// Writes the checksum after all else; gives back the inner writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        if !self.block.is_empty() {
            self.flush_block()?;
        }
        let sum = combine(self.len, &self.digests);
        self.inner.write_all(&sum)?;
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

/// A kept file's path: `dir`, the key in hex, `extension`.
pub fn stored_path(dir: &std::path::Path, key: &[u8; 16], extension: &str) -> std::path::PathBuf {
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("{hex}.{extension}"))
}

/// Writes a kept file: `magic`, `key`, what `body` writes, then the checksum of all that
/// ([`Summing`]). Written to a temporary file, synced and renamed over `path` (its directory
/// made if need be), so a reader never sees half a file; the temporary file is removed when
/// writing fails.
pub fn store(
    path: &std::path::Path,
    magic: &[u8; 8],
    key: &[u8; 16],
    body: impl FnOnce(&mut Summing<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|f| {
        let mut w = Summing::new(f);
        w.put(magic)?;
        w.put(key)?;
        body(&mut w)?;
        w.finish()?.sync_all()
    });
    match written {
        Ok(()) => std::fs::rename(&tmp, path),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// A kept file's bytes, as [`read_stored`] gives them.
pub enum Stored {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for Stored {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Stored::Mapped(m) => m,
            Stored::Read(v) => v,
        }
    }
}

/// The bytes of the kept file at `path`: mapped when the system maps it (a warm run reads
/// hundreds of megabytes of columns; reading them into memory first cost as much as
/// decoding them), else read.
pub fn read_stored(path: &std::path::Path) -> std::io::Result<Stored> {
    let f = std::fs::File::open(path)?;
    // SAFETY: kept files are only ever replaced whole, a new file renamed over the old one
    // ([`store`]), so the file mapped here is not written while it is read.
    match unsafe { memmap2::Mmap::map(&f) } {
        Ok(m) => Ok(Stored::Mapped(m)),
        Err(_) => std::fs::read(path).map(Stored::Read),
    }
}

impl Stored {
    /// [`stored_body`] of this file, each block of it let go ([`Stored::let_go`]) once
    /// summed: a checked file is not all resident at once.
    pub fn body(&self, magic: &[u8; 8], key: &[u8; 16]) -> Option<Reader<'_>> {
        body_with(self, magic, key, |block| self.let_go(block))
    }

    /// Gives the pages of `part` (bytes of this file) back to the system: they leave this
    /// process's resident memory, and are read from the file again if they are read again.
    /// A warm run over 10 GB of events reads 2.2 GB of columns; without this, all of them
    /// counted in its resident memory until the file was closed. Nothing for a file read
    /// into memory.
    pub fn let_go(&self, part: &[u8]) {
        #[cfg(unix)]
        if let Stored::Mapped(m) = self {
            let offset = (part.as_ptr() as usize).wrapping_sub(m.as_ptr() as usize);
            if offset.checked_add(part.len()).is_some_and(|end| end <= m.len()) && !part.is_empty() {
                // SAFETY: a read-only private mapping of a file that is not written while
                // mapped (see `read_stored`): a page given back is read again from the file,
                // with the same bytes, by the next access through any reference to it.
                let _ = unsafe { m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, offset, part.len()) };
            }
        }
    }
}

/// A kept file's body after its magic and key, to read, when the file is whole (its
/// checksum holds), of this kind (`magic`) and for this `key`.
pub fn stored_body<'a>(bytes: &'a [u8], magic: &[u8; 8], key: &[u8; 16]) -> Option<Reader<'a>> {
    body_with(bytes, magic, key, |_| {})
}

/// [`stored_body`], `summed` told of each block once its digest is taken.
fn body_with<'a>(
    bytes: &'a [u8],
    magic: &[u8; 8],
    key: &[u8; 16],
    summed: impl Fn(&[u8]) + Sync,
) -> Option<Reader<'a>> {
    let body_len = bytes.len().checked_sub(16)?;
    let (body, sum) = bytes.split_at(body_len);
    if checksum_then(body, summed) != sum || !body.starts_with(magic) {
        return None;
    }
    let mut r = Reader { b: body, i: magic.len() };
    (r.take(16)? == key).then_some(r)
}

/// Reads a file written by [`Summing`]: fields in order, `None` past the end.
pub struct Reader<'a> {
    pub b: &'a [u8],
    pub i: usize,
}

impl<'a> Reader<'a> {
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.i.checked_add(n)?;
        let s = self.b.get(self.i..end)?;
        self.i = end;
        Some(s)
    }

    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    pub fn string(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored file reads back as written; a mapping made before a later `store` replaced
    /// the file still reads the old file whole; an empty file reads as empty, a missing one
    /// is an error.
    #[test]
    fn a_stored_file_reads_back_whole() {
        let dir = std::env::temp_dir().join(format!("spelunk-stored-{}", std::process::id()));
        let path = dir.join("x.kept");
        let put = |data: &'static [u8]| move |w: &mut Summing<std::fs::File>| w.put(data);
        let body = |bytes: &Stored| stored_body(bytes, b"MAGIC001", &[7; 16]).map(|r| r.b[r.i..].to_vec());
        store(&path, b"MAGIC001", &[7; 16], put(b"first")).unwrap();
        let first = read_stored(&path).unwrap();
        assert_eq!(body(&first), Some(b"first".to_vec()));
        store(&path, b"MAGIC001", &[7; 16], put(b"second")).unwrap();
        assert_eq!(body(&read_stored(&path).unwrap()), Some(b"second".to_vec()));
        assert_eq!(body(&first), Some(b"first".to_vec()), "the old file, still whole");
        std::fs::write(&path, b"").unwrap();
        assert!(read_stored(&path).unwrap().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(read_stored(&path).is_err());
    }

    /// A mapped file's pages given back read again the same: `body` (which gives back each
    /// block it sums) finds the same body as `stored_body`, and the bytes given back, read
    /// again, are the file's.
    #[test]
    fn pages_given_back_read_again_the_same() {
        let dir = std::env::temp_dir().join(format!("spelunk-let-go-{}", std::process::id()));
        let path = dir.join("x.kept");
        let data: Vec<u8> = (0..3 * SUM_BLOCK + 12_345).map(|i| (i * 31 + i / 4099) as u8).collect();
        store(&path, b"MAGIC001", &[7; 16], |w| w.put(&data)).unwrap();
        let stored = read_stored(&path).unwrap();
        assert!(matches!(stored, Stored::Mapped(_)), "mapped where the system maps files");
        let body = stored.body(b"MAGIC001", &[7; 16]).expect("a whole file");
        assert_eq!(&body.b[body.i..], &data[..]);
        stored.let_go(&stored[100..2 * SUM_BLOCK + 7]);
        stored.let_go(&stored[..]);
        assert_eq!(&body.b[body.i..], &data[..], "read again from the file");
        assert!(stored.body(b"MAGIC001", &[8; 16]).is_none(), "another key");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_sum_written_as_it_goes_is_the_sum_read_at_once() {
        for len in [0, 1, SUM_BLOCK - 1, SUM_BLOCK, SUM_BLOCK + 1, 3 * SUM_BLOCK + 5] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
            let mut w = Summing::new(Vec::new());
            for piece in data.chunks(99_991) {
                w.put(piece).unwrap();
            }
            let written = w.finish().unwrap();
            assert_eq!(&written[..len], &data[..], "{len}: the bytes pass through");
            assert_eq!(written[len..], checksum(&data), "{len}");
        }
        let mut other: Vec<u8> = (0..SUM_BLOCK + 1).map(|i| i as u8).collect();
        let sum = checksum(&other);
        other[SUM_BLOCK] ^= 1;
        assert_ne!(checksum(&other), sum, "a changed byte in the last block changes the sum");
    }
}

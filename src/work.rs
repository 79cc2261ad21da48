//! Work shared out to the cores: a number of pieces, which threads take one at a time, each
//! the next not yet taken, as they finish the one before. Two cores of a virtual machine are
//! often not equally fast, and pieces are rarely equally long: with a fixed share each, one
//! core worked alone at the end of loading, of a shared pass, of a `stats`, of the
//! detections. One place for that rule: loading (`events::input`), the shared passes
//! (`frame::Dataset`), `stats` on all cores, and `detect`'s detections.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `each_thread` on `threads` threads (at least one, at most `pieces`); each is given
/// the pieces it takes (their numbers, from 0 to `pieces`, every number to one thread) as
/// an iterator it reads as it goes, and gives back what it made. The results come in thread
/// order; which pieces a thread took is for it to record.
pub fn take_in_turn<R: Send>(
    threads: usize,
    pieces: usize,
    each_thread: impl Fn(&mut dyn Iterator<Item = usize>) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let taken = || std::iter::from_fn(|| Some(next.fetch_add(1, Ordering::Relaxed)).filter(|&n| n < pieces));
    let threads = threads.min(pieces).max(1);
    if threads == 1 {
        return vec![each_thread(&mut taken())];
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(|| each_thread(&mut taken()))).collect();
        handles.into_iter().map(|h| h.join().expect("a piece of work does not panic")).collect()
    })
}

/// `make(piece)` of every piece, on `threads` threads taking them in turn
/// ([`take_in_turn`]), given back in piece order.
pub fn map_in_turn<T: Send>(threads: usize, pieces: usize, make: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let made = take_in_turn(threads, pieces, |taken| taken.map(|n| (n, make(n))).collect::<Vec<_>>());
    let mut all: Vec<Option<T>> = (0..pieces).map(|_| None).collect();
    for (n, t) in made.into_iter().flatten() {
        all[n] = Some(t);
    }
    all.into_iter().map(|t| t.expect("every piece is taken once")).collect()
}

/// How many threads this machine runs at once.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every piece is taken once, by one thread, in increasing order within each thread.
    #[test]
    fn every_piece_is_taken_once() {
        for (threads, pieces) in [(1, 0), (1, 5), (2, 0), (2, 1), (2, 100), (4, 3), (8, 1000)] {
            let made = take_in_turn(threads, pieces, |taken| {
                let mine: Vec<usize> = taken.collect();
                assert!(mine.windows(2).all(|w| w[0] < w[1]));
                mine
            });
            assert!(made.len() <= threads.max(1) && !made.is_empty());
            let mut all: Vec<usize> = made.into_iter().flatten().collect();
            all.sort_unstable();
            assert_eq!(all, (0..pieces).collect::<Vec<_>>(), "{threads} threads, {pieces} pieces");
            // Made in turn, given back in piece order.
            assert_eq!(map_in_turn(threads, pieces, |n| n * 3), (0..pieces).map(|n| n * 3).collect::<Vec<_>>());
        }
    }
}

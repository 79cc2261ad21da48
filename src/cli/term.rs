//! What the command line knows about the terminal: whether to colour, how wide it is, and
//! progress bars that only a person at a terminal sees.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use std::io::Write;

use spelunk::engine::Results;
use spelunk::output::{self, Fit, Format};

/// Whether NO_COLOR (any non-empty value) asks for no colour.
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Colour on stdout only for a terminal, and never with NO_COLOR set.
pub fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && !no_color()
}

/// Colour on stderr only for a terminal, and never with NO_COLOR set.
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && !no_color()
}

/// The terminal's width: `COLUMNS` when set to a number, else the size of the terminal
/// stdout (or stderr) is, else 80.
pub fn width() -> usize {
    if let Some(n) = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|n| *n > 0) {
        return n;
    }
    match terminal_size::terminal_size() {
        Some((terminal_size::Width(w), _)) if w > 0 => w as usize,
        _ => 80,
    }
}

/// The terminal's height in lines (24 when unknown).
pub fn height() -> usize {
    match terminal_size::terminal_size() {
        Some((_, terminal_size::Height(h))) if h > 0 => h as usize,
        _ => 24,
    }
}

/// For a table on stdout: fitted to the terminal's width when stdout is a terminal;
/// `None` (the plain table, unchanged for scripts and files) otherwise.
pub fn stdout_fit() -> Option<Fit> {
    std::io::stdout().is_terminal().then(|| Fit::width(width()))
}

/// Results on stdout in `format`: a table is fitted to the terminal when stdout is one
/// (rows past a screenful counted, with a hint to use CSV), plain otherwise.
pub fn write_results(r: &Results, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    match (format, stdout_fit()) {
        (Format::Table, Some(fit)) => output::table_fitted(r, fit, "use --format csv", out),
        (format, _) => output::write(r, format, out),
    }
}

/// A progress bar or spinner on stderr that appears only after a second (short work shows
/// nothing) and only when stderr is a terminal. Cleared when finished or dropped.
pub struct Progress {
    bar: ProgressBar,
    done: Arc<AtomicBool>,
}

/// How long work runs before its progress is shown.
const SHOW_AFTER: Duration = Duration::from_secs(1);

impl Progress {
    /// A spinner with a message and the time spent: `⠙ loading logs/ (3s)`.
    pub fn spinner(message: impl Into<String>) -> Progress {
        let style = ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        Progress::start(ProgressBar::hidden().with_style(style).with_message(message.into()))
    }

    /// A bar over `len` steps: `[#####>----] 12/40 AWS ...`.
    pub fn bar(len: u64, message: impl Into<String>) -> Progress {
        let style = ProgressStyle::with_template("[{bar:30}] {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("#>-");
        let bar = ProgressBar::hidden().with_style(style).with_message(message.into());
        bar.set_length(len);
        Progress::start(bar)
    }

    fn start(bar: ProgressBar) -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        if std::io::stderr().is_terminal() {
            let (b, d) = (bar.clone(), done.clone());
            std::thread::spawn(move || {
                let step = Duration::from_millis(50);
                let mut waited = Duration::ZERO;
                while waited < SHOW_AFTER {
                    if d.load(Ordering::Relaxed) {
                        return;
                    }
                    std::thread::sleep(step);
                    waited += step;
                }
                if !d.load(Ordering::Relaxed) && !b.is_finished() {
                    b.set_draw_target(ProgressDrawTarget::stderr());
                    b.enable_steady_tick(Duration::from_millis(120));
                }
            });
        }
        Progress { bar, done }
    }

    pub fn inc(&self) {
        self.bar.inc(1);
    }

    pub fn set_message(&self, message: impl Into<String>) {
        self.bar.set_message(message.into());
    }

    /// Runs `f` (which prints) with the bar out of the way.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.done.store(true, Ordering::Relaxed);
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

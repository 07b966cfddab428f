//! What the functions log, captured in a test: every level, of the threads that ask for it.

use std::cell::Cell;
use std::sync::{Mutex, Once};

thread_local! {
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
}

/// The log lines (all levels) of the threads that capture.
static CAPTURED: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct CaptureWriter;

impl std::io::Write for CaptureWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if CAPTURING.get() {
            CAPTURED.lock().unwrap().extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// From now on, what this thread logs (every level) is captured. The subscriber is this test
/// binary's global one: a thread's own default subscriber would miss callsites that other
/// threads registered first.
pub fn capture_this_threads_log() {
    static SUBSCRIBER: Once = Once::new();
    SUBSCRIBER.call_once(|| {
        let subscriber =
            tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(|| CaptureWriter).finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
    });
    CAPTURING.set(true);
}

/// What the capturing threads logged so far.
pub fn captured_log() -> String {
    String::from_utf8_lossy(&CAPTURED.lock().unwrap()).into_owned()
}

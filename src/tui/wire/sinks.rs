//! Writers for measuring and testing: one that counts bytes, one that keeps them.

use super::*;

/// A writer that only counts what goes through it; clones share the count, so one clone can
/// go into a backend while another reads the bytes written (for measuring without a terminal).
#[derive(Debug, Default, Clone)]
pub struct Counter {
    pub(super) bytes: Arc<AtomicU64>,
}

impl Counter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes written through any clone so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A writer that keeps everything; clones share the bytes, `take` hands over what came so far.
#[derive(Debug, Default, Clone)]
pub struct Capture {
    pub(super) data: Arc<Mutex<Vec<u8>>>,
}

impl Capture {
    pub fn new() -> Self {
        Self::default()
    }

    fn data(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.data())
    }

    pub fn len(&self) -> usize {
        self.data().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.data().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

//! A dropped link: the master side of the terminal closes under a running workbench with a
//! form half typed. The workbench must notice, keep the draft and exit: with the terminal as
//! its controlling terminal (the kernel sends SIGHUP) and without (only the terminal itself
//! says so — crossterm alone spins forever on the EIO a hung-up terminal gives).

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod support;
use support::isolated_env;
const BIN: &str = env!("CARGO_BIN_EXE_postloan");
/// The longest any one wait may take; nothing here should come near it.
const TIMEOUT: Duration = Duration::from_secs(10);
const TYPED: &str = "zz-hangup-note";

const DEMO_ARGS: [&str; 8] = support::demo_args("60");

/// The master side of a pty: read with a deadline (poll), written to, and closed on drop.
struct Master {
    fd: std::fs::File,
    out: Vec<u8>,
    answered: usize,
}

impl Master {
    /// Reads until `done(output)` holds; answers cursor-position queries on the way.
    fn read_until(&mut self, what: &str, done: impl Fn(&[u8]) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while !done(&self.out) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "waited {TIMEOUT:?} for {what}; got {} bytes: {:?}",
                self.out.len(),
                String::from_utf8_lossy(&self.out)
            );
            let mut fds = [libc::pollfd {
                fd: self.fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            }];
            // SAFETY: one valid pollfd for the duration of the call.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), 1, left.as_millis() as libc::c_int) };
            if n <= 0 {
                continue;
            }
            let mut buf = [0u8; 65536];
            match self.fd.read(&mut buf) {
                Ok(0) | Err(_) => panic!("the terminal closed while waiting for {what}"),
                Ok(k) => self.out.extend_from_slice(&buf[..k]),
            }
            let queries = self.out.windows(4).filter(|w| w == b"\x1b[6n").count();
            while self.answered < queries {
                self.fd
                    .write_all(b"\x1b[1;1R")
                    .expect("answer the cursor query");
                self.answered += 1;
            }
        }
    }

    fn send(&mut self, keys: &str) {
        self.fd
            .write_all(keys.as_bytes())
            .expect("type into the pty");
    }
}

#[test]
fn a_dropped_link_keeps_the_draft_and_ends_the_process() {
    hang_up(true);
}

#[test]
fn a_hung_up_terminal_without_sighup_still_ends_the_process() {
    hang_up(false);
}

fn hang_up(controlling_terminal: bool) {
    let home = tempfile::tempdir().expect("tempdir");
    let db = support::build_demo(BIN, home.path(), &DEMO_ARGS);

    let (mut master_fd, mut slave_fd) = (-1, -1);
    let size = libc::winsize {
        ws_row: 40,
        ws_col: 120,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: out-pointers to two ints; no name buffer; a valid winsize.
    let rc = unsafe {
        libc::openpty(
            &mut master_fd,
            &mut slave_fd,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // The child must not inherit the master side, or closing ours would not hang it up.
    // SAFETY: a descriptor openpty just returned.
    let rc = unsafe { libc::fcntl(master_fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    assert_eq!(rc, 0, "fcntl: {}", std::io::Error::last_os_error());
    // SAFETY: openpty returned two fresh descriptors that nothing else owns.
    let (master_fd, slave_fd) = unsafe {
        (
            OwnedFd::from_raw_fd(master_fd),
            OwnedFd::from_raw_fd(slave_fd),
        )
    };

    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .envs(isolated_env(home.path()))
        .args(["demo", "--db"])
        .arg(&db)
        .args(DEMO_ARGS)
        .stdin(Stdio::from(slave_fd.try_clone().expect("dup")))
        .stdout(Stdio::from(slave_fd.try_clone().expect("dup")))
        .stderr(Stdio::from(slave_fd));
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            if controlling_terminal && libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("start the workbench");
    drop(cmd); // the parent's copies of the slave side

    let mut master = Master {
        fd: std::fs::File::from(master_fd),
        out: Vec::new(),
        answered: 0,
    };
    master.read_until("the first screen", |o| {
        String::from_utf8_lossy(o).contains("Today")
    });
    // Ledger, open the first loan, a new contact record, type into it.
    master.send("2");
    master.send("\r");
    master.send("n");
    master.send(TYPED);
    master.read_until("the typed text on screen", |o| {
        o.windows(TYPED.len()).any(|w| w == TYPED.as_bytes())
    });

    // The link drops: the master side closes, nothing is read or written any more.
    drop(master);
    let (tx, rx) = mpsc::channel();
    let pid = child.id();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    match rx.recv_timeout(TIMEOUT) {
        Ok(status) => {
            status.expect("wait for the workbench");
        }
        Err(_) => {
            // SAFETY: signalling the child we started.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            panic!("the workbench still runs {TIMEOUT:?} after the terminal hung up");
        }
    }

    // Drafts live in the state directory (`postloan paths`), not in the book.
    let file = home.path().join("postloan/drafts.json");
    let text = std::fs::read_to_string(&file).expect("the drafts file");
    let drafts: serde_json::Value = serde_json::from_str(&text).expect("drafts are JSON");
    let values: Vec<String> = drafts["drafts"]
        .as_array()
        .into_iter()
        .flatten()
        // Version 2 of the file: each draft's values by field name.
        .flat_map(|d| {
            d["fields"]
                .as_object()
                .map(|m| m.values().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        })
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    assert!(
        values.iter().any(|v| v.contains(TYPED)),
        "the half-typed form is kept as a draft: {text}"
    );
}

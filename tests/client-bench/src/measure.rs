//! Which clock the benchmarks read.
//!
//! Wall time (criterion's default) is what a user waits, but on a small shared
//! machine it moves with whatever else runs. `CLIENT_BENCH_CLOCK=cpu` measures the
//! CPU time of the benchmark thread instead: every client-side cost (runtime, hyper,
//! serde, the client's system calls) and nothing from the loopback server or other
//! processes, so generated/baseline ratios stay stable under load.

use criterion::measurement::{Measurement, ValueFormatter, WallTime};

/// The clock chosen by `CLIENT_BENCH_CLOCK` (`wall`, the default, or `cpu`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    Wall,
    ThreadCpu,
}

impl Clock {
    pub fn from_env() -> Self {
        match std::env::var("CLIENT_BENCH_CLOCK").as_deref() {
            Ok("cpu") => Clock::ThreadCpu,
            Ok("wall") | Err(_) => Clock::Wall,
            Ok(other) => panic!("CLIENT_BENCH_CLOCK must be `wall` or `cpu`, not `{other}`"),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Clock::Wall => "wall time",
            Clock::ThreadCpu => "CPU time of the benchmark thread",
        }
    }
}

/// CPU time consumed by the calling thread (user + system), in nanoseconds.
pub fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant the
    // kernel supports for the calling thread.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// The system (kernel) part of the calling thread's CPU time, in nanoseconds.
pub fn thread_sys_ns() -> u64 {
    // SAFETY: an all-zero `rusage` is a valid value for the kernel to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage; RUSAGE_THREAD is supported on Linux.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
    assert_eq!(rc, 0, "getrusage(RUSAGE_THREAD) failed");
    usage.ru_stime.tv_sec as u64 * 1_000_000_000 + usage.ru_stime.tv_usec as u64 * 1_000
}

/// Criterion measurement: CPU time of the benchmark thread, in nanoseconds.
pub struct ThreadCpuTime;

/// Values are nanoseconds, as with wall time, so wall time's formatter fits.
static NANOS: WallTime = WallTime;

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        NANOS.formatter()
    }
}

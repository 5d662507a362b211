//! `process_*`, as every Prometheus client library names them: resident and
//! virtual memory, CPU time, open and allowed file descriptors, start time.
//! Read from `/proc/self` at each scrape on Linux; absent elsewhere, and a
//! value `/proc` does not give is left out rather than guessed.

use prometheus_client::registry::Registry;

/// Registers the process metrics (Linux only).
pub(crate) fn register(registry: &mut Registry) {
    #[cfg(target_os = "linux")]
    registry.register_collector(Box::new(linux::ProcessCollector));
    #[cfg(not(target_os = "linux"))]
    let _ = registry;
}

#[cfg(target_os = "linux")]
mod linux {
    use std::fmt;

    use prometheus_client::collector::Collector;
    use prometheus_client::encoding::DescriptorEncoder;

    use crate::metrics::encode::{counter, gauge, Number};

    /// What `/proc/self/stat` says, in seconds and bytes.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub(super) struct Stat {
        pub(super) cpu_seconds: f64,
        /// Since boot.
        pub(super) started_after_boot_seconds: f64,
        pub(super) virtual_memory_bytes: u64,
        pub(super) resident_memory_bytes: u64,
    }

    /// Parses `/proc/<pid>/stat` (proc(5)): the fields after the command
    /// name, which is in parentheses and may hold spaces or parentheses.
    pub(super) fn parse_stat(stat: &str, ticks_per_second: u64, page_size: u64) -> Option<Stat> {
        let fields: Vec<&str> = stat.get(stat.rfind(')')? + 1..)?.split_whitespace().collect();
        // proc(5) numbers fields from 1; `state`, field 3, is the first here.
        let field = |n: usize| fields.get(n - 3)?.parse::<u64>().ok();
        let ticks = ticks_per_second.max(1) as f64;
        Some(Stat {
            cpu_seconds: (field(14)? + field(15)?) as f64 / ticks,
            started_after_boot_seconds: field(22)? as f64 / ticks,
            virtual_memory_bytes: field(23)?,
            resident_memory_bytes: field(24)?.saturating_mul(page_size),
        })
    }

    /// The boot time in `/proc/stat`, in seconds since the epoch.
    pub(super) fn boot_time(proc_stat: &str) -> Option<u64> {
        proc_stat.lines().find_map(|line| line.strip_prefix("btime ")?.trim().parse().ok())
    }

    /// The soft limit on open files in `/proc/<pid>/limits`; `None` when unlimited.
    pub(super) fn max_open_files(limits: &str) -> Option<u64> {
        let line = limits.lines().find(|line| line.starts_with("Max open files"))?;
        line.trim_start_matches("Max open files").split_whitespace().next()?.parse().ok()
    }

    fn read(path: &str) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }

    /// Writes the process metrics at each scrape.
    #[derive(Debug)]
    pub(super) struct ProcessCollector;

    impl Collector for ProcessCollector {
        fn encode(&self, mut encoder: DescriptorEncoder) -> fmt::Result {
            let e = &mut encoder;
            let ticks = rustix::param::clock_ticks_per_second();
            let page_size = rustix::param::page_size() as u64;
            if let Some(stat) = read("/proc/self/stat").and_then(|s| parse_stat(&s, ticks, page_size)) {
                let cpu = stat.cpu_seconds;
                counter(e, "process_cpu_seconds", "Total user and system CPU time spent in seconds.", cpu)?;
                let resident = stat.resident_memory_bytes;
                gauge(e, "process_resident_memory_bytes", "Resident memory size in bytes.", resident)?;
                let virtual_memory = stat.virtual_memory_bytes;
                gauge(e, "process_virtual_memory_bytes", "Virtual memory size in bytes.", virtual_memory)?;
                if let Some(boot) = read("/proc/stat").and_then(|s| boot_time(&s)) {
                    let started = Number(boot as f64 + stat.started_after_boot_seconds);
                    gauge(
                        e,
                        "process_start_time_seconds",
                        "Start time of the process since unix epoch in seconds.",
                        started,
                    )?;
                }
            }
            if let Ok(entries) = std::fs::read_dir("/proc/self/fd") {
                gauge(e, "process_open_fds", "Number of open file descriptors.", entries.count() as u64)?;
            }
            if let Some(max) = read("/proc/self/limits").and_then(|s| max_open_files(&s)) {
                gauge(e, "process_max_fds", "Maximum number of open file descriptors.", max)?;
            }
            Ok(())
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::linux::*;

    #[test]
    fn the_stat_line_reads_past_a_command_name_with_spaces_and_parentheses() {
        let stat = "4242 (sima (main) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 9 0 \
                    123400 1048576000 25600 18446744073709551615 1 1 0 0 0 0 0 4096 17638 0 0 0 17 1 0 0 0 0 0";
        let read = parse_stat(stat, 100, 4096).expect("a stat line");
        assert_eq!(read.cpu_seconds, 3.0, "250 + 50 ticks");
        assert_eq!(read.started_after_boot_seconds, 1234.0);
        assert_eq!(read.virtual_memory_bytes, 1_048_576_000);
        assert_eq!(read.resident_memory_bytes, 25_600 * 4096);
        assert_eq!(parse_stat("4242 (truncated) S 1 2", 100, 4096), None);
    }

    #[test]
    fn boot_time_and_the_open_files_limit_read_from_their_files() {
        assert_eq!(boot_time("cpu  1 2 3\nintr 5\nbtime 1764990000\nprocesses 9\n"), Some(1_764_990_000));
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max processes             63459                63459                processes \n\
                      Max open files            1024                 524288               files     \n";
        assert_eq!(max_open_files(limits), Some(1024));
        assert_eq!(max_open_files("Max open files            unlimited            unlimited            files"), None);
    }

    #[test]
    fn this_process_reads_as_itself() {
        let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
        let read = parse_stat(&stat, rustix::param::clock_ticks_per_second(), rustix::param::page_size() as u64);
        let read = read.expect("this process's stat line parses");
        assert!(read.resident_memory_bytes > 0 && read.virtual_memory_bytes >= read.resident_memory_bytes);
    }
}

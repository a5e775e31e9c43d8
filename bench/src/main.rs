//! `axon-bench`: runs workloads W1–W5 with tokio-ct and axon side by side and prints
//! `key=value` result lines (see the `axon_bench::harness` docs for the format).
//!
//! Usually started through `bench/run`, which builds it in release mode first.
//! Exit status: 0 if every run was correct, 1 if any printed `ok=false`, 2 for a usage error,
//! 124 if the watchdog (`--timeout`) fired.

use std::process::ExitCode;
use std::str::FromStr;
use std::thread;
use std::time::Duration;

use axon_bench::harness::{self, Config, Impl, Workload};
use axon_bench::measure;

const USAGE: &str = "\
usage: axon-bench [FLAGS] [W1 W2 W3 W4 W5]   (no workload names = W1 W2 W3 W4)

  --only IMPL     run only IMPL: tokio-ct, axon (kamaelia: the same slot, the W5 name),
                  tokio-ct-control (W4 only) or axon-line (W1 and W4 only)
                  (default: all of them side by side)
  --reps N        runs of each implementation per workload; the median is reported (default 3)
  --n N           size of W1-W4 (messages, hops or components); not W5
  --w1-n N, --w2-n N, --w3-n N, --w4-n N
                  size of one workload (defaults 1000000, 1000000, 1000000, 100000)
  --stages N      W1 pass-through stages (default 10)
  --workers N     W2 workers (default 8)
  --ring N        W3 ring size (default 1000)
  --w5-conns N    W5 TCP echo connections (default 100)
  --w5-rounds N   W5 sequential 64-byte round trips per connection (default 10000)
  --timeout SECS  abort with status 124 after SECS seconds; 0 = never (default 600)
  -h, --help      print this help
";

/// Every flag that takes a value (all of them except `--help`).
const VALUE_FLAGS: [&str; 13] = [
    "--only",
    "--reps",
    "--n",
    "--w1-n",
    "--w2-n",
    "--w3-n",
    "--w4-n",
    "--stages",
    "--workers",
    "--ring",
    "--w5-conns",
    "--w5-rounds",
    "--timeout",
];

/// Parsed command line: the benchmark configuration plus process-level options.
struct Args {
    config: Config,
    timeout_secs: u64,
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("axon-bench: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    start_watchdog(args.timeout_secs);
    let all_ok = harness::run(&args.config);
    print_peak_rss();
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Parses the command line; `Ok(None)` means help was asked for.
fn parse_args(mut argv: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut config = Config::default();
    let mut timeout_secs = 600;
    let mut workloads = Vec::new();
    while let Some(arg) = argv.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        if !arg.starts_with("--") {
            workloads.push(arg.parse::<Workload>()?);
            continue;
        }
        // Accept both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        if !VALUE_FLAGS.contains(&flag.as_str()) {
            return Err(format!("unknown flag {flag}"));
        }
        let value = match inline.or_else(|| argv.next()) {
            Some(value) => value,
            None => return Err(format!("{flag} needs a value")),
        };
        match flag.as_str() {
            "--only" => config.impls = vec![value.parse::<Impl>()?],
            "--reps" => config.reps = positive(&flag, &value)?,
            "--n" => {
                let n: u64 = number(&flag, &value)?;
                config.w1_n = n;
                config.w2_n = n;
                config.w3_hops = n;
                config.w4_n = number(&flag, &value)?;
            }
            "--w1-n" => config.w1_n = number(&flag, &value)?,
            "--w2-n" => config.w2_n = number(&flag, &value)?,
            "--w3-n" => config.w3_hops = number(&flag, &value)?,
            "--w4-n" => config.w4_n = number(&flag, &value)?,
            "--stages" => config.w1_stages = number(&flag, &value)?,
            "--workers" => config.w2_workers = positive(&flag, &value)?,
            "--ring" => config.w3_ring_size = positive(&flag, &value)?,
            "--w5-conns" => config.w5_conns = positive(&flag, &value)?,
            "--w5-rounds" => config.w5_rounds = positive(&flag, &value)? as u64,
            "--timeout" => timeout_secs = number(&flag, &value)?,
            _ => unreachable!("{flag} is in VALUE_FLAGS but not handled"),
        }
    }
    if !workloads.is_empty() {
        config.workloads = workloads;
    }
    if let Some(w) = config
        .workloads
        .iter()
        .find(|&&w| !config.impls.iter().any(|imp| imp.runs(w)))
    {
        return Err(format!(
            "no selected implementation runs {w} (tokio-ct-control runs only W4, axon-line W1 and W4)"
        ));
    }
    Ok(Some(Args {
        config,
        timeout_secs,
    }))
}

/// Parses a flag's numeric value.
fn number<T: FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .replace('_', "")
        .parse()
        .map_err(|_| format!("{flag}: {value:?} is not a valid number"))
}

/// Parses a flag's numeric value that must be at least 1.
fn positive(flag: &str, value: &str) -> Result<usize, String> {
    match number(flag, value)? {
        0 => Err(format!("{flag} must be at least 1")),
        n => Ok(n),
    }
}

/// Ends the process with status 124 if it is still running after `secs` seconds (0: never), so a
/// hung implementation cannot block a benchmark run forever.
fn start_watchdog(secs: u64) {
    if secs == 0 {
        return;
    }
    thread::spawn(move || {
        thread::sleep(Duration::from_secs(secs));
        eprintln!("axon-bench: timed out after {secs} s (--timeout)");
        print_peak_rss();
        std::process::exit(124);
    });
}

/// Prints the process's peak RSS once, after all workloads.
fn print_peak_rss() {
    if let Some(kib) = measure::peak_rss_kib() {
        println!("rss_peak_kib={kib}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Args>, String> {
        parse_args(args.iter().map(|arg| (*arg).to_owned()))
    }

    #[test]
    fn defaults_run_everything() {
        let args = parse(&[]).unwrap().unwrap();
        assert_eq!(args.config, Config::default());
        assert_eq!(args.timeout_secs, 600);
    }

    #[test]
    fn flags_and_workloads() {
        let args = parse(&[
            "--only",
            "tokio-ct",
            "--n=100_000",
            "--reps",
            "5",
            "W3",
            "w1",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(args.config.impls, vec![Impl::TokioCt]);
        assert_eq!(args.config.workloads, vec![Workload::W3, Workload::W1]);
        assert_eq!(args.config.reps, 5);
        assert_eq!(
            (args.config.w1_n, args.config.w3_hops, args.config.w4_n),
            (100_000, 100_000, 100_000)
        );
    }

    #[test]
    fn w5_flags() {
        let args = parse(&["--w5-conns", "10", "--w5-rounds=1000", "--n", "5", "W5"])
            .unwrap()
            .unwrap();
        assert_eq!(args.config.workloads, vec![Workload::W5]);
        assert_eq!((args.config.w5_conns, args.config.w5_rounds), (10, 1000));
        assert_eq!(parse(&[]).unwrap().unwrap().config.w5_rounds, 10_000);
        assert_eq!(
            parse(&["--only", "kamaelia"])
                .unwrap()
                .unwrap()
                .config
                .impls,
            vec![Impl::Axon]
        );
    }

    #[test]
    fn the_control_convention_reference_is_selectable_for_w4_only() {
        let args = parse(&["--only", "tokio-ct-control", "W4"])
            .unwrap()
            .unwrap();
        assert_eq!(args.config.impls, vec![Impl::TokioCtControl]);
        match parse(&["--only", "tokio-ct-control", "W4", "W1"]) {
            Err(refused) => assert!(refused.contains("runs W1"), "{refused}"),
            Ok(_) => panic!("tokio-ct-control accepted for W1"),
        }
    }

    #[test]
    fn bad_input_is_rejected() {
        assert!(parse(&["W6"]).is_err());
        assert!(parse(&["--w5-conns", "0"]).is_err());
        assert!(parse(&["--only", "actix"]).is_err());
        assert!(parse(&["--reps", "0"]).is_err());
        assert!(parse(&["--n"]).is_err());
        assert!(parse(&["--frobnicate", "1"]).is_err());
        assert!(parse(&["--frobnicate"])
            .err()
            .is_some_and(|message| message.contains("unknown flag")));
        assert!(parse(&["--help"]).unwrap().is_none());
    }
}

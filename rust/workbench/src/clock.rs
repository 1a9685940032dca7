//! Timestamps as Marathon prints them (`2017-07-14T15:13:34.402Z`) and a deterministic clock.
//!
//! Served bodies must be stable across runs, so time is logical: it starts at a base derived
//! from the cluster seed and advances a few seconds per state change, never from the wall clock.

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// 2017-07-14T15:13:34.402Z, the era of the Marathon 1.5 fixtures.
pub const DEFAULT_BASE: Millis = 1_500_045_214_402;

/// Formats `ms` as ISO-8601 UTC with milliseconds.
pub fn iso(ms: Millis) -> String {
    let secs = ms.div_euclid(1000);
    let milli = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{milli:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A logical clock: every `tick` moves time forward by a fixed step.
#[derive(Clone, Debug)]
pub struct Clock {
    now: Millis,
}

impl Clock {
    pub fn new(base: Millis) -> Clock {
        Clock { now: base }
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    /// Advances by 1.337 s (an odd step so that timestamps do not all end in `.000Z`).
    pub fn tick(&mut self) -> Millis {
        self.now += 1_337;
        self.now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_marathon() {
        assert_eq!(iso(DEFAULT_BASE), "2017-07-14T15:13:34.402Z");
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(1024), "1970-01-01T00:00:01.024Z");
        assert_eq!(iso(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}

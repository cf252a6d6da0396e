//! Sizes in human units: the decimal units storage quotas count in, for printing and for reading `[budget]`.

/// "212 KB", "4.1 MB": decimal units, as storage quotas count them.
pub(crate) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// `"100 MB"` → 100 000 000, `"1.5 GiB"` → 1 610 612 736. Decimal (kB, MB, GB, TB) and binary (KiB, MiB, GiB,
/// TiB) units, any letter case; a bare number is bytes.
pub(crate) fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number.parse().ok()?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" | "byte" | "bytes" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "t" | "tb" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        _ => return None,
    };
    let bytes = value * factor as f64;
    (value.is_finite() && bytes >= 0.0 && bytes < u64::MAX as f64).then(|| bytes.round() as u64)
}

/// "14 h", "9.5 h", "25 min", "40 s".
pub(crate) fn human_hours(hours: f64) -> String {
    if hours < 1.0 / 60.0 {
        format!("{} s", (hours * 3600.0).round() as u64)
    } else if hours < 1.0 {
        format!("{} min", (hours * 60.0).round() as u64)
    } else if hours < 10.0 {
        format!("{:.1} h", hours)
    } else {
        format!("{} h", hours.round() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(212_400), "212 KB");
        assert_eq!(human_bytes(4_100_000), "4.1 MB");
    }

    #[test]
    fn sizes_in_decimal_and_binary_units() {
        assert_eq!(parse_size("100 MB"), Some(100_000_000));
        assert_eq!(parse_size("2 GB"), Some(2_000_000_000));
        assert_eq!(parse_size("500 KiB"), Some(512_000));
        assert_eq!(parse_size("123456 B"), Some(123_456));
        assert_eq!(parse_size("1.5GiB"), Some(1_610_612_736));
        assert_eq!(parse_size("300 kb"), Some(300_000));
        for bad in ["", "MB", "100 MBs", "-3 MB", "1e9", "lots"] {
            assert_eq!(parse_size(bad), None, "{bad:?}");
        }
    }
}

//! Which children of the masters' znode are contenders, and which one leads — the rules of
//! libmesos' `zookeeper::Group` and `LeaderDetector`:
//!
//! - a child `<label>_<sequence>` or a bare `<sequence>` (pre-0.24 masters wrote no label) is a
//!   contender; anything else (`log_replicas`, stray nodes) is ignored;
//! - the leader is the contender with the smallest sequence **across all labels**, compared as
//!   numbers. Not the smallest name (`info_0000000010` sorts before `json.info_0000000009`), and
//!   not "JSON first": Mesos masters write one znode each, and the oldest one leads.
//!
//! Pure: names in, contenders out.

/// One contender znode (a child name split into label and sequence).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contender {
    /// The child's name, e.g. `json.info_0000000003`.
    pub name: String,
    /// `json.info`, `info`, another label, or `None` for a bare sequence.
    pub label: Option<String>,
    pub sequence: u64,
}

/// Splits a child name into label and sequence; `None` when it is not a contender.
///
/// The sequence is the text after the last `_` (the whole name when there is no `_`) and must
/// be decimal digits only: ZooKeeper writes `%010d` (or wider), never signs or spaces.
pub fn parse_child(name: &str) -> Option<Contender> {
    let (label, digits) = match name.rsplit_once('_') {
        Some((label, digits)) => (Some(label), digits),
        None => (None, name),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if label == Some("") {
        return None; // "_0000000001": not something Mesos writes
    }
    let sequence = digits.parse::<u64>().ok()?;
    Some(Contender {
        name: name.to_string(),
        label: label.map(str::to_string),
        sequence,
    })
}

/// The contenders among `children`, smallest sequence (the leader) first.
///
/// Two children cannot share a sequence under one parent (ZooKeeper's counter is per parent),
/// but a hand-made tree could have them; ties then break by name so the answer is stable.
pub fn contenders<S: AsRef<str>>(children: &[S]) -> Vec<Contender> {
    let mut found: Vec<Contender> = children
        .iter()
        .filter_map(|c| parse_child(c.as_ref()))
        .collect();
    found.sort_by(|a, b| {
        a.sequence
            .cmp(&b.sequence)
            .then_with(|| a.name.cmp(&b.name))
    });
    found
}

/// The leading contender: the smallest sequence over every label.
pub fn leader<S: AsRef<str>>(children: &[S]) -> Option<Contender> {
    contenders(children).into_iter().next()
}

/// `parent/child` for a ZooKeeper path.
pub fn child_path(parent: &str, child: &str) -> String {
    format!("{}/{child}", parent.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_labels_and_sequences() {
        let c = parse_child("json.info_0000000003").unwrap();
        assert_eq!((c.label.as_deref(), c.sequence), (Some("json.info"), 3));
        let c = parse_child("info_0000000012").unwrap();
        assert_eq!((c.label.as_deref(), c.sequence), (Some("info"), 12));
        let c = parse_child("0000000007").unwrap();
        assert_eq!((c.label, c.sequence), (None, 7));
        // The sequence follows the LAST underscore.
        let c = parse_child("my_label_0000000001").unwrap();
        assert_eq!((c.label.as_deref(), c.sequence), (Some("my_label"), 1));
        // 64-bit sequences (ZOOKEEPER-4706) are numbers too.
        assert_eq!(
            parse_child("info_2147483648000").unwrap().sequence,
            2_147_483_648_000
        );
    }

    #[test]
    fn ignores_non_contenders() {
        for name in [
            "log_replicas",
            "junk",
            "json.info_",
            "info_-2147483648",
            "info_+1",
            "info_00000000x1",
            "_0000000001",
            "",
            "info_99999999999999999999999",
        ] {
            assert_eq!(parse_child(name), None, "{name:?}");
        }
    }

    #[test]
    fn numbers_not_strings() {
        // String order would pick ..10 over ..9 because '1' < '9'.
        let children = ["json.info_0000000010", "json.info_0000000009"];
        assert_eq!(leader(&children).unwrap().sequence, 9);
        // Unpadded or wider sequences compare as numbers too.
        let children = ["info_100", "info_99"];
        assert_eq!(leader(&children).unwrap().name, "info_99");
    }

    #[test]
    fn smallest_sequence_across_labels() {
        // pymesos takes the smallest name ("info_..." < "json.info_..."), mesos-go prefers
        // JSON; Mesos takes the smallest sequence whatever the label.
        let children = [
            "log_replicas",
            "json.info_0000000005",
            "info_0000000004",
            "0000000006",
            "json.info_0000000003",
        ];
        let all = contenders(&children);
        let names: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "json.info_0000000003",
                "info_0000000004",
                "json.info_0000000005",
                "0000000006"
            ]
        );
        let children = ["json.info_0000000002", "info_0000000001"];
        assert_eq!(leader(&children).unwrap().label.as_deref(), Some("info"));
    }

    #[test]
    fn no_contenders() {
        assert_eq!(leader::<&str>(&[]), None);
        assert_eq!(leader(&["log_replicas"]), None);
    }

    #[test]
    fn ties_break_by_name() {
        let children = ["json.info_0000000001", "info_0000000001"];
        assert_eq!(leader(&children).unwrap().name, "info_0000000001");
    }

    #[test]
    fn child_paths() {
        assert_eq!(child_path("/mesos", "info_1"), "/mesos/info_1");
        assert_eq!(child_path("/mesos/", "info_1"), "/mesos/info_1");
    }
}

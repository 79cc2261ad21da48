//! MITRE ATT&CK tactics of the techniques the CloudTrail detections name, for counting
//! distinct tactics per risk object (Splunk ES reads them from the ATT&CK data its content
//! ships with; this is the project's own table of those techniques, sub-techniques taking
//! their parent's tactics). A technique not listed has no tactic here.

/// The tactics (ATT&CK short names) of a technique id such as `T1537` or `T1110.003`.
pub fn tactics(technique: &str) -> &'static [&'static str] {
    let parent = technique.split('.').next().unwrap_or(technique);
    match parent {
        "T1003" | "T1110" | "T1212" | "T1528" | "T1552" | "T1621" => &["credential-access"],
        "T1556" => &["credential-access", "defense-evasion", "persistence"],
        "T1020" | "T1048" | "T1537" | "T1567" => &["exfiltration"],
        "T1046" | "T1069" | "T1201" | "T1526" | "T1580" | "T1619" => &["discovery"],
        "T1053" => &["execution", "persistence", "privilege-escalation"],
        "T1059" | "T1204" | "T1648" => &["execution"],
        "T1078" => &["defense-evasion", "persistence", "privilege-escalation", "initial-access"],
        "T1098" => &["persistence", "privilege-escalation"],
        "T1114" | "T1119" | "T1185" | "T1530" => &["collection"],
        "T1136" | "T1554" => &["persistence"],
        "T1190" | "T1195" | "T1199" | "T1566" => &["initial-access"],
        "T1484" => &["defense-evasion", "privilege-escalation"],
        "T1485" | "T1486" | "T1490" | "T1496" | "T1531" => &["impact"],
        "T1535" | "T1562" | "T1578" => &["defense-evasion"],
        "T1550" => &["defense-evasion", "lateral-movement"],
        "T1586" | "T1583" => &["resource-development"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_techniques_take_their_parents_tactics() {
        assert_eq!(tactics("T1537"), ["exfiltration"]);
        assert_eq!(tactics("T1110.003"), ["credential-access"]);
        assert_eq!(tactics("T1078.004").len(), 4);
        assert!(tactics("T9999").is_empty());
    }
}

//! A history does not depend on the order its reports are given in, on the
//! threads or chunks they are judged in, or on being streamed or collected.

use keyrot::plan::history::{GivenTime, HistoryOptions, HistoryRecord, HistoryRun, TimeSource};
use keyrot::{parse_timestamp, Options};

const HEADER: &str = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date\n";

fn at(days: i64) -> String {
    let t = parse_timestamp("2026-01-01T00:00:00Z").expect("a time") + chrono::TimeDelta::days(days);
    keyrot::format_timestamp(&t)
}

/// Eight weekly reports of three accounts of 60 users, each user rotating
/// (or stalling, or deleting) on a schedule of its own.
fn season() -> Vec<(String, String, i64)> {
    let mut reports = Vec::new();
    for week in 0..8i64 {
        let today = 120 + week * 7;
        for account in ["111111111111", "222222222222", "333333333333"] {
            let mut text = HEADER.to_owned();
            for u in 0..60i64 {
                if u % 17 == 5 && week >= 5 {
                    continue; // deleted in week 5
                }
                let created = u * 3 % 100;
                let arn = format!("arn:aws:iam::{account}:user/u{u}");
                let rotate_week = u % 7;
                let used = at(today - 1);
                let (k1, k2) = if week < rotate_week || u % 5 == 0 {
                    (format!("true,{},{used}", at(created)), "false,N/A,N/A".to_owned())
                } else if week == rotate_week {
                    (format!("true,{},{used}", at(created)), format!("true,{},{}", at(today - 2), at(today - 1)))
                } else if week == rotate_week + 1 {
                    (format!("true,{},{used}", at(today - 9)), format!("false,{},{}", at(created), at(today - 9)))
                } else {
                    (format!("true,{},{used}", at(today - 7 * (week - rotate_week) - 2)), "false,N/A,N/A".to_owned())
                };
                text.push_str(&format!("u{u},{arn},{k1},{k2}\n"));
            }
            reports.push((format!("{account}-w{week}.csv"), text, today));
        }
    }
    reports
}

fn given(reports: &[(String, String, i64)]) -> Vec<(String, Option<GivenTime>)> {
    reports
        .iter()
        .map(|(name, _, day)| {
            let time = parse_timestamp(&at(*day)).expect("a time");
            (name.clone(), Some(GivenTime { time, source: TimeSource::Given }))
        })
        .collect()
}

fn json(run: &HistoryRun, reports: &[(String, String, i64)]) -> serde_json::Value {
    let history = run.collect(&given(reports), |i| Ok(reports[i].1.as_bytes())).expect("a history");
    serde_json::to_value(history).expect("serializes")
}

#[test]
fn the_order_given_threads_and_chunks_do_not_matter() {
    let reports = season();
    let run = HistoryRun::new(&Options::default(), &HistoryOptions::DEFAULT).threads(1);
    let expected = json(&run, &reports);
    assert!(expected["totals"]["rotations"].as_u64().unwrap() > 20, "{}", expected["totals"]);
    assert!(expected["totals"]["remediated"].as_u64().unwrap() > 10, "{}", expected["totals"]);
    let mut reversed = reports.clone();
    reversed.reverse();
    assert_eq!(json(&run, &reversed), expected);
    let many = HistoryRun::new(&Options::default(), &HistoryOptions::DEFAULT).threads(4).chunk_bytes(700);
    assert_eq!(json(&many, &reports), expected);
}

#[test]
fn a_streamed_history_hands_out_every_key_and_rotation_once() {
    let reports = season();
    let run = HistoryRun::new(&Options::default(), &HistoryOptions::DEFAULT);
    let collected = run.collect(&given(&reports), |i| Ok(reports[i].1.as_bytes())).expect("a history");
    let (mut keys, mut rotations) = (Vec::new(), Vec::new());
    let summary = run
        .stream(
            &given(&reports),
            |i| Ok(reports[i].1.as_bytes()),
            |record| {
                match record {
                    HistoryRecord::Key(k) => keys.push(k.clone()),
                    HistoryRecord::Rotation(r) => rotations.push(r.clone()),
                }
                Ok(())
            },
        )
        .expect("a history");
    assert_eq!(summary.totals, collected.totals);
    assert_eq!(keys.len() as u64, collected.totals.keys);
    keys.sort_by(|a, b| (&a.account_id, &a.user, a.created).cmp(&(&b.account_id, &b.user, b.created)));
    assert_eq!(keys, collected.keys);
    assert_eq!(rotations.len(), collected.rotations.len());
    // Every key that ended before the last report came out before the end.
    let last = collected.reports.last().expect("reports").time;
    assert!(collected.keys.iter().any(|k| k.deleted_before.is_some_and(|t| t < last)));
}

#[test]
fn a_report_in_the_cli_json_is_timed_by_its_generated_time() {
    use base64::Engine as _;
    let csv = format!("{HEADER}a,arn:aws:iam::111111111111:user/a,true,{},N/A,false,N/A,N/A\n", at(0));
    let wrap = |t: &str| {
        let content = base64::engine::general_purpose::STANDARD.encode(&csv);
        format!(r#"{{"Content": "{content}", "GeneratedTime": "{t}"}}"#)
    };
    // The later file name holds the earlier report: times, not names, order them.
    let files = [wrap("2026-06-08T00:00:00Z"), wrap("2026-06-01T00:00:00Z")];
    let names = [("a.json".to_owned(), None), ("b.json".to_owned(), None)];
    let run = HistoryRun::new(&Options::default(), &HistoryOptions::DEFAULT);
    let history = run.collect(&names, |i| Ok(files[i].as_bytes())).expect("a history");
    let order: Vec<&str> = history.reports.iter().map(|r| r.source.as_str()).collect();
    assert_eq!(order, ["b.json", "a.json"]);
    assert_eq!(history.reports[0].time_source, TimeSource::GeneratedTime);
    // Its GeneratedTime wins over a time given for it.
    let wrong = Some(GivenTime { time: parse_timestamp(&at(0)).unwrap(), source: TimeSource::Given });
    let names = [("a.json".to_owned(), wrong), ("b.json".to_owned(), None)];
    let again = run.collect(&names, |i| Ok(files[i].as_bytes())).expect("a history");
    assert_eq!(again, history);
}

#[test]
fn a_report_that_cannot_be_read_stops_the_history_and_names_itself() {
    let good = format!("{HEADER}a,arn:aws:iam::111111111111:user/a,true,{},N/A,false,N/A,N/A\n", at(0));
    let bad = format!("{HEADER}a,arn:aws:iam::111111111111:user/a,true,yesterday,N/A,false,N/A,N/A\n");
    let files = [good, bad];
    let time = |d| Some(GivenTime { time: parse_timestamp(&at(d)).unwrap(), source: TimeSource::Given });
    let names = [("good.csv".to_owned(), time(10)), ("bad.csv".to_owned(), time(17))];
    let run = HistoryRun::new(&Options::default(), &HistoryOptions::DEFAULT);
    let err = run.collect(&names, |i| Ok(files[i].as_bytes())).unwrap_err();
    assert_eq!((err.code(), err.line()), (keyrot::ErrorCode::InvalidTimestamp, Some(2)));
    assert!(err.to_string().contains("(in `bad.csv`)"), "{err}");
    let err = HistoryRun::new(&Options::at(parse_timestamp(&at(1)).unwrap()), &HistoryOptions::DEFAULT)
        .collect(&names, |i| Ok(files[i].as_bytes()))
        .unwrap_err();
    assert_eq!(err.code(), keyrot::ErrorCode::InvalidAsOf);
}

//! Writes a deterministic season of weekly credential reports: one report
//! per account per week, each account's week 0 the generator's own report
//! (`keyrot_benches::write_report`, seed = the account's number), and each
//! week after it the same users with their keys moved on: keys used, keys
//! rotated through the workflow (a second key made, the old one deactivated
//! a week later and deleted after that), a fifth of the rotations stalled
//! for weeks with the old key still in use, unused overdue keys made
//! inactive, users deleted and added.
//!
//! Usage: `gen-season ACCOUNTS USERS WEEKS OUT_DIR [START_EPOCH]`; writes
//! `OUT_DIR/week-NN/<account>-<YYYY-MM-DD>.csv` (the date is the report's
//! time: `keyrot history --time-from-name %Y-%m-%d`). START defaults to
//! 2026-01-05T00:00:00Z.

use keyrot_benches::{Spec, HEADER};
use std::io::{self, BufWriter, Write};
use std::path::Path;

const DAY: i64 = 86_400;
const WEEK: i64 = 7 * DAY;

/// A decision for (account, user, week, what): the same on every run.
fn chance(parts: [u64; 4]) -> u64 {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for p in parts {
        x ^= p.wrapping_add(0x9E37_79B9_7F4A_7C15).wrapping_add(x << 6).wrapping_add(x >> 2);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
    }
    x
}

fn ts(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
}

fn parse(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.timestamp())
}

#[derive(Clone)]
struct Key {
    active: bool,
    created: i64,
    /// Last use, and whether it is in use (used every week).
    used: Option<i64>,
    in_use: bool,
    place: String,
}

/// A rotation underway: the old key's slot, the week the old key is made
/// inactive, the week it is deleted.
#[derive(Clone, Copy)]
struct Rotating {
    old: usize,
    deactivate: u32,
    delete: u32,
}

struct User {
    /// The columns before the keys, and after them.
    head: String,
    tail: String,
    keys: [Option<Key>; 2],
    rotating: Option<Rotating>,
    /// How the user treats its keys: 0..60 rotates when due, 60..85 late,
    /// 85..100 never.
    persona: u64,
    deleted: bool,
}

fn read_key(fields: &[&str]) -> Option<Key> {
    if fields[1] == "N/A" {
        return None;
    }
    let used = parse(fields[2]);
    Some(Key {
        active: fields[0] == "true",
        created: parse(fields[1])?,
        used,
        in_use: used.is_some(),
        place: format!("{},{}", fields[3], fields[4]),
    })
}

fn write_key(out: &mut String, key: &Option<Key>) {
    match key {
        None => out.push_str("false,N/A,N/A,N/A,N/A"),
        Some(k) => {
            let used = k.used.map_or("N/A".to_owned(), |u| ts(u / 60 * 60));
            let place = if k.used.is_some() { k.place.as_str() } else { "N/A,N/A" };
            out.push_str(&format!("{},{},{used},{place}", k.active, ts(k.created)));
        }
    }
}

fn account_users(account: u64, users: u64, start: i64) -> io::Result<Vec<User>> {
    let mut base = Vec::new();
    let spec = Spec { rows: users, seed: 2 * account, as_of: start, account: 100_000_000_000 + account };
    keyrot_benches::write_report(&spec, &mut base)?;
    let text = String::from_utf8(base).map_err(io::Error::other)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().skip(1).enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != 22 {
            return Err(io::Error::other(format!("unexpected row: {line}")));
        }
        out.push(User {
            head: fields[..8].join(","),
            tail: fields[18..].join(","),
            keys: [read_key(&fields[8..13]), read_key(&fields[13..18])],
            rotating: None,
            persona: chance([account, i as u64, 0, 1]) % 100,
            deleted: false,
        });
    }
    Ok(out)
}

/// Moves `user` (number `u` of `account`) on to week `week` at `now`.
fn step(user: &mut User, account: u64, u: u64, week: u32, now: i64, added: &mut Vec<User>) {
    let roll = |what: u64| chance([account, u, u64::from(week), what]);
    let root = user.head.starts_with("<root_account>");
    if !root && roll(10) % 1000 < 2 {
        user.deleted = true;
        // Another user joins in its place, with a fresh key.
        let name = format!("svc-new-{account}-{u}-{week}");
        let arn = format!("arn:aws:iam::{}:user/{name}", 100_000_000_000 + account);
        added.push(User {
            head: format!("{name},{arn},{},false,N/A,N/A,N/A,false", ts(now - DAY)),
            tail: "false,N/A,false,N/A".to_owned(),
            keys: [
                Some(Key {
                    active: true,
                    created: now - DAY,
                    used: Some(now - 3600),
                    in_use: true,
                    place: "us-east-1,s3".into(),
                }),
                None,
            ],
            rotating: None,
            persona: roll(11) % 100,
            deleted: false,
        });
        return;
    }
    // The week's use.
    for key in user.keys.iter_mut().flatten() {
        if key.active && key.in_use {
            key.used = Some(now - (roll(20) % DAY as u64) as i64);
        }
    }
    if let Some(r) = user.rotating {
        if week >= r.delete {
            user.keys[r.old] = None;
            user.rotating = None;
        } else if week >= r.deactivate {
            if let Some(old) = &mut user.keys[r.old] {
                old.active = false;
                old.in_use = false;
            }
        }
        return;
    }
    // Start a rotation of the oldest active key, when this user would.
    let oldest = (0..2)
        .filter(|&s| user.keys[s].as_ref().is_some_and(|k| k.active))
        .min_by_key(|&s| user.keys[s].as_ref().map(|k| k.created));
    let Some(old) = oldest else { return };
    let age = (now - user.keys[old].as_ref().map_or(now, |k| k.created)) / DAY;
    let wants = match user.persona {
        0..60 => age >= 80 && roll(30) % 2 == 0,
        60..85 => age >= 150 && roll(30) % 5 == 0,
        _ => false,
    };
    let in_use = user.keys[old].as_ref().is_some_and(|k| k.in_use);
    if !in_use {
        // Nothing uses it: make it inactive once overdue, delete it later.
        if age > 90 && roll(31) % 4 == 0 {
            user.rotating = Some(Rotating { old, deactivate: week, delete: week + 1 + (roll(32) % 3) as u32 });
            if let Some(k) = &mut user.keys[old] {
                k.active = false;
            }
        }
        return;
    }
    if !wants {
        return;
    }
    let free = 1 - old;
    if user.keys[free].is_some() {
        // The other slot holds a key: delete it first (this week), rotate next.
        user.keys[free] = None;
        return;
    }
    let place = user.keys[old].as_ref().map_or("us-east-1,s3".to_owned(), |k| k.place.clone());
    let created = now - (roll(33) % (3 * DAY as u64)) as i64;
    user.keys[free] = Some(Key { active: true, created, used: Some(now - 600), in_use: true, place });
    let stalled = roll(34) % 5 == 0;
    let wait = if stalled { 6 + (roll(35) % 5) as u32 } else { 1 };
    user.rotating = Some(Rotating { old, deactivate: week + wait, delete: week + wait + 1 + (roll(36) % 2) as u32 });
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!("usage: gen-season ACCOUNTS USERS WEEKS OUT_DIR [START_EPOCH]");
        std::process::exit(2);
    }
    let number = |i: usize| -> u64 {
        args[i].parse().unwrap_or_else(|_| {
            eprintln!("gen-season: `{}` is not a whole number", args[i]);
            std::process::exit(2)
        })
    };
    let (accounts, users, weeks) = (number(0), number(1), number(2) as u32);
    let out_dir = Path::new(&args[3]);
    let start: i64 = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(1_767_571_200);
    let mut season: Vec<Vec<User>> =
        (0..accounts).map(|a| account_users(a, users, start)).collect::<io::Result<_>>()?;
    for week in 0..weeks {
        let now = start + i64::from(week) * WEEK;
        let folder = out_dir.join(format!("week-{:02}", week + 1));
        std::fs::create_dir_all(&folder)?;
        let date = &ts(now)[..10];
        for (a, users) in season.iter_mut().enumerate() {
            let mut added = Vec::new();
            if week > 0 {
                for (u, user) in users.iter_mut().enumerate().filter(|(_, u)| !u.deleted) {
                    step(user, a as u64, u as u64, week, now, &mut added);
                }
            }
            users.retain(|u| !u.deleted);
            users.extend(added);
            let path = folder.join(format!("{}-{date}.csv", 100_000_000_000 + a as u64));
            let mut out = BufWriter::with_capacity(1 << 16, std::fs::File::create(path)?);
            writeln!(out, "{HEADER}")?;
            let mut line = String::with_capacity(256);
            for user in users.iter() {
                line.clear();
                line.push_str(&user.head);
                line.push(',');
                write_key(&mut line, &user.keys[0]);
                line.push(',');
                write_key(&mut line, &user.keys[1]);
                line.push(',');
                line.push_str(&user.tail);
                line.push('\n');
                out.write_all(line.as_bytes())?;
            }
            out.flush()?;
        }
    }
    Ok(())
}

//! `keyrot plan`: the next step of the rotation workflow for every user.

use crate::args::{PlanArgs, PlanFormat, EXIT_BAD_INPUT, EXIT_COMPLIANT};
use crate::io::{display_name, open};
use crate::output::printable;
use keyrot::plan::{KnownKey, Plan, Step};
use keyrot::{format_timestamp, Timestamp};
use std::io::{self, Write};

struct Planned {
    source: String,
    outcome: Result<Plan, keyrot::Error>,
}

pub(crate) fn plan(args: &PlanArgs, now: Timestamp, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<i32> {
    let options = match args.policy.options(now, Some(args.grace_days)) {
        Ok(o) => o,
        Err(e) => {
            writeln!(err, "keyrot: {e}")?;
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let known: Option<Vec<KnownKey>> = match &args.access_keys {
        None => None,
        Some(path) => match std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|b| keyrot::plan::read_access_keys(&b).map_err(|e| e.to_string()))
        {
            Ok(keys) => Some(keys),
            Err(e) => {
                writeln!(err, "keyrot: {}: {e}", path.display())?;
                return Ok(EXIT_BAD_INPUT);
            }
        },
    };
    let simd = match crate::io::simd_level() {
        Ok(simd) => simd,
        Err(e) => {
            writeln!(err, "keyrot: {e}")?;
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let mut results = Vec::new();
    for path in &args.reports {
        let source = display_name(path);
        let outcome = open(path)
            .and_then(|input| keyrot::Run::new(&options).simd(simd).analyze(input))
            .map(|analysis| keyrot::plan(&analysis, known.as_deref()));
        if let Err(e) = &outcome {
            writeln!(err, "keyrot: {source}: {e}")?;
        }
        results.push(Planned { source, outcome });
    }
    let any_failed = results.iter().any(|r| r.outcome.is_err());
    if any_failed && results.len() == 1 {
        return Ok(EXIT_BAD_INPUT);
    }
    match args.format {
        PlanFormat::Json => write_json(out, &results)?,
        PlanFormat::Table => write_text(out, &results)?,
        PlanFormat::Markdown => write_markdown(out, &results)?,
        PlanFormat::Sh => write_sh(out, &results)?,
    }
    out.flush()?;
    Ok(if any_failed { EXIT_BAD_INPUT } else { EXIT_COMPLIANT })
}

fn write_json(out: &mut dyn Write, results: &[Planned]) -> io::Result<()> {
    let value = match results {
        [single] => match &single.outcome {
            Ok(plan) => serde_json::to_value(plan)?,
            Err(e) => serde_json::json!({ "source": single.source, "error": e }),
        },
        _ => serde_json::json!({
            "reports": results.iter().map(|r| match &r.outcome {
                Ok(plan) => serde_json::json!({ "source": r.source, "plan": plan }),
                Err(e) => serde_json::json!({ "source": r.source, "error": e }),
            }).collect::<Vec<_>>()
        }),
    };
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)
}

fn who(step: &Step) -> String {
    format!("{} (account {}, line {})", printable(&step.user), printable(&step.account_id), step.line)
}

fn write_text(out: &mut dyn Write, results: &[Planned]) -> io::Result<()> {
    for r in results {
        if results.len() > 1 {
            writeln!(out, "== {}", printable(&r.source))?;
        }
        let plan = match &r.outcome {
            Ok(plan) => plan,
            Err(e) => {
                writeln!(out, "ERROR {}", printable(&e.to_string()))?;
                continue;
            }
        };
        for step in &plan.steps {
            writeln!(out, "{}: {}", who(step), step.step.as_str())?;
            writeln!(out, "  {}", printable(&step.reason))?;
            for note in &step.notes {
                writeln!(out, "  note: {}", printable(note))?;
            }
            for check in &step.checks {
                writeln!(out, "  check: {check}")?;
            }
            for command in &step.commands {
                writeln!(out, "  run:   {command}")?;
            }
            writeln!(out)?;
        }
        writeln!(
            out,
            "{} step{} as_of {}; keyrot never calls AWS: run each check, then the commands you mean to run.",
            plan.steps.len(),
            if plan.steps.len() == 1 { ";" } else { "s;" },
            format_timestamp(&plan.as_of)
        )?;
    }
    Ok(())
}

/// Escapes Markdown's special characters in text from a report.
fn md_text(text: &str) -> String {
    let mut out = String::new();
    for ch in printable(text).chars() {
        if "\\`*_{}[]()#+-.!|<>&".contains(ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

fn write_markdown(out: &mut dyn Write, results: &[Planned]) -> io::Result<()> {
    writeln!(out, "# Access-key rotation plan\n")?;
    writeln!(out, "keyrot never calls AWS. Run each step's checks first, then the commands you mean to run.\n")?;
    for r in results {
        if results.len() > 1 {
            writeln!(out, "## {}\n", md_text(&r.source))?;
        }
        let plan = match &r.outcome {
            Ok(plan) => plan,
            Err(e) => {
                writeln!(out, "**Error:** {}\n", md_text(&e.to_string()))?;
                continue;
            }
        };
        writeln!(out, "As of {}: {} step(s).\n", format_timestamp(&plan.as_of), plan.steps.len())?;
        for step in &plan.steps {
            writeln!(out, "### `{}`: {}\n", step.step.as_str(), md_text(&who(step)))?;
            writeln!(out, "{}\n", md_text(&step.reason))?;
            for note in &step.notes {
                writeln!(out, "> **Note:** {}\n", md_text(note))?;
            }
            let lines: Vec<String> = step
                .checks
                .iter()
                .map(|c| format!("# check\n{c}"))
                .chain(step.commands.iter().map(|c| format!("# then\n{c}")))
                .collect();
            if !lines.is_empty() {
                let body = lines.join("\n");
                // A fence longer than any run of backticks in the body.
                let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
                let fence = "`".repeat(longest.max(2) + 1);
                writeln!(out, "{fence}sh\n{body}\n{fence}\n")?;
            }
        }
    }
    Ok(())
}

fn comment(out: &mut dyn Write, text: &str) -> io::Result<()> {
    // `printable` spells every control character, so no comment can end
    // early and start a live line.
    writeln!(out, "# {}", printable(text))
}

fn write_sh(out: &mut dyn Write, results: &[Planned]) -> io::Result<()> {
    writeln!(out, "#!/bin/sh")?;
    writeln!(out, "# Access-key rotation plan written by keyrot. keyrot never calls AWS.")?;
    writeln!(out, "# Read each step. The checks (read-only) are live; every command that creates, deactivates")?;
    writeln!(
        out,
        "# or deletes is commented out: run the check, set the key id, then uncomment what you mean to run."
    )?;
    writeln!(out, "set -eu")?;
    for r in results {
        writeln!(out)?;
        comment(out, &format!("Report: {}", r.source))?;
        let plan = match &r.outcome {
            Ok(plan) => plan,
            Err(e) => {
                comment(out, &format!("ERROR: {e}"))?;
                continue;
            }
        };
        comment(out, &format!("as_of {}", format_timestamp(&plan.as_of)))?;
        for step in &plan.steps {
            writeln!(out)?;
            comment(out, &format!("=== {}: {}", who(step), step.step.as_str()))?;
            comment(out, &step.reason)?;
            for note in &step.notes {
                comment(out, &format!("NOTE: {note}"))?;
            }
            if step.checks.is_empty() && step.commands.is_empty() {
                continue;
            }
            let variables: Vec<&str> = step.keys.iter().map(|k| k.variable.as_str()).collect();
            let mut unique = variables.clone();
            unique.dedup();
            writeln!(out, "unset {}", unique.join(" "))?;
            for key in &step.keys {
                if key.access_key_id.is_none() {
                    let created = key.last_rotated.map(|t| format_timestamp(&t)).unwrap_or_else(|| "?".to_owned());
                    writeln!(
                        out,
                        "# {}=''  # the slot {} key ({}), CreateDate {created} in list-access-keys",
                        key.variable, key.slot, key.role
                    )?;
                }
            }
            for check in &step.checks {
                if check.contains("\"$") {
                    writeln!(out, "# {check}  # set the key id first")?;
                } else {
                    writeln!(out, "{check}")?;
                }
            }
            for command in &step.commands {
                writeln!(out, "# {command}")?;
            }
        }
    }
    Ok(())
}

//! `keyrot plan`: the next step of the rotation workflow for every user.

use crate::args::{PlanArgs, PlanFormat, EXIT_BAD_INPUT, EXIT_COMPLIANT};
use crate::io::{display_name, open};
use keyrot::plan::{KnownKey, Plan};
use keyrot::Timestamp;
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
    let mut results = Vec::new();
    for path in &args.reports {
        let source = display_name(path);
        let outcome = open(path)
            .and_then(|input| keyrot::Run::new(&options).simd(args.policy.simd).analyze(input))
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
    let format = match args.format {
        PlanFormat::Table => keyrot::view::PlanFormat::Table,
        PlanFormat::Json => keyrot::view::PlanFormat::Json,
        PlanFormat::Markdown => keyrot::view::PlanFormat::Markdown,
        PlanFormat::Sh => keyrot::view::PlanFormat::Sh,
        PlanFormat::Csv => keyrot::view::PlanFormat::Csv,
    };
    let plans: Vec<(&str, Result<&Plan, &keyrot::Error>)> =
        results.iter().map(|r| (r.source.as_str(), r.outcome.as_ref())).collect();
    format.write(&plans, out)?;
    out.flush()?;
    Ok(if any_failed { EXIT_BAD_INPUT } else { EXIT_COMPLIANT })
}

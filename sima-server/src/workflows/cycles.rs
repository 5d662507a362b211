//! Workflows that re-trigger each other without end, refused at start-up.
//!
//! Start-up draws a graph of the workflows with an arrow from A to B when a
//! step of A can record a change that starts B, and refuses the
//! configuration if the graph has a cycle (A → A included), naming the
//! workflows in it.
//!
//! Of the steps, only `set_severity` records a change that starts a
//! workflow (`severity_changed`); `page`, `escalate`, `invite` and `post`
//! start none, and no step declares an incident, changes its status or hands
//! out a role. So A → B when B is started by `severity_changed` and A has a
//! step `{ set_severity = S }` after which B's `when` can hold:
//! - severity: B's `severity` list, if any, includes S, and S is at least B's
//!   `min_severity`, if any;
//! - status: a step changes the severity of an active incident only, and no
//!   step changes the status, so an active status must meet A's `when.status`
//!   (and its `to`, for `status_changed`) and B's `when.status`;
//! - domain: no step changes the domain, so A's and B's `when.domain`, when
//!   both are given, must share a domain.
//!
//! A workflow whose `when` no severity meets never runs and starts nothing.
//! Otherwise the rule is conservative: it does not count on a step being a
//! no-op because the severity already has its value, since another step may
//! have changed it meanwhile. So a `severity_changed` workflow with
//! `min_severity = "sev2"` that sets sev1 re-triggers itself, while one with
//! `severity = ["sev2"]` that sets sev1 does not.
//!
//! At run time the core also stops any chain of changes made by policies
//! deeper than `sima_core::domain::MAX_POLICY_DEPTH`, for policies assembled
//! in code and for anything this graph does not see.

use sima_core::domain::{Severity, Status};
use sima_core::ports::Step;

use super::{Conditions, Trigger, Workflow};

/// Refuses `workflows` if some of them re-trigger each other without end.
///
/// # Errors
/// A message naming the workflows of the first cycle found, in order, and
/// the step that starts each from the one before.
pub(super) fn refuse_cycles(workflows: &[Workflow]) -> Result<(), String> {
    let arrows: Vec<Vec<(usize, Severity)>> = workflows
        .iter()
        .map(|from| {
            let to = workflows.iter().enumerate();
            to.filter_map(|(index, to)| starts(from, to).map(|severity| (index, severity))).collect()
        })
        .collect();
    let mut marks = vec![Mark::Unseen; workflows.len()];
    for start in 0..workflows.len() {
        if marks[start] != Mark::Unseen {
            continue;
        }
        if let Some(cycle) = cycle_from(start, &arrows, &mut marks, &mut Vec::new()) {
            return Err(describe(workflows, &cycle));
        }
    }
    Ok(())
}

/// The severity a step of `from` sets that can start `to`, if any.
fn starts(from: &Workflow, to: &Workflow) -> Option<Severity> {
    if to.trigger != Trigger::SeverityChanged || !Severity::ALL.iter().any(|s| admits(&from.when, *s)) {
        return None;
    }
    let status = Status::ALL.into_iter().filter(Status::is_active).any(|s| {
        let meets = |when: &Conditions| when.status.as_ref().is_none_or(|list| list.contains(&s));
        meets(&from.when) && from.to.is_none_or(|to| to == s) && meets(&to.when)
    });
    let domain =
        from.domains.is_empty() || to.domains.is_empty() || from.domains.iter().any(|d| to.domains.contains(d));
    if !status || !domain {
        return None;
    }
    from.steps.iter().find_map(|step| match step {
        Step::SetSeverity { severity } if admits(&to.when, *severity) => Some(*severity),
        _ => None,
    })
}

/// Whether an incident of `severity` meets the severity conditions of `when`.
fn admits(when: &Conditions, severity: Severity) -> bool {
    when.severity.as_ref().is_none_or(|list| list.contains(&severity))
        && when.min_severity.is_none_or(|min| severity >= min)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Unseen,
    OnPath,
    Done,
}

/// A depth-first walk from `node`: the first cycle met, as the workflows in
/// order, each with the severity its step sets to start the next.
fn cycle_from(
    node: usize,
    arrows: &[Vec<(usize, Severity)>],
    marks: &mut [Mark],
    path: &mut Vec<(usize, Severity)>,
) -> Option<Vec<(usize, Severity)>> {
    marks[node] = Mark::OnPath;
    for &(next, severity) in &arrows[node] {
        path.push((node, severity));
        match marks[next] {
            Mark::OnPath => return path.iter().position(|(n, _)| *n == next).map(|start| path[start..].to_vec()),
            Mark::Unseen => {
                if let Some(cycle) = cycle_from(next, arrows, marks, path) {
                    return Some(cycle);
                }
            }
            Mark::Done => {}
        }
        path.pop();
    }
    marks[node] = Mark::Done;
    None
}

/// `workflows "up" and "down" re-trigger each other without end: "up" sets
/// severity sev2, which starts "down"; "down" sets severity sev3, which starts "up"; …`.
fn describe(workflows: &[Workflow], cycle: &[(usize, Severity)]) -> String {
    let name = |index: usize| format!("\"{}\"", workflows[index].name);
    let hint = "change a step or a `when` so that they do not (a step that sets the severity starts \
                every `severity_changed` workflow whose `when` admits the new severity)";
    if let [(only, severity)] = cycle {
        return format!(
            "workflow {} re-triggers itself without end: it sets severity {severity}, which starts it again; {hint}",
            name(*only)
        );
    }
    let names: Vec<String> = cycle.iter().map(|(index, _)| name(*index)).collect();
    let (last, first) = names.split_last().map_or(("", &[][..]), |(last, first)| (last.as_str(), first));
    let links: Vec<String> = cycle
        .iter()
        .enumerate()
        .map(|(i, (index, severity))| {
            let next = cycle[(i + 1) % cycle.len()].0;
            format!("{} sets severity {severity}, which starts {}", name(*index), name(next))
        })
        .collect();
    format!("workflows {} and {last} re-trigger each other without end: {}; {hint}", first.join(", "), links.join("; "))
}

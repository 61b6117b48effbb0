// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vuurmuur/diag/diagnostic.h"

/// The runtime blocklist: after rules/blocklist.conf changed (`vuurmuur-script --block X`,
/// `--unblock X`), only the blocklist chains of the running ruleset are replaced, so blocking
/// takes effect at once without reloading the rest: no other chain is flushed and no other
/// rule's counters change. See docs/apply.md ("Runtime blocklist").
///
/// How: the tree is checked and compiled as for apply; the filter chains BLOCK and BLOCKLIST
/// of each family are loaded with `iptables-restore --noflush`, declaring only those two
/// chains (a declaration flushes the chain; nothing else is named). Takes the apply lock.
/// Each family's load is one filter-table transaction: a refused load changes nothing.
///
/// The compiler leaves out chains nothing jumps to: a ruleset loaded with an empty blocklist
/// (in a family) has no BLOCKLIST chain and no jump to it. Blocking the first address of that
/// family then needs the jumps in INPUT, OUTPUT and FORWARD, so the whole config is applied
/// instead (`full_apply`). Emptying the blocklist only flushes the running chains.
/// last-known-good is not rewritten; the next full apply stores the blocklist with the rest.
namespace vuurmuur::apply {

struct BlockUpdate {
    /// The blocklist chains were reloaded (in every family that has them).
    bool loaded = false;
    /// No Vuurmuur ruleset runs (neither BLOCKLIST nor another chain of Vuurmuur's in the
    /// filter table of either family): nothing was changed; the blocklist takes effect with
    /// the next `apply`.
    bool no_ruleset = false;
    /// A family's running ruleset has no BLOCKLIST (its blocklist was empty) while the new
    /// blocklist has entries for it: a full apply (apply::apply) was run instead.
    bool full_apply = false;
    bool config_errors = false;  ///< the tree did not check or compile; nothing changed
    bool busy = false;           ///< another apply runs or waits for confirmation; nothing changed
    bool failed = false;         ///< a load or save failed (see messages)
    diag::Diagnostics diags;     ///< problems of the config tree
    /// What happened, in order; warnings and errors are prefixed "warning: " / "error: ".
    std::vector<std::string> messages;
};

/// Reloads the blocklist chains from the tree at `config_dir`. `state_dir` is apply's state
/// directory (for its lock). Never throws for expected trouble.
BlockUpdate update_blocklist(const std::filesystem::path& config_dir, const std::filesystem::path& state_dir);

}  // namespace vuurmuur::apply

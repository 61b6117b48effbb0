// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vuurmuur/apply/libiptc.h"
#include "vuurmuur/diag/diagnostic.h"

/// Stage 6, apply: check and compile the config tree, then load both families into the
/// kernel as one operation, with rollback, confirm-or-rollback, last-known-good and the boot
/// fallbacks. Loads with the `restore` backend (apply/netfilter.h) or the `libiptc` one
/// (apply/libiptc.h); see docs/apply.md.
namespace vuurmuur::apply {

struct Request {
    std::filesystem::path config_dir = "/etc/vuurmuur";
    std::filesystem::path state_dir = "/var/lib/vuurmuur";
    /// Check, compile and test-load (iptables-restore --test) only: nothing changes.
    bool test_only = false;
    /// Roll back by itself after this many seconds unless confirm() arrives.
    std::optional<unsigned> confirm_seconds;
    /// Boot: the config, else last-known-good, else the safety ruleset. Never nothing.
    bool boot = false;
    /// How the rulesets are loaded and rolled back. Libiptc is refused unless the host's
    /// iptables is the legacy one (and this build has it).
    Backend backend = Backend::Restore;
};

/// What is running after an apply.
enum class Loaded { Nothing, Config, LastKnownGood, Safety };
const char* loaded_name(Loaded loaded);

struct Report {
    /// Problems of the config tree (check and compile), locations relative to the tree.
    diag::Diagnostics diags;
    /// What happened, in order; warnings and errors are prefixed "warning: " / "error: ".
    std::vector<std::string> messages;
    Loaded loaded = Loaded::Nothing;
    bool config_errors = false;  ///< the tree did not check or compile (nothing of it loaded)
    bool busy = false;           ///< another apply runs or waits for confirmation
    bool failed = false;         ///< an error other than config errors
    /// --confirm: the watcher that rolls back unless confirmed.
    long watcher_pid = 0;
};

/// Runs the whole apply. Never throws for expected trouble: everything is in the report.
Report apply(const Request& request);

struct ConfirmResult {
    enum class Outcome { Confirmed, NothingPending, TooLate, Failed };
    Outcome outcome = Outcome::Failed;
    std::string message;
};

/// Confirms the pending `apply --confirm`: its ruleset stays and becomes last-known-good.
/// Waits up to `wait` for the watcher to finish and reports what it did (a confirm that
/// arrives after the deadline reports TooLate: the previous ruleset was restored).
ConfirmResult confirm(const std::filesystem::path& state_dir,
                      std::chrono::milliseconds wait = std::chrono::seconds{30});

/// The pid of the watcher of a pending `apply --confirm`, if one is recorded.
std::optional<long> pending_watcher(const std::filesystem::path& state_dir);

/// Waits up to `timeout` for process `pid` (not necessarily our child) to exit, without
/// polling loops (pidfd). True when it is gone.
bool wait_for_exit(long pid, std::chrono::milliseconds timeout);

}  // namespace vuurmuur::apply

// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "vuurmuur/ir/ruleset.h"

/// The apply state directory (default /var/lib/vuurmuur, mode 0700):
///
///   apply.lock            flock: held by a running apply and by the watcher of a pending one
///   last-known-good.rules the rulesets of the last confirmed apply (both families, one file)
///   last-apply            the outcome of the last apply / confirm / rollback (key: value lines)
///   pending/              only while an `apply --confirm` waits:
///     previous.rules        what ran before (save output) and the forwarding sysctls
///     loaded.rules          what was loaded (becomes last-known-good on confirm)
///     watcher.pid           the watcher process
///     confirm.fifo          `vuurmuur-script confirm` writes "confirm" here
///
/// Every file is written atomically (io::write_file_atomic, mode 0600).
namespace vuurmuur::apply {

/// The rulesets of one family as stored in a state file.
struct StoredFamily {
    ir::Family family = ir::Family::Ipv4;
    /// iptables-restore text (a rendered ruleset, or save output for previous.rules).
    std::string text;
    /// The forwarding sysctl that goes with it; nullopt: leave it alone.
    std::optional<bool> forward;
    /// Hook chains (table, chain): created when missing, never flushed. Their declarations
    /// are dropped from `text` when the chain exists already (adapt_to_kernel).
    std::vector<std::pair<std::string, std::string>> hooks;
};

struct StoredRulesets {
    std::string comment;  ///< first line, without "# "
    std::vector<StoredFamily> families;

    const StoredFamily* find(ir::Family f) const;
};

/// File format: "# comment", then per family "#@ family ipv4|ipv6", "#@ forward yes|no",
/// "#@ hook TABLE CHAIN" lines and the restore text. iptables-restore reads '#' lines as
/// comments, so each family's part can be fed to it by hand.
std::string format_stored(const StoredRulesets& stored);
/// nullopt when the text is not in that format.
std::optional<StoredRulesets> parse_stored(const std::string& text);

/// `family.text` without the declarations of its hook chains that `existing` (chains per
/// table of the running kernel) already has, so loading it with --noflush keeps their rules.
std::string adapt_to_kernel(const StoredFamily& family,
                            const std::map<std::string, std::set<std::string>>& existing);

/// Chain names per table.
using ChainsByTable = std::map<std::string, std::set<std::string>>;

/// The chains `family` declares as its own: user chains ("-" policy) that are not hooks.
ChainsByTable owned_chains(const StoredFamily& family);

/// owned_chains of each family of a state file (format_stored's format), read line by line so
/// the rulesets' text is never held whole (last-known-good of a large tree is 40 MB). nullopt
/// when the file is missing, unreadable or not in that format (`error` says why; empty when
/// the file does not exist).
std::optional<std::map<ir::Family, ChainsByTable>> read_owned_chains(const std::filesystem::path& path,
                                                                     std::string& error);

/// A chain removed by retire_stale_chains.
struct RetiredChain {
    std::string table;
    std::string chain;
    bool operator==(const RetiredChain&) const = default;
};

/// Adds to `text` (what adapt_to_kernel made of `family`) the lines that remove the chains an
/// earlier load left behind: the chains in `previously_owned` (owned_chains of the last
/// ruleset this program loaded) that `family` no longer declares and that `saved` (the
/// kernel's save output, whose chains `kernel` lists: existing_chains(saved)) still has. Per table, "-F CHAIN" lines and then "-X CHAIN" lines go
/// just before the table's COMMIT, chains in name order.
///
/// A chain is kept when a rule that survives this load jumps to it: a rule in a hook chain,
/// in a chain this program does not own (Docker's), in a table `text` does not load, or in
/// another chain that is kept. Deleting it would make the whole load fail; the chains this
/// load replaces (built-ins and its own) lose their old rules first, so their jumps do not
/// count. `retired`, when given, receives the chains removed.
void retire_stale_chains(std::string& text, const StoredFamily& family, const ChainsByTable& previously_owned,
                         const std::string& saved, const ChainsByTable& kernel,
                         std::vector<RetiredChain>* retired = nullptr);

class StateDir {
public:
    explicit StateDir(std::filesystem::path root) : root_(std::move(root)) {}

    const std::filesystem::path& root() const { return root_; }
    std::filesystem::path lock_file() const { return root_ / "apply.lock"; }
    std::filesystem::path last_known_good() const { return root_ / "last-known-good.rules"; }
    std::filesystem::path status_file() const { return root_ / "last-apply"; }
    std::filesystem::path pending_dir() const { return root_ / "pending"; }
    std::filesystem::path previous_file() const { return pending_dir() / "previous.rules"; }
    std::filesystem::path loaded_file() const { return pending_dir() / "loaded.rules"; }
    std::filesystem::path watcher_pid_file() const { return pending_dir() / "watcher.pid"; }
    std::filesystem::path fifo() const { return pending_dir() / "confirm.fifo"; }

    /// Creates the directory (0700) when missing. Throws io::IoError.
    void ensure() const;
    bool has_pending() const;
    /// Removes pending/ and everything in it. Throws io::IoError.
    void clear_pending() const;
    /// Writes last-apply: "result: RESULT", "time: ...", "detail: DETAIL".
    void write_status(const std::string& result, const std::string& detail) const;

private:
    std::filesystem::path root_;
};

/// Reads a state file: regular, not a symlink, at most 512 MiB. nullopt when missing or
/// unreadable (`error` says why, empty when it does not exist).
std::optional<std::string> read_state_file(const std::filesystem::path& path, std::string& error);

/// The exclusive apply lock (a flock on apply.lock). Never blocks.
class ApplyLock {
public:
    /// Tries to take the lock; `held()` tells whether it worked. Throws io::IoError when the
    /// lock file cannot be opened.
    explicit ApplyLock(const StateDir& dir);
    ~ApplyLock();
    ApplyLock(const ApplyLock&) = delete;
    ApplyLock& operator=(const ApplyLock&) = delete;

    bool held() const { return held_; }
    int fd() const { return fd_; }

private:
    int fd_ = -1;
    bool held_ = false;
};

/// "2026-11-22T00:40:00Z"
std::string utc_now();

}  // namespace vuurmuur::apply

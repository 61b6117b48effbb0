// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "vuurmuur/config/store.h"
#include "vuurmuur/edit/audit.h"
#include "vuurmuur/edit/result.h"
#include "vuurmuur/model/schema.h"

/// The editing API shared by vuurmuur-script and the TUI: create, delete, rename and modify
/// objects, edit the rules list and the blocklist.
///
/// Every operation is one config::Store transaction: the tree is read under the exclusive
/// lock, every check runs before anything is written, and either all files of the change are
/// written or none. Nothing is printed: each operation returns a Result whose status maps onto
/// the original vuurmuur_script's exit codes, and each change that was written is passed to
/// the audit sink (after the commit) and listed in Result::changes.
namespace vuurmuur::edit {

/// How modify writes a multi-valued key (INTERFACE, RULE, MEMBER, TCP, ...).
enum class WriteMode {
    Overwrite,  ///< replace every value (the original's default)
    Append,     ///< add one value after the last
};

class Editor {
public:
    /// `user` is recorded in every audit record (edit::current_user() for the real uid).
    Editor(config::Store& store, AuditSink audit, std::string user);

    /// Creates an object with the original's template (reference §1.2): zone, network, host,
    /// group, service, interface, or a ruleset ("rules", "blocklist") that does not exist yet.
    /// The parent (zone of a network, network of a host or group) must exist.
    Result create(model::ObjectKind kind, const std::string& name);

    /// Deletes an object. Networks and zones must be empty (no hosts or groups, no networks),
    /// as in the original. An object that rules, group members, blocklist entries or networks'
    /// INTERFACE still name is refused with the referrers listed (DataInconsistency), unless
    /// `force`: then it is deleted and Result::referrers lists what now dangles. Deleting a
    /// ruleset removes its file.
    Result remove(model::ObjectKind kind, const std::string& name, bool force);

    /// Renames an object and, in the same transaction, every rule, group member, blocklist
    /// entry and network INTERFACE that names it. `new_name` is the new last part (`pc2`) or
    /// the full name (`pc2.local.lan`); hosts, groups and networks stay where they are.
    Result rename(model::ObjectKind kind, const std::string& name, const std::string& new_name);

    /// Sets `variable` of an object to `value`; for multi-valued keys `mode` says whether
    /// the value replaces all values or is appended. The value is type-checked (form) and
    /// checked against the tree (a host inside its network, members and interfaces that
    /// exist, rules that name existing objects) before anything is written. For the rulesets
    /// the variable is RULE: `rules` takes rule texts, `blocklist` takes `block <item>`.
    Result modify(model::ObjectKind kind, const std::string& name, const std::string& variable,
                  const std::string& value, WriteMode mode);

    /// rules.conf, numbered from 1 as `rules list` and `-P -r rules --rule-numbers` show them.
    /// Adds a rule at position `at` (the rule there and after move down); at the end when
    /// absent or one past the last.
    Result rule_add(const std::string& text, std::optional<std::size_t> at);
    /// Moves rule `from` so that it becomes rule `to`.
    Result rule_move(std::size_t from, std::size_t to);
    /// Activates (removes the leading ';') or deactivates (adds it) rule `number`.
    Result rule_set_active(std::size_t number, bool active);
    Result rule_delete(std::size_t number);
    /// Replaces rule `number` with `text` in one transaction (the TUI's rule editor); an
    /// inactive rule stays inactive. When `expected` is given and rule `number` no longer reads
    /// `expected` (as list_rules() shows it), nothing is written: DataInconsistency, because
    /// someone else changed rules.conf since the caller read it.
    Result rule_replace(std::size_t number, const std::string& text,
                        const std::optional<std::string>& expected);

    /// blocklist.conf: adds `block <item>` (an IPv4/IPv6 address, host or group).
    Result block(const std::string& item);
    /// Removes every entry that blocks exactly `item`. Not found is a CommandLine error, as
    /// in the original.
    Result unblock(const std::string& item);

    struct Session;

private:
    Result run(const std::function<Result(Session&)>& body);

    config::Store& store_;
    AuditSink audit_;
    std::string user_;
};

}  // namespace vuurmuur::edit

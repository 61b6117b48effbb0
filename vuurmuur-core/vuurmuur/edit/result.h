// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vuurmuur/edit/audit.h"

/// What every editing operation returns: a status that maps onto the exit codes of the
/// original vuurmuur_script (reference §4.2), a one-line message, and the details.
namespace vuurmuur::edit {

enum class Status : int {
    Ok = 0,
    CommandLine = 1,        ///< bad arguments or a value that fails its type check
    CommandFailed = 2,      ///< the change could not be written, or the backend refuses it
    NotFound = 3,           ///< the object (or rule number) does not exist
    AlreadyExists = 4,      ///< create or rename onto an existing object
    DataInconsistency = 6,  ///< the value is well-formed but contradicts the tree
    Internal = 254,
};

/// The process exit code of the original for this status.
int exit_code(Status status);
/// "ok", "commandline", "command-failed", "not-found", "already-exists",
/// "data-inconsistency", "internal".
std::string_view status_name(Status status);

/// Something that names an object: a rule, a group member, a blocklist entry, a network's
/// INTERFACE, or a rule option.
struct Referrer {
    std::string file;  ///< relative to the config root
    int line = 0;      ///< 1-based line in that file
    std::string what;  ///< "rule 3: accept service ssh from ... " / "group admins.local.lan MEMBER"

    /// "rules/rules.conf:3: rule 3: accept service ..."
    std::string str() const;
};

struct Result {
    Status status = Status::Ok;
    std::string message;              ///< one line, no trailing newline
    std::vector<Referrer> referrers;  ///< delete: what still names the object
    std::vector<AuditRecord> changes; ///< what was written (also sent to the audit sink)

    bool ok() const { return status == Status::Ok; }
};

/// A failed result.
Result fail(Status status, std::string message);

}  // namespace vuurmuur::edit

// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <functional>
#include <string>

/// The audit trail of the editors: one record per change, with who, what and old -> new.
/// The core keeps no global state: the sink is passed to the editor. syslog_sink() is the
/// production sink; tests pass a lambda that collects the records.
namespace vuurmuur::edit {

struct AuditRecord {
    std::string user;       ///< login name of the real uid
    std::string action;     ///< create, delete, rename, modify, append, remove, move, activate, deactivate, block, unblock
    std::string kind;       ///< host, group, network, zone, service, interface, ruleset
    std::string object;     ///< full name (host.network.zone), or "rules" / "blocklist"
    std::string variable;   ///< the key changed, empty for whole-object actions
    std::string old_value;
    std::string new_value;

    bool operator==(const AuditRecord&) const = default;
};

/// One line: `user root: modify host 'pc.lan.lan' variable 'IPADDRESS': '10.0.0.1' -> '10.0.0.2'`.
/// Control characters in values are shown as \xNN.
std::string format(const AuditRecord& record);

using AuditSink = std::function<void(const AuditRecord&)>;

/// The login name of the real uid (getpwuid(getuid())), or "uid N" when it has none.
std::string current_user();

/// A sink that writes each record to syslog with `ident`, facility LOG_AUTHPRIV, priority
/// LOG_NOTICE. openlog() is called on every record (the ident string is owned by the sink),
/// so sinks with different idents do not disturb each other.
AuditSink syslog_sink(std::string ident);

}  // namespace vuurmuur::edit

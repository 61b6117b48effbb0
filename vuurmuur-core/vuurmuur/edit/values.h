// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vuurmuur/model/rule.h"
#include "vuurmuur/model/schema.h"

/// Which variables the editors may set, and the form each value must have. These checks
/// need no tree; the editor adds the checks against the tree (a host inside its network,
/// members and interfaces that exist, rules that name existing objects).
namespace vuurmuur::edit {

/// Upper-case keys that `modify` accepts for a kind, in the schema's order: the original's
/// list (reference §4.1) plus the IPv6 keys and service RANGE. Rulesets have RULE.
std::vector<std::string> modifiable_variables(model::ObjectKind kind);
/// The schema entry of a modifiable key (case-insensitive), or nullptr.
const model::KeySpec* modifiable(model::ObjectKind kind, std::string_view key);

struct ValueCheck {
    bool ok = false;
    std::string value;  ///< the value as it is written (Yes/No capitalised, rules normalised)
    std::string error;  ///< when !ok: why, one line
};

/// Checks `value` for `key` of `kind` (`ruleset` names the ruleset: rules or blocklist).
/// An empty value clears an optional key; Yes/No keys and DEVICE need a value.
ValueCheck check_value(model::ObjectKind kind, std::string_view ruleset, std::string_view key,
                       std::string_view value);

/// A rule text for rules.conf: parses it (every diagnostic is an error here) and returns the
/// rule, or the first problem in `error`.
std::optional<model::Rule> parse_rule_text(std::string_view text, std::string& error);
/// The rule as written to rules.conf: the library's text form with inner quotes escaped.
std::string stored_rule_text(const model::Rule& rule);
/// A RULE value of rules.conf as a person reads it: inner \" unescaped.
std::string unescape_rule_value(std::string_view value);

/// A blocklist item: an IPv4 or IPv6 address, or a host or group name (host.network.zone).
bool is_blockable_form(std::string_view item);

}  // namespace vuurmuur::edit

// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vuurmuur/config/textdir.h"
#include "vuurmuur/model/config.h"
#include "vuurmuur/model/schema.h"

/// Read access for the front ends: the original's -L (list names) and -P (print keys).
namespace vuurmuur::view {

/// Names of objects of `kind` matching `filter`: "any" for all; for networks a zone; for
/// hosts and groups a zone or network.zone; for the others an exact name. Rulesets are
/// "rules" and "blocklist". Sorted as the tree is.
std::vector<std::string> list_objects(const model::Config& config, model::ObjectKind kind,
                                      const std::string& filter);

/// Relative path of an object's file, or nullopt when the name is malformed.
std::optional<std::string> object_file(model::ObjectKind kind, const std::string& name);

/// KEY="value" lines of one object, keys in the original's print order (IPv6 and RANGE
/// included); only `variable` when it is not empty. nullopt when the object does not exist.
/// Rules are numbered "%4u: " when `numbered`.
std::optional<std::vector<std::string>> print_object(const config::Tree& tree,
                                                     model::ObjectKind kind,
                                                     const std::string& name,
                                                     const std::string& variable, bool numbered);

/// One variable of an object for structured output (-P --json): its key, whether it is
/// multi-valued, and its values as the original reads them (a multi-valued key up to an
/// empty value; a single-valued key has no value when absent).
struct Variable {
    std::string key;
    bool multi = false;
    std::vector<std::string> values;
};

/// The variables print_object() prints, in the same order, as data. nullopt when the object
/// does not exist (an absent ruleset file is an empty ruleset).
std::optional<std::vector<Variable>> object_variables(const config::Tree& tree,
                                                      model::ObjectKind kind,
                                                      const std::string& name,
                                                      const std::string& variable);

}  // namespace vuurmuur::view

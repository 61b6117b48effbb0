// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/model/rule.h"

/// The rule language of rules.conf (reference §2): text <-> model::Rule.
namespace vuurmuur::config {

/// Parses the text of one RULE value. `where` locates the text's first character. Inner
/// quotes may be raw (`comment="x"`) or escaped (`comment=\"x\"`). Returns nullopt when the
/// line is not a usable rule (an error, or a legacy `protect` rule that is ignored with a
/// warning). Unknown options are reported and left out; the rule is still returned.
std::optional<model::Rule> parse_rule(std::string_view text, const diag::Location& where,
                                      diag::Diagnostics& diags);

/// The rule's text as the original writes it (options in the library's order).
std::string format_rule(const model::Rule& rule);

/// A rule text as it is stored in a RULE="..." value: inner quotes escaped as \".
std::string escape_rule_value(std::string_view text);

}  // namespace vuurmuur::config

// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/edit/rulesets.h"
#include "vuurmuur/model/schema.h"
#include "vuurmuur/view/listing.h"

/// The --json documents of vuurmuur-script. The schemas are in docs/json.md; every document
/// is one object with "version": 1 and ends with a newline. Changing a field is a new version.
namespace vuurmuur::script {

void write_check_json(const diag::Diagnostics& diags, const std::string& root, std::ostream& out);
void write_list_json(model::ObjectKind kind, const std::string& filter,
                     const std::vector<std::string>& names, std::ostream& out);
void write_print_json(model::ObjectKind kind, const std::string& name,
                      const std::vector<view::Variable>& variables, std::ostream& out);
void write_rules_json(const std::vector<edit::RuleEntry>& rules, std::ostream& out);
void write_blocked_json(const std::vector<edit::BlockEntry>& entries, std::ostream& out);

}  // namespace vuurmuur::script

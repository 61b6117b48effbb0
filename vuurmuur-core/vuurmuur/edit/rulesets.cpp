// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/edit/rulesets.h"

#include "vuurmuur/base/strings.h"
#include "vuurmuur/config/rule_parser.h"
#include "vuurmuur/edit/values.h"

namespace vuurmuur::edit {

std::vector<RuleEntry> list_rules(const config::Tree& tree) {
    std::vector<RuleEntry> out;
    const config::KvFile* file = tree.find("rules/rules.conf");
    if (file == nullptr) return out;
    for (const config::KvLine* line : file->values("RULE")) {
        RuleEntry entry;
        entry.number = out.size() + 1;
        entry.line = file->line_of(line);
        entry.text = unescape_rule_value(line->value);
        std::string_view trimmed = base::trim(line->value);
        entry.active = trimmed.empty() || trimmed.front() != ';';
        diag::Diagnostics ignored;
        entry.rule = config::parse_rule(line->value, file->location_of(line), ignored);
        out.push_back(std::move(entry));
    }
    return out;
}

std::vector<BlockEntry> list_blocked(const config::Tree& tree) {
    std::vector<BlockEntry> out;
    const config::KvFile* file = tree.find("rules/blocklist.conf");
    if (file == nullptr) return out;
    for (const config::KvLine* line : file->values("RULE")) {
        std::string_view text = base::trim(line->value);
        BlockEntry entry;
        entry.line = file->line_of(line);
        if (!text.empty() && text.front() == ';') {
            entry.active = false;
            text = base::trim(text.substr(1));
        }
        if (base::starts_with_icase(text, "block ")) text = base::trim(text.substr(6));
        entry.item = std::string(text);
        out.push_back(std::move(entry));
    }
    return out;
}

}  // namespace vuurmuur::edit

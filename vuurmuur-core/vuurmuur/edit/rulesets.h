// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "vuurmuur/config/textdir.h"
#include "vuurmuur/model/rule.h"

/// Read side of the rules list and the blocklist, for `rules list` and `--list-blocked`.
namespace vuurmuur::edit {

struct RuleEntry {
    std::size_t number = 0;  ///< 1-based, as the editors count
    int line = 0;            ///< line in rules/rules.conf
    bool active = true;
    std::string text;        ///< as a person writes it: inner quotes unescaped, ';' kept
    std::optional<model::Rule> rule;  ///< the parsed rule; nullopt when it does not parse
};

/// The rules the original reads (up to an empty RULE=""), in order.
std::vector<RuleEntry> list_rules(const config::Tree& tree);

struct BlockEntry {
    std::string item;  ///< without "block" and without ';'
    bool active = true;
    int line = 0;
};

std::vector<BlockEntry> list_blocked(const config::Tree& tree);

}  // namespace vuurmuur::edit

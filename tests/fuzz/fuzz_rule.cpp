// SPDX-License-Identifier: GPL-2.0-or-later
//
// Fuzz target: one rule line (the text of a RULE="..." value of rules.conf).
//
// Properties:
//   * parse_rule never crashes;
//   * round trip: when the text parses, format_rule's output parses again, without errors,
//     to an equal rule (action, active, service, from, to, every option), and formatting
//     that rule gives the same text again;
//   * stored form: RULE="escape_rule_value(formatted)" read back through KvFile gives a value
//     that parses to the same rule (what the editors write is what the loader reads), for
//     rules whose service and object names hold no quote or backslash.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "vuurmuur/config/kvfile.h"
#include "vuurmuur/config/rule_parser.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/model/rule.h"

namespace {

using namespace vuurmuur;

bool same_rule(const model::Rule& a, const model::Rule& b) {
    return a.active == b.active && a.action == b.action && a.service == b.service &&
           a.from == b.from && a.to == b.to && a.options == b.options;
}

std::string describe(std::string_view input, const std::string& formatted,
                     const diag::Diagnostics& diags) {
    return "--- input:\n" + fuzz::printable(input) + "\n--- format_rule:\n" + fuzz::printable(formatted) +
           "\n--- diagnostics of the second parse:\n" + diag::render_all(diags, "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const diag::Location where{"rules/rules.conf", 1, 7};

    diag::Diagnostics first;
    auto rule = config::parse_rule(text, where, first);
    (void)diag::render_all(first, "");
    if (!rule) return 0;

    const std::string formatted = config::format_rule(*rule);
    diag::Diagnostics second;
    auto again = config::parse_rule(formatted, where, second);
    if (!again) fuzz::fail("format_rule's output does not parse", describe(text, formatted, second));
    if (second.has_errors()) {
        fuzz::fail("format_rule's output parses with errors", describe(text, formatted, second));
    }
    if (!same_rule(*rule, *again)) {
        fuzz::fail("format_rule's output parses to a different rule", describe(text, formatted, second));
    }
    const std::string reformatted = config::format_rule(*again);
    if (reformatted != formatted) {
        fuzz::fail("format_rule is not stable", describe(text, formatted, second) +
                                                    "--- format_rule of that:\n" + fuzz::printable(reformatted));
    }

    // The stored form, as the editors write it and the loader reads it. Quotes are escaped
    // and unescaped only inside option values; a service or object "name" holding a quote or
    // a backslash is no name at all (the model build reports it: rule-syntax or
    // unknown-reference), so no editor writes one and such rules are left out here.
    auto odd = [](const std::string& name) { return name.find_first_of("\"\\") != std::string::npos; };
    if (odd(rule->service) || odd(rule->from) || odd(rule->to)) return 0;
    const std::string line = config::KvFile::format_entry("RULE", config::escape_rule_value(formatted));
    diag::Diagnostics stored_diags;
    config::KvFile file = config::KvFile::parse(line + "\n", "rules/rules.conf", stored_diags);
    const config::KvLine* entry = file.first("RULE");
    if (entry == nullptr || stored_diags.has_errors()) {
        fuzz::fail("the stored RULE line does not read back",
                   describe(text, formatted, stored_diags) + "--- line:\n" + fuzz::printable(line));
    }
    diag::Diagnostics third;
    auto stored = config::parse_rule(entry->value, {"rules/rules.conf", 1, entry->value_column}, third);
    if (!stored || third.has_errors() || !same_rule(*rule, *stored)) {
        fuzz::fail("the stored RULE value parses to a different rule",
                   describe(text, formatted, third) + "--- line:\n" + fuzz::printable(line));
    }
    return 0;
}

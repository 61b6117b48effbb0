// SPDX-License-Identifier: GPL-2.0-or-later
//
// Fuzz target: the editors' value checks (vuurmuur-script -M -V KEY -S VALUE, rules add, the
// TUI's fields): byte 0 picks the object kind, byte 1 the key among the kind's modifiable
// variables, the rest is the value as typed.
//
// Properties:
//   * edit::check_value never crashes;
//   * what it accepts can be written and read back: the line KvFile::format_entry(KEY, value)
//     parses as one entry of that key with exactly that value and no diagnostic (the
//     editors must never write a line the loader does not read the same way);
//   * an accepted rule (rulesets) reads back, once unescaped, as a rule without errors.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "vuurmuur/config/kvfile.h"
#include "vuurmuur/config/rule_parser.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/edit/values.h"
#include "vuurmuur/model/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace vuurmuur;
    using K = model::ObjectKind;
    if (size < 2) return 0;
    constexpr K kKinds[] = {K::Zone, K::Network, K::Host, K::Group, K::Interface, K::Service, K::Ruleset};
    const K kind = kKinds[data[0] % 7];
    const auto keys = edit::modifiable_variables(kind);
    if (keys.empty()) return 0;
    const std::string& key = keys[data[1] % keys.size()];
    const std::string_view ruleset = (data[1] & 0x80) ? "blocklist" : "rules";
    const std::string_view value(reinterpret_cast<const char*>(data + 2), size - 2);

    edit::ValueCheck check = edit::check_value(kind, ruleset, key, value);
    if (!check.ok) return 0;

    const std::string line = config::KvFile::format_entry(key, check.value);
    diag::Diagnostics diags;
    config::KvFile file = config::KvFile::parse(line + "\n", "fuzz", diags);
    const config::KvLine* entry = file.first(key);
    const std::string context = std::string("kind ") + std::string(model::kind_name(kind)) + ", key " + key +
                                "\n--- value:\n" + fuzz::printable(value) + "\n--- accepted as:\n" +
                                fuzz::printable(check.value) + "\n--- line:\n" + fuzz::printable(line) +
                                "\n--- diagnostics:\n" + diag::render_all(diags, "");
    if (file.lines().size() != 1 || entry == nullptr || !diags.all().empty()) {
        fuzz::fail("an accepted value does not read back as one KEY=\"value\" line", context);
    }
    if (entry->value != check.value) fuzz::fail("an accepted value reads back different", context);

    if (kind == K::Ruleset && ruleset == "rules") {
        diag::Diagnostics rule_diags;
        auto rule = config::parse_rule(entry->value, {"rules/rules.conf", 1, entry->value_column}, rule_diags);
        if (!rule || rule_diags.has_errors()) {
            fuzz::fail("an accepted rule does not parse back", context + diag::render_all(rule_diags, ""));
        }
    }
    return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
//
// Fuzz target: the apply module's parsers of text that comes back from outside the config
// tree: iptables-save output (split_tables, existing_chains, rollback_text), the error text
// of iptables-restore (failing_line) and the state files of /var/lib/vuurmuur
// (parse_stored, adapt_to_kernel) — a state file cut short by a power loss is read at boot.
//
// Properties:
//   * no crash, no sanitizer report, no unbounded time or memory;
//   * parse_stored(format_stored(x)) == x for every x that parse_stored gives.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "vuurmuur/apply/netfilter.h"
#include "vuurmuur/apply/state.h"

namespace {

using namespace vuurmuur::apply;

bool same(const StoredRulesets& a, const StoredRulesets& b) {
    if (a.comment != b.comment || a.families.size() != b.families.size()) return false;
    for (std::size_t i = 0; i < a.families.size(); ++i) {
        const auto& x = a.families[i];
        const auto& y = b.families[i];
        if (x.family != y.family || x.text != y.text || x.forward != y.forward || x.hooks != y.hooks) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);

    (void)split_tables(text);
    const auto chains = existing_chains(text);
    (void)failing_line(text);
    // A save (the first half) and a loaded ruleset (the second half).
    const std::string saved = text.substr(0, size / 2);
    const std::string loaded = text.substr(size / 2);
    (void)rollback_text(saved, loaded, Variant::Nft);
    (void)rollback_text(saved, loaded, Variant::Legacy);

    if (auto stored = parse_stored(text)) {
        for (const auto& family : stored->families) {
            std::string text_for_kernel = adapt_to_kernel(family, chains);
            // Against its own chains nothing is stale; against the save's user chains (as if
            // the save had been the last load) only chains the family does not declare go.
            std::string same_text = text_for_kernel;
            std::vector<RetiredChain> retired;
            retire_stale_chains(same_text, family, owned_chains(family), saved, existing_chains(saved), &retired);
            if (!retired.empty() || same_text != text_for_kernel) {
                vuurmuur::fuzz::fail("retire_stale_chains removed a chain the ruleset declares",
                                     vuurmuur::fuzz::printable(text));
            }
            const ChainsByTable previous = existing_chains(saved);
            retire_stale_chains(text_for_kernel, family, previous, saved, previous, &retired);
            const auto declared = existing_chains(family.text);
            for (const auto& r : retired) {
                auto it = declared.find(r.table);
                if (it != declared.end() && it->second.count(r.chain) != 0) {
                    vuurmuur::fuzz::fail("retire_stale_chains removed " + r.table + " " + r.chain +
                                             ", which the ruleset declares",
                                         vuurmuur::fuzz::printable(text));
                }
            }
        }
        const std::string formatted = format_stored(*stored);
        auto again = parse_stored(formatted);
        if (!again || !same(*stored, *again)) {
            vuurmuur::fuzz::fail("parse_stored(format_stored(x)) != x",
                                 "--- input:\n" + vuurmuur::fuzz::printable(text) + "\n--- formatted:\n" +
                                     vuurmuur::fuzz::printable(formatted));
        }
    }
    return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/render/line_map.h"

#include <algorithm>

namespace vuurmuur::render {

// Mirrors the layout of iptables_restore() in iptables_restore.cpp: header, then per table
// "*name", chain declarations, "-F" of the built-in chains, the rules of every chain but the
// hooks, "COMMIT". The unit tests compare both line by line.
std::vector<diag::Location> line_origins(const ir::Ruleset& ruleset, const RenderOptions& options) {
    std::vector<diag::Location> lines;
    if (!options.header.empty()) {
        auto n = std::count(options.header.begin(), options.header.end(), '\n') + 1;
        lines.resize(static_cast<std::size_t>(n));
    }
    for (const auto& table : ruleset.tables) {
        lines.emplace_back();  // *table
        const std::set<std::string>* existing = nullptr;
        if (auto it = options.existing_chains.find(table.name); it != options.existing_chains.end()) {
            existing = &it->second;
        }
        for (const auto& chain : table.chains) {
            bool declared = chain.kind != ir::Chain::Kind::Hook || existing == nullptr ||
                            existing->count(chain.name) == 0;
            if (declared) lines.emplace_back();
        }
        for (const auto& chain : table.chains) {
            if (chain.kind == ir::Chain::Kind::Builtin) lines.emplace_back();  // -F
        }
        for (const auto& chain : table.chains) {
            if (chain.kind == ir::Chain::Kind::Hook) continue;
            for (const auto& rule : chain.rules) lines.push_back(rule.origin());
        }
        lines.emplace_back();  // COMMIT
    }
    return lines;
}

}  // namespace vuurmuur::render

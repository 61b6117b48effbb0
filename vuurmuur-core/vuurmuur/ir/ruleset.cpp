// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/ir/ruleset.h"

#include <algorithm>
#include <functional>
#include <map>

namespace vuurmuur::ir {

std::string_view family_name(Family f) { return f == Family::Ipv4 ? "ipv4" : "ipv6"; }

void Table::reindex() const {
    if (index_.size() == chains.size()) return;
    index_.clear();
    for (std::size_t i = 0; i < chains.size(); ++i) index_.emplace(chains[i].name, i);
}

Chain& Table::chain(const std::string& wanted) {
    reindex();
    auto it = index_.find(wanted);
    if (it != index_.end()) return chains[it->second];
    chains.push_back(Chain{wanted, Chain::Kind::Owned, {}, {}});
    index_.emplace(wanted, chains.size() - 1);
    return chains.back();
}

const Chain* Table::find(const std::string& wanted) const {
    reindex();
    auto it = index_.find(wanted);
    return it == index_.end() ? nullptr : &chains[it->second];
}

Table& Ruleset::table(const std::string& name) {
    for (auto& t : tables) {
        if (t.name == name) return t;
    }
    Table t;
    t.name = name;
    tables.push_back(std::move(t));
    return tables.back();
}

const Table* Ruleset::find(const std::string& name) const {
    for (const auto& t : tables) {
        if (t.name == name) return &t;
    }
    return nullptr;
}

std::size_t Ruleset::rule_count() const {
    std::size_t n = 0;
    for (const auto& t : tables) {
        for (const auto& c : t.chains) n += c.rules.size();
    }
    return n;
}

std::string dump(const Ruleset& ruleset) {
    std::string out = "ruleset " + std::string(family_name(ruleset.family)) + "\n";
    for (const auto& t : ruleset.tables) {
        out += "table " + t.name + "\n";
        for (const auto& c : t.chains) {
            out += "  chain " + c.name;
            switch (c.kind) {
                case Chain::Kind::Builtin: out += " builtin policy " + c.policy; break;
                case Chain::Kind::Owned: out += " owned"; break;
                case Chain::Kind::Hook: out += " hook"; break;
            }
            out += "\n";
            for (const auto& r : c.rules) {
                out += "    rule";
                for (const auto& m : r.matches()) {
                    out += " [" + (m.module.empty() ? std::string("base") : m.module);
                    for (const auto& a : m.args) out += " " + a;
                    out += "]";
                }
                if (r.target()) {
                    out += r.target()->go_to ? " goto " : " -> ";
                    out += r.target()->name;
                    for (const auto& a : r.target()->args) out += " " + a;
                }
                if (!r.origin().file.empty()) {
                    out += "  # " + r.origin().file + ":" + std::to_string(r.origin().line);
                }
                out += "\n";
            }
        }
    }
    return out;
}

std::size_t worst_case_new_forward(const Ruleset& ruleset) {
    const Table* filter = ruleset.find("filter");
    if (filter == nullptr) return 0;
    // Longest path of rule evaluations through owned chains reached by jumps, counting each
    // chain's rules; a jump may or may not be taken, so the worst case adds the callee's path.
    // Chains are acyclic by construction.
    std::map<std::string, std::size_t> memo;
    std::function<std::size_t(const std::string&)> cost = [&](const std::string& name) -> std::size_t {
        auto it = memo.find(name);
        if (it != memo.end()) return it->second;
        memo[name] = 0;
        const Chain* c = filter->find(name);
        if (c == nullptr || c->kind == Chain::Kind::Hook) return 0;
        std::size_t own = c->rules.size();
        std::size_t worst_callee = 0;
        std::size_t sum_jumps = 0;
        for (const auto& r : c->rules) {
            if (!r.target() || filter->find(r.target()->name) == nullptr) continue;
            // Only dispatch chains (FWD...) and the chains a NEW packet enters count.
            bool new_state_only_elsewhere = false;
            for (const auto& m : r.matches()) {
                for (std::size_t i = 0; i + 1 < m.args.size(); ++i) {
                    if (m.args[i] == "--ctstate" && m.args[i + 1].find("NEW") == std::string::npos) {
                        new_state_only_elsewhere = true;
                    }
                }
            }
            if (new_state_only_elsewhere) continue;
            std::size_t c_cost = cost(r.target()->name);
            if (r.target()->go_to) worst_callee = std::max(worst_callee, c_cost);
            else sum_jumps = std::max(sum_jumps, c_cost);
        }
        std::size_t total = own + std::max(worst_callee, sum_jumps);
        memo[name] = total;
        return total;
    };
    return cost("FORWARD");
}

}  // namespace vuurmuur::ir

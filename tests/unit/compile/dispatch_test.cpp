// SPDX-License-Identifier: GPL-2.0-or-later
// The per-interface dispatch must not change which rule a NEW packet meets first: walking the
// dispatch chains must meet exactly the user rules a linear walk would, in the same order.
#include <catch2/catch.hpp>
#include <random>

#include "support/temp_tree.h"
#include "vuurmuur/compile/compiler.h"
#include "vuurmuur/pipeline.h"

using namespace vuurmuur;

namespace {

/// The value of `opt` in a rule's base match ("-i" -> "eth0"), or "".
std::string base_arg(const ir::Rule& r, const std::string& opt) {
    // Base matches come before any "-m module" in the rule text.
    auto words = r.match_words();
    for (std::size_t i = 0; i + 1 < words.size() && words[i] != "-m"; ++i) {
        if (words[i] == opt) return words[i + 1];
    }
    return {};
}

bool iface_fits(const ir::Rule& r, const std::string& in, const std::string& out) {
    std::string ri = base_arg(r, "-i"), ro = base_arg(r, "-o");
    return (ri.empty() || ri == in) && (ro.empty() || ro == out);
}

/// Walks chain `name` for a packet on (in, out), following jumps and gotos into owned chains
/// whose rule matches the interfaces, and records the user rules (those with an origin) met.
/// Returns true when a goto ended the walk of the caller.
void walk(const ir::Table& t, const std::string& name, const std::string& in, const std::string& out,
          std::vector<int>& met, int depth = 0) {
    REQUIRE(depth < 20);
    const ir::Chain* c = t.find(name);
    REQUIRE(c != nullptr);
    for (const auto& r : c->rules) {
        if (!iface_fits(r, in, out)) continue;
        if (r.origin().line != 0) met.push_back(r.origin().line);
        if (!r.target()) continue;
        const ir::Chain* callee = t.find(r.target()->name);
        bool dispatch = callee != nullptr && (r.target()->name.rfind("VRMR-", 0) == 0 ||
                                              r.target()->name.rfind("FWD-", 0) == 0);
        if (!dispatch) continue;
        walk(t, r.target()->name, in, out, met, depth + 1);
        if (r.target()->go_to) return;  // a goto does not come back here
    }
}

}  // namespace

TEST_CASE("forward dispatch meets the same rules in the same order as a linear walk") {
    std::mt19937 rng(12345);
    for (int round = 0; round < 20; ++round) {
        test::TempDir dir;
        dir.write("config.conf", "");
        dir.write("services/web", "ACTIVE=\"Yes\"\nTCP=\"80*1024:65535\"\n");
        const int kIfaces = 4;
        std::string rules;
        for (int i = 0; i < kIfaces; ++i) {
            std::string n = std::to_string(i);
            dir.write("interfaces/if" + n + ".conf",
                      "ACTIVE=\"Yes\"\nDEVICE=\"eth" + n + "\"\nIPADDRESS=\"10.0." + n + ".1\"\n");
            dir.write("zones/z" + n + "/zone.config", "ACTIVE=\"Yes\"\n");
            dir.write("zones/z" + n + "/networks/net/network.config",
                      "ACTIVE=\"Yes\"\nNETWORK=\"10.0." + n + ".0\"\nNETMASK=\"255.255.255.0\"\nINTERFACE=\"if" + n + "\"\n");
        }
        const char* actions[] = {"accept", "drop", "reject", "log"};
        for (int k = 0; k < 40; ++k) {
            auto side = [&]() -> std::string {
                int v = static_cast<int>(rng() % (kIfaces + 1));
                return v == kIfaces ? "any" : "net.z" + std::to_string(v);
            };
            std::string from = side(), to = side();
            if (from == "any" && to == "any") to = "net.z0";
            rules += "RULE=\"" + std::string(actions[rng() % 4]) + " service web from " + from + " to " + to + "\"\n";
        }
        dir.write("rules/rules.conf", rules);
        diag::Diagnostics diags;
        auto loaded = load_and_check(dir.path(), diags);
        INFO(diag::render_all(diags, ""));
        REQUIRE(!diags.has_errors());
        auto compiled = compile::compile(loaded.config, {}, diags);
        const ir::Table* filter = compiled.ipv4.find("filter");
        REQUIRE(filter != nullptr);

        // The linear order: every user FORWARD rule, as the dispatch chains hold them, sorted
        // by rules.conf line (and, within a line, in emission order).
        for (int i = 0; i <= kIfaces; ++i) {
            for (int o = 0; o <= kIfaces; ++o) {
                std::string in = i == kIfaces ? "ethX" : "eth" + std::to_string(i);
                std::string out = o == kIfaces ? "ethY" : "eth" + std::to_string(o);
                std::vector<int> linear;
                for (const auto& u : loaded.config.rules) {
                    // Expected: every rule line whose endpoints can match these interfaces.
                    auto fits_side = [&](const std::string& obj, const std::string& dev) {
                        return obj == "any" || ("eth" + obj.substr(obj.size() - 1)) == dev;
                    };
                    if (fits_side(u.from, in) && fits_side(u.to, out)) {
                        linear.push_back(u.location.line);
                        if (u.action == model::Action::Log) {}  // log rules are one IR rule too
                    }
                }
                std::vector<int> met;
                walk(*filter, "FORWARD", in, out, met);
                INFO("in=" << in << " out=" << out);
                CHECK(met == linear);
            }
        }
    }
}

// SPDX-License-Identifier: GPL-2.0-or-later
// ir::worst_case_new_forward, the figure the compile benchmark prints: the most filter rules
// a NEW forwarded packet can be tested against. Hand-built rulesets, exact counts.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "vuurmuur/ir/ruleset.h"

using namespace vuurmuur;

namespace {

ir::Rule jump_rule(std::vector<ir::Match> m, const std::string& to, bool go_to = false) {
    return ir::Rule(m, ir::Target{to, {}, go_to});
}

ir::Match state(const std::string& s) { return ir::Match{"conntrack", {"--ctstate", s}}; }
ir::Match in(const std::string& dev) { return ir::Match{"", {"-i", dev}}; }

void fill(ir::Chain& c, std::size_t n, const std::string& target = "ACCEPT") {
    for (std::size_t i = 0; i < n; ++i) c.rules.push_back(jump_rule({}, target));
}

/// FORWARD -> VRMR-FWD -> (FWD-a -> FWD-a-b | FWD-ANY); FWD-a-b jumps to NEWACCEPT (2 rules),
/// to BIG (50 rules) for ESTABLISHED only and to NFQ (4 rules) for NEW.
ir::Ruleset sample(const std::string& big_state) {
    ir::Ruleset rs;
    auto& f = rs.table("filter");
    auto& fwd = f.chain("FORWARD");
    fwd.kind = ir::Chain::Kind::Builtin;
    fwd.policy = "DROP";
    fwd.rules.push_back(jump_rule({state("ESTABLISHED,RELATED")}, "MARKDISPATCH"));
    fwd.rules.push_back(jump_rule({}, "VRMR-FWD"));
    fill(f.chain("MARKDISPATCH"), 60);
    f.chain("VRMR-FWD").rules.push_back(jump_rule({in("a")}, "FWD-a", true));
    f.chain("VRMR-FWD").rules.push_back(jump_rule({}, "FWD-ANY", true));
    f.chain("FWD-a").rules.push_back(jump_rule({ir::Match{"", {"-o", "b"}}}, "FWD-a-b", true));
    auto& pair = f.chain("FWD-a-b");
    pair.rules.push_back(jump_rule({state("NEW")}, "NEWACCEPT"));
    pair.rules.push_back(jump_rule({state(big_state)}, "BIG"));
    pair.rules.push_back(jump_rule({state("NEW")}, "NFQ"));
    fill(f.chain("NEWACCEPT"), 2);
    fill(f.chain("BIG"), 50);
    fill(f.chain("NFQ"), 4);
    fill(f.chain("FWD-ANY"), 1);
    return rs;
}

}  // namespace

TEST_CASE("worst case: own rules plus the costliest chain a NEW packet may enter, at each level",
          "[compile][worst]") {
    // FWD-a-b: 3 + NFQ 4 = 7 (BIG is for established packets only); FWD-a: 1 + 7 = 8;
    // VRMR-FWD: 2 + max(8, FWD-ANY 1) = 10; FORWARD: 2 + 10 (MARKDISPATCH: established) = 12.
    CHECK(ir::worst_case_new_forward(sample("ESTABLISHED")) == 12);
    // The same chain entered for NEW packets counts: FWD-a-b 3 + 50, ... FORWARD 2 + 2 + 1 + 53.
    CHECK(ir::worst_case_new_forward(sample("NEW")) == 58);
    CHECK(ir::worst_case_new_forward(sample("NEW,ESTABLISHED")) == 58);
}

TEST_CASE("worst case: no filter table, no FORWARD rules", "[compile][worst]") {
    ir::Ruleset empty;
    CHECK(ir::worst_case_new_forward(empty) == 0);
    ir::Ruleset only;
    auto& fwd = only.table("filter").chain("FORWARD");
    fwd.kind = ir::Chain::Kind::Builtin;
    fill(fwd, 3, "DROP");
    CHECK(ir::worst_case_new_forward(only) == 3);
}

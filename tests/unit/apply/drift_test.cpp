// SPDX-License-Identifier: GPL-2.0-or-later
// `diff`'s comparison: the line diff and the chain-by-chain comparison of two save texts.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "vuurmuur/apply/drift.h"

using namespace vuurmuur::apply;
using Lines = std::vector<std::string>;

namespace {

std::string script(const std::vector<DiffLine>& d) {
    std::string out;
    for (const auto& l : d) out += std::string(1, l.op) + l.text + "\n";
    return out;
}

/// Applies the edit script to `a`; the result must be `b`, and the ' ' lines must be `a`'s.
Lines patched(const std::vector<DiffLine>& d) {
    Lines out;
    for (const auto& l : d) {
        if (l.op != '-') out.push_back(l.text);
    }
    return out;
}

}  // namespace

TEST_CASE("line_diff: the shortest edit script, common lines kept") {
    CHECK(script(line_diff({}, {})) == "");
    CHECK(script(line_diff({"a", "b"}, {"a", "b"})) == " a\n b\n");
    CHECK(script(line_diff({}, {"a"})) == "+a\n");
    CHECK(script(line_diff({"a"}, {})) == "-a\n");
    CHECK(script(line_diff({"a", "b", "c"}, {"a", "c"})) == " a\n-b\n c\n");
    CHECK(script(line_diff({"a", "c"}, {"a", "b", "c"})) == " a\n+b\n c\n");
    // A moved line is one removal and one insertion, not a rewrite of everything between.
    CHECK(script(line_diff({"x", "a", "b", "c"}, {"a", "b", "c", "x"})) == "-x\n a\n b\n c\n+x\n");
    // Myers' classic example: ABCABBA -> CBABAC has 5 edits.
    auto d = line_diff({"A", "B", "C", "A", "B", "B", "A"}, {"C", "B", "A", "B", "A", "C"});
    std::size_t edits = 0;
    for (const auto& l : d) edits += l.op != ' ';
    CHECK(edits == 5);
    CHECK(patched(d) == Lines{"C", "B", "A", "B", "A", "C"});
}

TEST_CASE("line_diff: every script turns a into b, also past the edit bound") {
    // Deterministic pseudo-random sequences over a small alphabet.
    unsigned seed = 12345;
    auto next = [&] { return seed = seed * 1103515245u + 12345u, (seed >> 16) % 4; };
    for (int round = 0; round < 200; ++round) {
        Lines a, b;
        for (unsigned i = 0, n = next() * 3 + next(); i < n; ++i) a.push_back(std::string(1, char('a' + next())));
        for (unsigned i = 0, n = next() * 3 + next(); i < n; ++i) b.push_back(std::string(1, char('a' + next())));
        auto d = line_diff(a, b);
        CHECK(patched(d) == b);
        Lines kept;
        for (const auto& l : d) {
            if (l.op != '+') kept.push_back(l.text);
        }
        CHECK(kept == a);
    }
    // 3000 lines that all differ: beyond the search bound, still a correct script.
    Lines a, b;
    for (int i = 0; i < 3000; ++i) a.push_back("a" + std::to_string(i)), b.push_back("b" + std::to_string(i));
    a.insert(a.begin(), "same");
    b.insert(b.begin(), "same");
    auto d = line_diff(a, b);
    CHECK(patched(d) == b);
    CHECK(d.front() == DiffLine{' ', "same"});
}

TEST_CASE("compare_saves: owned chains only, policies, missing chains, exact lines") {
    const std::string kernel =
        "*filter\n"
        ":INPUT ACCEPT [0:0]\n"
        ":FORWARD DROP [0:0]\n"
        ":VRMR-IN - [0:0]\n"
        ":DOCKER-USER - [0:0]\n"
        "-A INPUT -i lo -j ACCEPT\n"
        "-A INPUT -s 10.9.9.9/32 -j DROP\n"
        "-A INPUT -j VRMR-IN\n"
        "-A DOCKER-USER -j RETURN\n"
        "COMMIT\n";
    const std::string config =
        "*filter\n"
        ":INPUT DROP [0:0]\n"
        ":FORWARD DROP [0:0]\n"
        ":VRMR-IN - [0:0]\n"
        ":VRMR-FWD - [0:0]\n"
        "-A INPUT -i lo -j ACCEPT\n"
        "-A INPUT -j VRMR-IN\n"
        "-A VRMR-FWD -p tcp -m tcp --dport 22 -j ACCEPT\n"
        "COMMIT\n";
    auto chains = compare_saves("ipv4", kernel, config,
                                {{"filter", "INPUT"}, {"filter", "FORWARD"}, {"filter", "VRMR-IN"}, {"filter", "VRMR-FWD"}});
    REQUIRE(chains.size() == 2);
    CHECK(chains[0].chain == "INPUT");
    CHECK(chains[0].status == ChainDrift::Status::Differs);
    CHECK(chains[0].kernel_policy == "ACCEPT");
    CHECK(chains[0].config_policy == "DROP");
    CHECK(chains[0].removed == 1);
    CHECK(chains[0].added == 0);
    CHECK(chains[0].lines == std::vector<DiffLine>{{'-', "-A INPUT -s 10.9.9.9/32 -j DROP"}});
    CHECK(chains[1].chain == "VRMR-FWD");
    CHECK(chains[1].status == ChainDrift::Status::MissingInKernel);
    CHECK(chains[1].kernel_policy == "");
    CHECK(chains[1].config_policy == "-");
    CHECK(chains[1].lines == std::vector<DiffLine>{{'+', "-A VRMR-FWD -p tcp -m tcp --dport 22 -j ACCEPT"}});
    // Not owned: DOCKER-USER's rule is never compared.
    CHECK(compare_saves("ipv4", kernel, kernel, {{"filter", "INPUT"}, {"filter", "DOCKER-USER"}}).empty());
}

// SPDX-License-Identifier: GPL-2.0-or-later
// Loading the same compiled ruleset twice changes nothing (raw table included), and chains
// the ruleset does not own keep their rules; hook chains are created once, never flushed.
#include <catch2/catch.hpp>
#include <regex>

#include "e2e/netns.h"
#include "support/temp_tree.h"
#include "vuurmuur/compile/compiler.h"
#include "vuurmuur/pipeline.h"
#include "vuurmuur/render/iptables_restore.h"

using namespace vuurmuur::test::e2e;
namespace vm = vuurmuur;

namespace {
/// Save output without the policy counters (the kernel's own traffic moves them).
std::string normalized(const std::string& save) {
    static const std::regex counters(R"(\[[0-9]+:[0-9]+\])");
    return std::regex_replace(strip_save_comments(save), counters, "[0:0]");
}

/// The default tree compiled for one family, rendered for a kernel in which `existing`
/// chains are present (what the apply step passes).
std::string compile_default_tree(Family f, const vm::render::RenderOptions& options) {
    vm::test::TempDir dir;
    vm::test::copy_default_tree(dir.path());
    vm::diag::Diagnostics diags;
    auto loaded = vm::load_and_check(dir.path(), diags);
    REQUIRE_FALSE(diags.has_errors());
    auto compiled = vm::compile::compile(loaded.config, {}, diags);
    return vm::render::iptables_restore(f == Family::ipv4 ? compiled.ipv4 : compiled.ipv6, options);
}
}  // namespace

TEST_CASE("e2e reapply: loading the same ruleset again changes nothing and keeps foreign chains",
          "[e2e][compiled]") {
    std::string why;
    if (!Topology::available(why)) {
        WARN("SKIPPED: " << why);
        return;
    }
    Topology topo;
    vm::render::RenderOptions existing;
    for (const char* table : {"raw", "mangle", "nat", "filter"}) {
        for (const char* chain : {"PRE-VRMR-PREROUTING", "PRE-VRMR-INPUT", "PRE-VRMR-FORWARD",
                                  "PRE-VRMR-OUTPUT", "PRE-VRMR-POSTROUTING"}) {
            existing.existing_chains[table].insert(chain);
        }
    }
    for (Family f : {Family::ipv4, Family::ipv6}) {
        const std::string tool = f == Family::ipv4 ? "iptables" : "ip6tables";
        INFO(tool);
        // A foreign chain with a rule, as Docker would have it.
        REQUIRE(topo.exec(Host::fw, {tool, "-N", "DOCKER-USER"}).exit_code == 0);
        REQUIRE(topo.exec(Host::fw, {tool, "-A", "DOCKER-USER", "-j", "RETURN"}).exit_code == 0);

        ProcessResult first = topo.restore(f, compile_default_tree(f, {}), {"--noflush"});
        INFO(first.err);
        REQUIRE(first.exit_code == 0);
        // The admin hooks Docker in through a hook chain after the first load.
        REQUIRE(topo.exec(Host::fw, {tool, "-A", "PRE-VRMR-FORWARD", "-j", "DOCKER-USER"}).exit_code == 0);
        const std::string before = normalized(topo.save(f).out);
        REQUIRE(before.find("-A DOCKER-USER -j RETURN") != std::string::npos);
        REQUIRE(before.find("CT --helper") == std::string::npos);  // default tree: no helpers

        const std::string again = compile_default_tree(f, existing);
        for (int round = 0; round < 2; ++round) {
            ProcessResult r = topo.restore(f, again, {"--noflush"});
            INFO(r.err);
            REQUIRE(r.exit_code == 0);
            // Byte-identical save: nothing duplicated (raw included), the hook rule and the
            // foreign chain kept.
            CHECK(normalized(topo.save(f).out) == before);
        }
    }
}

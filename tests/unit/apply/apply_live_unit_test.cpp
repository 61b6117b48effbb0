// SPDX-License-Identifier: GPL-2.0-or-later
// The parts of the apply stage around the load that need no kernel: the load text made from
// the stored text (one render), the capability probe against a fake restore program and a
// fake /proc/net, the sysctl plan and writer against a fake /proc/sys, and the address
// snapshot of the watch.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_tree.h"
#include "vuurmuur/apply/capabilities.h"
#include "vuurmuur/apply/netfilter.h"
#include "vuurmuur/apply/state.h"
#include "vuurmuur/apply/sysctl.h"
#include "vuurmuur/apply/watch.h"
#include "vuurmuur/compile/compiler.h"
#include "vuurmuur/pipeline.h"
#include "vuurmuur/render/iptables_restore.h"
#include "vuurmuur/render/line_map.h"

namespace vm = vuurmuur;
namespace fs = std::filesystem;
using namespace vuurmuur::apply;

namespace {

vm::Loaded load_default_tree(vm::test::TempDir& dir) {
    vm::test::copy_default_tree(dir.path());
    vm::diag::Diagnostics diags;
    auto loaded = vm::load_and_check(dir.path(), diags);
    REQUIRE_FALSE(diags.has_errors());
    return loaded;
}

std::size_t line_count(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

/// A restore program that fails (exit 2) when its input holds `needle`, else succeeds.
std::string fake_restore(const vm::test::TempDir& dir, const std::string& name, const std::string& needle) {
    fs::path p = dir.path() / name;
    vm::test::write_file(p, "#!/bin/sh\nif grep -q -- '" + needle + "'; then echo 'no such extension' >&2; exit 2; fi\nexit 0\n");
    fs::permissions(p, fs::perms::owner_all);
    return p.string();
}

}  // namespace

TEST_CASE("apply: the load text made from the stored text equals a render for that kernel, line for line") {
    vm::test::TempDir dir;
    auto loaded = load_default_tree(dir);
    vm::diag::Diagnostics diags;
    auto compiled = vm::compile::compile(loaded.config, {}, diags);
    REQUIRE_FALSE(diags.has_errors());
    for (const vm::ir::Ruleset* rs : {&compiled.ipv4, &compiled.ipv6}) {
        vm::render::RenderOptions stored_ro;
        stored_ro.header.clear();
        StoredFamily sf{rs->family, vm::render::iptables_restore(*rs, stored_ro), true, {}};
        std::map<std::string, std::set<std::string>> existing;
        for (const auto& t : rs->tables) {
            for (const auto& c : t.chains) {
                if (c.kind == vm::ir::Chain::Kind::Hook) {
                    sf.hooks.emplace_back(t.name, c.name);
                    existing[t.name].insert(c.name);
                }
            }
        }
        REQUIRE_FALSE(sf.hooks.empty());
        vm::render::RenderOptions kernel_ro = stored_ro;
        kernel_ro.existing_chains = existing;
        const std::string adapted = adapt_to_kernel(sf, existing);
        CHECK(adapted == vm::render::iptables_restore(*rs, kernel_ro));
        CHECK(line_count(adapted) + sf.hooks.size() == line_count(sf.text));
        CHECK(vm::render::line_origins(*rs, kernel_ro).size() == line_count(adapted));
    }
}

TEST_CASE("apply: the capability probe combines the kernel listing and iptables-restore --test") {
    vm::test::TempDir dir;
    // Kernel: IPv4 lists everything but rpfilter; IPv6 has no NAT targets.
    fs::path proc = dir.path() / "proc-net";
    const std::string matches = "tcp\nudp\nicmp\nconntrack\ncomment\nconnmark\nhelper\nlimit\nmac\nmark\n";
    const std::string targets_v6 = "CLASSIFY\nCONNMARK\nCT\nLOG\nMARK\nNFLOG\nNFQUEUE\nREJECT\nTCPMSS\nMASQUERADE\nREDIRECT\n";
    vm::test::write_file(proc / "ip_tables_matches", matches);
    vm::test::write_file(proc / "ip_tables_targets", targets_v6 + "SNAT\nDNAT\n");
    vm::test::write_file(proc / "ip6_tables_matches", matches + "icmp6\nrpfilter\n");
    vm::test::write_file(proc / "ip6_tables_targets", targets_v6);
    // iptables: no CLASSIFY extension in either family.
    Tools tools;
    tools.ipv4.restore = fake_restore(dir, "iptables-restore", "CLASSIFY");
    tools.ipv6.restore = fake_restore(dir, "ip6tables-restore", "CLASSIFY");
    Capabilities caps = probe_capabilities(tools, proc.string());
    using K = Capability::Kind;
    using F = vm::ir::Family;
    CHECK(caps.kernel_listing_ipv4);
    CHECK(caps.has(F::Ipv4, K::Match, "conntrack"));
    CHECK_FALSE(caps.has(F::Ipv4, K::Match, "rpfilter"));
    CHECK(caps.has(F::Ipv6, K::Match, "rpfilter"));
    CHECK(caps.has(F::Ipv6, K::Match, "icmp"));   // icmp6 in the IPv6 listing
    CHECK(caps.has(F::Ipv4, K::Table, "nat"));
    CHECK_FALSE(caps.has(F::Ipv4, K::Target, "CLASSIFY"));
    CHECK(caps.has(F::Ipv4, K::Target, "CONNMARK"));
    const Capability* classify = caps.find(K::Target, "CLASSIFY");
    REQUIRE(classify);
    CHECK(classify->ipv4.kernel);
    CHECK_FALSE(classify->ipv4.iptables);
    if (caps.ipv6_kernel) {
        CHECK_FALSE(caps.has(F::Ipv6, K::Table, "nat"));
        CHECK_FALSE(caps.has(F::Ipv6, K::Target, "DNAT"));
        CHECK(caps.missing_required(F::Ipv6).empty());
    }
    CHECK(caps.missing_required(F::Ipv4).empty());

    const std::string table = format_capabilities(caps);
    CHECK(table.find("match   rpfilter    no (kernel)") != std::string::npos);
    CHECK(table.find("target  CLASSIFY    no (iptables)          no (iptables)") != std::string::npos);
    CHECK(table.find("match   conntrack   yes                    yes                    required\n") != std::string::npos);
    const std::string json = capabilities_json(caps);
    CHECK(json.find("{\"kind\":\"target\",\"name\":\"CLASSIFY\",\"required\":false,"
                    "\"ipv4\":{\"available\":false,\"kernel\":true,\"iptables\":false},") != std::string::npos);
    CHECK(json.rfind("{\"version\":1,\"ipv6_kernel\":", 0) == 0);

    // A missing listing: only iptables decides; a required match it lacks is reported.
    tools.ipv4.restore = fake_restore(dir, "iptables-restore2", "conntrack");
    Capabilities no_listing = probe_capabilities(tools, (dir.path() / "nothing").string());
    CHECK_FALSE(no_listing.kernel_listing_ipv4);
    CHECK(no_listing.has(F::Ipv4, K::Match, "rpfilter"));
    CHECK(no_listing.missing_required(F::Ipv4) == std::vector<std::string>{"match conntrack"});
    CHECK(no_listing.notes.at(0).find("ipv4: the kernel's xtables listing") == 0);
}

TEST_CASE("apply: probe rulesets name one feature in its table") {
    Capability dnat;
    dnat.kind = Capability::Kind::Target;
    dnat.name = "DNAT";
    CHECK(probe_ruleset(dnat, vm::ir::Family::Ipv6) ==
          "*nat\n-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination [2001:db8::1]:8080\nCOMMIT\n");
    Capability raw;
    raw.kind = Capability::Kind::Table;
    raw.name = "raw";
    CHECK(probe_ruleset(raw, vm::ir::Family::Ipv4) == "*raw\nCOMMIT\n");
}

TEST_CASE("apply: sysctls from interface protections and config.conf, written only when they differ") {
    using P = vm::model::Protection;
    vm::model::Config config;
    config.settings.protect_echobroadcast = false;
    vm::model::Interface lan, alias, off;
    lan.name = "lan", lan.active = true, lan.device = "eth1", lan.protections = {P::RpFilter, P::SendRedirect};
    alias.name = "alias", alias.active = true, alias.device = "eth2:1", alias.protections = {P::LogMartians};
    off.name = "off", off.active = false, off.device = "eth3", off.protections = {P::RpFilter};
    config.interfaces = {lan, off, alias};
    auto wanted = wanted_sysctls(config);
    std::vector<std::string> keys;
    for (const auto& s : wanted) keys.push_back(s.key + "=" + s.value);
    CHECK(keys == std::vector<std::string>{"net/ipv4/tcp_syncookies=1", "net/netfilter/nf_conntrack_acct=1",
                                           "net/netfilter/nf_conntrack_helper=0",
                                           "net/ipv4/conf/eth2/log_martians=1",
                                           "net/ipv4/conf/eth1/rp_filter=1", "net/ipv4/conf/eth1/send_redirects=0"});
    CHECK(forward_key(vm::ir::Family::Ipv6) == "net/ipv6/conf/all/forwarding");

    vm::test::TempDir root;
    vm::test::write_file(root.path() / "net/ipv4/tcp_syncookies", "1\n");
    vm::test::write_file(root.path() / "net/netfilter/nf_conntrack_acct", "0\n");
    vm::test::write_file(root.path() / "net/ipv4/conf/eth1/rp_filter", "0\n");
    vm::test::write_file(root.path() / "net/ipv4/conf/eth1/send_redirects", "1\n");
    std::vector<std::string> notes, warnings;
    apply_sysctls(wanted, notes, warnings, root.path());
    CHECK(notes == std::vector<std::string>{
                       "net/netfilter/nf_conntrack_acct = 1 (CONNTRACK_ACCOUNTING)",
                       "net/ipv4/conf/eth1/rp_filter = 1 (interface lan: protect against rp-filter)",
                       "net/ipv4/conf/eth1/send_redirects = 0 (interface lan: protect against send-redirect)"});
    CHECK(warnings.empty());  // eth2 and nf_conntrack_helper are not there: optional
    CHECK(read_sysctl("net/ipv4/conf/eth1/rp_filter", root.path()) == std::optional<std::string>("1"));
    CHECK(read_sysctl("net/netfilter/nf_conntrack_acct", root.path()) == std::optional<std::string>("1"));

    // tcp_syncookies is not optional: missing, it is a warning.
    vm::test::TempDir empty;
    notes.clear();
    apply_sysctls({{"net/ipv4/tcp_syncookies", "1", "PROTECT_SYNCOOKIE", false}}, notes, warnings, empty.path());
    CHECK(warnings == std::vector<std::string>{"net/ipv4/tcp_syncookies does not exist in this kernel (PROTECT_SYNCOOKIE)"});
}

TEST_CASE("apply: the watch looks at the addresses of dynamic interfaces' devices only") {
    vm::model::Config config;
    vm::model::Interface wan, lan, off;
    wan.name = "wan", wan.active = true, wan.dynamic = true, wan.device = "lo";
    lan.name = "lan", lan.active = true, lan.device = "eth1";
    off.name = "off", off.active = false, off.dynamic = true, off.device = "eth3";
    config.interfaces = {wan, lan, off};
    CHECK(dynamic_devices(config) == std::set<std::string>{"lo"});
    auto lo = addresses_of({"lo"});
    REQUIRE_FALSE(lo.empty());
    CHECK(lo.front().device == "lo");
    CHECK(lo.front() == InterfaceAddress{"lo", vm::ir::Family::Ipv4, "127.0.0.1"});
    for (const auto& a : lo) CHECK(a.device == "lo");
    CHECK(addresses_of({}).empty());
}

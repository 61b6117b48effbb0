// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vuurmuur/apply/netfilter.h"
#include "vuurmuur/ir/ruleset.h"

/// The capability probe (the original's iptcap, reference §3.14): which tables, matches and
/// targets the running kernel and iptables offer, per family. Nothing is changed by probing:
///
/// * kernel: /proc/net/ip_tables_matches, ip_tables_targets (and ip6_*) list the xtables
///   extensions the kernel has (both the legacy and the nf_tables backend use them);
/// * iptables: `iptables-restore --test` of a tiny ruleset per feature shows whether the
///   userspace extension is there and takes the options Vuurmuur uses. All features of a
///   family are tried in one ruleset first; only when that fails, one by one.
///
/// A feature is available when both say yes (a kernel listing that cannot be read counts as
/// yes: the load will tell). See docs/apply.md and, for the JSON form, docs/json.md.
namespace vuurmuur::apply {

struct Capability {
    enum class Kind { Table, Match, Target };
    Kind kind = Kind::Match;
    std::string name;      ///< "nat", "conntrack", "NFQUEUE"
    bool required = false; ///< Vuurmuur cannot work without it (filter, conntrack, tcp, udp, icmp)
    struct State {
        bool probed = false;   ///< false: this family was not probed (no IPv6 in the kernel)
        bool kernel = false;   ///< the kernel lists it (or has no listing: unknown counts as yes)
        bool iptables = false; ///< `restore --test` of the feature passed
        bool available() const { return probed && kernel && iptables; }
    };
    State ipv4;
    State ipv6;
    const State& of(ir::Family f) const { return f == ir::Family::Ipv4 ? ipv4 : ipv6; }
    State& of(ir::Family f) { return f == ir::Family::Ipv4 ? ipv4 : ipv6; }
};

const char* kind_name(Capability::Kind kind);

struct Capabilities {
    std::vector<Capability> items;  ///< tables, then matches, then targets, in a fixed order
    bool ipv6_kernel = false;       ///< /proc/sys/net/ipv6 exists
    /// Whether the kernel listings (/proc/net/ip*_tables_*) could be read, per family.
    bool kernel_listing_ipv4 = false;
    bool kernel_listing_ipv6 = false;
    std::string variant_ipv4;  ///< "nf_tables", "legacy", "unknown"
    std::string variant_ipv6;
    /// Problems running the probe (a restore program that did not start, ...).
    std::vector<std::string> notes;

    const Capability* find(Capability::Kind kind, const std::string& name) const;
    /// True when the feature is available in that family (unknown features: false).
    bool has(ir::Family family, Capability::Kind kind, const std::string& name) const;
    /// Names of the required features missing in `family`, "kind name" each.
    std::vector<std::string> missing_required(ir::Family family) const;
};

/// Reads the kernel's xtables listing of one family: the table names, matches and targets.
/// nullopt when the files cannot be read.
struct KernelListing {
    std::set<std::string> tables;  ///< legacy tables in use (ip_tables_names); informational
    std::set<std::string> matches;
    std::set<std::string> targets;
};
std::optional<KernelListing> read_kernel_listing(ir::Family family, const std::string& proc_net = "/proc/net");

/// The one-rule ruleset that tests a feature in a family ("*table ... COMMIT").
std::string probe_ruleset(const Capability& c, ir::Family family);

/// Probes every feature. `tools` as resolved for apply; families without kernel support are
/// not probed. `proc_net`: where the kernel listings are (tests point it elsewhere).
Capabilities probe_capabilities(const Tools& tools, const std::string& proc_net = "/proc/net");

/// The table of `caps` as text (one line per feature: kind, name, ipv4, ipv6).
std::string format_capabilities(const Capabilities& caps);
/// The JSON form (docs/json.md): {"version":1,"ipv6_kernel":..,"variant":{..},"kernel_listing":{..},
/// "items":[..],"notes":[..]}.
std::string capabilities_json(const Capabilities& caps);

}  // namespace vuurmuur::apply

// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/apply/capabilities.h"


#include <fstream>
#include <map>
#include <sstream>

#include "vuurmuur/base/json.h"

namespace vuurmuur::apply {

namespace {

using Kind = Capability::Kind;

/// One feature: where its probe rule goes and what it says, per family.
struct Spec {
    Kind kind;
    const char* name;
    bool required;
    const char* table;
    const char* chain;
    const char* rule4;  ///< rule text after "-A CHAIN "; empty: the table alone
    const char* rule6;
};

// clang-format off
const Spec kSpecs[] = {
    {Kind::Table, "filter", true, "filter", "INPUT", "", ""},
    {Kind::Table, "mangle", false, "mangle", "PREROUTING", "", ""},
    {Kind::Table, "nat", false, "nat", "PREROUTING", "", ""},
    {Kind::Table, "raw", false, "raw", "PREROUTING", "", ""},
    {Kind::Match, "tcp", true, "filter", "INPUT", "-p tcp -m tcp --dport 22", "-p tcp -m tcp --dport 22"},
    {Kind::Match, "udp", true, "filter", "INPUT", "-p udp -m udp --dport 53", "-p udp -m udp --dport 53"},
    {Kind::Match, "icmp", true, "filter", "INPUT", "-p icmp -m icmp --icmp-type 8", "-p ipv6-icmp -m icmp6 --icmpv6-type 128"},
    {Kind::Match, "conntrack", true, "filter", "INPUT", "-m conntrack --ctstate NEW", "-m conntrack --ctstate NEW"},
    {Kind::Match, "comment", false, "filter", "INPUT", "-m comment --comment probe", "-m comment --comment probe"},
    {Kind::Match, "connmark", false, "filter", "INPUT", "-m connmark --mark 0x1/0x3ffff", "-m connmark --mark 0x1/0x3ffff"},
    {Kind::Match, "helper", false, "filter", "INPUT", "-m helper --helper ftp", "-m helper --helper ftp"},
    {Kind::Match, "limit", false, "filter", "INPUT", "-m limit --limit 1/sec --limit-burst 5", "-m limit --limit 1/sec --limit-burst 5"},
    {Kind::Match, "mac", false, "filter", "INPUT", "-m mac --mac-source 02:00:00:00:00:01", "-m mac --mac-source 02:00:00:00:00:01"},
    {Kind::Match, "mark", false, "filter", "INPUT", "-m mark --mark 0x1/0x1", "-m mark --mark 0x1/0x1"},
    {Kind::Match, "rpfilter", false, "raw", "PREROUTING", "-m rpfilter --invert", "-m rpfilter --invert"},
    {Kind::Target, "CLASSIFY", false, "mangle", "POSTROUTING", "-j CLASSIFY --set-class 1:1", "-j CLASSIFY --set-class 1:1"},
    {Kind::Target, "CONNMARK", false, "mangle", "PREROUTING", "-j CONNMARK --set-xmark 0x1/0x3ffff", "-j CONNMARK --set-xmark 0x1/0x3ffff"},
    {Kind::Target, "CT", false, "raw", "PREROUTING", "-p tcp -m tcp --dport 21 -j CT --helper ftp", "-p tcp -m tcp --dport 21 -j CT --helper ftp"},
    {Kind::Target, "DNAT", false, "nat", "PREROUTING", "-p tcp -m tcp --dport 80 -j DNAT --to-destination 192.0.2.1:8080", "-p tcp -m tcp --dport 80 -j DNAT --to-destination [2001:db8::1]:8080"},
    {Kind::Target, "LOG", false, "filter", "INPUT", "-j LOG --log-prefix probe", "-j LOG --log-prefix probe"},
    {Kind::Target, "MARK", false, "mangle", "PREROUTING", "-j MARK --set-xmark 0x1/0xffffffff", "-j MARK --set-xmark 0x1/0xffffffff"},
    {Kind::Target, "MASQUERADE", false, "nat", "POSTROUTING", "-j MASQUERADE", "-j MASQUERADE"},
    {Kind::Target, "NFLOG", false, "filter", "INPUT", "-j NFLOG --nflog-group 8 --nflog-prefix probe", "-j NFLOG --nflog-group 8 --nflog-prefix probe"},
    {Kind::Target, "NFQUEUE", false, "filter", "INPUT", "-j NFQUEUE --queue-num 0", "-j NFQUEUE --queue-num 0"},
    {Kind::Target, "REDIRECT", false, "nat", "PREROUTING", "-p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8080", "-p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8080"},
    {Kind::Target, "REJECT", false, "filter", "INPUT", "-j REJECT --reject-with icmp-port-unreachable", "-j REJECT --reject-with icmp6-port-unreachable"},
    {Kind::Target, "SNAT", false, "nat", "POSTROUTING", "-j SNAT --to-source 192.0.2.1", "-j SNAT --to-source 2001:db8::1"},
    {Kind::Target, "TCPMSS", false, "mangle", "FORWARD", "-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu", "-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu"},
};
// clang-format on

const Spec* spec_of(const Capability& c) {
    for (const auto& s : kSpecs) {
        if (s.kind == c.kind && c.name == s.name) return &s;
    }
    return nullptr;
}

std::set<std::string> read_names(const std::string& path, bool& ok) {
    std::set<std::string> out;
    std::ifstream in(path);
    if (!in) {
        ok = false;
        return out;
    }
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty()) out.insert(line);
    }
    return out;
}

/// Whether the kernel listing has what the feature needs.
bool kernel_has(const Capability& c, ir::Family f, const KernelListing& k) {
    switch (c.kind) {
        case Kind::Table:
            // The nat table needs the kernel's NAT: its SNAT and DNAT targets are there with it.
            if (c.name == "nat") return k.targets.count("SNAT") != 0 && k.targets.count("DNAT") != 0;
            return true;  // filter, mangle and raw have no entry of their own in the listing
        case Kind::Match:
            if (c.name == "icmp" && f == ir::Family::Ipv6) return k.matches.count("icmp6") != 0;
            return k.matches.count(c.name) != 0;
        case Kind::Target:
            return k.targets.count(c.name) != 0;
    }
    return false;
}

/// A ruleset testing `specs` together: the tables in a fixed order, each probe rule in it.
std::string combined_ruleset(const std::vector<const Capability*>& caps, ir::Family f) {
    std::map<std::string, std::string> tables;
    for (const Capability* c : caps) {
        std::string text = probe_ruleset(*c, f);
        // Strip "*table\n" and "COMMIT\n".
        std::size_t nl = text.find('\n');
        std::string table = text.substr(1, nl - 1);
        tables[table] += text.substr(nl + 1, text.size() - nl - 1 - std::string("COMMIT\n").size());
    }
    std::string out;
    for (const char* t : {"raw", "mangle", "nat", "filter"}) {
        auto it = tables.find(t);
        if (it != tables.end()) out += std::string("*") + t + "\n" + it->second + "COMMIT\n";
    }
    return out;
}

}  // namespace

const char* kind_name(Capability::Kind kind) {
    switch (kind) {
        case Kind::Table: return "table";
        case Kind::Match: return "match";
        case Kind::Target: return "target";
    }
    return "?";
}

const Capability* Capabilities::find(Capability::Kind kind, const std::string& name) const {
    for (const auto& c : items) {
        if (c.kind == kind && c.name == name) return &c;
    }
    return nullptr;
}

bool Capabilities::has(ir::Family family, Capability::Kind kind, const std::string& name) const {
    const Capability* c = find(kind, name);
    return c != nullptr && c->of(family).available();
}

std::vector<std::string> Capabilities::missing_required(ir::Family family) const {
    std::vector<std::string> out;
    for (const auto& c : items) {
        if (c.required && c.of(family).probed && !c.of(family).available()) {
            out.push_back(std::string(kind_name(c.kind)) + " " + c.name);
        }
    }
    return out;
}

std::optional<KernelListing> read_kernel_listing(ir::Family family, const std::string& proc_net) {
    const std::string prefix = proc_net + (family == ir::Family::Ipv4 ? "/ip_tables_" : "/ip6_tables_");
    bool ok = true;
    KernelListing k;
    k.matches = read_names(prefix + "matches", ok);
    k.targets = read_names(prefix + "targets", ok);
    if (!ok) return std::nullopt;
    bool names_ok = true;
    k.tables = read_names(prefix + "names", names_ok);
    return k;
}

std::string probe_ruleset(const Capability& c, ir::Family family) {
    const Spec* s = spec_of(c);
    if (s == nullptr) return {};
    std::string rule = family == ir::Family::Ipv4 ? s->rule4 : s->rule6;
    std::string out = std::string("*") + s->table + "\n";
    if (!rule.empty()) out += std::string("-A ") + s->chain + " " + rule + "\n";
    return out + "COMMIT\n";
}

Capabilities probe_capabilities(const Tools& tools, const std::string& proc_net) {
    Capabilities caps;
    caps.ipv6_kernel = kernel_has_ipv6();
    caps.variant_ipv4 = variant_name(detect_variant(tools.ipv4.restore));
    caps.variant_ipv6 = caps.ipv6_kernel ? variant_name(detect_variant(tools.ipv6.restore)) : "unknown";
    for (const auto& s : kSpecs) {
        Capability c;
        c.kind = s.kind;
        c.name = s.name;
        c.required = s.required;
        caps.items.push_back(c);
    }
    for (ir::Family f : {ir::Family::Ipv4, ir::Family::Ipv6}) {
        if (f == ir::Family::Ipv6 && !caps.ipv6_kernel) continue;
        auto listing = read_kernel_listing(f, proc_net);
        (f == ir::Family::Ipv4 ? caps.kernel_listing_ipv4 : caps.kernel_listing_ipv6) = listing.has_value();
        if (!listing) {
            caps.notes.push_back(std::string(ir::family_name(f)) +
                                 ": the kernel's xtables listing (/proc/net/ip*_tables_*) cannot be read; "
                                 "only iptables was asked");
        }
        std::vector<const Capability*> all;
        for (auto& c : caps.items) {
            auto& st4 = c.of(f);
            st4.probed = true;
            st4.kernel = !listing || kernel_has(c, f, *listing);
            all.push_back(&c);
        }
        ExecResult r = run_restore(tools, f, combined_ruleset(all, f), LoadMode::Test);
        if (!r.error.empty()) {
            caps.notes.push_back(std::string(ir::family_name(f)) + ": " + r.error);
            continue;  // iptables = false for all
        }
        if (r.ok()) {
            for (auto& c : caps.items) c.of(f).iptables = true;
            continue;
        }
        for (auto& c : caps.items) c.of(f).iptables = run_restore(tools, f, probe_ruleset(c, f), LoadMode::Test).ok();
    }
    return caps;
}

std::string format_capabilities(const Capabilities& caps) {
    auto cell = [&](const Capability::State& s) -> std::string {
        if (!s.probed) return "-";
        if (s.available()) return "yes";
        if (!s.kernel && !s.iptables) return "no (kernel, iptables)";
        return !s.kernel ? "no (kernel)" : "no (iptables)";
    };
    std::ostringstream out;
    out << "iptables: ipv4 " << caps.variant_ipv4 << ", ipv6 "
        << (caps.ipv6_kernel ? caps.variant_ipv6 : std::string("(no IPv6 in the kernel)")) << "\n";
    char line[160];
    std::snprintf(line, sizeof line, "%-7s %-11s %-22s %s\n", "KIND", "NAME", "IPV4", "IPV6");
    out << line;
    for (const auto& c : caps.items) {
        std::snprintf(line, sizeof line, "%-7s %-11s %-22s %-22s %s\n", kind_name(c.kind), c.name.c_str(),
                      cell(c.ipv4).c_str(), cell(c.ipv6).c_str(), c.required ? "required" : "");
        std::string l = line;
        while (l.size() > 1 && l[l.size() - 2] == ' ') l.erase(l.size() - 2, 1);
        out << l;
    }
    for (const auto& n : caps.notes) out << "note: " << n << "\n";
    return out.str();
}

std::string capabilities_json(const Capabilities& caps) {
    auto state = [](const Capability::State& s) -> std::string {
        if (!s.probed) return "null";
        return std::string("{\"available\":") + (s.available() ? "true" : "false") +
               ",\"kernel\":" + (s.kernel ? "true" : "false") + ",\"iptables\":" + (s.iptables ? "true" : "false") + "}";
    };
    std::string out = "{\"version\":1,\"ipv6_kernel\":" + std::string(caps.ipv6_kernel ? "true" : "false");
    out += ",\"variant\":{\"ipv4\":" + base::json_quote(caps.variant_ipv4) +
           ",\"ipv6\":" + base::json_quote(caps.variant_ipv6) + "}";
    out += ",\"kernel_listing\":{\"ipv4\":" + std::string(caps.kernel_listing_ipv4 ? "true" : "false") +
           ",\"ipv6\":" + (caps.kernel_listing_ipv6 ? "true" : "false") + "}";
    out += ",\"items\":[";
    bool first = true;
    for (const auto& c : caps.items) {
        if (!first) out += ",";
        first = false;
        out += "{\"kind\":" + base::json_quote(kind_name(c.kind)) + ",\"name\":" + base::json_quote(c.name) +
               ",\"required\":" + (c.required ? "true" : "false") + ",\"ipv4\":" + state(c.ipv4) +
               ",\"ipv6\":" + state(c.ipv6) + "}";
    }
    out += "],\"notes\":[";
    for (std::size_t i = 0; i < caps.notes.size(); ++i) out += (i ? "," : "") + base::json_quote(caps.notes[i]);
    return out + "]}";
}

}  // namespace vuurmuur::apply

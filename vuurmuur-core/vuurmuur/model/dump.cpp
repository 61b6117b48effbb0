// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/model/dump.h"

#include "vuurmuur/config/rule_parser.h"
#include "vuurmuur/model/schema.h"

namespace vuurmuur::model {

namespace {
std::string yes(bool b) { return b ? "yes" : "no"; }
}  // namespace

std::string dump(const Config& c) {
    std::string out;
    out += "settings\n";
    for (const auto& spec : setting_specs()) {
        out += "  " + std::string(spec.key) + " = " + setting_text(c.settings, spec) + "\n";
    }
    for (const auto& z : c.zones) out += "zone " + z.name + " active=" + yes(z.active) + "\n";
    for (const auto& n : c.networks) {
        out += "network " + n.full_name() + " active=" + yes(n.active);
        if (n.ipv4) out += " ipv4=" + n.ipv4->network().str() + "/" + std::to_string(n.ipv4->prefix);
        if (n.ipv6) out += " ipv6=" + n.ipv6->str();
        for (const auto& i : n.interfaces) out += " if=" + i.name;
        for (const auto& r : n.rules) {
            switch (r.kind) {
                case NetworkRule::Kind::AntiSpoof: out += " antispoof=" + std::string(spoof_source_name(r.source)); break;
                case NetworkRule::Kind::DhcpClient: out += " dhcp-client"; break;
                case NetworkRule::Kind::DhcpServer: out += " dhcp-server"; break;
            }
        }
        out += "\n";
    }
    for (const auto& h : c.hosts) {
        out += "host " + h.full_name() + " active=" + yes(h.active);
        if (h.ipv4) out += " ipv4=" + h.ipv4->str();
        if (h.ipv6) out += " ipv6=" + h.ipv6->str();
        if (!h.mac.empty()) out += " mac=" + h.mac;
        out += "\n";
    }
    for (const auto& g : c.groups) {
        out += "group " + g.full_name() + " active=" + yes(g.active);
        for (const auto& m : g.members) out += " member=" + m.name;
        out += "\n";
    }
    for (const auto& i : c.interfaces) {
        out += "interface " + i.name + " active=" + yes(i.active) + " device=" + i.device;
        if (i.dynamic) out += " ipv4=dynamic";
        else if (i.ipv4) out += " ipv4=" + i.ipv4->str();
        if (i.ipv6) out += " ipv6=" + i.ipv6->str();
        if (i.is_virtual) out += " virtual";
        if (i.tcpmss) out += " tcpmss";
        for (auto p : i.protections) out += " protect=" + std::string(protection_name(p));
        out += "\n";
    }
    for (const auto& s : c.services) {
        out += "service " + s.name + " active=" + yes(s.active);
        if (s.broadcast) out += " broadcast";
        if (!s.helper.empty()) out += " helper=" + s.helper;
        for (const auto& p : s.ports) {
            out += " " + std::to_string(p.protocol);
            if (p.has_ports) out += ":" + p.dst.str() + "<-" + p.src.str();
            if (p.icmp_type) out += ":type" + std::to_string(*p.icmp_type);
            if (p.icmp_code) out += "/" + std::to_string(*p.icmp_code);
        }
        out += "\n";
    }
    for (const auto& r : c.rules) {
        out += "rule " + std::to_string(r.location.line) + ": " + config::format_rule(r) + "\n";
    }
    for (const auto& b : c.blocklist) out += std::string("block ") + (b.active ? "" : ";") + b.item + "\n";
    return out;
}

}  // namespace vuurmuur::model

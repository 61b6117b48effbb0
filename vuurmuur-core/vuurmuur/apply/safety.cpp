// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/apply/safety.h"

#include <sstream>

namespace vuurmuur::apply {

std::vector<std::string> admin_networks(const model::Settings& settings, ir::Family family) {
    std::vector<std::string> out;
    std::istringstream in(settings.admin_networks);
    std::string net;
    while (in >> net) {
        bool v6 = net.find(':') != std::string::npos;
        if (v6 == (family == ir::Family::Ipv6)) out.push_back(net);
    }
    return out;
}

std::string safety_ruleset(ir::Family family, const model::Settings& settings) {
    const bool v6 = family == ir::Family::Ipv6;
    const std::string group = std::to_string(settings.nfgrp);
    auto log = [&](const std::string& chain, const std::string& what) {
        return "-A " + chain + " -m limit --limit 1/sec --limit-burst 5 -j NFLOG --nflog-group " + group +
               " --nflog-prefix \"vrmr: DROP safety " + what + " \"\n";
    };
    std::string out =
        "# vuurmuur safety ruleset (fail closed): loopback, established, SSH from ADMIN_NETWORKS\n"
        "*filter\n"
        ":INPUT DROP [0:0]\n"
        ":FORWARD DROP [0:0]\n"
        ":OUTPUT DROP [0:0]\n"
        "-F INPUT\n"
        "-F FORWARD\n"
        "-F OUTPUT\n"
        "-A INPUT -i lo -j ACCEPT\n"
        "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n";
    if (v6) {
        for (int type = 133; type <= 136; ++type) {
            out += "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type " + std::to_string(type) +
                   " -m hl --hl-eq 255 -j ACCEPT\n";
        }
    }
    for (const auto& net : admin_networks(settings, family)) {
        out += "-A INPUT -s " + net + " -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT\n";
    }
    out += log("INPUT", "in");
    out += log("FORWARD", "fwd");
    out += "-A OUTPUT -o lo -j ACCEPT\n"
           "-A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n";
    if (v6) {
        for (int type = 133; type <= 136; ++type) {
            out += "-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type " + std::to_string(type) +
                   " -m hl --hl-eq 255 -j ACCEPT\n";
        }
    }
    out += log("OUTPUT", "out");
    out += "COMMIT\n";
    return out;
}

}  // namespace vuurmuur::apply

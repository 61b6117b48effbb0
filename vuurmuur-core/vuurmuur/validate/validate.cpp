// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/validate/validate.h"

#include <map>

#include "vuurmuur/base/spellcheck.h"
#include "vuurmuur/base/strings.h"
#include "vuurmuur/model/name.h"

namespace vuurmuur::validate {

using diag::Code;
using model::Action;
using model::Config;
using model::ObjectName;
using model::Rule;

namespace {

/// A "did you mean" hint; `suffix` completes the suggested name (".net.zone").
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates,
                         const std::string& suffix = {}) {
    auto m = base::closest_match(word, candidates);
    return m ? "did you mean '" + *m + suffix + "'?" : std::string();
}

std::vector<std::string> interface_names(const Config& c) {
    std::vector<std::string> out;
    for (const auto& i : c.interfaces) out.push_back(i.name);
    return out;
}

void check_interface_ref(const Config& c, const std::string& name, const diag::Location& at,
                         std::string_view used_by, diag::Diagnostics& diags) {
    const model::Interface* iface = c.find_interface(name);
    if (iface == nullptr) {
        diags.report(Code::UnknownReference, at, "unknown interface '" + name + "'",
                     did_you_mean(name, interface_names(c)));
    } else if (!iface->active) {
        diags.report(Code::InactiveReference, at,
                     "interface '" + name + "' is inactive; " + std::string(used_by));
    }
}

void check_hosts(const Config& c, diag::Diagnostics& diags) {
    std::map<std::pair<std::string, std::uint32_t>, const model::Host*> by_ip;
    for (const auto& host : c.hosts) {
        const model::Network* net = c.find_network(host.network, host.zone);
        if (net == nullptr) continue;  // cannot happen: hosts live inside their network's folder
        if (c.find_group(host.name, host.network, host.zone) != nullptr) {
            diags.report(Code::DuplicateName, {host.file, 0, 0},
                         "'" + host.full_name() + "' is both a host and a group",
                         "hosts and groups share one namespace per network; rename one");
        }
        if (host.ipv4) {
            if (!net->ipv4) {
                // A NETWORK line that build rejected (bad netmask, host bits, ...) is reported
                // there; repeating that for every host would be noise.
                if (net->ipv4_location.line == 0) {
                    diags.report(Code::HostOutsideNetwork, host.ipv4_location(),
                                 "host " + host.full_name() + " has an IPv4 address but network " +
                                     net->full_name() + " has no IPv4 network");
                }
            } else {
                auto range = *net->ipv4;
                bool inside = host.ipv4->value > range.network().value &&
                              host.ipv4->value < range.broadcast().value;
                if (!inside) {
                    diags.report(Code::HostOutsideNetwork, host.ipv4_location(),
                                 "host address " + host.ipv4->str() + " is not inside network " +
                                     net->full_name() + " (" + range.network().str() + "/" +
                                     std::to_string(range.prefix) + ")",
                                 "a host address lies strictly between the network and broadcast "
                                 "addresses (" + range.network().str() + " and " +
                                     range.broadcast().str() + ")");
                } else {
                    auto [it, fresh] = by_ip.emplace(std::make_pair(net->full_name(), host.ipv4->value), &host);
                    if (!fresh && host.active && it->second->active) {
                        diags.report(diag::Severity::Warning, Code::DuplicateName, host.ipv4_location(),
                                     "hosts " + it->second->full_name() + " and " + host.full_name() +
                                         " have the same address " + host.ipv4->str());
                    }
                }
            }
        }
        if (host.ipv6) {
            if (!net->ipv6) {
                diags.report(Code::HostOutsideNetwork, host.ipv6_location(),
                             "host " + host.full_name() + " has an IPv6 address but network " +
                                 net->full_name() + " has no IPv6 prefix",
                             "set IPV6NETWORK and IPV6CIDR on the network");
            } else if (!net->ipv6->contains(*host.ipv6)) {
                diags.report(Code::HostOutsideNetwork, host.ipv6_location(),
                             "host address " + host.ipv6->str() + " is not inside network " +
                                 net->full_name() + " (" + net->ipv6->str() + ")");
            }
        }
    }
}

void check_groups(const Config& c, diag::Diagnostics& diags) {
    for (const auto& group : c.groups) {
        // The candidates for a "did you mean" are only gathered when a member is missing.
        auto hosts_of_network = [&]() {
            std::vector<std::string> hosts;
            for (const auto& h : c.hosts) {
                if (h.network == group.network && h.zone == group.zone) hosts.push_back(h.name);
            }
            return hosts;
        };
        for (const auto& member : group.members) {
            const model::Host* host = c.find_host(member.name, group.network, group.zone);
            if (host == nullptr) {
                std::string what = c.find_group(member.name, group.network, group.zone)
                                       ? "'" + member.name + "' is a group; groups cannot contain groups"
                                       : "group " + group.full_name() + " has unknown member '" +
                                             member.name + "'";
                diags.report(Code::UnknownReference, member.location, what,
                             did_you_mean(member.name, hosts_of_network()));
            } else if (!host->active && group.active) {
                diags.report(Code::InactiveReference, member.location,
                             "member " + host->full_name() + " is inactive and is left out");
            }
        }
    }
}

void check_networks(const Config& c, diag::Diagnostics& diags) {
    for (const auto& net : c.networks) {
        if (!net.active) continue;
        for (const auto& ref : net.interfaces) {
            check_interface_ref(c, ref.name, ref.location, "the network is not reached through it", diags);
        }
    }
}

void check_interfaces(const Config& c, diag::Diagnostics& diags) {
    std::map<std::string, const model::Interface*> by_device;
    for (const auto& iface : c.interfaces) {
        if (!iface.active || iface.device.empty()) continue;
        auto [it, fresh] = by_device.emplace(iface.device, &iface);
        if (!fresh && !iface.is_virtual && !it->second->is_virtual) {
            diags.report(diag::Severity::Warning, Code::DuplicateName, iface.device_location,
                         "interfaces " + it->second->name + " and " + iface.name +
                             " both use device " + iface.device);
        }
    }
}

/// Resolves a rule's from/to word; reports problems; returns the parsed name if usable.
std::optional<ObjectName> check_object(const Config& c, const Rule& rule, const std::string& text,
                                       int column, diag::Diagnostics& diags) {
    auto at = rule.at(column);
    auto name = ObjectName::parse(text);
    if (!name) {
        diags.report(Code::RuleSyntax, at, "'" + base::printable(text, 60) + "' is not an object name",
                     "objects are firewall, any, zone, network.zone, host.network.zone, "
                     "group.network.zone or network.zone(broadcast)");
        return std::nullopt;
    }
    using K = ObjectName::Kind;
    if (name->kind == K::Firewall || name->kind == K::Any) return name;

    const model::Zone* zone = c.find_zone(name->zone);
    if (zone == nullptr) {
        std::vector<std::string> zones;
        for (const auto& z : c.zones) zones.push_back(z.name);
        std::string where = name->kind == K::Zone ? std::string() : " in '" + text + "'";
        diags.report(Code::UnknownReference, at, "unknown zone '" + name->zone + "'" + where,
                     did_you_mean(name->zone, zones));
        return std::nullopt;
    }
    bool inactive = !zone->active;
    std::string inactive_name = zone->name;
    if (name->kind != K::Zone) {
        const model::Network* net = c.find_network(name->network, name->zone);
        if (net == nullptr) {
            std::vector<std::string> nets;
            for (const auto& n : c.networks) {
                if (n.zone == name->zone) nets.push_back(n.name);
            }
            // Match on the network part, suggest the whole name.
            diags.report(Code::UnknownReference, at,
                         "unknown network '" + name->network_name() + "'",
                         did_you_mean(name->network, nets, "." + name->zone));
            return std::nullopt;
        }
        if (!inactive && !net->active) {
            inactive = true;
            inactive_name = net->full_name();
        }
        if (name->kind == K::HostOrGroup) {
            const model::Host* host = c.find_host(name->host, name->network, name->zone);
            const model::Group* group = c.find_group(name->host, name->network, name->zone);
            if (host == nullptr && group == nullptr) {
                std::vector<std::string> names;
                for (const auto& h : c.hosts) {
                    if (h.network == name->network && h.zone == name->zone) names.push_back(h.name);
                }
                for (const auto& g : c.groups) {
                    if (g.network == name->network && g.zone == name->zone) names.push_back(g.name);
                }
                diags.report(Code::UnknownReference, at, "unknown host or group '" + text + "'",
                             did_you_mean(name->host, names, "." + name->network_name()));
                return std::nullopt;
            }
            bool active = host ? host->active : group->active;
            if (!inactive && !active) {
                inactive = true;
                inactive_name = text;
            }
        }
    }
    if (inactive) {
        diags.report(Code::InactiveReference, at,
                     "'" + inactive_name + "' is inactive: this rule generates nothing");
    }
    return name;
}

bool is_host(const Config& c, const ObjectName& n) {
    return n.kind == ObjectName::Kind::HostOrGroup &&
           c.find_host(n.host, n.network, n.zone) != nullptr;
}

void check_rule_options(const Config& c, const Rule& rule, const std::optional<ObjectName>& from,
                        const std::optional<ObjectName>& to, diag::Diagnostics& diags) {
    const auto& o = rule.options;
    const Action a = rule.action;
    const std::string action(model::action_name(a));
    auto col = [&](std::string_view option) { return rule.at(rule.columns.option(option)); };
    auto not_allowed = [&](const diag::Location& at, const std::string& msg, const std::string& hint = {}) {
        diags.report(Code::OptionNotAllowed, at, msg, hint);
    };
    auto ignored = [&](std::string_view option, std::string_view used_with) {
        diags.report(Code::IgnoredOption, col(option),
                     "option '" + std::string(option) + "' has no effect on a '" + action + "' rule",
                     "it is used with " + std::string(used_with));
    };
    using K = ObjectName::Kind;
    bool from_fw = from && from->kind == K::Firewall;
    bool to_fw = to && to->kind == K::Firewall;
    bool to_any = to && to->kind == K::Any;

    if (from_fw && to_fw) {
        not_allowed(rule.at(rule.columns.to), "a rule cannot go from firewall to firewall");
    }
    bool needs_host = a == Action::Portfw || a == Action::Dnat || a == Action::Bounce;
    if (needs_host && to && !is_host(c, *to)) {
        not_allowed(rule.at(rule.columns.to),
                    "'" + action + "' needs a host as destination, not '" + rule.to + "'",
                    "name one host like server.local.lan");
    }
    if ((a == Action::Portfw || a == Action::Dnat || a == Action::Redirect || a == Action::Bounce) && from_fw) {
        not_allowed(rule.at(rule.columns.from), "'" + action + "' cannot start at the firewall",
                    "NAT of this kind is for traffic arriving from a network");
    }
    if ((a == Action::Snat || a == Action::Masq) && (to_any || to_fw)) {
        not_allowed(rule.at(rule.columns.to), "'" + action + "' needs a destination network, not '" + rule.to + "'");
    }
    // An option that is written but was rejected by the parser is reported there already.
    auto missing = [&](std::string_view option) { return rule.columns.option(option) == 0; };
    if (a == Action::Redirect && !o.redirectport && missing("redirectport")) {
        not_allowed(rule.at(rule.columns.action), "'redirect' needs the redirectport option",
                    "add options redirectport=\"3128\"");
    }
    if (a == Action::Bounce && !o.via_int && missing("via_int")) {
        not_allowed(rule.at(rule.columns.action), "'bounce' needs the via_int option",
                    "add options via_int=\"<interface whose address is used>\"");
    }
    if (a == Action::Chain && !o.chain && missing("chain")) {
        not_allowed(rule.at(rule.columns.action), "'chain' needs the chain option",
                    "add options chain=\"MYCHAIN\"");
    }
    if (o.in_int && from_fw) {
        not_allowed(col("in_int"), "in_int cannot be used with 'from firewall' (no incoming interface)");
    }
    if (o.out_int && to_fw) {
        not_allowed(col("out_int"), "out_int cannot be used with 'to firewall' (no outgoing interface)");
    }

    if (o.rejecttype && a != Action::Reject) ignored("rejecttype", "reject");
    if (o.redirectport && a != Action::Redirect) ignored("redirectport", "redirect");
    if ((o.listenport || o.remoteport) && !needs_host) {
        ignored(o.listenport ? "listenport" : "remoteport", "portfw, dnat and bounce");
    }
    if (o.via_int && a != Action::Bounce) ignored("via_int", "bounce");
    if (o.chain && a != Action::Chain) ignored("chain", "chain");
    if (o.nfqueuenum && a != Action::Nfqueue) ignored("nfqueuenum", "nfqueue");
    if (o.nflognum && a != Action::Nflog) ignored("nflognum", "nflog");
    bool nat = a == Action::Snat || a == Action::Masq || a == Action::Dnat ||
               a == Action::Portfw || a == Action::Bounce || a == Action::Redirect;
    if (o.random && !nat) ignored("random", "snat, masq, dnat, portfw, bounce and redirect");
    if (!o.log && a != Action::Log) {
        if (o.loglimit) ignored("loglimit", "the log option");
        if (o.logprefix) ignored("logprefix", "the log option");
    }
    if (o.burst && !o.limit) {
        diags.report(Code::IgnoredOption, col("burst"), "option 'burst' has no effect without 'limit'");
    }

    if (o.in_int) check_interface_ref(c, *o.in_int, col("in_int"), "the rule generates nothing", diags);
    if (o.out_int) check_interface_ref(c, *o.out_int, col("out_int"), "the rule generates nothing", diags);
    if (o.via_int && a == Action::Bounce) {
        check_interface_ref(c, *o.via_int, col("via_int"), "the rule generates nothing", diags);
        if (const auto* iface = c.find_interface(*o.via_int); iface && !iface->dynamic && !iface->ipv4 && !iface->ipv6) {
            not_allowed(col("via_int"), "bounce via interface '" + iface->name + "', which has no address",
                        "set IPADDRESS on the interface");
        }
    }
}

void check_rules(const Config& c, diag::Diagnostics& diags) {
    std::vector<std::string> services;
    for (const auto& s : c.services) services.push_back(s.name);
    for (const auto& rule : c.rules) {
        if (!rule.active || rule.is_separator()) continue;
        if (rule.service != "any" && rule.service != "all") {
            const model::Service* service = c.find_service(rule.service);
            auto at = rule.at(rule.columns.service);
            if (service == nullptr) {
                diags.report(Code::UnknownReference, at, "unknown service '" + rule.service + "'",
                             did_you_mean(rule.service, services));
            } else if (!service->active) {
                diags.report(Code::InactiveReference, at,
                             "service '" + rule.service + "' is inactive: this rule generates nothing");
            } else if (service->ports.empty()) {
                diags.report(Code::InactiveReference, at,
                             "service '" + rule.service + "' has no port ranges: this rule generates nothing");
            }
        }
        auto from = check_object(c, rule, rule.from, rule.columns.from, diags);
        auto to = check_object(c, rule, rule.to, rule.columns.to, diags);
        check_rule_options(c, rule, from, to, diags);
    }
}

void check_blocklist(const Config& c, diag::Diagnostics& diags) {
    for (const auto& item : c.blocklist) {
        if (!item.active) continue;
        if (base::Ipv4::parse(item.item) || base::Ipv6::parse(item.item)) continue;
        auto name = ObjectName::parse(item.item);
        if (!name || name->kind != ObjectName::Kind::HostOrGroup) {
            diags.report(Code::RuleSyntax, item.location,
                         "cannot block '" + base::printable(item.item, 60) + "'",
                         "block an IP address, a host or a group; networks and zones cannot be blocked");
            continue;
        }
        const model::Host* host = c.find_host(name->host, name->network, name->zone);
        const model::Group* group = c.find_group(name->host, name->network, name->zone);
        if (host == nullptr && group == nullptr) {
            diags.report(Code::UnknownReference, item.location,
                         "unknown host or group '" + item.item + "' in the blocklist");
        } else if ((host && !host->active) || (group && !group->active)) {
            diags.report(Code::InactiveReference, item.location,
                         "'" + item.item + "' is inactive and is not blocked");
        }
    }
}

}  // namespace

void validate(const Config& config, diag::Diagnostics& diags) {
    check_hosts(config, diags);
    check_groups(config, diags);
    check_networks(config, diags);
    check_interfaces(config, diags);
    check_rules(config, diags);
    check_blocklist(config, diags);
    check_marks(config, diags);
}

}  // namespace vuurmuur::validate

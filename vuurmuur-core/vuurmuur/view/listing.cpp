// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/view/listing.h"

#include <cstdio>
#include <span>

#include "vuurmuur/base/strings.h"
#include "vuurmuur/model/name.h"

namespace vuurmuur::view {

using model::ObjectKind;

namespace {
bool matches_scope(const std::string& filter, const std::string& network, const std::string& zone) {
    if (filter == "any") return true;
    if (filter == zone) return true;
    return filter == network + "." + zone;
}

/// The keys -P prints, per kind: the original's order (vuurmuur_script's script_print.c), then
/// the keys it does not print (IPv6, RANGE) at the end, so that every line the original
/// prints keeps its position for scripts that read the output by line.
constexpr std::string_view kZoneOrder[] = {"ACTIVE", "COMMENT"};
constexpr std::string_view kNetworkOrder[] = {"ACTIVE", "NETWORK", "NETMASK", "INTERFACE", "RULE",
                                              "COMMENT", "IPV6NETWORK", "IPV6CIDR"};
constexpr std::string_view kHostOrder[] = {"ACTIVE", "IPADDRESS", "MAC", "COMMENT", "IPV6ADDRESS"};
constexpr std::string_view kGroupOrder[] = {"ACTIVE", "MEMBER", "COMMENT"};
constexpr std::string_view kServiceOrder[] = {"ACTIVE", "BROADCAST", "HELPER", "TCP", "UDP", "ICMP",
                                              "GRE", "AH", "ESP", "PROTO_41", "COMMENT", "RANGE"};
constexpr std::string_view kInterfaceOrder[] = {
    "ACTIVE", "IPADDRESS", "DEVICE", "VIRTUAL", "SHAPE", "BW_IN", "BW_OUT", "BW_IN_UNIT",
    "BW_OUT_UNIT", "TCPMSS", "RULE", "COMMENT", "IPV6ADDRESS"};
constexpr std::string_view kRulesetOrder[] = {"RULE"};

std::span<const std::string_view> print_order(ObjectKind kind) {
    switch (kind) {
        case ObjectKind::Zone: return kZoneOrder;
        case ObjectKind::Network: return kNetworkOrder;
        case ObjectKind::Host: return kHostOrder;
        case ObjectKind::Group: return kGroupOrder;
        case ObjectKind::Service: return kServiceOrder;
        case ObjectKind::Interface: return kInterfaceOrder;
        case ObjectKind::Ruleset: return kRulesetOrder;
    }
    return {};
}
}  // namespace

std::vector<std::string> list_objects(const model::Config& config, ObjectKind kind,
                                      const std::string& filter) {
    std::vector<std::string> out;
    switch (kind) {
        case ObjectKind::Zone:
            for (const auto& z : config.zones) {
                if (filter == "any" || filter == z.name) out.push_back(z.name);
            }
            break;
        case ObjectKind::Network:
            for (const auto& n : config.networks) {
                if (filter == "any" || filter == n.zone || filter == n.full_name()) out.push_back(n.full_name());
            }
            break;
        case ObjectKind::Host:
            for (const auto& h : config.hosts) {
                if (matches_scope(filter, h.network, h.zone) || filter == h.full_name()) out.push_back(h.full_name());
            }
            break;
        case ObjectKind::Group:
            for (const auto& g : config.groups) {
                if (matches_scope(filter, g.network, g.zone) || filter == g.full_name()) out.push_back(g.full_name());
            }
            break;
        case ObjectKind::Interface:
            for (const auto& i : config.interfaces) {
                if (filter == "any" || filter == i.name) out.push_back(i.name);
            }
            break;
        case ObjectKind::Service:
            for (const auto& s : config.services) {
                if (filter == "any" || filter == s.name) out.push_back(s.name);
            }
            break;
        case ObjectKind::Ruleset:
            for (const char* r : {"rules", "blocklist"}) {
                if (filter == "any" || filter == r) out.emplace_back(r);
            }
            break;
    }
    return out;
}

std::optional<std::string> object_file(ObjectKind kind, const std::string& name) {
    auto parts = base::split(name, '.');
    for (const auto& p : parts) {
        if (!model::is_valid_name_part(p)) return std::nullopt;
    }
    switch (kind) {
        case ObjectKind::Zone:
            if (parts.size() != 1) return std::nullopt;
            return "zones/" + parts[0] + "/zone.config";
        case ObjectKind::Network:
            if (parts.size() != 2) return std::nullopt;
            return "zones/" + parts[1] + "/networks/" + parts[0] + "/network.config";
        case ObjectKind::Host:
        case ObjectKind::Group:
            if (parts.size() != 3) return std::nullopt;
            return "zones/" + parts[2] + "/networks/" + parts[1] +
                   (kind == ObjectKind::Host ? "/hosts/" + parts[0] + ".host"
                                             : "/groups/" + parts[0] + ".group");
        case ObjectKind::Interface:
            if (parts.size() != 1) return std::nullopt;
            return "interfaces/" + parts[0] + ".conf";
        case ObjectKind::Service:
            if (parts.size() != 1) return std::nullopt;
            return "services/" + parts[0];
        case ObjectKind::Ruleset:
            if (name == "rules") return std::string("rules/rules.conf");
            if (name == "blocklist") return std::string("rules/blocklist.conf");
            return std::nullopt;
    }
    return std::nullopt;
}

std::optional<std::vector<std::string>> print_object(const config::Tree& tree, ObjectKind kind,
                                                     const std::string& name,
                                                     const std::string& variable, bool numbered) {
    auto rel = object_file(kind, name);
    if (!rel) return std::nullopt;
    const config::KvFile* file = tree.find(*rel);
    if (file == nullptr) {
        // An absent rules file is an empty ruleset, as in the original.
        if (kind != ObjectKind::Ruleset) return std::nullopt;
        static const config::KvFile empty = config::KvFile::empty("");
        file = &empty;
    }
    std::vector<std::string> out;
    auto emit = [&](std::string_view key) {
        std::vector<std::string> values;
        bool multi = model::find_key(kind, key) && model::find_key(kind, key)->multi;
        const config::KvLine* single = nullptr;
        if (multi) {
            for (const auto* line : file->values(key)) values.push_back(line->value);
        } else if ((single = file->first(key)) != nullptr) {
            values.push_back(single->value);
        } else if (kind == ObjectKind::Interface && key == "DEVICE" && file->first("INTERFACE")) {
            values.push_back(file->first("INTERFACE")->value);
        }
        if (kind == ObjectKind::Ruleset && !values.empty()) {
            unsigned n = 0;
            for (const auto& v : values) {
                std::string line = config::KvFile::format_entry(key, v);
                if (numbered) {
                    char prefix[16];
                    std::snprintf(prefix, sizeof prefix, "%4u: ", ++n);
                    line = prefix + line;
                }
                out.push_back(line);
            }
            return;
        }
        // Like the original, a key without values prints KEY="" (a ruleset too, unnumbered).
        if (values.empty()) values.emplace_back();
        for (const auto& v : values) out.push_back(config::KvFile::format_entry(key, v));
    };
    if (!variable.empty()) {
        const model::KeySpec* spec = model::find_key(kind, variable);
        if (spec == nullptr) return out;  // caller reports the unknown variable
        emit(spec->key);
        return out;
    }
    for (std::string_view key : print_order(kind)) {
        if (kind == ObjectKind::Service && key == "RANGE" && file->values("RANGE").empty()) continue;
        emit(key);
    }
    return out;
}

std::optional<std::vector<Variable>> object_variables(const config::Tree& tree, ObjectKind kind,
                                                      const std::string& name,
                                                      const std::string& variable) {
    auto rel = object_file(kind, name);
    if (!rel) return std::nullopt;
    const config::KvFile* file = tree.find(*rel);
    static const config::KvFile empty = config::KvFile::empty("");
    if (file == nullptr) {
        if (kind != ObjectKind::Ruleset) return std::nullopt;
        file = &empty;
    }
    std::vector<Variable> out;
    auto emit = [&](std::string_view key) {
        Variable v;
        v.key = std::string(key);
        const model::KeySpec* spec = model::find_key(kind, key);
        v.multi = spec != nullptr && spec->multi;
        if (v.multi) {
            for (const auto* line : file->values(key)) v.values.push_back(line->value);
        } else if (const config::KvLine* single = file->first(key)) {
            v.values.push_back(single->value);
        } else if (kind == ObjectKind::Interface && key == "DEVICE" && file->first("INTERFACE")) {
            v.values.push_back(file->first("INTERFACE")->value);
        }
        out.push_back(std::move(v));
    };
    if (!variable.empty()) {
        const model::KeySpec* spec = model::find_key(kind, variable);
        if (spec != nullptr) emit(spec->key);
        return out;
    }
    for (std::string_view key : print_order(kind)) {
        if (kind == ObjectKind::Service && key == "RANGE" && file->values("RANGE").empty()) continue;
        emit(key);
    }
    return out;
}

}  // namespace vuurmuur::view

// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/model/schema.h"

#include "vuurmuur/base/strings.h"

namespace vuurmuur::model {

namespace {
constexpr KeySpec kZoneKeys[] = {{"ACTIVE", false, true}, {"COMMENT", false, true}};
constexpr KeySpec kNetworkKeys[] = {
    {"ACTIVE", false, true},       {"NETWORK", false, true},  {"NETMASK", false, true},
    {"IPV6NETWORK", false, false}, {"IPV6CIDR", false, false}, {"INTERFACE", true, true},
    {"RULE", true, true},          {"COMMENT", false, true},
};
constexpr KeySpec kHostKeys[] = {
    {"ACTIVE", false, true}, {"IPADDRESS", false, true}, {"IPV6ADDRESS", false, false},
    {"MAC", false, true},    {"COMMENT", false, true},
};
constexpr KeySpec kGroupKeys[] = {
    {"ACTIVE", false, true}, {"MEMBER", true, true}, {"COMMENT", false, true}};
constexpr KeySpec kInterfaceKeys[] = {
    {"ACTIVE", false, true},     {"IPADDRESS", false, true},  {"IPV6ADDRESS", false, false},
    {"DEVICE", false, true},     {"VIRTUAL", false, true},    {"RULE", true, true},
    {"SHAPE", false, false},     {"BW_IN", false, false},     {"BW_IN_UNIT", false, false},
    {"BW_OUT", false, false},    {"BW_OUT_UNIT", false, false}, {"TCPMSS", false, false},
    {"COMMENT", false, true},
    // Legacy name of DEVICE, accepted on read.
    {"INTERFACE", false, false},
};
constexpr KeySpec kServiceKeys[] = {
    {"ACTIVE", false, true},   {"TCP", true, true},       {"UDP", true, true},
    {"ICMP", true, true},      {"GRE", true, true},       {"AH", true, true},
    {"ESP", true, true},       {"PROTO_41", true, true},  {"RANGE", true, false},
    {"BROADCAST", false, true}, {"HELPER", false, true},  {"COMMENT", false, true},
};
constexpr KeySpec kRulesetKeys[] = {{"RULE", true, true}};
}  // namespace

std::string_view kind_name(ObjectKind kind) {
    switch (kind) {
        case ObjectKind::Zone: return "zone";
        case ObjectKind::Network: return "network";
        case ObjectKind::Host: return "host";
        case ObjectKind::Group: return "group";
        case ObjectKind::Interface: return "interface";
        case ObjectKind::Service: return "service";
        case ObjectKind::Ruleset: return "ruleset";
    }
    return "?";
}

std::span<const KeySpec> keys_of(ObjectKind kind) {
    switch (kind) {
        case ObjectKind::Zone: return kZoneKeys;
        case ObjectKind::Network: return kNetworkKeys;
        case ObjectKind::Host: return kHostKeys;
        case ObjectKind::Group: return kGroupKeys;
        case ObjectKind::Interface: return kInterfaceKeys;
        case ObjectKind::Service: return kServiceKeys;
        case ObjectKind::Ruleset: return kRulesetKeys;
    }
    return {};
}

const KeySpec* find_key(ObjectKind kind, std::string_view key) {
    for (const auto& spec : keys_of(kind)) {
        if (base::iequals(spec.key, key)) return &spec;
    }
    return nullptr;
}

}  // namespace vuurmuur::model

// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/model/name.h"

#include "vuurmuur/base/strings.h"
#include "vuurmuur/model/rule.h"

namespace vuurmuur::model {

bool is_valid_name_part(std::string_view part) {
    if (part.empty() || part.size() > kMaxNamePart) return false;
    for (char c : part) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

std::optional<ObjectName> ObjectName::parse(std::string_view text) {
    ObjectName name;
    if (text == "firewall") {
        name.kind = Kind::Firewall;
        return name;
    }
    if (text == "any") {
        name.kind = Kind::Any;
        return name;
    }
    constexpr std::string_view kBroadcast = "(broadcast)";
    bool broadcast = false;
    if (text.size() > kBroadcast.size() && text.substr(text.size() - kBroadcast.size()) == kBroadcast) {
        broadcast = true;
        text.remove_suffix(kBroadcast.size());
    }
    auto parts = base::split(text, '.');
    for (const auto& p : parts) {
        if (!is_valid_name_part(p)) return std::nullopt;
    }
    if (broadcast && parts.size() != 2) return std::nullopt;
    switch (parts.size()) {
        case 1:
            name.kind = Kind::Zone;
            name.zone = parts[0];
            return name;
        case 2:
            name.kind = broadcast ? Kind::Broadcast : Kind::Network;
            name.network = parts[0];
            name.zone = parts[1];
            return name;
        case 3:
            name.kind = Kind::HostOrGroup;
            name.host = parts[0];
            name.network = parts[1];
            name.zone = parts[2];
            return name;
        default:
            return std::nullopt;
    }
}

std::string ObjectName::str() const {
    switch (kind) {
        case Kind::Firewall: return "firewall";
        case Kind::Any: return "any";
        case Kind::Zone: return zone;
        case Kind::Network: return network + "." + zone;
        case Kind::HostOrGroup: return host + "." + network + "." + zone;
        case Kind::Broadcast: return network + "." + zone + "(broadcast)";
    }
    return {};
}

}  // namespace vuurmuur::model

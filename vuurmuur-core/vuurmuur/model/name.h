// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>

/// Object names: `zone`, `network.zone`, `host.network.zone` / `group.network.zone`, and the
/// pseudo objects `firewall`, `any` and `network.zone(broadcast)`.
namespace vuurmuur::model {

/// One name part: [a-zA-Z0-9_-], 1 to 32 characters (zones, networks, hosts, groups,
/// services and interfaces).
bool is_valid_name_part(std::string_view part);

struct ObjectName {
    enum class Kind { Firewall, Any, Zone, Network, HostOrGroup, Broadcast };

    Kind kind = Kind::Any;
    std::string host;  ///< host or group part (HostOrGroup)
    std::string network;
    std::string zone;

    /// Parses a rule's from/to word; nullopt when malformed.
    static std::optional<ObjectName> parse(std::string_view text);
    std::string str() const;
    std::string network_name() const { return network + "." + zone; }
};

}  // namespace vuurmuur::model

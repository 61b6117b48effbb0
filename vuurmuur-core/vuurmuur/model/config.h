// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "vuurmuur/model/objects.h"
#include "vuurmuur/model/rule.h"
#include "vuurmuur/model/settings.h"

/// The whole model: what the admin described, with the original's defaults filled in.
/// Containers are in the deterministic order of the config tree (sorted by path).
namespace vuurmuur::model {

struct Config {
    Settings settings;
    std::vector<Zone> zones;
    std::vector<Network> networks;
    std::vector<Host> hosts;
    std::vector<Group> groups;
    std::vector<Interface> interfaces;
    std::vector<Service> services;
    std::vector<Rule> rules;  ///< rules.conf order, separators and inactive rules included
    std::vector<BlockItem> blocklist;

    const Zone* find_zone(const std::string& zone) const;
    const Network* find_network(const std::string& network, const std::string& zone) const;
    const Host* find_host(const std::string& host, const std::string& network,
                          const std::string& zone) const;
    const Group* find_group(const std::string& group, const std::string& network,
                            const std::string& zone) const;
    const Interface* find_interface(const std::string& name) const;
    const Service* find_service(const std::string& name) const;

    /// Builds the name indexes; call after filling the containers.
    void index();

private:
    std::unordered_map<std::string, std::size_t> zone_index_;
    std::unordered_map<std::string, std::size_t> network_index_;  ///< "net.zone"
    std::unordered_map<std::string, std::size_t> host_index_;     ///< "host.net.zone"
    std::unordered_map<std::string, std::size_t> group_index_;
    std::unordered_map<std::string, std::size_t> interface_index_;
    std::unordered_map<std::string, std::size_t> service_index_;
};

}  // namespace vuurmuur::model

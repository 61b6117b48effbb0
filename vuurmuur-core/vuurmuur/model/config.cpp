// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/model/config.h"

namespace vuurmuur::model {

namespace {
template <typename T>
const T* lookup(const std::unordered_map<std::string, std::size_t>& index,
                const std::vector<T>& items, const std::string& key) {
    auto it = index.find(key);
    return it == index.end() ? nullptr : &items[it->second];
}

/// "a.b" or "a.b.c" in a buffer the thread reuses: the compiler looks names up some 100,000
/// times on a large tree, and a key of that length would otherwise be an allocation each.
const std::string& dotted(const std::string& a, const std::string& b, const std::string* c = nullptr) {
    thread_local std::string key;
    key.assign(a);
    key += '.';
    key += b;
    if (c != nullptr) {
        key += '.';
        key += *c;
    }
    return key;
}

template <typename T, typename KeyFn>
void build(std::unordered_map<std::string, std::size_t>& index, const std::vector<T>& items,
           KeyFn key) {
    index.clear();
    index.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) index.emplace(key(items[i]), i);
}
}  // namespace

void Config::index() {
    build(zone_index_, zones, [](const Zone& z) { return z.name; });
    build(network_index_, networks, [](const Network& n) { return n.full_name(); });
    build(host_index_, hosts, [](const Host& h) { return h.full_name(); });
    build(group_index_, groups, [](const Group& g) { return g.full_name(); });
    build(interface_index_, interfaces, [](const Interface& i) { return i.name; });
    build(service_index_, services, [](const Service& s) { return s.name; });
}

const Zone* Config::find_zone(const std::string& zone) const {
    return lookup(zone_index_, zones, zone);
}
const Network* Config::find_network(const std::string& network, const std::string& zone) const {
    return lookup(network_index_, networks, dotted(network, zone));
}
const Host* Config::find_host(const std::string& host, const std::string& network,
                              const std::string& zone) const {
    return lookup(host_index_, hosts, dotted(host, network, &zone));
}
const Group* Config::find_group(const std::string& group, const std::string& network,
                                const std::string& zone) const {
    return lookup(group_index_, groups, dotted(group, network, &zone));
}
const Interface* Config::find_interface(const std::string& name) const {
    return lookup(interface_index_, interfaces, name);
}
const Service* Config::find_service(const std::string& name) const {
    return lookup(service_index_, services, name);
}

}  // namespace vuurmuur::model

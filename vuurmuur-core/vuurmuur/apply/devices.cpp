// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/apply/devices.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <map>
#include <memory>

namespace vuurmuur::apply {

namespace {

std::string quad(const sockaddr* sa) {
    if (sa == nullptr || sa->sa_family != AF_INET) return {};
    char buf[INET_ADDRSTRLEN] = {};
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    if (::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf) == nullptr) return {};
    return buf;
}

std::string network_of(const sockaddr* addr, const sockaddr* mask) {
    if (addr == nullptr || mask == nullptr || addr->sa_family != AF_INET || mask->sa_family != AF_INET) return {};
    in_addr net{};
    net.s_addr = reinterpret_cast<const sockaddr_in*>(addr)->sin_addr.s_addr &
                 reinterpret_cast<const sockaddr_in*>(mask)->sin_addr.s_addr;
    char buf[INET_ADDRSTRLEN] = {};
    if (::inet_ntop(AF_INET, &net, buf, sizeof buf) == nullptr) return {};
    return buf;
}

}  // namespace

std::vector<DeviceAddress> list_devices() {
    std::map<std::string, std::vector<DeviceAddress>> by_name;
    ifaddrs* raw = nullptr;
    if (::getifaddrs(&raw) == 0) {
        std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> list(raw, &::freeifaddrs);
        for (const ifaddrs* i = list.get(); i != nullptr; i = i->ifa_next) {
            if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET || i->ifa_name == nullptr) continue;
            DeviceAddress d;
            d.device = i->ifa_name;
            d.address = quad(i->ifa_addr);
            d.netmask = quad(i->ifa_netmask);
            d.network = network_of(i->ifa_addr, i->ifa_netmask);
            if ((i->ifa_flags & IFF_BROADCAST) != 0) d.broadcast = quad(i->ifa_broadaddr);
            // An address without IFA_BROADCAST comes back with its own address there.
            if (d.broadcast == d.address || d.broadcast == "0.0.0.0") d.broadcast.clear();
            by_name[d.device].push_back(std::move(d));
        }
    }
    std::vector<DeviceAddress> out;
    std::unique_ptr<struct if_nameindex, decltype(&::if_freenameindex)> names(::if_nameindex(), &::if_freenameindex);
    for (const struct if_nameindex* n = names.get(); n != nullptr && n->if_index != 0; ++n) {
        auto it = by_name.find(n->if_name);
        if (it == by_name.end()) {
            out.push_back(DeviceAddress{n->if_name, {}, {}, {}, {}});
            continue;
        }
        for (auto& d : it->second) out.push_back(std::move(d));
        by_name.erase(it);
    }
    return out;
}

std::string device_line(const DeviceAddress& d) {
    auto field = [](const std::string& s) { return s.empty() ? std::string("error") : s; };
    return d.device + " " + field(d.address) + " " + field(d.netmask) + " " + field(d.network) + " " +
           field(d.broadcast);
}

}  // namespace vuurmuur::apply

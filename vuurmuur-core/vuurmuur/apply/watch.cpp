// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/apply/watch.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "vuurmuur/pipeline.h"

namespace vuurmuur::apply {

namespace {

/// Closes a descriptor on scope exit.
struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
};

struct IfaddrsDeleter {
    void operator()(ifaddrs* p) const { ::freeifaddrs(p); }
};

/// The devices whose addresses the config at `dir` depends on; empty (with a log line) when it
/// cannot be read.
std::set<std::string> read_devices(const std::filesystem::path& dir, const WatchOptions& o) {
    diag::Diagnostics diags;
    try {
        auto loaded = load_and_check(dir, diags);
        return dynamic_devices(loaded.config);
    } catch (const std::exception& e) {
        if (o.log) o.log(std::string("warning: cannot read the config: ") + e.what());
    }
    return {};
}

std::string describe(const std::set<std::string>& devices) {
    std::string s;
    for (const auto& d : devices) s += (s.empty() ? "" : ", ") + d;
    return s.empty() ? std::string("none") : s;
}

}  // namespace

std::vector<InterfaceAddress> interface_addresses() {
    std::vector<InterfaceAddress> out;
    ifaddrs* raw = nullptr;
    if (::getifaddrs(&raw) != 0) return out;
    std::unique_ptr<ifaddrs, IfaddrsDeleter> list(raw);
    for (ifaddrs* a = raw; a != nullptr; a = a->ifa_next) {
        if (a->ifa_addr == nullptr || a->ifa_name == nullptr) continue;
        char buf[INET6_ADDRSTRLEN] = {};
        if (a->ifa_addr->sa_family == AF_INET) {
            const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
            if (::inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf) == nullptr) continue;
            out.push_back({a->ifa_name, ir::Family::Ipv4, buf});
        } else if (a->ifa_addr->sa_family == AF_INET6) {
            const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr);
            if (::inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof buf) == nullptr) continue;
            out.push_back({a->ifa_name, ir::Family::Ipv6, buf});
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::set<std::string> dynamic_devices(const model::Config& config) {
    std::set<std::string> out;
    for (const auto& iface : config.interfaces) {
        if (iface.active && iface.dynamic && !iface.device.empty()) out.insert(iface.device);
    }
    return out;
}

std::vector<InterfaceAddress> addresses_of(const std::set<std::string>& devices) {
    std::vector<InterfaceAddress> out;
    if (devices.empty()) return out;
    for (auto& a : interface_addresses()) {
        if (devices.count(a.device) != 0) out.push_back(std::move(a));
    }
    return out;
}

WatchResult watch(const WatchOptions& o) {
    WatchResult result;
    auto log = [&](const std::string& m) {
        if (o.log) o.log(m);
    };
    Fd sock(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE));
    if (sock.fd < 0) {
        result.error = std::string("cannot open a netlink socket: ") + std::strerror(errno);
        return result;
    }
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    local.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_LINK;
    if (::bind(sock.fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        result.error = std::string("cannot subscribe to rtnetlink address events: ") + std::strerror(errno);
        return result;
    }
    // Subscribed first, then read: a change from now on is either in `last` or an event.
    std::set<std::string> devices = read_devices(o.request.config_dir, o);
    std::vector<InterfaceAddress> last = addresses_of(devices);
    log("watching the addresses of the dynamic interfaces' devices: " + describe(devices));
    if (o.on_ready) o.on_ready();

    auto reapply = [&] {
        Request rq;
        rq.config_dir = o.request.config_dir;
        rq.state_dir = o.request.state_dir;
        Report report = apply(rq);
        ++result.applies;
        if (report.loaded != Loaded::Config) ++result.failed;
        for (const auto& m : report.messages) log(m);
        if (report.config_errors) log("error: the config has errors; the running ruleset was kept");
        log(report.loaded == Loaded::Config ? "re-applied" : "error: the re-apply did not load the config");
        if (o.on_apply) o.on_apply(report);
        devices = read_devices(o.request.config_dir, o);
    };
    if (o.apply_at_start) {
        reapply();
        last = addresses_of(devices);
    }

    std::vector<char> buf(64 * 1024);
    while (o.max_applies == 0 || result.applies < o.max_applies) {
        pollfd fds[2] = {{sock.fd, POLLIN, 0}, {o.stop_fd, POLLIN, 0}};
        int r = ::poll(fds, o.stop_fd >= 0 ? 2 : 1, -1);
        if (r < 0) {
            if (errno == EINTR) continue;
            result.error = std::string("poll: ") + std::strerror(errno);
            break;
        }
        if (o.stop_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) break;
        if ((fds[0].revents & (POLLIN | POLLERR)) == 0) continue;
        // Read the whole burst (a DHCP lease brings several messages); an overflow (ENOBUFS)
        // lost some, which the comparison below makes up for.
        bool relevant = false;
        for (;;) {
            ssize_t n = ::recv(sock.fd, buf.data(), buf.size(), 0);
            if (n < 0) {
                if (errno == EINTR) continue;
                if (errno == ENOBUFS) {
                    relevant = true;
                    continue;
                }
                break;  // EAGAIN: drained
            }
            // The messages, walked by hand (the NLMSG_* macros use C casts).
            std::size_t off = 0;
            const auto total = static_cast<std::size_t>(n);
            while (off + sizeof(nlmsghdr) <= total) {
                nlmsghdr h{};
                std::memcpy(&h, buf.data() + off, sizeof h);
                if (h.nlmsg_len < sizeof h || off + h.nlmsg_len > total) break;
                if (h.nlmsg_type == RTM_NEWADDR || h.nlmsg_type == RTM_DELADDR) {
                    ifaddrmsg ifa{};
                    if (h.nlmsg_len >= NLMSG_LENGTH(sizeof ifa)) {
                        std::memcpy(&ifa, buf.data() + off + NLMSG_HDRLEN, sizeof ifa);
                        char name[IF_NAMESIZE] = {};
                        // A device that is gone has no name any more: compare addresses to be sure.
                        if (::if_indextoname(ifa.ifa_index, name) == nullptr || devices.count(name) != 0) {
                            relevant = true;
                        }
                    }
                } else if (h.nlmsg_type == RTM_NEWLINK || h.nlmsg_type == RTM_DELLINK) {
                    relevant = true;  // a device appeared, went or was renamed
                }
                off += NLMSG_ALIGN(h.nlmsg_len);
            }
        }
        std::vector<InterfaceAddress> now;
        if (relevant) now = addresses_of(devices);
        if (!relevant || now == last) {
            if (relevant) log("no address of a dynamic interface changed: nothing to do");
            if (o.on_burst) o.on_burst(false);
            continue;
        }
        log("an address of a dynamic interface changed: re-applying");
        last = std::move(now);
        const std::set<std::string> before = devices;
        reapply();
        if (devices != before) last = addresses_of(devices);
        if (o.on_burst) o.on_burst(true);
    }
    return result;
}

}  // namespace vuurmuur::apply

// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "vuurmuur/apply/apply.h"
#include "vuurmuur/ir/ruleset.h"
#include "vuurmuur/model/config.h"

/// Dynamic interfaces: `vuurmuur-script watch` listens to rtnetlink address and link events
/// (NETLINK_ROUTE, RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_LINK) and re-applies the
/// config when an address of a device of a `dynamic` interface (IPADDRESS="dynamic") changed.
/// No polling: it sleeps in poll() on the netlink socket. See docs/apply.md.
namespace vuurmuur::apply {

/// One address of one network device of this network namespace.
struct InterfaceAddress {
    std::string device;
    ir::Family family = ir::Family::Ipv4;
    std::string address;  ///< "192.0.2.1", "2001:db8::1" (no prefix length)

    bool operator<(const InterfaceAddress& o) const {
        return std::tie(device, family, address) < std::tie(o.device, o.family, o.address);
    }
    bool operator==(const InterfaceAddress& o) const {
        return device == o.device && family == o.family && address == o.address;
    }
};

/// Every address of every device (getifaddrs), sorted.
std::vector<InterfaceAddress> interface_addresses();

/// The devices of the active `dynamic` interfaces of `config`: the ones whose addresses the
/// ruleset depends on.
std::set<std::string> dynamic_devices(const model::Config& config);

/// The addresses of `devices` only, sorted: what a re-apply depends on.
std::vector<InterfaceAddress> addresses_of(const std::set<std::string>& devices);

struct WatchOptions {
    /// What each re-apply runs (config_dir, state_dir; test_only / confirm / boot are ignored).
    Request request;
    /// Apply once at the start (the service's first run after boot does not need it: the boot
    /// unit loaded the config already).
    bool apply_at_start = false;
    /// Stop after this many re-applies (0: run until stop_fd is readable or a signal ends it).
    unsigned max_applies = 0;
    /// When >= 0: the watch ends when this descriptor becomes readable (tests, shutdown).
    int stop_fd = -1;
    /// Told about everything that happens (one line each, "warning: "/"error: " prefixed).
    std::function<void(const std::string&)> log;
    /// Called after each re-apply with its report (tests count these).
    std::function<void(const Report&)> on_apply;
    /// Called once the netlink socket is subscribed: events from now on are seen.
    std::function<void()> on_ready;
    /// Called after each burst of events was looked at: whether it led to a re-apply.
    std::function<void(bool reapplied)> on_burst;
};

struct WatchResult {
    unsigned applies = 0;  ///< re-applies done
    unsigned failed = 0;   ///< of those, how many did not load the config
    std::string error;     ///< why the watch could not run or stopped early (empty: stopped as asked)
};

/// Runs the watch until max_applies re-applies were done, stop_fd is readable, or an error.
/// Addresses are compared before and after each burst of events (all queued messages are
/// read first), so a change of an unrelated device or a no-op event re-applies nothing.
WatchResult watch(const WatchOptions& options);

}  // namespace vuurmuur::apply

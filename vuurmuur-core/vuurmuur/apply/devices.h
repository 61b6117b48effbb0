// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <vector>

/// The network devices of the running network namespace and their IPv4 addresses, for
/// `vuurmuur-script --list-devices` (the original's wizard helper) and the TUI's interface
/// pick list.
namespace vuurmuur::apply {

struct DeviceAddress {
    std::string device;
    /// Dotted quads; empty when the device has no IPv4 address (or no broadcast address).
    std::string address, netmask, network, broadcast;
};

/// One entry per IPv4 address of every device, devices in kernel index order, addresses in the
/// kernel's order; a device without an IPv4 address has one entry with empty fields.
std::vector<DeviceAddress> list_devices();

/// The original's line: "dev ip netmask network broadcast", with "error" for a missing field.
std::string device_line(const DeviceAddress& d);

}  // namespace vuurmuur::apply

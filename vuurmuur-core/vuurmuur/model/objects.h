// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vuurmuur/base/ip.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/model/rule.h"

/// The objects an admin describes: zones, networks, hosts, groups, interfaces and services.
/// Each keeps the file it came from (relative to the config root) for edits and diagnostics.
namespace vuurmuur::model {

/// A name used by another object, with where it was written.
struct NameRef {
    std::string name;
    diag::Location location;
};

struct Zone {
    std::string name;
    bool active = false;
    std::string comment;
    std::string file;  ///< zones/<zone>/zone.config
};

/// Network RULE values: anti-spoofing and DHCP allowances.
enum class SpoofSource {
    Loopback, ClassA, ClassB, ClassC, ClassD, ClassE, TestNet, LinkLocal, Iana0, BroadcastSrc,
    BroadcastDst,
};
std::string_view spoof_source_name(SpoofSource s);
std::optional<SpoofSource> parse_spoof_source(std::string_view text);
base::Ipv4Net spoof_source_net(SpoofSource s);

struct NetworkRule {
    enum class Kind { AntiSpoof, DhcpClient, DhcpServer };
    Kind kind = Kind::AntiSpoof;
    SpoofSource source = SpoofSource::Loopback;  ///< AntiSpoof only
    diag::Location location;
};

struct Network {
    std::string name;  ///< network part
    std::string zone;
    bool active = false;
    std::optional<base::Ipv4Net> ipv4;  ///< NETWORK + NETMASK
    std::optional<base::Ipv6Net> ipv6;  ///< IPV6NETWORK + IPV6CIDR
    std::vector<NameRef> interfaces;
    std::vector<NetworkRule> rules;
    std::string comment;
    std::string file;
    diag::Location ipv4_location;  ///< of NETWORK (or the file)

    std::string full_name() const { return name + "." + zone; }
};

struct Host {
    std::string name;  ///< host part
    std::string network;
    std::string zone;
    bool active = false;
    std::optional<base::Ipv4> ipv4;
    std::optional<base::Ipv6> ipv6;
    std::string mac;  ///< empty when none
    std::string comment;
    std::string file;
    /// Where IPADDRESS / IPV6ADDRESS are written in `file` (line 0: not written; the file
    /// itself). Only line and column are kept, not a diag::Location: a large tree has 10,000
    /// hosts, and the path would be stored three times.
    int ipv4_line = 0;
    int ipv4_column = 0;
    int ipv6_line = 0;
    int ipv6_column = 0;

    diag::Location ipv4_location() const { return {file, ipv4_line, ipv4_column}; }
    diag::Location ipv6_location() const { return {file, ipv6_line, ipv6_column}; }
    std::string full_name() const { return name + "." + network + "." + zone; }
    std::string network_name() const { return network + "." + zone; }
};

struct Group {
    std::string name;
    std::string network;
    std::string zone;
    bool active = false;
    std::vector<NameRef> members;  ///< host parts, same network
    std::string comment;
    std::string file;

    std::string full_name() const { return name + "." + network + "." + zone; }
    std::string network_name() const { return network + "." + zone; }
};

/// Interface RULE values: kernel protections.
enum class Protection { SourceRoutedPackets, IcmpRedirect, SendRedirect, RpFilter, LogMartians };
std::string_view protection_name(Protection p);
std::optional<Protection> parse_protection(std::string_view text);

enum class BandwidthUnitName { Kbit, Mbit };

struct Interface {
    std::string name;
    bool active = false;
    std::string device;
    bool dynamic = false;               ///< IPADDRESS="dynamic"
    std::optional<base::Ipv4> ipv4;
    std::optional<base::Ipv6> ipv6;
    bool is_virtual = false;
    std::vector<Protection> protections;
    bool shape = false;
    std::uint32_t bw_in = 0;
    std::string bw_in_unit = "kbit";
    std::uint32_t bw_out = 0;
    std::string bw_out_unit = "kbit";
    bool tcpmss = false;
    std::string comment;
    std::string file;
    diag::Location device_location;

    /// "eth0:1" style aliases cannot be matched with -i/-o.
    bool is_oldstyle_alias() const { return device.find(':') != std::string::npos; }
};

/// One protocol + port tuple of a service. For ICMP, `icmp_type`/`icmp_code` are used.
struct ServicePort {
    std::uint8_t protocol = 6;  ///< IP protocol number (6 tcp, 17 udp, 1 icmp, 47 gre, ...)
    PortRange dst{0, 65535};
    PortRange src{0, 65535};
    bool has_ports = false;     ///< tcp/udp tuples (others are protocol-only)
    std::optional<std::uint8_t> icmp_type;
    std::optional<std::uint8_t> icmp_code;
    diag::Location location;

    auto operator<=>(const ServicePort&) const = default;
};

struct Service {
    std::string name;
    bool active = false;
    std::vector<ServicePort> ports;
    bool broadcast = false;
    std::string helper;
    std::string comment;
    bool uses_range_key = false;  ///< RANGE lines present: legacy keys were ignored
    std::string file;
};

/// A blocklist.conf entry: `block <ip|host|group>`.
struct BlockItem {
    std::string item;
    bool active = true;
    diag::Location location;
};

}  // namespace vuurmuur::model

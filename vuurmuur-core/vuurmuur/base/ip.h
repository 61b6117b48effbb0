// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// IPv4 and IPv6 address value types: parse, format, prefix arithmetic.
namespace vuurmuur::base {

/// An IPv4 address in host byte order.
struct Ipv4 {
    std::uint32_t value = 0;

    /// Strict dotted quad: four decimal octets 0-255, no leading zeros, nothing else.
    static std::optional<Ipv4> parse(std::string_view text);
    std::string str() const;
    auto operator<=>(const Ipv4&) const = default;
};

/// Prefix length of a contiguous netmask ("255.255.255.0" -> 24), nullopt when not contiguous.
std::optional<int> netmask_to_prefix(Ipv4 mask);
Ipv4 prefix_to_netmask(int prefix);

/// An IPv4 network: address + prefix length.
struct Ipv4Net {
    Ipv4 address;
    int prefix = 32;

    Ipv4 netmask() const { return prefix_to_netmask(prefix); }
    Ipv4 network() const { return Ipv4{address.value & netmask().value}; }
    Ipv4 broadcast() const { return Ipv4{network().value | ~netmask().value}; }
    bool contains(Ipv4 ip) const { return (ip.value & netmask().value) == network().value; }
    /// "a.b.c.d/p"
    std::string str() const;
    auto operator<=>(const Ipv4Net&) const = default;
};

/// An IPv6 address in network byte order.
struct Ipv6 {
    std::array<std::uint8_t, 16> bytes{};

    static std::optional<Ipv6> parse(std::string_view text);
    /// RFC 5952 canonical text.
    std::string str() const;
    auto operator<=>(const Ipv6&) const = default;
};

struct Ipv6Net {
    Ipv6 address;
    int prefix = 128;

    Ipv6 network() const;
    bool contains(const Ipv6& ip) const;
    /// True when the address has bits set beyond the prefix.
    bool has_host_bits() const { return network() != address; }
    std::string str() const;
    auto operator<=>(const Ipv6Net&) const = default;
};

/// Ethernet MAC "xx:xx:xx:xx:xx:xx" (hex, either case).
bool is_valid_mac(std::string_view text);

}  // namespace vuurmuur::base

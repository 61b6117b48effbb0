// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/base/ip.h"

#include <arpa/inet.h>

#include <cctype>

namespace vuurmuur::base {

std::optional<Ipv4> Ipv4::parse(std::string_view text) {
    std::uint32_t value = 0;
    int octets = 0;
    std::size_t i = 0;
    while (octets < 4) {
        std::size_t start = i;
        unsigned octet = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 3) {
            octet = octet * 10 + static_cast<unsigned>(text[i] - '0');
            ++i;
        }
        std::size_t len = i - start;
        if (len == 0 || octet > 255 || (len > 1 && text[start] == '0')) return std::nullopt;
        value = (value << 8) | octet;
        ++octets;
        if (octets < 4) {
            if (i >= text.size() || text[i] != '.') return std::nullopt;
            ++i;
        }
    }
    if (i != text.size()) return std::nullopt;
    return Ipv4{value};
}

std::string Ipv4::str() const {
    return std::to_string(value >> 24) + "." + std::to_string((value >> 16) & 0xFF) + "." +
           std::to_string((value >> 8) & 0xFF) + "." + std::to_string(value & 0xFF);
}

std::optional<int> netmask_to_prefix(Ipv4 mask) {
    std::uint32_t inverted = ~mask.value;
    // A contiguous mask inverted is of the form 0...01...1, so adding one gives a power of two.
    if ((inverted & (inverted + 1)) != 0) return std::nullopt;
    int prefix = 0;
    for (std::uint32_t v = mask.value; v != 0; v <<= 1) ++prefix;
    return prefix;
}

Ipv4 prefix_to_netmask(int prefix) {
    if (prefix <= 0) return Ipv4{0};
    if (prefix >= 32) return Ipv4{0xFFFFFFFFu};
    return Ipv4{~((1u << (32 - prefix)) - 1u)};
}

std::string Ipv4Net::str() const { return address.str() + "/" + std::to_string(prefix); }

std::optional<Ipv6> Ipv6::parse(std::string_view text) {
    if (text.empty() || text.size() > 45) return std::nullopt;
    // inet_pton also accepts an embedded dotted quad, which is valid IPv6 text.
    std::string copy(text);
    Ipv6 out;
    if (inet_pton(AF_INET6, copy.c_str(), out.bytes.data()) != 1) return std::nullopt;
    return out;
}

std::string Ipv6::str() const {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
    return buf;
}

Ipv6 Ipv6Net::network() const {
    Ipv6 out = address;
    for (int i = 0; i < 16; ++i) {
        int bits = prefix - i * 8;
        std::uint8_t mask = 0;
        if (bits >= 8) mask = 0xFF;
        else if (bits > 0) mask = static_cast<std::uint8_t>(0xFF << (8 - bits));
        out.bytes[static_cast<std::size_t>(i)] &= mask;
    }
    return out;
}

bool Ipv6Net::contains(const Ipv6& ip) const {
    Ipv6Net other{ip, prefix};
    return other.network() == network();
}

std::string Ipv6Net::str() const { return address.str() + "/" + std::to_string(prefix); }

bool is_valid_mac(std::string_view text) {
    if (text.size() != 17) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i % 3 == 2) {
            if (text[i] != ':') return false;
        } else if (!std::isxdigit(static_cast<unsigned char>(text[i]))) {
            return false;
        }
    }
    return true;
}

}  // namespace vuurmuur::base

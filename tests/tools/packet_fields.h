// SPDX-License-Identifier: GPL-2.0-or-later
// Shared by the NFQUEUE / NFLOG listeners: the fields of an IPv4/IPv6 packet the tests look at.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace vuurmuur::test::tools {

struct PacketFields {
    std::string src = "?";
    std::string dst = "?";
    int proto = -1;
    unsigned sport = 0;
    unsigned dport = 0;
    bool syn = false;
};

inline std::string family_name(unsigned family) {
    if (family == AF_INET) return "ipv4";
    if (family == AF_INET6) return "ipv6";
    return std::to_string(family);
}

inline std::string proto_name(int proto) {
    switch (proto) {
        case IPPROTO_TCP: return "tcp";
        case IPPROTO_UDP: return "udp";
        case IPPROTO_ICMP: return "icmp";
        case IPPROTO_ICMPV6: return "icmpv6";
        default: return std::to_string(proto);
    }
}

/// Parses the network header (v4 by its version nibble, else v6, skipping extension headers)
/// and, for TCP/UDP, the ports and the SYN flag.
inline PacketFields parse_packet(const unsigned char* p, std::size_t len) {
    PacketFields f;
    if (len < 1) return f;
    const unsigned char* l4 = nullptr;
    std::size_t off = 0;
    char buf[INET6_ADDRSTRLEN];
    if ((p[0] >> 4) == 4) {
        if (len < 20) return f;
        f.src = ::inet_ntop(AF_INET, p + 12, buf, sizeof buf) ? buf : "?";
        f.dst = ::inet_ntop(AF_INET, p + 16, buf, sizeof buf) ? buf : "?";
        f.proto = p[9];
        off = static_cast<std::size_t>(p[0] & 15) * 4;
        const bool later_fragment = ((p[6] & 0x1f) | p[7]) != 0;
        if (later_fragment) return f;
    } else if ((p[0] >> 4) == 6) {
        if (len < 40) return f;
        f.src = ::inet_ntop(AF_INET6, p + 8, buf, sizeof buf) ? buf : "?";
        f.dst = ::inet_ntop(AF_INET6, p + 24, buf, sizeof buf) ? buf : "?";
        int nh = p[6];
        off = 40;
        // hop-by-hop, routing, fragment, AH, destination options
        while ((nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60) && off + 8 <= len) {
            const unsigned char* e = p + off;
            std::size_t elen = nh == 44 ? 8 : nh == 51 ? (static_cast<std::size_t>(e[1]) + 2) * 4
                                                       : (static_cast<std::size_t>(e[1]) + 1) * 8;
            if (nh == 44 && ((e[2] << 8 | e[3]) & 0xfff8) != 0) {  // not the first fragment
                f.proto = e[0];
                return f;
            }
            nh = e[0];
            off += elen;
        }
        f.proto = nh;
    } else {
        return f;
    }
    if (off + 4 <= len) l4 = p + off;
    if (l4 && (f.proto == IPPROTO_TCP || f.proto == IPPROTO_UDP)) {
        f.sport = static_cast<unsigned>(l4[0] << 8 | l4[1]);
        f.dport = static_cast<unsigned>(l4[2] << 8 | l4[3]);
        if (f.proto == IPPROTO_TCP && off + 14 <= len) f.syn = (l4[13] & 0x02) != 0;
    }
    return f;
}

/// Seconds as a decimal ("1.5"); negative on error.
inline double parse_seconds(const char* s) {
    char* end = nullptr;
    double v = std::strtod(s, &end);
    if (!end || *end || end == s || !(v > 0) || v > 3600) return -1;
    return v;
}

/// Non-negative integer; -1 on error.
inline long parse_count(const char* s, long max) {
    char* end = nullptr;
    long v = std::strtol(s, &end, 10);
    if (!end || *end || end == s || v < 0 || v > max) return -1;
    return v;
}

}  // namespace vuurmuur::test::tools

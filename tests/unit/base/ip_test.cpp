// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>

#include <string>

#include "vuurmuur/base/ip.h"

using namespace vuurmuur::base;

namespace {

Ipv4 v4(const char* text) {
    auto ip = Ipv4::parse(text);
    INFO(text);
    REQUIRE(ip.has_value());
    return *ip;
}

Ipv6 v6(const char* text) {
    auto ip = Ipv6::parse(text);
    INFO(text);
    REQUIRE(ip.has_value());
    return *ip;
}

}  // namespace

TEST_CASE("ipv4: strict dotted quads are accepted") {
    CHECK(v4("192.168.1.1").value == 0xC0A80101u);
    CHECK(v4("0.0.0.0").value == 0u);
    CHECK(v4("255.255.255.255").value == 0xFFFFFFFFu);
    CHECK(v4("10.0.0.2").value == 0x0A000002u);
    CHECK(v4("1.2.3.4").str() == "1.2.3.4");
    CHECK(v4("203.0.113.200").str() == "203.0.113.200");
    CHECK(Ipv4{0x7F000001u}.str() == "127.0.0.1");
}

TEST_CASE("ipv4: everything else is rejected") {
    for (const char* bad : {
             "",             // empty
             "01.2.3.4",     // leading zero
             "1.2.3.04",     // leading zero in the last octet
             "1.2.3.00",     // "00"
             "256.1.1.1",    // octet > 255
             "1.2.3.256",    //
             "1.2.3.1000",   // four digits
             "1.2.3",        // three octets
             "1.2.3.4.",     // trailing dot
             ".1.2.3.4",     // leading dot
             "1.2.3.4.5",    // five octets
             "1..2.3",       // empty octet
             " 1.2.3.4",     // spaces
             "1.2.3.4 ",     //
             "1.2.3.-4",     // sign
             "+1.2.3.4",     //
             "0x1.2.3.4",    // hex
             "1.2.3.4/24",   // prefix
             "a.b.c.d",      //
             "fd00::1",      // IPv6
         }) {
        CAPTURE(bad);
        CHECK_FALSE(Ipv4::parse(bad).has_value());
    }
}

TEST_CASE("ipv4: netmask to prefix and back") {
    CHECK(netmask_to_prefix(v4("255.255.255.0")) == 24);
    CHECK(netmask_to_prefix(v4("0.0.0.0")) == 0);
    CHECK(netmask_to_prefix(v4("255.255.255.255")) == 32);
    CHECK(netmask_to_prefix(v4("255.255.255.254")) == 31);
    CHECK(netmask_to_prefix(v4("128.0.0.0")) == 1);
    CHECK(netmask_to_prefix(v4("255.255.240.0")) == 20);
    CHECK_FALSE(netmask_to_prefix(v4("255.0.255.0")).has_value());
    CHECK_FALSE(netmask_to_prefix(v4("255.255.255.1")).has_value());
    CHECK_FALSE(netmask_to_prefix(v4("0.255.255.255")).has_value());
    CHECK_FALSE(netmask_to_prefix(v4("255.255.254.255")).has_value());

    CHECK(prefix_to_netmask(0).str() == "0.0.0.0");
    CHECK(prefix_to_netmask(1).str() == "128.0.0.0");
    CHECK(prefix_to_netmask(20).str() == "255.255.240.0");
    CHECK(prefix_to_netmask(24).str() == "255.255.255.0");
    CHECK(prefix_to_netmask(31).str() == "255.255.255.254");
    CHECK(prefix_to_netmask(32).str() == "255.255.255.255");
    for (int p = 0; p <= 32; ++p) {
        CAPTURE(p);
        CHECK(netmask_to_prefix(prefix_to_netmask(p)) == p);
    }
}

TEST_CASE("ipv4: networks") {
    Ipv4Net net{v4("192.168.1.77"), 24};
    CHECK(net.netmask().str() == "255.255.255.0");
    CHECK(net.network().str() == "192.168.1.0");
    CHECK(net.broadcast().str() == "192.168.1.255");
    CHECK(net.contains(v4("192.168.1.5")));
    CHECK(net.contains(v4("192.168.1.0")));
    CHECK_FALSE(net.contains(v4("192.168.2.1")));
    CHECK(net.str() == "192.168.1.77/24");

    Ipv4Net all{v4("0.0.0.0"), 0};
    CHECK(all.contains(v4("8.8.8.8")));
    CHECK(all.broadcast().str() == "255.255.255.255");

    Ipv4Net host{v4("10.1.2.3"), 32};
    CHECK(host.contains(v4("10.1.2.3")));
    CHECK_FALSE(host.contains(v4("10.1.2.4")));

    Ipv4Net odd{v4("172.16.5.4"), 20};
    CHECK(odd.network().str() == "172.16.0.0");
    CHECK(odd.broadcast().str() == "172.16.15.255");
}

TEST_CASE("ipv6: parse and canonical (RFC 5952) text") {
    CHECK(v6("fd00:1::10").str() == "fd00:1::10");
    CHECK(v6("FD00:0001:0000:0000:0000:0000:0000:0010").str() == "fd00:1::10");
    CHECK(v6("::").str() == "::");
    CHECK(v6("::1").str() == "::1");
    CHECK(v6("2001:db8:0:0:1:0:0:1").str() == "2001:db8::1:0:0:1");  // first longest run
    CHECK(v6("2001:db8:0:1:1:1:1:1").str() == "2001:db8:0:1:1:1:1:1");  // one zero group stays
    CHECK(v6("2001:0:0:1:0:0:0:1").str() == "2001:0:0:1::1");          // the longest run
    CHECK(v6("::ffff:192.0.2.1").str() == "::ffff:192.0.2.1");
    CHECK(v6("fd00::").bytes[0] == 0xFD);
    CHECK(v6("fd00::").bytes[15] == 0x00);
    CHECK(v6("::1").bytes[15] == 0x01);
}

TEST_CASE("ipv6: malformed text is rejected") {
    for (const char* bad : {
             "",
             "fd00::1::2",
             "gggg::1",
             "1:2:3:4:5:6:7:8:9",
             "1:2:3:4:5:6:7",
             "fd00:1::/64",
             "12345::1",
             ":1",
             "1.2.3.4",
             " ::1",
             "0000:0000:0000:0000:0000:0000:0000:0000:0",  // nine groups
             "0000:0000:0000:0000:0000:0000:0000:0000:0000:0000",  // longer than 45
         }) {
        CAPTURE(bad);
        CHECK_FALSE(Ipv6::parse(bad).has_value());
    }
}

TEST_CASE("ipv6: networks") {
    Ipv6Net net{v6("fd00:1::"), 64};
    CHECK(net.contains(v6("fd00:1::10")));
    CHECK(net.contains(v6("fd00:1::ffff:ffff:ffff:ffff")));
    CHECK_FALSE(net.contains(v6("fd00:2::1")));
    CHECK_FALSE(net.has_host_bits());
    CHECK(net.str() == "fd00:1::/64");

    Ipv6Net with_host_bits{v6("fd00:1::1"), 64};
    CHECK(with_host_bits.has_host_bits());
    CHECK(with_host_bits.network().str() == "fd00:1::");

    CHECK(Ipv6Net{v6("fd00:1:2:3:4::1"), 48}.network().str() == "fd00:1:2::");

    Ipv6Net odd{v6("fd00:0:0:10::"), 60};  // not on a byte boundary
    CHECK(odd.contains(v6("fd00:0:0:1f::1")));
    CHECK_FALSE(odd.contains(v6("fd00:0:0:20::1")));
    CHECK(Ipv6Net{v6("fd00:0:0:18::"), 60}.has_host_bits());

    Ipv6Net all{v6("::"), 0};
    CHECK(all.contains(v6("2001:db8::1")));
    CHECK_FALSE(all.has_host_bits());

    Ipv6Net one{v6("2001:db8::1"), 128};
    CHECK(one.contains(v6("2001:db8::1")));
    CHECK_FALSE(one.contains(v6("2001:db8::2")));
}

TEST_CASE("mac addresses") {
    CHECK(is_valid_mac("00:11:22:33:44:55"));
    CHECK(is_valid_mac("AA:bb:CC:dd:EE:ff"));
    for (const char* bad : {
             "",
             "00:11:22:33:44",
             "00:11:22:33:44:55:66",
             "00-11-22-33-44-55",
             "00:11:22:33:44:5g",
             "000:11:22:33:44:5",
             "00:11:22:33:44:55:",
             "0:11:22:33:44:55",
             "none",
         }) {
        CAPTURE(bad);
        CHECK_FALSE(is_valid_mac(bad));
    }
}

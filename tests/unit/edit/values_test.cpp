// SPDX-License-Identifier: GPL-2.0-or-later
// Value checks of the editors (vuurmuur/edit/values.h) and the reference rewriting of renames
// (vuurmuur/edit/references.h).
#include <catch2/catch.hpp>

#include "vuurmuur/edit/references.h"
#include "vuurmuur/edit/values.h"

using namespace vuurmuur;
using model::ObjectKind;

TEST_CASE("values: the modifiable variables per kind are the original's plus IPv6 and RANGE") {
    using V = std::vector<std::string>;
    CHECK(edit::modifiable_variables(ObjectKind::Zone) == V{"ACTIVE", "COMMENT"});
    CHECK(edit::modifiable_variables(ObjectKind::Host) ==
          V{"ACTIVE", "IPADDRESS", "IPV6ADDRESS", "MAC", "COMMENT"});
    CHECK(edit::modifiable_variables(ObjectKind::Group) == V{"ACTIVE", "MEMBER", "COMMENT"});
    CHECK(edit::modifiable_variables(ObjectKind::Network) ==
          V{"ACTIVE", "NETWORK", "NETMASK", "IPV6NETWORK", "IPV6CIDR", "INTERFACE", "RULE", "COMMENT"});
    CHECK(edit::modifiable_variables(ObjectKind::Interface) ==
          V{"ACTIVE", "IPADDRESS", "IPV6ADDRESS", "DEVICE", "VIRTUAL", "RULE", "SHAPE", "BW_IN",
            "BW_IN_UNIT", "BW_OUT", "BW_OUT_UNIT", "TCPMSS", "COMMENT"});
    CHECK(edit::modifiable_variables(ObjectKind::Service) ==
          V{"ACTIVE", "TCP", "UDP", "ICMP", "GRE", "AH", "ESP", "PROTO_41", "RANGE", "BROADCAST",
            "HELPER", "COMMENT"});
    CHECK(edit::modifiable_variables(ObjectKind::Ruleset) == V{"RULE"});
}

TEST_CASE("values: each key takes its form") {
    struct Case {
        ObjectKind kind;
        const char* key;
        const char* value;
        bool ok;
        const char* written;
    };
    const Case cases[] = {
        {ObjectKind::Host, "ACTIVE", "YES", true, "Yes"},
        {ObjectKind::Host, "active", "no", true, "No"},
        {ObjectKind::Host, "ACTIVE", "", false, ""},
        {ObjectKind::Host, "IPADDRESS", "10.0.0.1", true, "10.0.0.1"},
        {ObjectKind::Host, "IPADDRESS", "010.0.0.1", false, ""},
        {ObjectKind::Host, "IPADDRESS", "", true, ""},
        {ObjectKind::Host, "IPV6ADDRESS", "2001:db8::1", true, "2001:db8::1"},
        {ObjectKind::Host, "MAC", "none", true, "none"},
        {ObjectKind::Host, "MAC", "00:11:22:33:44:zz", false, ""},
        {ObjectKind::Host, "COMMENT", "quote \" inside", true, "quote \" inside"},
        {ObjectKind::Host, "COMMENT", "tab\there", false, ""},
        {ObjectKind::Network, "NETMASK", "255.255.255.128", true, "255.255.255.128"},
        {ObjectKind::Network, "NETMASK", "255.255.255.1", false, ""},
        {ObjectKind::Network, "IPV6CIDR", "64", true, "64"},
        {ObjectKind::Network, "RULE", "protect against spoofing from class-a", true,
         "protect against spoofing from class-a"},
        {ObjectKind::Network, "RULE", "accept dhcp-server", true, "accept dhcp-server"},
        {ObjectKind::Network, "RULE", "accept dhcp", false, ""},
        {ObjectKind::Interface, "RULE", "protect against rp-filter", true, "protect against rp-filter"},
        {ObjectKind::Interface, "VIRTUAL", "Yes", true, "Yes"},
        {ObjectKind::Interface, "DEVICE", "eth0:1", true, "eth0:1"},
        {ObjectKind::Interface, "DEVICE", "", false, ""},
        {ObjectKind::Interface, "BW_IN", "100", true, "100"},
        {ObjectKind::Interface, "BW_OUT", "-1", false, ""},
        {ObjectKind::Interface, "BW_OUT_UNIT", "MBIT", true, "mbit"},
        {ObjectKind::Service, "TCP", "80*1024:65535,443*1024:65535", true, "80*1024:65535,443*1024:65535"},
        {ObjectKind::Service, "UDP", "65536", false, ""},
        {ObjectKind::Service, "ICMP", "8:0*", true, "8:0*"},
        {ObjectKind::Service, "RANGE", "6;80*1024:65535", true, "6;80*1024:65535"},
        {ObjectKind::Service, "RANGE", "tcp;80", false, ""},
        {ObjectKind::Service, "HELPER", "ftp", true, "ftp"},
        {ObjectKind::Service, "HELPER", "f t p", false, ""},
        {ObjectKind::Service, "BROADCAST", "yes", true, "Yes"},
        {ObjectKind::Group, "MEMBER", "pc1", true, "pc1"},
        {ObjectKind::Zone, "IPADDRESS", "10.0.0.1", false, ""},
    };
    for (const auto& c : cases) {
        INFO(model::kind_name(c.kind) << " " << c.key << "=" << c.value);
        auto r = edit::check_value(c.kind, "", c.key, c.value);
        CHECK(r.ok == c.ok);
        if (c.ok) CHECK(r.value == c.written);
        if (!c.ok) CHECK(!r.error.empty());
    }
}

TEST_CASE("values: rules are parsed and written in the library's form") {
    auto r = edit::check_value(ObjectKind::Ruleset, "rules", "RULE",
                               "Accept service ssh from a.b.c to firewall options comment=\"x y\",log");
    REQUIRE(r.ok);
    CHECK(r.value == "accept service ssh from a.b.c to firewall options log,comment=\\\"x y\\\"");
    r = edit::check_value(ObjectKind::Ruleset, "rules", "RULE", "accept service ssh from a to b options bogus");
    CHECK_FALSE(r.ok);
    CHECK(r.error == "bad rule: unknown option 'bogus'");
    r = edit::check_value(ObjectKind::Ruleset, "blocklist", "RULE", "block 10.0.0.1");
    CHECK(r.ok);
    CHECK_FALSE(edit::check_value(ObjectKind::Ruleset, "blocklist", "RULE", "10.0.0.1").ok);
    CHECK(edit::unescape_rule_value("a comment=\\\"b\\\"") == "a comment=\"b\"");
}

TEST_CASE("references: renamed words and rules keep everything else byte for byte") {
    const edit::ObjectRef host{ObjectKind::Host, "pc1.local.lan"};
    CHECK(edit::renamed_word(host, "pc2.local.lan", "pc1.local.lan") == "pc2.local.lan");
    CHECK_FALSE(edit::renamed_word(host, "pc2.local.lan", "pc1.other.lan"));
    CHECK_FALSE(edit::renamed_word(host, "pc2.local.lan", "firewall"));
    const edit::ObjectRef net{ObjectKind::Network, "local.lan"};
    CHECK(edit::renamed_word(net, "office.lan", "local.lan(broadcast)") == "office.lan(broadcast)");
    CHECK(edit::renamed_word(net, "office.lan", "pc1.local.lan") == "pc1.office.lan");
    CHECK_FALSE(edit::renamed_word(net, "office.lan", "lan"));
    const edit::ObjectRef zone{ObjectKind::Zone, "lan"};
    CHECK(edit::renamed_word(zone, "inside", "lan") == "inside");
    CHECK(edit::renamed_word(zone, "inside", "pc1.local.lan") == "pc1.local.inside");

    // Odd spacing, escaped and raw quotes, the legacy option name "int": only the names change.
    CHECK(edit::renamed_rule(host, "pc2.local.lan",
                             "accept  service ssh   from pc1.local.lan to pc1.local.lan options  log") ==
          "accept  service ssh   from pc2.local.lan to pc2.local.lan options  log");
    const edit::ObjectRef nic{ObjectKind::Interface, "lan-nic"};
    CHECK(edit::renamed_rule(nic, "inside-nic",
                             "bounce service http from a.b to c.d.e options int=\"lan-nic\",in_int=\\\"lan-nic\\\",comment=\"lan-nic\"") ==
          "bounce service http from a.b to c.d.e options int=\"inside-nic\",in_int=\\\"inside-nic\\\",comment=\"lan-nic\"");
    const edit::ObjectRef svc{ObjectKind::Service, "ssh"};
    CHECK(edit::renamed_rule(svc, "secure", ";accept service ssh from ssh to firewall") ==
          ";accept service secure from ssh to firewall");
    CHECK_FALSE(edit::renamed_rule(svc, "secure", "separator options comment=\"ssh\""));
    CHECK_FALSE(edit::renamed_rule(host, "pc2.local.lan", "accept service ssh from pc10.local.lan to firewall"));
}

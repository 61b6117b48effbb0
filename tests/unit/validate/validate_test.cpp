// SPDX-License-Identifier: GPL-2.0-or-later
// Cross-object checks, each on a small tree written into a TempDir.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "support/temp_tree.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/pipeline.h"

using namespace vuurmuur;

namespace {

/// A small valid tree; `overrides` replace or add files (relative path -> content).
std::map<std::string, std::string> base_tree() {
    return {
        {"config.conf", "NFGRP=\"8\"\n"},
        {"interfaces/lan-nic.conf", "ACTIVE=\"Yes\"\nDEVICE=\"eth1\"\nIPADDRESS=\"192.168.1.1\"\n"},
        {"interfaces/inet-nic.conf", "ACTIVE=\"Yes\"\nDEVICE=\"eth0\"\nIPADDRESS=\"dynamic\"\n"},
        {"services/ssh", "ACTIVE=\"Yes\"\nTCP=\"22*1024:65535\"\n"},
        {"services/http", "ACTIVE=\"Yes\"\nTCP=\"80*1024:65535\"\n"},
        {"zones/lan/zone.config", "ACTIVE=\"Yes\"\n"},
        {"zones/lan/networks/lan-net/network.config",
         "ACTIVE=\"Yes\"\nNETWORK=\"192.168.1.0\"\nNETMASK=\"255.255.255.0\"\n"
         "INTERFACE=\"lan-nic\"\n"},
        {"zones/lan/networks/lan-net/hosts/server.host",
         "ACTIVE=\"Yes\"\nIPADDRESS=\"192.168.1.20\"\n"},
        {"zones/lan/networks/lan-net/hosts/admin-pc.host",
         "ACTIVE=\"Yes\"\nIPADDRESS=\"192.168.1.10\"\n"},
        {"zones/inet/zone.config", "ACTIVE=\"Yes\"\n"},
        {"zones/inet/networks/world/network.config",
         "ACTIVE=\"Yes\"\nNETWORK=\"0.0.0.0\"\nNETMASK=\"0.0.0.0\"\nINTERFACE=\"inet-nic\"\n"},
        {"rules/rules.conf", "RULE=\"accept service ssh from lan-net.lan to firewall\"\n"},
    };
}

/// Writes the base tree with `overrides` and returns the sorted, rendered diagnostics.
std::string check(const std::map<std::string, std::string>& overrides) {
    auto files = base_tree();
    for (const auto& [rel, content] : overrides) files[rel] = content;
    test::TempDir dir;
    for (const auto& [rel, content] : files) dir.write(rel, content);
    diag::Diagnostics diags;
    load_and_check(dir.path(), diags);
    diags.sort();
    return diag::render_all(diags, "");
}

std::string check_rule(const std::string& rule) {
    return check({{"rules/rules.conf", "RULE=\"" + rule + "\"\n"}});
}

}  // namespace

TEST_CASE("validate: the base tree is clean") {
    CHECK(check({}).empty());
}

TEST_CASE("validate: a host outside its network") {
    CHECK(check({{"zones/lan/networks/lan-net/hosts/nas.host",
                  "ACTIVE=\"Yes\"\nIPADDRESS=\"192.168.2.30\"\n"}}) ==
          "zones/lan/networks/lan-net/hosts/nas.host:2:12: error: host address 192.168.2.30 is "
          "not inside network lan-net.lan (192.168.1.0/24) [host-outside-network]\n"
          "  hint: a host address lies strictly between the network and broadcast addresses "
          "(192.168.1.0 and 192.168.1.255)\n");
}

TEST_CASE("validate: the network and broadcast addresses are not host addresses") {
    CHECK(check({{"zones/lan/networks/lan-net/hosts/a.host",
                  "ACTIVE=\"Yes\"\nIPADDRESS=\"192.168.1.0\"\n"},
                 {"zones/lan/networks/lan-net/hosts/b.host",
                  "ACTIVE=\"Yes\"\nIPADDRESS=\"192.168.1.255\"\n"}}) ==
          "zones/lan/networks/lan-net/hosts/a.host:2:12: error: host address 192.168.1.0 is not "
          "inside network lan-net.lan (192.168.1.0/24) [host-outside-network]\n"
          "  hint: a host address lies strictly between the network and broadcast addresses "
          "(192.168.1.0 and 192.168.1.255)\n"
          "zones/lan/networks/lan-net/hosts/b.host:2:12: error: host address 192.168.1.255 is not "
          "inside network lan-net.lan (192.168.1.0/24) [host-outside-network]\n"
          "  hint: a host address lies strictly between the network and broadcast addresses "
          "(192.168.1.0 and 192.168.1.255)\n");
}

TEST_CASE("validate: two active hosts with the same address") {
    CHECK(check({{"zones/lan/networks/lan-net/hosts/twin.host",
                  "ACTIVE=\"Yes\"\nIPADDRESS=\"192.168.1.20\"\n"}}) ==
          "zones/lan/networks/lan-net/hosts/twin.host:2:12: warning: hosts "
          "server.lan-net.lan and twin.lan-net.lan have the same address 192.168.1.20 "
          "[duplicate-name]\n");
}

TEST_CASE("validate: a group member that does not exist, with a did-you-mean hint") {
    CHECK(check({{"zones/lan/networks/lan-net/groups/admins.group",
                  "ACTIVE=\"Yes\"\nMEMBER=\"admin-pc\"\nMEMBER=\"servr\"\nMEMBER=\"zzz\"\n"}}) ==
          "zones/lan/networks/lan-net/groups/admins.group:3:9: error: group admins.lan-net.lan "
          "has unknown member 'servr' [unknown-reference]\n"
          "  hint: did you mean 'server'?\n"
          "zones/lan/networks/lan-net/groups/admins.group:4:9: error: group admins.lan-net.lan "
          "has unknown member 'zzz' [unknown-reference]\n");
}

TEST_CASE("validate: groups cannot contain groups - inactive members are reported") {
    CHECK(check({{"zones/lan/networks/lan-net/groups/all.group",
                  "ACTIVE=\"Yes\"\nMEMBER=\"admins\"\nMEMBER=\"old\"\n"},
                 {"zones/lan/networks/lan-net/groups/admins.group",
                  "ACTIVE=\"Yes\"\nMEMBER=\"admin-pc\"\n"},
                 {"zones/lan/networks/lan-net/hosts/old.host",
                  "ACTIVE=\"No\"\nIPADDRESS=\"192.168.1.99\"\n"}}) ==
          "zones/lan/networks/lan-net/groups/all.group:2:9: error: 'admins' is a group; groups "
          "cannot contain groups [unknown-reference]\n"
          "zones/lan/networks/lan-net/groups/all.group:3:9: warning: member old.lan-net.lan is "
          "inactive and is left out [inactive-reference]\n");
}

TEST_CASE("validate: a host and a group with the same name") {
    CHECK(check({{"zones/lan/networks/lan-net/groups/server.group",
                  "ACTIVE=\"Yes\"\nMEMBER=\"admin-pc\"\n"}}) ==
          "zones/lan/networks/lan-net/hosts/server.host: error: 'server.lan-net.lan' is both a "
          "host and a group [duplicate-name]\n"
          "  hint: hosts and groups share one namespace per network; rename one\n");
}

TEST_CASE("validate: a network reached through a missing interface") {
    CHECK(check({{"zones/lan/networks/lan-net/network.config",
                  "ACTIVE=\"Yes\"\nNETWORK=\"192.168.1.0\"\nNETMASK=\"255.255.255.0\"\n"
                  "INTERFACE=\"lan-nc\"\n"}}) ==
          "zones/lan/networks/lan-net/network.config:4:12: error: unknown interface 'lan-nc' "
          "[unknown-reference]\n"
          "  hint: did you mean 'lan-nic'?\n");
}

TEST_CASE("validate: a rule from firewall to firewall") {
    CHECK(check_rule("accept service ssh from firewall to firewall") ==
          "rules/rules.conf:1:43: error: a rule cannot go from firewall to firewall "
          "[option-not-allowed]\n");
}

TEST_CASE("validate: snat and masq need a destination network") {
    CHECK(check_rule("snat service any from lan-net.lan to any") ==
          "rules/rules.conf:1:44: error: 'snat' needs a destination network, not 'any' "
          "[option-not-allowed]\n");
    CHECK(check_rule("masq service any from lan-net.lan to firewall") ==
          "rules/rules.conf:1:44: error: 'masq' needs a destination network, not 'firewall' "
          "[option-not-allowed]\n");
    CHECK(check_rule("masq service any from lan-net.lan to world.inet").empty());
}

TEST_CASE("validate: bounce needs via_int") {
    CHECK(check_rule("bounce service http from lan-net.lan to server.lan-net.lan") ==
          "rules/rules.conf:1:7: error: 'bounce' needs the via_int option [option-not-allowed]\n"
          "  hint: add options via_int=\"<interface whose address is used>\"\n");
    CHECK(check_rule("bounce service http from lan-net.lan to server.lan-net.lan options "
                     "via_int=\"lan-nic\"")
              .empty());
}

TEST_CASE("validate: chain needs the chain option") {
    CHECK(check_rule("chain service any from world.inet to firewall") ==
          "rules/rules.conf:1:7: error: 'chain' needs the chain option [option-not-allowed]\n"
          "  hint: add options chain=\"MYCHAIN\"\n");
    CHECK(check_rule("chain service any from world.inet to firewall options chain=\"MINE\"").empty());
}

TEST_CASE("validate: portfw and dnat need a host - not from the firewall") {
    CHECK(check_rule("portfw service http from world.inet to lan-net.lan") ==
          "rules/rules.conf:1:46: error: 'portfw' needs a host as destination, not "
          "'lan-net.lan' [option-not-allowed]\n"
          "  hint: name one host like server.local.lan\n");
    CHECK(check_rule("dnat service http from firewall to server.lan-net.lan") ==
          "rules/rules.conf:1:30: error: 'dnat' cannot start at the firewall "
          "[option-not-allowed]\n"
          "  hint: NAT of this kind is for traffic arriving from a network\n");
}

TEST_CASE("validate: unknown and inactive objects in rules") {
    CHECK(check_rule("accept service sshh from lan-net.lan to firewall") ==
          "rules/rules.conf:1:22: error: unknown service 'sshh' [unknown-reference]\n"
          "  hint: did you mean 'ssh'?\n");
    CHECK(check_rule("accept service ssh from lan-nett.lan to firewall") ==
          "rules/rules.conf:1:31: error: unknown network 'lan-nett.lan' [unknown-reference]\n"
          "  hint: did you mean 'lan-net.lan'?\n");
    CHECK(check_rule("accept service ssh from servr.lan-net.lan to firewall") ==
          "rules/rules.conf:1:31: error: unknown host or group 'servr.lan-net.lan' "
          "[unknown-reference]\n"
          "  hint: did you mean 'server.lan-net.lan'?\n");
    CHECK(check_rule("accept service ssh from lann to firewall") ==
          "rules/rules.conf:1:31: error: unknown zone 'lann' [unknown-reference]\n"
          "  hint: did you mean 'lan'?\n");
    CHECK(check_rule("accept service ssh from server.lan-net.lann to firewall") ==
          "rules/rules.conf:1:31: error: unknown zone 'lann' in 'server.lan-net.lann' "
          "[unknown-reference]\n"
          "  hint: did you mean 'lan'?\n");
    CHECK(check({{"zones/lan/networks/lan-net/hosts/server.host",
                  "ACTIVE=\"No\"\nIPADDRESS=\"192.168.1.20\"\n"},
                 {"rules/rules.conf",
                  "RULE=\"accept service ssh from server.lan-net.lan to firewall\"\n"}}) ==
          "rules/rules.conf:1:31: warning: 'server.lan-net.lan' is inactive: this rule generates "
          "nothing [inactive-reference]\n");
    // Inactive rules are not checked.
    CHECK(check_rule(";accept service nope from nowhere to firewall").empty());
}

TEST_CASE("validate: options that have no effect on the action") {
    CHECK(check_rule("accept service ssh from lan-net.lan to firewall options redirectport=\"80\"") ==
          "rules/rules.conf:1:63: warning: option 'redirectport' has no effect on a 'accept' "
          "rule [ignored-option]\n"
          "  hint: it is used with redirect\n");
    CHECK(check_rule("accept service ssh from lan-net.lan to firewall options burst=\"5\"") ==
          "rules/rules.conf:1:63: warning: option 'burst' has no effect without 'limit' "
          "[ignored-option]\n");
}

TEST_CASE("validate: the blocklist takes addresses, hosts and groups only") {
    CHECK(check({{"rules/blocklist.conf",
                  "RULE=\"block 198.51.100.7\"\n"
                  "RULE=\"block server.lan-net.lan\"\n"
                  "RULE=\"block lan-net.lan\"\n"
                  "RULE=\"block ghost.lan-net.lan\"\n"}}) ==
          "rules/blocklist.conf:3:13: error: cannot block 'lan-net.lan' [rule-syntax]\n"
          "  hint: block an IP address, a host or a group; networks and zones cannot be blocked\n"
          "rules/blocklist.conf:4:13: error: unknown host or group 'ghost.lan-net.lan' in the "
          "blocklist [unknown-reference]\n");
}

TEST_CASE("validate: a required option with a bad value is reported once, by the parser") {
    CHECK(check_rule("redirect service http from lan-net.lan to world.inet options redirectport=\"0\"") ==
          "rules/rules.conf:1:82: error: bad value '0' for option 'redirectport': expected a port "
          "from 1 to 65535 [bad-option]\n");
    CHECK(check_rule("chain service any from world.inet to firewall options chain=\"bad name\"") ==
          "rules/rules.conf:1:68: error: bad value 'bad name' for option 'chain': expected a chain "
          "name ([a-zA-Z0-9_-], 1-28 characters) [bad-option]\n");
    CHECK(check_rule("bounce service http from lan-net.lan to server.lan-net.lan options via_int") ==
          "rules/rules.conf:1:74: error: option 'via_int' needs a value [bad-option]\n"
          "  hint: via_int=\"...\"\n");
}

TEST_CASE("validate: hosts of a network whose address was rejected add nothing") {
    CHECK(check({{"zones/lan/networks/lan-net/network.config",
                  "ACTIVE=\"Yes\"\nNETWORK=\"192.168.1.0\"\nNETMASK=\"255.0.255.0\"\n"
                  "INTERFACE=\"lan-nic\"\n"}}) ==
          "zones/lan/networks/lan-net/network.config:3:10: error: '255.0.255.0' is not a netmask "
          "[bad-netmask]\n"
          "  hint: a netmask has contiguous one bits, like 255.255.255.0\n");
}

TEST_CASE("validate: a host with an IPv4 address in an IPv6-only network") {
    CHECK(check({{"zones/lan/networks/lan-net/network.config",
                  "ACTIVE=\"Yes\"\nIPV6NETWORK=\"fd00:1::\"\nIPV6CIDR=\"64\"\nINTERFACE=\"lan-nic\"\n"},
                 {"zones/lan/networks/lan-net/hosts/admin-pc.host",
                  "ACTIVE=\"Yes\"\nIPV6ADDRESS=\"fd00:1::10\"\n"},
                 {"zones/lan/networks/lan-net/hosts/server.host",
                  "ACTIVE=\"Yes\"\nIPADDRESS=\"192.168.1.20\"\nIPV6ADDRESS=\"fd00:2::20\"\n"}}) ==
          "zones/lan/networks/lan-net/hosts/server.host:2:12: error: host server.lan-net.lan has an "
          "IPv4 address but network lan-net.lan has no IPv4 network [host-outside-network]\n"
          "zones/lan/networks/lan-net/hosts/server.host:3:14: error: host address fd00:2::20 is not "
          "inside network lan-net.lan (fd00:1::/64) [host-outside-network]\n");
}

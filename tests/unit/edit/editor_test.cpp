// SPDX-License-Identifier: GPL-2.0-or-later
// The editing API (vuurmuur/edit/editor.h): create, delete, rename and modify, with the exact
// file contents they leave, the exit-code statuses of the original, and the audit records.
#include <catch2/catch.hpp>

#include "unit/edit/edit_fixture.h"
#include "vuurmuur/pipeline.h"

using namespace vuurmuur;
using edit::Status;
using edit::WriteMode;
using model::ObjectKind;
using test::EditFixture;

namespace {

/// The tree's diagnostics as text ("" when clean).
std::string check(const EditFixture& f) {
    diag::Diagnostics diags;
    load_and_check(f.root(), diags);
    diags.sort();
    return diag::render_all(diags, "");
}

}  // namespace

TEST_CASE("edit: the test tree is clean") {
    EditFixture f;
    CHECK(check(f) == "");
}

TEST_CASE("edit: create writes the original's template for every kind") {
    EditFixture f;
    auto& e = f.editor();
    REQUIRE(e.create(ObjectKind::Zone, "dmz").ok());
    CHECK(f.file("zones/dmz/zone.config") == "ACTIVE=\"Yes\"\nCOMMENT=\"\"\n");
    REQUIRE(e.create(ObjectKind::Network, "web.dmz").ok());
    CHECK(f.file("zones/dmz/networks/web/network.config") ==
          "ACTIVE=\"Yes\"\nNETWORK=\"\"\nNETMASK=\"\"\nINTERFACE=\"\"\nRULE=\"\"\nCOMMENT=\"\"\n");
    REQUIRE(e.create(ObjectKind::Host, "srv.web.dmz").ok());
    CHECK(f.file("zones/dmz/networks/web/hosts/srv.host") ==
          "ACTIVE=\"Yes\"\nIPADDRESS=\"\"\nMAC=\"\"\nCOMMENT=\"\"\n");
    REQUIRE(e.create(ObjectKind::Group, "servers.web.dmz").ok());
    CHECK(f.file("zones/dmz/networks/web/groups/servers.group") ==
          "ACTIVE=\"Yes\"\nMEMBER=\"\"\nCOMMENT=\"\"\n");
    REQUIRE(e.create(ObjectKind::Service, "svn").ok());
    CHECK(f.file("services/svn") ==
          "ACTIVE=\"Yes\"\nTCP=\"\"\nUDP=\"\"\nICMP=\"\"\nGRE=\"\"\nAH=\"\"\nESP=\"\"\nPROTO_41=\"\"\n"
          "BROADCAST=\"No\"\nHELPER=\"\"\nCOMMENT=\"\"\n");
    REQUIRE(e.create(ObjectKind::Interface, "dmz-nic").ok());
    CHECK(f.file("interfaces/dmz-nic.conf") ==
          "ACTIVE=\"Yes\"\nIPADDRESS=\"\"\nDEVICE=\"\"\nVIRTUAL=\"No\"\n"
          "RULE=\"protect against source-routed-packets\"\nRULE=\"protect against icmp-redirect\"\n"
          "RULE=\"protect against send-redirect\"\nRULE=\"protect against rp-filter\"\n"
          "RULE=\"protect against log-martians\"\nCOMMENT=\"\"\n");
    REQUIRE(f.audit().size() == 6);
    CHECK(f.audit()[2] == edit::AuditRecord{"tester", "create", "host", "srv.web.dmz", "", "", ""});
    CHECK(edit::format(f.audit()[2]) == "user tester: create host 'srv.web.dmz'");
}

TEST_CASE("edit: create refuses bad names, missing parents and existing objects, writing nothing") {
    EditFixture f;
    auto& e = f.editor();
    const auto before = f.files();
    struct Case {
        ObjectKind kind;
        std::string name;
        Status status;
    };
    const Case cases[] = {
        {ObjectKind::Host, "pc1.local.lan", Status::AlreadyExists},
        {ObjectKind::Host, "admins.local.lan", Status::AlreadyExists},   // a group's name
        {ObjectKind::Group, "pc2.local.lan", Status::AlreadyExists},     // a host's name
        {ObjectKind::Zone, "lan", Status::AlreadyExists},
        {ObjectKind::Host, "pc9.nowhere.lan", Status::NotFound},
        {ObjectKind::Network, "net.nozone", Status::NotFound},
        {ObjectKind::Host, "pc9.local", Status::CommandLine},            // two parts
        {ObjectKind::Zone, "bad name", Status::CommandLine},
        {ObjectKind::Zone, "any", Status::CommandLine},                  // a rule keyword
        {ObjectKind::Service, "all", Status::CommandLine},
        {ObjectKind::Ruleset, "rules", Status::AlreadyExists},
        {ObjectKind::Ruleset, "other", Status::CommandLine},
        {ObjectKind::Interface, std::string(33, 'x'), Status::CommandLine},
    };
    for (const auto& c : cases) {
        INFO(model::kind_name(c.kind) << " " << c.name);
        auto r = e.create(c.kind, c.name);
        CHECK(r.status == c.status);
        CHECK(!r.message.empty());
        CHECK(r.message.find('\n') == std::string::npos);
    }
    CHECK(f.files() == before);
    CHECK(f.audit().empty());
}

TEST_CASE("edit: modify checks the value before writing and records old -> new") {
    EditFixture f;
    auto& e = f.editor();
    auto r = e.modify(ObjectKind::Host, "pc1.local.lan", "ipaddress", "192.168.1.20", WriteMode::Overwrite);
    REQUIRE(r.ok());
    CHECK(f.file("zones/lan/networks/local/hosts/pc1.host") ==
          "ACTIVE=\"Yes\"\nIPADDRESS=\"192.168.1.20\"\nMAC=\"\"\nCOMMENT=\"first\"\n");
    REQUIRE(f.audit().size() == 1);
    CHECK(f.audit()[0] == edit::AuditRecord{"tester", "modify", "host", "pc1.local.lan", "IPADDRESS",
                                            "192.168.1.10", "192.168.1.20"});
    CHECK(edit::format(f.audit()[0]) ==
          "user tester: modify host 'pc1.local.lan' variable 'IPADDRESS': '192.168.1.10' -> '192.168.1.20'");

    // Yes/No are written capitalised; keys missing from the file are appended.
    REQUIRE(e.modify(ObjectKind::Host, "pc1.local.lan", "ACTIVE", "no", WriteMode::Overwrite).ok());
    REQUIRE(e.modify(ObjectKind::Host, "pc1.local.lan", "MAC", "00:11:22:aa:bb:cc", WriteMode::Overwrite).ok());
    REQUIRE(e.modify(ObjectKind::Host, "pc1.local.lan", "IPV6ADDRESS", "fd00:1::10", WriteMode::Overwrite).ok());
    CHECK(f.file("zones/lan/networks/local/hosts/pc1.host") ==
          "ACTIVE=\"No\"\nIPADDRESS=\"192.168.1.20\"\nMAC=\"00:11:22:aa:bb:cc\"\nCOMMENT=\"first\"\n"
          "IPV6ADDRESS=\"fd00:1::10\"\n");

    // Multi-valued keys: append, overwrite, and a service RANGE.
    REQUIRE(e.modify(ObjectKind::Group, "admins.local.lan", "MEMBER", "pc1", WriteMode::Overwrite).ok());
    CHECK(f.file("zones/lan/networks/local/groups/admins.group") ==
          "ACTIVE=\"Yes\"\nMEMBER=\"pc1\"\nCOMMENT=\"\"\n");
    REQUIRE(e.modify(ObjectKind::Group, "admins.local.lan", "MEMBER", "pc2", WriteMode::Append).ok());
    CHECK(f.file("zones/lan/networks/local/groups/admins.group") ==
          "ACTIVE=\"Yes\"\nMEMBER=\"pc1\"\nMEMBER=\"pc2\"\nCOMMENT=\"\"\n");
    REQUIRE(e.modify(ObjectKind::Service, "dns", "RANGE", "17;53*1024:65535", WriteMode::Append).ok());
    CHECK(f.file("services/dns") ==
          "ACTIVE=\"Yes\"\nUDP=\"53*1024:65535\"\nTCP=\"53*1024:65535\"\nRANGE=\"17;53*1024:65535\"\n");
    REQUIRE(e.modify(ObjectKind::Network, "world.inet", "RULE", "accept dhcp-client", WriteMode::Append).ok());
    REQUIRE(e.modify(ObjectKind::Network, "local.lan", "INTERFACE", "inet-nic", WriteMode::Append).ok());
    CHECK(f.file("zones/lan/networks/local/network.config") ==
          "ACTIVE=\"Yes\"\nNETWORK=\"192.168.1.0\"\nNETMASK=\"255.255.255.0\"\n"
          "IPV6NETWORK=\"fd00:1::\"\nIPV6CIDR=\"64\"\nINTERFACE=\"lan-nic\"\nINTERFACE=\"inet-nic\"\nCOMMENT=\"\"\n");
    REQUIRE(e.modify(ObjectKind::Interface, "inet-nic", "IPADDRESS", "Dynamic", WriteMode::Overwrite).ok());
    CHECK(f.file("interfaces/inet-nic.conf") ==
          "ACTIVE=\"Yes\"\nDEVICE=\"eth0\"\nIPADDRESS=\"dynamic\"\nVIRTUAL=\"No\"\n");
    CHECK(f.audit().back().action == "append");  // "Dynamic" -> "dynamic" changed nothing
    CHECK(f.audit().back().variable == "INTERFACE");
    CHECK(check(f).find("error") == std::string::npos);  // pc1 is inactive: warnings only
}

TEST_CASE("edit: modify refuses bad input with the original's statuses and writes nothing") {
    EditFixture f;
    auto& e = f.editor();
    const auto before = f.files();
    struct Case {
        ObjectKind kind;
        std::string name, variable, value;
        WriteMode mode;
        Status status;
    };
    const auto O = WriteMode::Overwrite;
    const auto A = WriteMode::Append;
    const Case cases[] = {
        {ObjectKind::Host, "pc1.local.lan", "IPADDRESS", "192.168.1.300", O, Status::CommandLine},
        {ObjectKind::Host, "pc1.local.lan", "IPADDRESS", "10.0.0.1", O, Status::DataInconsistency},
        {ObjectKind::Host, "pc1.local.lan", "IPADDRESS", "192.168.1.255", O, Status::DataInconsistency},
        {ObjectKind::Host, "pc1.local.lan", "IPV6ADDRESS", "fd00:9::1", O, Status::DataInconsistency},
        {ObjectKind::Host, "pc1.local.lan", "IPV6ADDRESS", "fd00::g", O, Status::CommandLine},
        {ObjectKind::Host, "pc1.local.lan", "MAC", "00:11:22:33:44", O, Status::CommandLine},
        {ObjectKind::Host, "pc1.local.lan", "ACTIVE", "maybe", O, Status::CommandLine},
        {ObjectKind::Host, "pc1.local.lan", "NOSUCH", "x", O, Status::CommandLine},
        {ObjectKind::Host, "pc1.local.lan", "COMMENT", "two\nlines", O, Status::CommandLine},
        {ObjectKind::Host, "pc1.local.lan", "MAC", "00:11:22:33:44:55", A, Status::CommandLine},
        {ObjectKind::Host, "pc9.local.lan", "IPADDRESS", "192.168.1.20", O, Status::NotFound},
        {ObjectKind::Network, "local.lan", "NETMASK", "255.0.255.0", O, Status::CommandLine},
        {ObjectKind::Network, "local.lan", "NETMASK", "255.255.0.0", O, Status::DataInconsistency},
        {ObjectKind::Network, "local.lan", "NETWORK", "192.168.1.1", O, Status::DataInconsistency},
        {ObjectKind::Network, "local.lan", "IPV6CIDR", "129", O, Status::CommandLine},
        {ObjectKind::Network, "local.lan", "IPV6CIDR", "16", O, Status::DataInconsistency},
        {ObjectKind::Network, "local.lan", "INTERFACE", "nosuch-nic", A, Status::DataInconsistency},
        {ObjectKind::Network, "local.lan", "INTERFACE", "lan-nic", A, Status::AlreadyExists},
        {ObjectKind::Network, "local.lan", "RULE", "protect against aliens", A, Status::CommandLine},
        {ObjectKind::Group, "admins.local.lan", "MEMBER", "pc9", A, Status::DataInconsistency},
        {ObjectKind::Group, "admins.local.lan", "MEMBER", "admins", A, Status::DataInconsistency},
        {ObjectKind::Group, "admins.local.lan", "MEMBER", "pc1.local.lan", A, Status::CommandLine},
        {ObjectKind::Service, "http", "TCP", "80*70000", O, Status::CommandLine},
        {ObjectKind::Service, "http", "RANGE", "6:80", O, Status::CommandLine},
        {ObjectKind::Interface, "lan-nic", "DEVICE", "a-device-name-too-long", O, Status::CommandLine},
        {ObjectKind::Interface, "lan-nic", "IPADDRESS", "static", O, Status::CommandLine},
        {ObjectKind::Interface, "lan-nic", "INTERFACE", "eth9", O, Status::CommandLine},  // legacy key
        {ObjectKind::Interface, "lan-nic", "BW_IN_UNIT", "gbit", O, Status::CommandLine},
        {ObjectKind::Zone, "lan", "COMMENT", std::string(513, 'x'), O, Status::CommandLine},
        {ObjectKind::Ruleset, "rules", "RULE", "accept service ssh from nowhere.lan to firewall", A,
         Status::DataInconsistency},
        {ObjectKind::Ruleset, "rules", "RULE", "accept service nosuch from local.lan to firewall", A,
         Status::DataInconsistency},
        {ObjectKind::Ruleset, "rules", "RULE", "acept service ssh from local.lan to firewall", A,
         Status::CommandLine},
        {ObjectKind::Ruleset, "rules", "RULE", "accept service ssh from local.lan to firewall options lgo", A,
         Status::CommandLine},
        {ObjectKind::Ruleset, "rules", "RULE", "portfw service http from world.inet to local.lan", A,
         Status::DataInconsistency},
        {ObjectKind::Ruleset, "blocklist", "RULE", "block local.lan", A, Status::CommandLine},
        {ObjectKind::Ruleset, "blocklist", "RULE", "block 10.9.9.9", A, Status::AlreadyExists},
        {ObjectKind::Ruleset, "blocklist", "RULE", "block pc9.local.lan", A, Status::NotFound},
    };
    for (const auto& c : cases) {
        INFO(model::kind_name(c.kind) << " " << c.name << " " << c.variable << "=" << c.value);
        auto r = e.modify(c.kind, c.name, c.variable, c.value, c.mode);
        CHECK(r.status == c.status);
        CHECK(!r.message.empty());
        CHECK(r.message.find('\n') == std::string::npos);
    }
    CHECK(f.files() == before);
    CHECK(f.audit().empty());
}

TEST_CASE("edit: rename of a host updates rules, group members and the blocklist in one go") {
    EditFixture f;
    auto r = f.editor().rename(ObjectKind::Host, "pc1.local.lan", "ws1");
    REQUIRE(r.ok());
    CHECK(r.message == "renamed host pc1.local.lan to ws1.local.lan and updated 4 references");
    CHECK_FALSE(f.exists("zones/lan/networks/local/hosts/pc1.host"));
    CHECK(f.file("zones/lan/networks/local/hosts/ws1.host") ==
          "ACTIVE=\"Yes\"\nIPADDRESS=\"192.168.1.10\"\nMAC=\"\"\nCOMMENT=\"first\"\n");
    CHECK(f.file("rules/rules.conf") ==
          "RULE=\"separator options comment=\\\"admin\\\"\"\n"
          "RULE=\"accept service ssh from ws1.local.lan to firewall options log,logprefix=\\\"ssh\\\"\"\n"
          "RULE=\"accept service ssh from admins.local.lan to firewall\"\n"
          "# the web\n"
          "RULE=\"accept service http from local.lan to world.inet options out_int=\\\"inet-nic\\\"\"\n"
          "RULE=\";accept service dns from ws1.local.lan to world.inet\"\n");
    CHECK(f.file("zones/lan/networks/local/groups/admins.group") ==
          "ACTIVE=\"Yes\"\nMEMBER=\"ws1\"\nMEMBER=\"pc2\"\nCOMMENT=\"\"\n");
    CHECK(f.file("rules/blocklist.conf") ==
          "# blocked\nRULE=\"block 10.9.9.9\"\nRULE=\"block ws1.local.lan\"\n");
    // One record per line changed, then the rename itself.
    REQUIRE(f.audit().size() == 5);
    CHECK(f.audit()[0] == edit::AuditRecord{"tester", "modify", "ruleset", "rules", "RULE",
                                            "accept service ssh from pc1.local.lan to firewall options log,logprefix=\\\"ssh\\\"",
                                            "accept service ssh from ws1.local.lan to firewall options log,logprefix=\\\"ssh\\\""});
    CHECK(f.audit()[3] == edit::AuditRecord{"tester", "modify", "group", "admins.local.lan", "MEMBER", "pc1", "ws1"});
    CHECK(f.audit()[4] == edit::AuditRecord{"tester", "rename", "host", "pc1.local.lan", "",
                                            "pc1.local.lan", "ws1.local.lan"});
    CHECK(check(f) == "");
}

TEST_CASE("edit: rename of a network, a zone, an interface and a service carries through") {
    EditFixture f;
    auto& e = f.editor();
    REQUIRE(e.rename(ObjectKind::Network, "local.lan", "office.lan").ok());
    CHECK(f.exists("zones/lan/networks/office/hosts/pc1.host"));
    CHECK_FALSE(f.exists("zones/lan/networks/local"));
    REQUIRE(e.rename(ObjectKind::Zone, "lan", "inside").ok());
    CHECK(f.exists("zones/inside/networks/office/groups/admins.group"));
    REQUIRE(e.rename(ObjectKind::Interface, "inet-nic", "uplink").ok());
    CHECK(f.exists("interfaces/uplink.conf"));
    CHECK(f.file("zones/inet/networks/world/network.config") ==
          "ACTIVE=\"Yes\"\nNETWORK=\"0.0.0.0\"\nNETMASK=\"0.0.0.0\"\nINTERFACE=\"uplink\"\n");
    REQUIRE(e.rename(ObjectKind::Service, "ssh", "secure-shell").ok());
    CHECK(f.exists("services/secure-shell"));
    CHECK(f.file("rules/rules.conf") ==
          "RULE=\"separator options comment=\\\"admin\\\"\"\n"
          "RULE=\"accept service secure-shell from pc1.office.inside to firewall options log,logprefix=\\\"ssh\\\"\"\n"
          "RULE=\"accept service secure-shell from admins.office.inside to firewall\"\n"
          "# the web\n"
          "RULE=\"accept service http from office.inside to world.inet options out_int=\\\"uplink\\\"\"\n"
          "RULE=\";accept service dns from pc1.office.inside to world.inet\"\n");
    CHECK(f.file("rules/blocklist.conf") ==
          "# blocked\nRULE=\"block 10.9.9.9\"\nRULE=\"block pc1.office.inside\"\n");
    CHECK(check(f) == "");
}

TEST_CASE("edit: rename refuses clashes, moves and bad names") {
    EditFixture f;
    auto& e = f.editor();
    const auto before = f.files();
    CHECK(e.rename(ObjectKind::Host, "pc1.local.lan", "pc2").status == Status::AlreadyExists);
    CHECK(e.rename(ObjectKind::Host, "pc1.local.lan", "admins").status == Status::AlreadyExists);
    CHECK(e.rename(ObjectKind::Host, "pc1.local.lan", "pc1.world.inet").status == Status::CommandLine);
    CHECK(e.rename(ObjectKind::Host, "pc1.local.lan", "bad name").status == Status::CommandLine);
    CHECK(e.rename(ObjectKind::Host, "pc9.local.lan", "pc8").status == Status::NotFound);
    CHECK(e.rename(ObjectKind::Zone, "lan", "inet").status == Status::AlreadyExists);
    CHECK(e.rename(ObjectKind::Zone, "lan", "firewall").status == Status::CommandLine);
    CHECK(e.rename(ObjectKind::Ruleset, "rules", "other").status == Status::CommandLine);
    CHECK(f.files() == before);
}

TEST_CASE("edit: delete refuses while referenced and lists the referrers - force deletes") {
    EditFixture f;
    auto& e = f.editor();
    const auto before = f.files();
    auto r = e.remove(ObjectKind::Host, "pc1.local.lan", false);
    CHECK(r.status == Status::DataInconsistency);
    CHECK(r.message == "host 'pc1.local.lan' is still used by 4 lines; change those first, or delete "
                       "it anyway with --force");
    REQUIRE(r.referrers.size() == 4);
    CHECK(r.referrers[0].str() ==
          "rules/rules.conf:2: rule 2: accept service ssh from pc1.local.lan to firewall options log,logprefix=\"ssh\"");
    CHECK(r.referrers[1].str() == "rules/rules.conf:6: rule 5: ;accept service dns from pc1.local.lan to world.inet");
    CHECK(r.referrers[2].str() == "rules/blocklist.conf:3: blocklist entry: block pc1.local.lan");
    CHECK(r.referrers[3].str() ==
          "zones/lan/networks/local/groups/admins.group:2: group admins.local.lan: MEMBER=\"pc1\"");
    // Interfaces are named by networks and rule options; services by rules.
    r = e.remove(ObjectKind::Interface, "inet-nic", false);
    CHECK(r.status == Status::DataInconsistency);
    REQUIRE(r.referrers.size() == 2);
    CHECK(r.referrers[0].what == "rule 4: accept service http from local.lan to world.inet options out_int=\"inet-nic\"");
    CHECK(r.referrers[1].what == "network world.inet: INTERFACE=\"inet-nic\"");
    CHECK(e.remove(ObjectKind::Service, "ssh", false).status == Status::DataInconsistency);
    CHECK(e.remove(ObjectKind::Network, "local.lan", true).status == Status::CommandFailed);  // not empty
    CHECK(e.remove(ObjectKind::Zone, "lan", true).status == Status::CommandFailed);
    CHECK(e.remove(ObjectKind::Host, "pc9.local.lan", false).status == Status::NotFound);
    CHECK(f.files() == before);
    CHECK(f.audit().empty());

    r = e.remove(ObjectKind::Host, "pc1.local.lan", true);
    REQUIRE(r.ok());
    CHECK(r.referrers.size() == 4);
    CHECK(r.message == "deleted host pc1.local.lan; 4 references to it are left dangling (see check)");
    CHECK_FALSE(f.exists("zones/lan/networks/local/hosts/pc1.host"));
    CHECK(f.file("rules/rules.conf") == test::kTestRules);  // the references stay
    REQUIRE(f.audit().size() == 1);
    CHECK(f.audit()[0].action == "delete");
    CHECK(f.audit()[0].new_value == "forced; 4 references left dangling");
    // check reports the dangling rule and member.
    std::string diags = check(f);
    CHECK(diags.find("rules/rules.conf:2:") != std::string::npos);
    CHECK(diags.find("unknown host or group 'pc1.local.lan'") != std::string::npos);
    CHECK(diags.find("group admins.local.lan has unknown member 'pc1'") != std::string::npos);
}

TEST_CASE("edit: deleting a network and a zone removes their directories when empty") {
    EditFixture f;
    auto& e = f.editor();
    REQUIRE(e.create(ObjectKind::Zone, "dmz").ok());
    REQUIRE(e.create(ObjectKind::Network, "web.dmz").ok());
    REQUIRE(e.create(ObjectKind::Host, "srv.web.dmz").ok());
    CHECK(e.remove(ObjectKind::Network, "web.dmz", false).status == Status::CommandFailed);
    REQUIRE(e.remove(ObjectKind::Host, "srv.web.dmz", false).ok());
    CHECK(e.remove(ObjectKind::Zone, "dmz", false).status == Status::CommandFailed);
    REQUIRE(e.remove(ObjectKind::Network, "web.dmz", false).ok());
    CHECK_FALSE(f.exists("zones/dmz/networks/web"));
    REQUIRE(e.remove(ObjectKind::Zone, "dmz", false).ok());
    CHECK_FALSE(f.exists("zones/dmz"));
    CHECK(check(f) == "");
}

TEST_CASE("edit: a stray file keeps a network from being deleted") {
    EditFixture f;
    test::write_file(f.root() / "zones/inet/networks/world/notes.txt", "x");
    auto r = f.editor().remove(ObjectKind::Network, "world.inet", true);
    CHECK(r.status == Status::CommandFailed);
    CHECK(r.message.find("notes.txt") != std::string::npos);
    CHECK(f.exists("zones/inet/networks/world/network.config"));
}

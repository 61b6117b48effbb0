// SPDX-License-Identifier: GPL-2.0-or-later
// vuurmuur-script read access: -L/-P with the original's selectors and output (reference §4.1),
// the usage errors and their exit codes, and `check`. Runs the real binary on a copy of the
// shipped tree.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_process.h"
#include "support/temp_tree.h"

using namespace vuurmuur;
namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

namespace {

/// A copy of the shipped tree and a way to run vuurmuur-script on it.
class Cli {
public:
    Cli() { test::copy_default_tree(dir_.path()); }
    std::string root() const { return dir_.path().string(); }
    void write(const std::string& rel, const std::string& content) const { dir_.write(rel, content); }

    test::ProcessResult run(Strings args) const {
        args.insert(args.begin(), {"--config-dir", root()});
        return test::run_script(args);
    }

private:
    test::TempDir dir_;
};

/// Runs a command that must succeed without a word on stderr; returns stdout.
std::string output_of(const Cli& cli, const Strings& args) {
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    INFO("vuurmuur-script " << shown);
    auto r = cli.run(args);
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    return r.out;
}

/// The names of the shipped services, as -L -s any must list them (sorted, no Makefile*).
std::string shipped_services() {
    Strings names;
    for (const auto& e : fs::directory_iterator(test::source_dir() / "services")) {
        std::string name = e.path().filename().string();
        if (name.rfind("Makefile", 0) != 0 && name.front() != '.') names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    std::string out;
    for (const auto& n : names) out += n + "\n";
    return out;
}

/// Lines of a text, each with its '\n'.
Strings lines_of(const std::string& text) {
    Strings out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line + "\n");
    return out;
}

}  // namespace

TEST_CASE("cli: -L any lists every object of each kind, in tree order") {
    Cli cli;
    CHECK(output_of(cli, {"-L", "-z", "any"}) == "dmz\ninet\nlan\nvpn\n");
    CHECK(output_of(cli, {"-L", "-n", "any"}) == "dmz-net.dmz\nworld.inet\nlocal.lan\n");
    CHECK(output_of(cli, {"-L", "-o", "any"}) == "web.dmz-net.dmz\nadmin-pc.local.lan\n");
    CHECK(output_of(cli, {"-L", "-g", "any"}) == "admins.local.lan\n");
    CHECK(output_of(cli, {"-L", "-s", "any"}) == shipped_services());
    CHECK(output_of(cli, {"-L", "-i", "any"}) == "dmz-nic\ninet-nic\nlan-nic\n");
    CHECK(output_of(cli, {"-L", "-r", "any"}) == "rules\nblocklist\n");
    // The original compares "any" without regard to case; long options work as well.
    CHECK(output_of(cli, {"--list", "--zone", "ANY"}) == "dmz\ninet\nlan\nvpn\n");
}

TEST_CASE("cli: -L filters networks by zone, hosts and groups by zone or network.zone") {
    Cli cli;
    cli.write("zones/lan/networks/guest/network.config",
              "ACTIVE=\"Yes\"\nNETWORK=\"192.168.3.0\"\nNETMASK=\"255.255.255.0\"\nINTERFACE=\"lan-nic\"\n");
    cli.write("zones/lan/networks/guest/hosts/kiosk.host", "ACTIVE=\"Yes\"\nIPADDRESS=\"192.168.3.5\"\n");
    cli.write("zones/lan/networks/guest/groups/kiosks.group", "ACTIVE=\"Yes\"\nMEMBER=\"kiosk\"\n");

    CHECK(output_of(cli, {"-L", "-n", "lan"}) == "guest.lan\nlocal.lan\n");
    CHECK(output_of(cli, {"-L", "-n", "inet"}) == "world.inet\n");
    CHECK(output_of(cli, {"-L", "-n", "vpn"}).empty());

    CHECK(output_of(cli, {"-L", "-o", "lan"}) == "kiosk.guest.lan\nadmin-pc.local.lan\n");
    CHECK(output_of(cli, {"-L", "-o", "local.lan"}) == "admin-pc.local.lan\n");
    CHECK(output_of(cli, {"-L", "-o", "guest.lan"}) == "kiosk.guest.lan\n");
    CHECK(output_of(cli, {"-L", "-o", "dmz-net.dmz"}) == "web.dmz-net.dmz\n");
    CHECK(output_of(cli, {"-L", "-o", "inet"}).empty());

    CHECK(output_of(cli, {"-L", "-g", "lan"}) == "kiosks.guest.lan\nadmins.local.lan\n");
    CHECK(output_of(cli, {"-L", "-g", "local.lan"}) == "admins.local.lan\n");
    CHECK(output_of(cli, {"-L", "-g", "dmz"}).empty());
}

TEST_CASE("cli: -L with a malformed selector is a usage error") {
    Cli cli;
    struct Case {
        Strings args;
        std::string err;
    };
    const Case cases[] = {
        {{"-L", "-o", "bad!name"}, "vuurmuur-script: error: 'bad!name' is not a valid host selector\n"},
        {{"-L", "-n", "a.b.c"}, "vuurmuur-script: error: 'a.b.c' is not a valid network selector\n"},
        {{"-L", "-g", "a.b.c.d"}, "vuurmuur-script: error: 'a.b.c.d' is not a valid group selector\n"},
        {{"-L", "-r", "firewall"}, "vuurmuur-script: error: 'firewall' is not a valid ruleset selector\n"},
    };
    for (const auto& c : cases) {
        auto r = cli.run(c.args);
        INFO(c.err);
        CHECK(r.exit_code == 1);
        CHECK(r.out.empty());
        CHECK(r.err == c.err);
    }
}

TEST_CASE("cli: -P prints every key of an object in the original's order, new keys last") {
    Cli cli;
    CHECK(output_of(cli, {"-P", "-z", "lan"}) ==
          "ACTIVE=\"Yes\"\n"
          "COMMENT=\"Lan: Local Area Network. Put your LAN-network in here.\"\n");
    CHECK(output_of(cli, {"-P", "-n", "world.inet"}) ==
          "ACTIVE=\"Yes\"\n"
          "NETWORK=\"0.0.0.0\"\n"
          "NETMASK=\"0.0.0.0\"\n"
          "INTERFACE=\"inet-nic\"\n"
          "RULE=\"accept dhcp-client\"\n"
          "COMMENT=\"The internet.\"\n"
          "IPV6NETWORK=\"::\"\n"
          "IPV6CIDR=\"0\"\n");
    CHECK(output_of(cli, {"-P", "-o", "admin-pc.local.lan"}) ==
          "ACTIVE=\"Yes\"\n"
          "IPADDRESS=\"192.168.1.10\"\n"
          "MAC=\"\"\n"
          "COMMENT=\"Administrator workstation.\"\n"
          "IPV6ADDRESS=\"fd00:1::10\"\n");
    CHECK(output_of(cli, {"-P", "-g", "admins.local.lan"}) ==
          "ACTIVE=\"Yes\"\n"
          "MEMBER=\"admin-pc\"\n"
          "COMMENT=\"Hosts that may administer the firewall and the DMZ.\"\n");
    CHECK(output_of(cli, {"-P", "-s", "ftp"}) ==
          "ACTIVE=\"Yes\"\n"
          "BROADCAST=\"No\"\n"
          "HELPER=\"ftp\"\n"
          "TCP=\"21*1024:65535\"\n"
          "UDP=\"\"\n"
          "ICMP=\"\"\n"
          "GRE=\"\"\n"
          "AH=\"\"\n"
          "ESP=\"\"\n"
          "PROTO_41=\"\"\n"
          "COMMENT=\"File Transfer Protocol (uses the ftp conntrack helper)\"\n");
    CHECK(output_of(cli, {"-P", "-i", "lan-nic"}) ==
          "ACTIVE=\"Yes\"\n"
          "IPADDRESS=\"192.168.1.1\"\n"
          "DEVICE=\"eth1\"\n"
          "VIRTUAL=\"No\"\n"
          "SHAPE=\"No\"\n"
          "BW_IN=\"\"\n"
          "BW_OUT=\"\"\n"
          "BW_IN_UNIT=\"\"\n"
          "BW_OUT_UNIT=\"\"\n"
          "TCPMSS=\"No\"\n"
          "RULE=\"protect against source-routed-packets\"\n"
          "RULE=\"protect against icmp-redirect\"\n"
          "RULE=\"protect against send-redirect\"\n"
          "RULE=\"protect against rp-filter\"\n"
          "RULE=\"protect against log-martians\"\n"
          "COMMENT=\"Local network interface.\"\n"
          "IPV6ADDRESS=\"fd00:1::1\"\n");
    // rules.conf holds only RULE lines, so -P prints it as it is.
    CHECK(output_of(cli, {"-P", "-r", "rules"}) == test::read_file(test::source_dir() / "rules/rules.conf"));
    // An empty list prints KEY="", as the original does; so does an empty ruleset.
    CHECK(output_of(cli, {"-P", "-r", "blocklist"}) == "RULE=\"\"\n");
    CHECK(output_of(cli, {"-P", "-r", "blocklist", "--rule-numbers"}) == "RULE=\"\"\n");
}

TEST_CASE("cli: -P shows repeated values, RANGE and the legacy INTERFACE key of an interface") {
    Cli cli;
    cli.write("services/multi", "ACTIVE=\"Yes\"\nTCP=\"80*1024:65535\"\nTCP=\"443*1024:65535\"\n"
                                "RANGE=\"17;53*1024:65535\"\nRANGE=\"47;*\"\nCOMMENT=\"two keys\"\n");
    cli.write("interfaces/old.conf", "ACTIVE=\"No\"\nINTERFACE=\"eth9\"\nCOMMENT=\"legacy\"\n");
    CHECK(output_of(cli, {"-P", "-s", "multi"}) ==
          "ACTIVE=\"Yes\"\n"
          "BROADCAST=\"\"\n"
          "HELPER=\"\"\n"
          "TCP=\"80*1024:65535\"\n"
          "TCP=\"443*1024:65535\"\n"
          "UDP=\"\"\n"
          "ICMP=\"\"\n"
          "GRE=\"\"\n"
          "AH=\"\"\n"
          "ESP=\"\"\n"
          "PROTO_41=\"\"\n"
          "COMMENT=\"two keys\"\n"
          "RANGE=\"17;53*1024:65535\"\n"
          "RANGE=\"47;*\"\n");
    CHECK(output_of(cli, {"-P", "-i", "old", "-V", "DEVICE"}) == "DEVICE=\"eth9\"\n");
}

TEST_CASE("cli: -P -V prints only that variable") {
    Cli cli;
    CHECK(output_of(cli, {"-P", "-o", "admin-pc.local.lan", "-V", "IPADDRESS"}) ==
          "IPADDRESS=\"192.168.1.10\"\n");
    CHECK(output_of(cli, {"-P", "-o", "admin-pc.local.lan", "--variable", "ipv6address"}) ==
          "IPV6ADDRESS=\"fd00:1::10\"\n");
    CHECK(output_of(cli, {"-P", "-z", "lan", "-V", "COMMENT"}) ==
          "COMMENT=\"Lan: Local Area Network. Put your LAN-network in here.\"\n");
    CHECK(output_of(cli, {"-P", "-n", "local.lan", "-V", "RULE"}) == "RULE=\"\"\n");
    CHECK(output_of(cli, {"-P", "-g", "admins.local.lan", "-V", "MEMBER"}) == "MEMBER=\"admin-pc\"\n");
    CHECK(output_of(cli, {"-P", "-s", "http", "-V", "TCP"}) == "TCP=\"80:81*1024:65535\"\n");
    CHECK(lines_of(output_of(cli, {"-P", "-i", "inet-nic", "-V", "RULE"})).size() == 5);
    // -V any is the original's default: every variable.
    CHECK(output_of(cli, {"-P", "-g", "admins.local.lan", "-V", "any"}) ==
          output_of(cli, {"-P", "-g", "admins.local.lan"}));
}

TEST_CASE("cli: -P -r rules --rule-numbers numbers the rules as %4u: RULE=...") {
    Cli cli;
    std::string out = output_of(cli, {"-P", "-r", "rules", "--rule-numbers"});
    Strings rules = lines_of(test::read_file(test::source_dir() / "rules/rules.conf"));
    REQUIRE(rules.size() >= 10);
    std::string expected;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        std::string n = std::to_string(i + 1);
        expected += std::string(4 - n.size(), ' ') + n + ": " + rules[i];
    }
    CHECK(out == expected);
    Strings got = lines_of(out);
    CHECK(got[0] == "   1: RULE=\"separator options comment=\\\"Firewall access\\\"\"\n");
    CHECK(got[9].substr(0, 12) == "  10: RULE=\"");
    CHECK(output_of(cli, {"-P", "-r", "rules", "--rule-numbers", "-V", "RULE"}) == out);
}

TEST_CASE("cli: -P of an object that does not exist exits 3 with one line on stderr") {
    Cli cli;
    const std::pair<std::string, std::string> cases[] = {
        {"-z", "nozone"}, {"-n", "nonet.lan"}, {"-o", "nohost.local.lan"},
        {"-g", "nogroup.local.lan"}, {"-s", "noservice"}, {"-i", "nonic"},
        {"-o", "admins.local.lan"},  // a group, not a host
    };
    const char* kinds[] = {"zone", "network", "host", "group", "service", "interface", "host"};
    for (std::size_t i = 0; i < std::size(cases); ++i) {
        auto r = cli.run({"-P", cases[i].first, cases[i].second});
        INFO(cases[i].second);
        CHECK(r.exit_code == 3);
        CHECK(r.out.empty());
        CHECK(r.err == "vuurmuur-script: error: " + std::string(kinds[i]) + " '" + cases[i].second +
                           "' not found\n");
    }
}

TEST_CASE("cli: usage errors exit 1 with the reason on stderr") {
    Cli cli;
    struct Case {
        Strings args;
        std::string first_line;
    };
    const Case cases[] = {
        // malformed names
        {{"-P", "-o", "admin-pc.lan"}, "vuurmuur-script: error: 'admin-pc.lan' is not a valid host name"},
        {{"-P", "-z", "bad name"}, "vuurmuur-script: error: 'bad name' is not a valid zone name"},
        {{"-P", "-s", "a.b"}, "vuurmuur-script: error: 'a.b' is not a valid service name"},
        {{"-P", "-r", "firewall"}, "vuurmuur-script: error: 'firewall' is not a valid ruleset name"},
        {{"-P", "-n", std::string(33, 'n') + ".lan"},
         "vuurmuur-script: error: '" + std::string(33, 'n') + ".lan' is not a valid network name"},
        // -P needs one object
        {{"-P", "-z", "any"}, "vuurmuur-script: error: -P prints one zone; 'any' is not one"},
        // unknown variables
        {{"-P", "-o", "admin-pc.local.lan", "-V", "NETMASK"},
         "vuurmuur-script: error: a host has no variable 'NETMASK'"},
        {{"-P", "-r", "rules", "-V", "COMMENT"}, "vuurmuur-script: error: a ruleset has no variable 'COMMENT'"},
        // two selectors, no selector, no mode, two modes
        {{"-P", "-o", "admin-pc.local.lan", "-z", "lan"},
         "vuurmuur-script: error: select only one object type (-o -g -n -z -s -i -r)"},
        {{"-L"}, "vuurmuur-script: error: -L -P -C -D -R and -M need an object type: -o -g -n -z -s -i or -r"},
        {{}, "vuurmuur-script: error: nothing to do: give a command or -L/-P/-C/-D/-R/-M (see --help)"},
        {{"-z", "lan"}, "vuurmuur-script: error: nothing to do: give a command or -L/-P/-C/-D/-R/-M (see --help)"},
        {{"-L", "-P", "-z", "lan"},
         "vuurmuur-script: error: give only one of the commands, -L -P -C -D -R -M, --block, "
         "--unblock, --list-blocked, --reload, --list-devices and --list-paths"},
        {{"frobnicate"}, "vuurmuur-script: error: unknown command 'frobnicate' (see --help)"},
    };
    for (const auto& c : cases) {
        auto r = cli.run(c.args);
        INFO(c.first_line);
        CHECK(r.exit_code == 1);
        CHECK(r.out.empty());
        CHECK(r.err.substr(0, r.err.find('\n')) == c.first_line);
    }
}

TEST_CASE("cli: --help and --version exit 0") {
    auto help = test::run_script({"--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.err.empty());
    CHECK(help.out.rfind("Usage: vuurmuur-script", 0) == 0);
    CHECK(help.out.find("--config-dir") != std::string::npos);
    CHECK(help.out.find("--rule-numbers") != std::string::npos);

    auto version = test::run_script({"--version"});
    CHECK(version.exit_code == 0);
    CHECK(version.err.empty());
    CHECK(version.out.rfind("vuurmuur-script ", 0) == 0);
    CHECK(lines_of(version.out).size() == 1);
}

TEST_CASE("cli: check on the shipped tree is clean") {
    Cli cli;
    auto r = cli.run({"check"});
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(r.out == cli.root() + ": 0 errors, 0 warnings\n");

    auto json = cli.run({"check", "--json"});
    CHECK(json.exit_code == 0);
    CHECK(json.err.empty());
    CHECK(json.out == "{\"version\":1,\"config_dir\":\"" + cli.root() +
                          "\",\"errors\":0,\"warnings\":0,\"diagnostics\":[]}\n");
}

TEST_CASE("cli: check reports a bad host address, rendered and as JSON") {
    Cli cli;
    cli.write("zones/lan/networks/local/hosts/admin-pc.host",
              "ACTIVE=\"Yes\"\nIPADDRESS=\"192.168.1.300\"\nMAC=\"\"\nCOMMENT=\"Administrator workstation.\"\n");
    auto r = cli.run({"check"});
    CHECK(r.exit_code == 1);
    CHECK(r.out == cli.root() + ": 1 error, 0 warnings\n");
    CHECK(r.err == cli.root() +
                       "/zones/lan/networks/local/hosts/admin-pc.host:2:12: error: '192.168.1.300' is "
                       "not an IPv4 address [bad-ipv4]\n"
                       "  hint: write four decimal numbers 0-255, like 192.168.1.10\n");

    auto json = cli.run({"check", "--json"});
    CHECK(json.exit_code == 1);
    CHECK(json.err.empty());
    CHECK(json.out == "{\"version\":1,\"config_dir\":\"" + cli.root() +
                          "\",\"errors\":1,\"warnings\":0,\"diagnostics\":[{\"severity\":\"error\","
                          "\"code\":\"bad-ipv4\",\"file\":\"zones/lan/networks/local/hosts/admin-pc.host\","
                          "\"line\":2,\"column\":12,\"message\":\"'192.168.1.300' is not an IPv4 address\","
                          "\"hint\":\"write four decimal numbers 0-255, like 192.168.1.10\"}]}\n");
}

TEST_CASE("cli: check --json escapes quotes and counts warnings") {
    Cli cli;
    cli.write("zones/lan/zone.config", "ACTIVE=\"Yes\"\nCOMMENT=\"no end\n");
    fs::permissions(fs::path(cli.root()) / "services/aim",
                    fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_write);
    auto json = cli.run({"check", "--json"});
    CHECK(json.exit_code == 1);
    CHECK(json.out == "{\"version\":1,\"config_dir\":\"" + cli.root() +
                          "\",\"errors\":1,\"warnings\":1,\"diagnostics\":["
                          "{\"severity\":\"warning\",\"code\":\"insecure-file\",\"file\":\"services/aim\","
                          "\"line\":0,\"column\":0,\"message\":\"group or others may write this file\","
                          "\"hint\":\"chmod 600 services/aim\"},"
                          "{\"severity\":\"error\",\"code\":\"syntax\",\"file\":\"zones/lan/zone.config\","
                          "\"line\":2,\"column\":9,\"message\":\"unbalanced quotes in the value of COMMENT\","
                          "\"hint\":\"write the value as KEY=\\\"value\\\"\"}]}\n");
}

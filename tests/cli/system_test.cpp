// SPDX-License-Identifier: GPL-2.0-or-later
// vuurmuur-script --list-devices and --list-paths (the original's wizard helpers).
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "e2e/netns.h"
#include "support/json_check.h"
#include "support/run_process.h"

using namespace vuurmuur;

TEST_CASE("cli: --list-devices prints dev ip netmask network broadcast, 'error' for what is missing") {
    std::string why;
    if (!test::e2e::Topology::available(why)) {
        WARN("SKIPPED: --list-devices is checked in a namespace of its own: " << why);
        return;
    }
    test::e2e::Namespace ns;
    auto ip = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"ip", "-n", ns.name()});
        auto r = test::e2e::run(args);
        REQUIRE(r.exit_code == 0);
    };
    ip({"link", "add", "vmld0", "type", "veth", "peer", "name", "vmld1"});
    ip({"addr", "add", "10.5.0.1/24", "brd", "+", "dev", "vmld0"});
    ip({"addr", "add", "10.6.0.9/16", "dev", "vmld0"});  // no broadcast address
    ip({"addr", "add", "192.0.2.1/32", "dev", "vmld1"});
    ip({"addr", "flush", "dev", "vmld1"});
    auto r = test::run_process(ns.argv({VM_BINARY_DIR "/vuurmuur-script", "--list-devices"}));
    REQUIRE(r.exit_code == 0);
    // Other devices the kernel may add to every namespace (sit0, ip6tnl0, ...) are left out here.
    std::string ours;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("lo ", 0) == 0 || line.rfind("vmld", 0) == 0) ours += line + "\n";
    }
    CHECK(ours ==
          "lo 127.0.0.1 255.0.0.0 127.0.0.0 error\n"
          "vmld1 error error error error\n"
          "vmld0 10.5.0.1 255.255.255.0 10.5.0.0 10.5.0.255\n"
          "vmld0 10.6.0.9 255.255.0.0 10.6.0.0 error\n");
}

TEST_CASE("cli: --list-paths prints five paths, the tree's from --config-dir and -c") {
    auto r = test::run_script({"--config-dir", "/srv/fw", "--list-paths"});
    REQUIRE(r.exit_code == 0);
    std::istringstream in(r.out);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    REQUIRE(lines.size() == 5);
    CHECK(lines[0].rfind("/", 0) == 0);
    CHECK(lines[0].size() >= 4);
    CHECK(lines[0].substr(lines[0].size() - 3) == "etc");
    CHECK(lines[1] == "/srv/fw");
    CHECK(lines[2] == "/srv/fw/config.conf");
    CHECK(lines[3] == "/srv/fw/plugins");
    CHECK(lines[4].rfind("/", 0) == 0);
    CHECK(lines[4].substr(lines[4].size() - 9) == "/vuurmuur");
    r = test::run_script({"--config-dir", "/srv/fw", "-c", "/tmp/other.conf", "--list-paths"});
    CHECK(r.out.find("\n/tmp/other.conf\n") != std::string::npos);
    CHECK(r.err == "");
}

TEST_CASE("cli: capabilities --json in a namespace: every documented member, filter required and there") {
    std::string why;
    if (!test::e2e::Topology::available(why)) {
        WARN("SKIPPED: capabilities is checked in a namespace of its own: " << why);
        return;
    }
    test::e2e::Namespace ns;
    const std::string before = ns.save(test::e2e::Family::ipv4);
    auto r = test::run_process(ns.argv({VM_BINARY_DIR "/vuurmuur-script", "capabilities", "--json"}));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto doc = test::parse_json(r.out);
    REQUIRE(doc);
    CHECK(doc->keys() == std::vector<std::string>{"version", "ipv6_kernel", "variant", "kernel_listing", "items", "notes"});
    const auto& items = doc->get("items")->array;
    REQUIRE(!items.empty());
    CHECK(items[0].keys() == std::vector<std::string>{"kind", "name", "required", "ipv4", "ipv6"});
    CHECK(items[0].get("name")->string == "filter");
    CHECK(items[0].get("required")->boolean == true);
    CHECK(items[0].get("ipv4")->get("available")->boolean == true);
    // Probing changed nothing.
    CHECK(ns.save(test::e2e::Family::ipv4) == before);
    // The text form has the same table.
    r = test::run_process(ns.argv({VM_BINARY_DIR "/vuurmuur-script", "capabilities"}));
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("table   filter      yes") != std::string::npos);
}

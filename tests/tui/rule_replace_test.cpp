// SPDX-License-Identifier: GPL-2.0-or-later
// Editor::rule_replace, the core addition behind the TUI's rule editor: one transaction, the
// inactive mark kept, and a rule that changed on disk since the caller read it not overwritten.
#include <catch2/catch.hpp>

#include "unit/edit/edit_fixture.h"

using namespace vuurmuur;
using edit::Status;
using test::EditFixture;

namespace {

const std::string kSep = "RULE=\"separator options comment=\\\"admin\\\"\"\n";
const std::string kSsh1 = "RULE=\"accept service ssh from pc1.local.lan to firewall options log,logprefix=\\\"ssh\\\"\"\n";
const std::string kSsh2 = "RULE=\"accept service ssh from admins.local.lan to firewall\"\n";
const std::string kComment = "# the web\n";
const std::string kHttp = "RULE=\"accept service http from local.lan to world.inet options out_int=\\\"inet-nic\\\"\"\n";
const std::string kDns = "RULE=\";accept service dns from pc1.local.lan to world.inet\"\n";

}  // namespace

TEST_CASE("rule_replace: replaces one rule in place, keeps the inactive mark, refuses a stale "
          "expectation",
          "[tui][edit]") {
    EditFixture f;
    auto& e = f.editor();
    const std::string before = kSep + kSsh1 + kSsh2 + kComment + kHttp + kDns;
    REQUIRE(f.file("rules/rules.conf") == before);

    auto r = e.rule_replace(3, "drop service http from admins.local.lan to firewall options comment=\"x\"",
                            std::string("accept service ssh from admins.local.lan to firewall"));
    CHECK(r.ok());
    CHECK(r.message == "replaced rule 3");
    const std::string drop = "RULE=\"drop service http from admins.local.lan to firewall options comment=\\\"x\\\"\"\n";
    CHECK(f.file("rules/rules.conf") == kSep + kSsh1 + drop + kComment + kHttp + kDns);

    r = e.rule_replace(5, "accept service http from pc1.local.lan to world.inet", std::nullopt);
    CHECK(r.ok());
    const std::string http_off = "RULE=\";accept service http from pc1.local.lan to world.inet\"\n";
    CHECK(f.file("rules/rules.conf") == kSep + kSsh1 + drop + kComment + kHttp + http_off);

    // Someone else changed rule 3 since it was read: nothing is written.
    const std::string now = f.file("rules/rules.conf");
    r = e.rule_replace(3, "accept service ssh from admins.local.lan to firewall",
                       std::string("accept service ssh from admins.local.lan to firewall"));
    CHECK(r.status == Status::DataInconsistency);
    CHECK(r.message == "rule 3 changed on disk since it was read: it is now "
                       "'drop service http from admins.local.lan to firewall options comment=\"x\"'");
    CHECK(f.file("rules/rules.conf") == now);

    CHECK(e.rule_replace(3, "accept service ssh from nosuch.local.lan to firewall", std::nullopt).status ==
          Status::DataInconsistency);
    CHECK(e.rule_replace(9, "accept service ssh from pc1.local.lan to firewall", std::nullopt).status ==
          Status::NotFound);
    CHECK(e.rule_replace(1, "accept service", std::nullopt).status == Status::CommandLine);
    CHECK(f.file("rules/rules.conf") == now);
}

// SPDX-License-Identifier: GPL-2.0-or-later
// The rules list (add at a position, move, activate, deactivate, delete) and the blocklist
// (block, unblock) of the editing API, with the exact rules.conf / blocklist.conf they leave.
#include <catch2/catch.hpp>

#include "unit/edit/edit_fixture.h"
#include "vuurmuur/config/store.h"
#include "vuurmuur/edit/rulesets.h"

using namespace vuurmuur;
using edit::Status;
using model::ObjectKind;
using test::EditFixture;

namespace {

const std::string kSep = "RULE=\"separator options comment=\\\"admin\\\"\"\n";
const std::string kSsh1 = "RULE=\"accept service ssh from pc1.local.lan to firewall options log,logprefix=\\\"ssh\\\"\"\n";
const std::string kSsh2 = "RULE=\"accept service ssh from admins.local.lan to firewall\"\n";
const std::string kComment = "# the web\n";
const std::string kHttp = "RULE=\"accept service http from local.lan to world.inet options out_int=\\\"inet-nic\\\"\"\n";
const std::string kDns = "RULE=\";accept service dns from pc1.local.lan to world.inet\"\n";

}  // namespace

TEST_CASE("rules: add, move, deactivate, activate and delete keep comments and other lines") {
    EditFixture f;
    auto& e = f.editor();
    REQUIRE(e.rule_add("DROP  service http from local.lan to firewall options comment=\"no web\",log", 2).ok());
    const std::string drop = "RULE=\"drop service http from local.lan to firewall options log,comment=\\\"no web\\\"\"\n";
    CHECK(f.file("rules/rules.conf") == kSep + drop + kSsh1 + kSsh2 + kComment + kHttp + kDns);
    REQUIRE(e.rule_add("accept service dns from local.lan to firewall", std::nullopt).ok());
    const std::string dns2 = "RULE=\"accept service dns from local.lan to firewall\"\n";
    CHECK(f.file("rules/rules.conf") == kSep + drop + kSsh1 + kSsh2 + kComment + kHttp + kDns + dns2);
    REQUIRE(e.rule_add("accept service dns from local.lan to world.inet", 8).ok());  // == count + 1
    const std::string dns3 = "RULE=\"accept service dns from local.lan to world.inet\"\n";

    REQUIRE(e.rule_move(2, 8).ok());  // the drop rule to the end
    CHECK(f.file("rules/rules.conf") == kSep + kSsh1 + kSsh2 + kComment + kHttp + kDns + dns2 + dns3 + drop);
    REQUIRE(e.rule_move(7, 1).ok());
    CHECK(f.file("rules/rules.conf") == dns3 + kSep + kSsh1 + kSsh2 + kComment + kHttp + kDns + dns2 + drop);
    REQUIRE(e.rule_move(5, 4).ok());  // http before ssh2; the comment line stays before ssh2's old place
    CHECK(f.file("rules/rules.conf") == dns3 + kSep + kSsh1 + kHttp + kSsh2 + kComment + kDns + dns2 + drop);

    REQUIRE(e.rule_set_active(2, false).ok());
    REQUIRE(e.rule_set_active(6, true).ok());  // the inactive dns rule
    const std::string sep_off = "RULE=\";separator options comment=\\\"admin\\\"\"\n";
    const std::string dns_on = "RULE=\"accept service dns from pc1.local.lan to world.inet\"\n";
    CHECK(f.file("rules/rules.conf") == dns3 + sep_off + kSsh1 + kHttp + kSsh2 + kComment + dns_on + dns2 + drop);
    auto again = e.rule_set_active(6, true);
    CHECK(again.ok());
    CHECK(again.message == "rule 6 is active already");

    REQUIRE(e.rule_delete(1).ok());
    REQUIRE(e.rule_delete(7).ok());
    CHECK(f.file("rules/rules.conf") == sep_off + kSsh1 + kHttp + kSsh2 + kComment + dns_on + dns2);

    auto records = f.audit();
    REQUIRE(records.size() == 10);
    CHECK(records[0] == edit::AuditRecord{"tester", "add", "ruleset", "rules", "RULE", "",
                                          "2: drop service http from local.lan to firewall options log,comment=\"no web\""});
    CHECK(records[3] == edit::AuditRecord{"tester", "move", "ruleset", "rules", "RULE",
                                          "2: drop service http from local.lan to firewall options log,comment=\"no web\"",
                                          "8: drop service http from local.lan to firewall options log,comment=\"no web\""});
    CHECK(records[6].action == "deactivate");
    CHECK(records[7].action == "activate");
    CHECK(records[9] == edit::AuditRecord{"tester", "delete", "ruleset", "rules", "RULE",
                                          "7: drop service http from local.lan to firewall options log,comment=\"no web\"", ""});
}

TEST_CASE("rules: bad numbers, bad rules and rules that do not fit the tree change nothing") {
    EditFixture f;
    auto& e = f.editor();
    CHECK(e.rule_move(0, 1).status == Status::NotFound);
    CHECK(e.rule_move(1, 6).status == Status::NotFound);
    CHECK(e.rule_move(6, 1).message == "there is no rule 6 (rules.conf has 5 rules)");
    CHECK(e.rule_delete(9).status == Status::NotFound);
    CHECK(e.rule_set_active(9, true).status == Status::NotFound);
    CHECK(e.rule_add("accept service http from local.lan to world.inet", 7).status == Status::CommandLine);
    CHECK(e.rule_add("accept service http from local.lan to world.inet", 0).status == Status::CommandLine);
    CHECK(e.rule_add("accept service http local.lan to world.inet", 1).status == Status::CommandLine);
    CHECK(e.rule_add("queue service http from local.lan to world.inet", 1).status == Status::CommandLine);
    CHECK(e.rule_add("accept service http from local.lan to world.inet options limit=\"fast\"", 1).status ==
          Status::CommandLine);
    CHECK(e.rule_add("accept service ping from local.lan to firewall", 1).status == Status::DataInconsistency);
    CHECK(e.rule_add("accept service http from local.lan to world.inet options in_int=\"wlan\"", 1).status ==
          Status::DataInconsistency);
    CHECK(e.rule_add("redirect service http from local.lan to world.inet", 1).status == Status::DataInconsistency);
    // An inactive rule is checked as if it were active.
    CHECK(e.rule_add(";accept service nosuch from local.lan to world.inet", 1).status ==
          Status::DataInconsistency);
    CHECK(f.file("rules/rules.conf") == test::kTestRules);
    CHECK(f.audit().empty());
}

TEST_CASE("rules: activating a rule that no longer fits the tree is refused") {
    EditFixture f;
    test::write_file(f.root() / "rules/rules.conf", "RULE=\";accept service gone from local.lan to firewall\"\n");
    auto r = f.editor().rule_set_active(1, true);
    CHECK(r.status == Status::DataInconsistency);
    CHECK(r.message.find("unknown service 'gone'") != std::string::npos);
    CHECK(f.editor().rule_set_active(1, false).ok());  // inactive already: nothing to check
}

TEST_CASE("rules: an empty RULE that hides rules is reported instead of edited around") {
    EditFixture f;
    const std::string hidden = "RULE=\"accept service ssh from local.lan to firewall\"\nRULE=\"\"\n"
                               "RULE=\"accept service http from local.lan to world.inet\"\n";
    test::write_file(f.root() / "rules/rules.conf", hidden);
    auto r = f.editor().rule_add("accept service dns from local.lan to world.inet", std::nullopt);
    CHECK(r.status == Status::DataInconsistency);
    CHECK(r.message.find("rules/rules.conf:2: an empty RULE=\"\" hides the values after it") == 0);
    CHECK(f.editor().rule_delete(1).status == Status::DataInconsistency);
    CHECK(f.file("rules/rules.conf") == hidden);
}

TEST_CASE("rules: a missing rules.conf is an empty list that add creates") {
    EditFixture f;
    std::filesystem::remove(f.root() / "rules/rules.conf");
    CHECK(f.editor().rule_delete(1).status == Status::NotFound);
    REQUIRE(f.editor().rule_add("accept service ssh from local.lan to firewall", std::nullopt).ok());
    CHECK(f.file("rules/rules.conf") == "RULE=\"accept service ssh from local.lan to firewall\"\n");
}

TEST_CASE("rules: modify -r rules appends or replaces the whole list, as the original") {
    EditFixture f;
    auto& e = f.editor();
    REQUIRE(e.modify(ObjectKind::Ruleset, "rules", "RULE", "accept service ssh from pc2.local.lan to firewall",
                     edit::WriteMode::Append).ok());
    CHECK(f.file("rules/rules.conf") ==
          std::string(test::kTestRules) + "RULE=\"accept service ssh from pc2.local.lan to firewall\"\n");
    REQUIRE(e.modify(ObjectKind::Ruleset, "rules", "RULE", "accept service ssh from pc2.local.lan to firewall",
                     edit::WriteMode::Overwrite).ok());
    // Comment lines stay.
    CHECK(f.file("rules/rules.conf") == "RULE=\"accept service ssh from pc2.local.lan to firewall\"\n# the web\n");
}

TEST_CASE("blocklist: block and unblock") {
    EditFixture f;
    auto& e = f.editor();
    REQUIRE(e.block("192.0.2.7").ok());
    REQUIRE(e.block("admins.local.lan").ok());
    REQUIRE(e.block("2001:db8::7").ok());
    CHECK(f.file("rules/blocklist.conf") ==
          std::string(test::kTestBlocklist) +
              "RULE=\"block 192.0.2.7\"\nRULE=\"block admins.local.lan\"\nRULE=\"block 2001:db8::7\"\n");
    CHECK(e.block("192.0.2.7").status == Status::AlreadyExists);
    CHECK(e.block("local.lan").status == Status::CommandLine);
    CHECK(e.block("lan").status == Status::CommandLine);
    CHECK(e.block("1.2.3.999").status == Status::CommandLine);
    CHECK(e.block("pc9.local.lan").status == Status::NotFound);
    REQUIRE(e.unblock("pc1.local.lan").ok());
    REQUIRE(e.unblock("192.0.2.7").ok());
    CHECK(f.file("rules/blocklist.conf") ==
          "# blocked\nRULE=\"block 10.9.9.9\"\nRULE=\"block admins.local.lan\"\nRULE=\"block 2001:db8::7\"\n");
    auto r = e.unblock("192.0.2.8");
    CHECK(r.status == Status::CommandLine);  // the original's code for "not in the blocklist"
    CHECK(r.message == "'192.0.2.8' is not in the blocklist");
    REQUIRE(f.audit().size() == 5);
    CHECK(f.audit()[3] == edit::AuditRecord{"tester", "unblock", "ruleset", "blocklist", "RULE",
                                            "block pc1.local.lan", ""});
}

TEST_CASE("blocklist: the first block of an empty list replaces a lone RULE=\"\"") {
    EditFixture f;
    test::write_file(f.root() / "rules/blocklist.conf", "RULE=\"\"\n");
    REQUIRE(f.editor().block("198.51.100.1").ok());
    CHECK(f.file("rules/blocklist.conf") == "RULE=\"block 198.51.100.1\"\n");
    std::filesystem::remove(f.root() / "rules/blocklist.conf");
    REQUIRE(f.editor().block("198.51.100.2").ok());
    CHECK(f.file("rules/blocklist.conf") == "RULE=\"block 198.51.100.2\"\n");
}

TEST_CASE("rulesets: list_rules and list_blocked read what the original reads") {
    EditFixture f;
    diag::Diagnostics diags;
    config::Store store(f.root());
    auto tree = store.load(diags);
    auto rules = edit::list_rules(tree);
    REQUIRE(rules.size() == 5);
    CHECK(rules[0].number == 1);
    CHECK(rules[0].text == "separator options comment=\"admin\"");
    CHECK(rules[0].rule->is_separator());
    CHECK(rules[3].line == 5);
    CHECK(rules[4].active == false);
    CHECK(rules[4].text == ";accept service dns from pc1.local.lan to world.inet");
    auto blocked = edit::list_blocked(tree);
    REQUIRE(blocked.size() == 2);
    CHECK(blocked[1].item == "pc1.local.lan");
    CHECK(blocked[1].line == 3);
}

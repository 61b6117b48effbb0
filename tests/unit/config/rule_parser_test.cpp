// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "vuurmuur/config/rule_parser.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/model/rule.h"

using namespace vuurmuur;
using config::format_rule;
using config::parse_rule;
using model::Action;

namespace {

const diag::Location kWhere{"rules/rules.conf", 3, 7};

/// Parses a rule that must be clean.
model::Rule parse_ok(const std::string& text) {
    diag::Diagnostics diags;
    auto rule = parse_rule(text, kWhere, diags);
    INFO(text);
    INFO(diag::render_all(diags, ""));
    CHECK(diags.all().empty());
    REQUIRE(rule.has_value());
    return *rule;
}

struct Parsed {
    std::optional<model::Rule> rule;
    std::string diagnostics;
};

Parsed parse_with_diags(const std::string& text) {
    diag::Diagnostics diags;
    auto rule = parse_rule(text, kWhere, diags);
    return {rule, diag::render_all(diags, "")};
}

}  // namespace

TEST_CASE("rule parser: every action parses and prints back") {
    struct Case {
        const char* word;
        Action action;
    };
    const Case cases[] = {
        {"accept", Action::Accept},   {"drop", Action::Drop},       {"reject", Action::Reject},
        {"log", Action::Log},         {"portfw", Action::Portfw},   {"redirect", Action::Redirect},
        {"snat", Action::Snat},       {"masq", Action::Masq},       {"dnat", Action::Dnat},
        {"bounce", Action::Bounce},   {"chain", Action::Chain},     {"nfqueue", Action::Nfqueue},
        {"nflog", Action::Nflog},
    };
    for (const auto& c : cases) {
        std::string text = std::string(c.word) + " service http from lan-net.lan to web.dmz-net.dmz";
        auto rule = parse_ok(text);
        CHECK(rule.action == c.action);
        CHECK(rule.active);
        CHECK(rule.service == "http");
        CHECK(rule.from == "lan-net.lan");
        CHECK(rule.to == "web.dmz-net.dmz");
        CHECK(rule.options == model::RuleOptions{});
        CHECK(format_rule(rule) == text);
    }
}

TEST_CASE("rule parser: action keywords are case-insensitive - spacing is normalised") {
    auto rule = parse_ok("  ACCEPT   service ssh\tfrom any  to firewall  ");
    CHECK(rule.action == Action::Accept);
    CHECK(format_rule(rule) == "accept service ssh from any to firewall");
    CHECK(rule.columns.action == 9);  // absolute: the text starts at column 7
    CHECK(rule.columns.service == 26);  // columns of the words after the keywords
    CHECK(rule.columns.from == 35);
    CHECK(rule.columns.to == 43);
}

TEST_CASE("rule parser: every option, in the library's order, round-trips") {
    // The options part of one rule may hold 256 characters, so all options take two rules.
    const std::string first =
        "accept service http from lan to inet options via_int=\"inet-nic\",in_int=\"lan-nic\","
        "out_int=\"inet-nic\",nfqueuenum=\"2:5\",nflognum=\"7\",chain=\"MYCHAIN\",log,"
        "loglimit=\"5\",logprefix=\"web-out\",listenport=\"80,8080:8090\",remoteport=\"8080\"";
    const std::string second =
        "accept service http from lan to inet options rejecttype=\"tcp-reset\","
        "redirectport=\"3128\",nfmark=\"4294967295\",limit=\"5/sec\",burst=\"10\","
        "in_max=\"1mbit\",out_max=\"100kbit\",in_min=\"2mbps\",out_min=\"50kbps\",prio=\"2\","
        "random,comment=\"all of them, with spaces\"";

    auto a = parse_ok(first);
    CHECK(a.options.via_int == "inet-nic");
    CHECK(a.options.in_int == "lan-nic");
    CHECK(a.options.out_int == "inet-nic");
    CHECK(a.options.nfqueuenum == model::QueueRange{2, 5});
    CHECK(a.options.nflognum == 7);
    CHECK(a.options.chain == "MYCHAIN");
    CHECK(a.options.log);
    CHECK(a.options.loglimit == 5u);
    CHECK(a.options.logprefix == "web-out");
    CHECK(a.options.listenport == std::vector<model::PortRange>{{80, 80}, {8080, 8090}});
    CHECK(a.options.remoteport == std::vector<model::PortRange>{{8080, 8080}});
    CHECK(format_rule(a) == first);
    // Columns of the options, for diagnostics.
    CHECK(a.columns.option("via_int") == 7 + static_cast<int>(first.find("via_int")));
    CHECK(a.columns.option("remoteport") == 7 + static_cast<int>(first.find("remoteport")));
    CHECK(a.columns.option("comment") == 0);

    auto b = parse_ok(second);
    CHECK(b.options.rejecttype == model::RejectType::TcpReset);
    CHECK(b.options.redirectport == 3128);
    CHECK(b.options.nfmark == 4294967295u);
    CHECK(b.options.limit == model::RateLimit{5, model::RateUnit::Second, true});
    CHECK(b.options.burst == 10u);
    CHECK(b.options.in_max == model::Bandwidth{1, model::BandwidthUnit::Mbit});
    CHECK(b.options.out_max == model::Bandwidth{100, model::BandwidthUnit::Kbit});
    CHECK(b.options.in_min == model::Bandwidth{2, model::BandwidthUnit::Mbps});
    CHECK(b.options.out_min == model::Bandwidth{50, model::BandwidthUnit::Kbps});
    CHECK(b.options.prio == 2u);
    CHECK(b.options.random);
    CHECK(b.options.comment == "all of them, with spaces");
    CHECK(format_rule(b) == second);
    CHECK(b.columns.option("comment") == 7 + static_cast<int>(second.find("comment=")));
}

TEST_CASE("rule parser: options print in the library's order whatever the input order") {
    auto rule = parse_ok(
        "accept service any from a.b to c.d options comment=\"x\",random,prio=\"1\","
        "limit=\"2/min\",log,chain=\"C\",via_int=\"v\"");
    CHECK(format_rule(rule) ==
          "accept service any from a.b to c.d options via_int=\"v\",chain=\"C\",log,"
          "limit=\"2/min\",prio=\"1\",random,comment=\"x\"");
}

TEST_CASE("rule parser: canonical rule texts round-trip exactly") {
    const std::vector<std::string> texts = {
        "accept service ssh from admins.local.lan to firewall options log,loglimit=\"1\","
        "logprefix=\"ssh-in\"",
        "accept service ping from any to firewall options limit=\"5/sec\",burst=\"10\"",
        "drop service any from world.inet to firewall options log,limit=\"10/min\"",
        "accept service any from a.b to c.d options limit=\"3/hour\"",
        "accept service any from a.b to c.d options limit=\"1000/day\"",
        "accept service any from a.b to c.d options limit=\"5\"",  // unit as written
        "reject service ident from world.inet to firewall options rejecttype=\"tcp-reset\"",
        "reject service x from a to b options rejecttype=\"icmp-net-unreachable\"",
        "reject service x from a to b options rejecttype=\"icmp-host-unreachable\"",
        "reject service x from a to b options rejecttype=\"icmp-proto-unreachable\"",
        "reject service x from a to b options rejecttype=\"icmp-port-unreachable\"",
        "reject service x from a to b options rejecttype=\"icmp-net-prohibited\"",
        "reject service x from a to b options rejecttype=\"icmp-host-prohibited\"",
        "portfw service http from world.inet to server.local.lan options listenport=\"8080\","
        "remoteport=\"80\"",
        "redirect service http from local.lan to world.inet options redirectport=\"3128\"",
        "masq service any from local.lan to world.inet options out_int=\"inet-nic\",random",
        "bounce service http from local.lan to server.local.lan options via_int=\"inet-nic\"",
        "chain service any from world.inet to firewall options chain=\"MY_CHAIN-1\"",
        "nfqueue service smtp from world.inet to server.local.lan options nfqueuenum=\"2\"",
        "nflog service ntp from local.lan to firewall options nflognum=\"5\"",
        "accept service samba from local.lan to local.lan(broadcast)",
        "accept service all from any to any",
        ";accept service irc from local.lan to world.inet",
        ";drop service any from any to any options log",
        "separator",
        "separator options comment=\"INPUT rules\"",
        ";separator options comment=\"disabled section\"",
    };
    for (const auto& text : texts) {
        CAPTURE(text);
        CHECK(format_rule(parse_ok(text)) == text);
    }
}

TEST_CASE("rule parser: inactive rules") {
    auto rule = parse_ok(";accept service irc from local.lan to world.inet");
    CHECK_FALSE(rule.active);
    CHECK(rule.action == Action::Accept);
    CHECK(rule.columns.action == 8);

    auto spaced = parse_ok(" ; drop service any from any to any");
    CHECK_FALSE(spaced.active);
    CHECK(spaced.action == Action::Drop);
    CHECK(format_rule(spaced) == ";drop service any from any to any");
}

TEST_CASE("rule parser: separators, including the legacy spelling") {
    auto plain = parse_ok("separator");
    CHECK(plain.is_separator());
    CHECK(plain.service.empty());
    CHECK(plain.from.empty());
    CHECK(plain.to.empty());

    auto legacy = parse_ok("sepparator options comment=\"Firewall outbound\"");
    CHECK(legacy.is_separator());
    CHECK(legacy.options.comment == "Firewall outbound");
    CHECK(format_rule(legacy) == "separator options comment=\"Firewall outbound\"");

    CHECK(parse_ok("SepParator").is_separator());
}

TEST_CASE("rule parser: escaped and raw inner quotes") {
    auto escaped = parse_ok("separator options comment=\\\"Firewall access\\\"");
    CHECK(escaped.options.comment == "Firewall access");
    CHECK(format_rule(escaped) == "separator options comment=\"Firewall access\"");

    auto raw = parse_ok("separator options comment=\"Firewall access\"");
    CHECK(raw.options == escaped.options);

    // Both forms mixed in one rule, as hand-edited files have them.
    auto mixed = parse_ok(
        "accept service ssh from a.b to firewall options log,loglimit=\"5\","
        "logprefix=\\\"ssh\\\",comment=\"admin ssh\"");
    CHECK(mixed.options.loglimit == 5u);
    CHECK(mixed.options.logprefix == "ssh");
    CHECK(mixed.options.comment == "admin ssh");

    // Unquoted values are read up to the next comma.
    auto bare = parse_ok("accept service ssh from a.b to firewall options nfmark=7,log");
    CHECK(bare.options.nfmark == 7u);
    CHECK(bare.options.log);
    auto tabbed = parse_ok("accept service ssh from a.b to firewall options nfmark=7\t,log");
    CHECK(tabbed.options.nfmark == 7u);
    CHECK(tabbed.options.log);

    CHECK(config::escape_rule_value("separator options comment=\"x\"") ==
          "separator options comment=\\\"x\\\"");
    // Already escaped quotes are not escaped twice.
    CHECK(config::escape_rule_value("comment=\\\"x\\\"") == "comment=\\\"x\\\"");
}

TEST_CASE("rule parser: legacy int= is via_int") {
    auto rule = parse_ok("bounce service http from local.lan to server.local.lan options int=\"inet-nic\"");
    CHECK(rule.options.via_int == "inet-nic");
    CHECK(rule.columns.option("via_int") == 70);  // where "int" is written
    CHECK(format_rule(rule) ==
          "bounce service http from local.lan to server.local.lan options via_int=\"inet-nic\"");
}

TEST_CASE("rule parser: limit units and obsolete options") {
    auto rule = parse_ok("accept service any from a.b to c.d options limit=\"5/second\"");
    CHECK(rule.options.limit == model::RateLimit{5, model::RateUnit::Second, true});
    CHECK(format_rule(rule) == "accept service any from a.b to c.d options limit=\"5/sec\"");

    // markiptstate and the queue option are accepted and dropped.
    auto obsolete = parse_ok("accept service any from a.b to c.d options markiptstate,queue,log");
    CHECK(obsolete.options.log);
    CHECK(format_rule(obsolete) == "accept service any from a.b to c.d options log");
}

TEST_CASE("rule parser: legacy protect rules are ignored with a warning") {
    auto p = parse_with_diags("protect against spoofing from class-a");
    CHECK_FALSE(p.rule.has_value());
    CHECK(p.diagnostics ==
          "rules/rules.conf:3:7: warning: 'protect' rules in rules.conf are ignored [obsolete]\n"
          "  hint: anti-spoofing and DHCP are network RULEs; kernel protections are interface "
          "RULEs\n");
}

TEST_CASE("rule parser: the removed queue action is an error") {
    auto p = parse_with_diags("queue service http from any to firewall");
    CHECK_FALSE(p.rule.has_value());
    CHECK(p.diagnostics ==
          "rules/rules.conf:3:7: error: the 'queue' action was removed (ip_queue no longer "
          "exists) [rule-syntax]\n"
          "  hint: use 'nfqueue' with options nfqueuenum=\"N\"\n");
}

TEST_CASE("rule parser: syntax errors point at the offending word") {
    struct Case {
        std::string text;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {"acept service ssh from any to firewall",
         "rules/rules.conf:3:7: error: unknown action 'acept' [rule-syntax]\n"
         "  hint: did you mean 'accept'?\n"},
        {"",
         "rules/rules.conf:3:7: error: empty rule [rule-syntax]\n"
         "  hint: actions: accept, drop, reject, log, portfw, redirect, snat, masq, dnat, bounce, "
         "chain, nfqueue, nflog, separator\n"},
        {"accept service ssh from lan-net.lan firewall",
         "rules/rules.conf:3:43: error: expected 'to', got 'firewall' [rule-syntax]\n"
         "  hint: rules read: action service NAME from OBJECT to OBJECT [options ...]\n"},
        {"accept ssh from any to firewall",
         "rules/rules.conf:3:14: error: expected 'service', got 'ssh' [rule-syntax]\n"
         "  hint: rules read: action service NAME from OBJECT to OBJECT [options ...]\n"},
        {"accept service ssh from any to",
         "rules/rules.conf:3:37: error: missing destination after 'to' [rule-syntax]\n"},
        {"accept service ssh from any to firewall log",
         "rules/rules.conf:3:47: error: unexpected 'log' [rule-syntax]\n"
         "  hint: only 'options ...' may follow the destination\n"},
        {"accept service ssh from any to firewall options log comment=\"x\"",
         "rules/rules.conf:3:59: error: expected ',' between options, got 'comment=\"x\"' "
         "[rule-syntax]\n"
         "  hint: options are written as name or name=\"value\", separated by commas\n"},
        {"accept service ssh from any to firewall options comment=\"open",
         "rules/rules.conf:3:55: error: missing closing quote in the value of option 'comment' "
         "[rule-syntax]\n"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        auto p = parse_with_diags(c.text);
        CHECK(p.diagnostics == c.expected);
    }
    CHECK_FALSE(parse_with_diags("accept service ssh from lan-net.lan firewall").rule.has_value());
    CHECK_FALSE(parse_with_diags("accept service ssh from any to firewall log").rule.has_value());
}

TEST_CASE("rule parser: option errors - the rule is kept without the bad option") {
    struct Case {
        std::string options;
        std::string expected;
    };
    // "accept service ssh from any to firewall options " is 48 characters: options start at 55.
    const std::vector<Case> cases = {
        {"comennt=\"web\"",
         "rules/rules.conf:3:55: error: unknown option 'comennt' [unknown-option]\n"
         "  hint: did you mean 'comment'?\n"},
        {"log,logprefix=\"ssh-from-internet\"",
         "rules/rules.conf:3:70: error: bad value 'ssh-from-internet' for option 'logprefix': log "
         "prefix is 17 characters; at most 14 fit [bad-option]\n"},
        {"nfqueuenum=\"70000\"",
         "rules/rules.conf:3:67: error: bad value '70000' for option 'nfqueuenum': expected a queue "
         "number from 0 to 65535, or a range N:M [bad-option]\n"},
        {"nfqueuenum=\"5:2\"",
         "rules/rules.conf:3:67: error: bad value '5:2' for option 'nfqueuenum': expected a queue "
         "number from 0 to 65535, or a range N:M [bad-option]\n"},
        {"nflognum=\"65536\"",
         "rules/rules.conf:3:65: error: bad value '65536' for option 'nflognum': expected an NFLOG "
         "group from 0 to 65535 [bad-option]\n"},
        {"redirectport=\"0\"",
         "rules/rules.conf:3:69: error: bad value '0' for option 'redirectport': expected a port "
         "from 1 to 65535 [bad-option]\n"},
        {"rejecttype=\"icmp-bogus\"",
         "rules/rules.conf:3:67: error: bad value 'icmp-bogus' for option 'rejecttype': expected "
         "one of icmp-net-unreachable, icmp-host-unreachable, icmp-proto-unreachable, "
         "icmp-port-unreachable, icmp-net-prohibited, icmp-host-prohibited, tcp-reset "
         "[bad-option]\n"},
        {"limit=\"5/week\"",
         "rules/rules.conf:3:62: error: bad value '5/week' for option 'limit': expected a rate "
         "like 5, 5/sec, 10/min, 100/hour or 1000/day [bad-option]\n"},
        {"limit=\"0\"",
         "rules/rules.conf:3:62: error: bad value '0' for option 'limit': expected a rate from 1 "
         "to 10000, like 5/sec [bad-option]\n"},
        {"in_max=\"10gbit\"",
         "rules/rules.conf:3:63: error: bad value '10gbit' for option 'in_max': expected a "
         "bandwidth like 100kbit, 10mbit, 50kbps or 2mbps [bad-option]\n"},
        {"listenport=\"80,90:80\"",
         "rules/rules.conf:3:67: error: bad value '80,90:80' for option 'listenport': expected "
         "ports like 80 or 8080:8090, separated by commas [bad-option]\n"},
        {"in_int=\"eth0:1\"",
         "rules/rules.conf:3:63: error: bad value 'eth0:1' for option 'in_int': expected an "
         "interface name ([a-zA-Z0-9_-], 1-32 characters) [bad-option]\n"},
        {"chain=\"has space\"",
         "rules/rules.conf:3:62: error: bad value 'has space' for option 'chain': expected a chain "
         "name ([a-zA-Z0-9_-], 1-28 characters) [bad-option]\n"},
        {"prio=\"256\"",
         "rules/rules.conf:3:61: error: bad value '256' for option 'prio': expected a number from "
         "0 to 255 [bad-option]\n"},
        {"comment",
         "rules/rules.conf:3:55: error: option 'comment' needs a value [bad-option]\n"
         "  hint: comment=\"...\"\n"},
        {"log=\"yes\"",
         "rules/rules.conf:3:55: error: option 'log' takes no value [bad-option]\n"},
    };
    for (const auto& c : cases) {
        std::string text = "accept service ssh from any to firewall options " + c.options;
        CAPTURE(text);
        auto p = parse_with_diags(text);
        CHECK(p.diagnostics == c.expected);
        REQUIRE(p.rule.has_value());
        CHECK(p.rule->action == Action::Accept);
    }
    // The bad option is left out, the good ones stay.
    auto p = parse_with_diags("accept service ssh from any to firewall options log,nflognum=\"x\",random");
    REQUIRE(p.rule.has_value());
    CHECK(p.rule->options.log);
    CHECK(p.rule->options.random);
    CHECK_FALSE(p.rule->options.nflognum.has_value());
}

TEST_CASE("rule parser: length limits") {
    std::string comment_ok(128, 'c');
    auto ok = parse_ok("separator options comment=\"" + comment_ok + "\"");
    CHECK(ok.options.comment == comment_ok);

    auto too_long_comment = parse_with_diags("separator options comment=\"" + std::string(129, 'c') + "\"");
    CHECK(too_long_comment.diagnostics ==
          "rules/rules.conf:3:34: error: bad value "
          "'cccccccccccccccccccccccccccccccccccccccc...' for option 'comment': comment is 129 "
          "characters; at most 128 fit [bad-option]\n");

    auto prefix_ok = parse_ok("log service any from any to any options logprefix=\"12345678901234\"");
    CHECK(prefix_ok.options.logprefix == "12345678901234");

    // A rule of exactly 512 characters is fine ...
    std::string base = "accept service ssh from any to firewall";
    std::string exact = base + std::string(512 - base.size(), ' ');
    REQUIRE(exact.size() == 512);
    CHECK(parse_with_diags(exact).diagnostics.empty());
    // ... one more is too long; the diagnostic points at the first character past the limit.
    auto too_long = parse_with_diags(exact + "x");
    CHECK_FALSE(too_long.rule.has_value());
    CHECK(too_long.diagnostics ==
          "rules/rules.conf:3:519: error: rule is 513 characters; at most 512 fit [too-long]\n");

    // The options part has its own limit of 256 characters.
    std::string opts = "accept service ssh from any to firewall options comment=\"" +
                       std::string(120, 'a') + "\",logprefix=\"" + std::string(120, 'b') + "\"";
    auto long_options = parse_with_diags(opts);
    CHECK_FALSE(long_options.rule.has_value());
    CHECK(long_options.diagnostics ==
          "rules/rules.conf:3:47: error: options are 263 characters; at most 256 fit [too-long]\n");
}

TEST_CASE("rule parser: control characters are rejected") {
    auto p = parse_with_diags(std::string("accept service ssh from any to firewall options comment=\"a\x01\"") );
    CHECK_FALSE(p.rule.has_value());
    CHECK(p.diagnostics ==
          "rules/rules.conf:3:7: error: rule contains control characters or invalid UTF-8 "
          "[rule-syntax]\n");
}

TEST_CASE("rule parser: a location without a column starts at column 1") {
    diag::Diagnostics diags;
    auto rule = parse_rule("drop service any from any to any", {"r", 1, 0}, diags);
    REQUIRE(rule.has_value());
    CHECK(rule->location == diag::Location{"r", 1, 1});
    CHECK(rule->columns.to == 30);
    CHECK(rule->at(rule->columns.to) == diag::Location{"r", 1, 30});
    CHECK(rule->at(0) == diag::Location{"r", 1, 1});
}

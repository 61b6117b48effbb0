// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "vuurmuur/config/kvfile.h"
#include "vuurmuur/diag/diagnostic.h"

using vuurmuur::config::KvFile;
using vuurmuur::config::KvLine;
namespace diag = vuurmuur::diag;

namespace {

KvFile parse_clean(const std::string& text, const std::string& path = "x.conf") {
    diag::Diagnostics diags;
    KvFile file = KvFile::parse(text, path, diags);
    INFO(diag::render_all(diags, ""));
    CHECK(diags.all().empty());
    return file;
}

std::vector<std::string> values_of(const std::vector<const KvLine*>& lines) {
    std::vector<std::string> out;
    for (const KvLine* l : lines) out.push_back(l->value);
    return out;
}

std::vector<KvLine::Kind> kinds(const KvFile& file) {
    std::vector<KvLine::Kind> out;
    for (const auto& l : file.lines()) out.push_back(l.kind);
    return out;
}

using K = KvLine::Kind;
using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("kvfile: unmodified files serialise back byte for byte") {
    const std::vector<std::string> texts = {
        "",
        "\n",
        "\n\n",
        "ACTIVE=\"Yes\"\n",
        "ACTIVE=\"Yes\"",                                    // no final newline
        "# comment\nACTIVE=\"Yes\"\n\nCOMMENT=\"a b\"\n",   // comments and blank lines
        "ACTIVE=\"Yes\"\r\nCOMMENT=\"dos\"\r\n",             // CRLF
        "ACTIVE=\"Yes\"\r\nCOMMENT=\"dos\"",                 // CRLF, no final newline
        " ACTIVE=\"No\"\n\tCOMMENT=\"x\"\nACTIVE=\"Yes\"\n",  // leading space/tab: comments
        "ACTIVE=Yes\n",                                      // unquoted
        "RULE=\"accept service ssh from a.b.c to firewall options comment=\"x\"\"\n",
        "RULE=\"separator options comment=\\\"x\\\"\"\n",
        "this is not a key line\nACTIVE=\"Yes\"\n",           // invalid lines are kept
        "   \n\t\n",                                          // whitespace-only lines
    };
    for (const auto& text : texts) {
        CAPTURE(text);
        diag::Diagnostics diags;
        KvFile file = KvFile::parse(text, "x.conf", diags);
        CHECK(file.serialize() == text);
        CHECK_FALSE(file.modified());
    }
}

TEST_CASE("kvfile: line kinds, keys, values and value columns") {
    KvFile file = parse_clean(
        "# head\n"
        "active=\"Yes\"\n"
        "\n"
        " INDENTED=\"is a comment\"\n"
        "\tTABBED=\"too\"\n"
        "COMMENT=unquoted value\n"
        "RULE=\"a \"quoted\" word\"\r\n"
        "EMPTY=\"\"\n");
    CHECK(kinds(file) == std::vector<K>{K::Comment, K::Entry, K::Blank, K::Comment, K::Comment,
                                        K::Entry, K::Entry, K::Entry});
    const auto& l = file.lines();
    CHECK(l[1].key == "ACTIVE");  // keys are upper-cased on read
    CHECK(l[1].value == "Yes");
    CHECK(l[1].value_column == 9);
    CHECK(l[1].raw == "active=\"Yes\"");
    CHECK(l[5].key == "COMMENT");
    CHECK(l[5].value == "unquoted value");
    CHECK(l[5].value_column == 9);  // no quote to skip
    CHECK(l[6].key == "RULE");
    CHECK(l[6].value == "a \"quoted\" word");  // only the outer quotes are removed
    CHECK(l[6].value_column == 7);
    CHECK(l[6].raw == "RULE=\"a \"quoted\" word\"\r");  // raw keeps the CR
    CHECK(l[7].value.empty());
    CHECK(l[7].value_column == 8);

    CHECK(file.first("Active") == &l[1]);
    CHECK(file.first("INDENTED") == nullptr);
    CHECK(file.first("TABBED") == nullptr);
    CHECK(file.line_of(&l[6]) == 7);
    CHECK(file.location_of(&l[6]) == diag::Location{"x.conf", 7, 7});
}

TEST_CASE("kvfile: first() takes the first of repeated keys - entries() keeps file order") {
    KvFile file = parse_clean("A=\"1\"\nB=\"x\"\na=\"2\"\nA=\"3\"\n");
    REQUIRE(file.first("A") != nullptr);
    CHECK(file.first("A")->value == "1");
    CHECK(values_of(file.entries("a")) == Strings{"1", "2", "3"});
    CHECK(file.entries("C").empty());
}

TEST_CASE("kvfile: values() stops at the first empty value, as the original does") {
    KvFile file = parse_clean(
        "RULE=\"one\"\n"
        "RULE=\"two\"\n"
        "RULE=\"\"\n"
        "RULE=\"hidden\"\n");
    CHECK(values_of(file.values("RULE")) == Strings{"one", "two"});
    CHECK(values_of(file.entries("RULE")) == Strings{"one", "two", "", "hidden"});

    KvFile first_empty = parse_clean("RULE=\"\"\nRULE=\"x\"\nRULE=\"y\"\n");
    CHECK(first_empty.values("RULE").empty());
    CHECK(first_empty.entries("RULE").size() == 3);

    KvFile only_empty = parse_clean("MEMBER=\"\"\n");
    CHECK(only_empty.values("MEMBER").empty());
}

TEST_CASE("kvfile: malformed lines are reported with their exact location") {
    diag::Diagnostics diags;
    KvFile file = KvFile::parse(
        "ACTIVE=\"Yes\"\n"
        "COMMENT \"no equals\"\n"
        "MY-KEY=\"x\"\n"
        "=\"no key\"\n"
        "COMMENT=\"unbalanced\n"
        "COMMENT=un\"balanced\n",
        "zones/lan/zone.config", diags);
    CHECK(kinds(file) == std::vector<K>{K::Entry, K::Invalid, K::Invalid, K::Invalid, K::Invalid,
                                        K::Invalid});
    CHECK(diag::render_all(diags, "") ==
          "zones/lan/zone.config:2:8: error: expected KEY=\"value\", got 'COMMENT \"no equals\"' "
          "[syntax]\n"
          "  hint: keys are letters, digits and '_', followed by '=' and a quoted value\n"
          "zones/lan/zone.config:3:3: error: expected KEY=\"value\", got 'MY-KEY=\"x\"' [syntax]\n"
          "  hint: keys are letters, digits and '_', followed by '=' and a quoted value\n"
          "zones/lan/zone.config:4:1: error: expected KEY=\"value\", got '=\"no key\"' [syntax]\n"
          "  hint: keys are letters, digits and '_', followed by '=' and a quoted value\n"
          "zones/lan/zone.config:5:9: error: unbalanced quotes in the value of COMMENT [syntax]\n"
          "  hint: write the value as KEY=\"value\"\n"
          "zones/lan/zone.config:6:9: error: unbalanced quotes in the value of COMMENT [syntax]\n"
          "  hint: write the value as KEY=\"value\"\n");
    // Invalid lines are kept as they are.
    CHECK(file.serialize() ==
          "ACTIVE=\"Yes\"\nCOMMENT \"no equals\"\nMY-KEY=\"x\"\n=\"no key\"\n"
          "COMMENT=\"unbalanced\nCOMMENT=un\"balanced\n");
    CHECK(file.first("COMMENT") == nullptr);
}

TEST_CASE("kvfile: a line longer than the limit is reported and kept") {
    std::string long_line = "COMMENT=\"" + std::string(5000, 'x') + "\"";
    std::string text = "ACTIVE=\"Yes\"\n" + long_line + "\n";
    diag::Diagnostics diags;
    KvFile file = KvFile::parse(text, "services/big", diags);
    CHECK(diag::render_all(diags, "") ==
          "services/big:2:4097: error: line is 5010 bytes long; the limit is 4096 [too-long]\n");
    CHECK(file.lines()[1].kind == K::Invalid);
    CHECK(file.first("COMMENT") == nullptr);
    CHECK(file.serialize() == text);
}

TEST_CASE("kvfile: set() replaces every line of a key at the first one's position") {
    KvFile file = parse_clean(
        "# head\n"
        "ACTIVE=\"Yes\"\n"
        "RULE=\"a\"\n"
        "COMMENT=\"c\"\n"
        "rule=\"b\"\n");
    file.set("RULE", {"x", "y"});
    CHECK(file.modified());
    CHECK(file.serialize() ==
          "# head\n"
          "ACTIVE=\"Yes\"\n"
          "RULE=\"x\"\n"
          "RULE=\"y\"\n"
          "COMMENT=\"c\"\n");
    CHECK(values_of(file.values("RULE")) == Strings{"x", "y"});

    file.set("rule", {});  // an empty list writes one empty line
    CHECK(file.serialize() == "# head\nACTIVE=\"Yes\"\nRULE=\"\"\nCOMMENT=\"c\"\n");

    file.set("comment", {"new"});  // keys are written upper-case
    CHECK(file.serialize() == "# head\nACTIVE=\"Yes\"\nRULE=\"\"\nCOMMENT=\"new\"\n");
    REQUIRE(file.first("COMMENT") != nullptr);
    CHECK(file.first("COMMENT")->value_column == 10);
}

TEST_CASE("kvfile: set() of an absent key appends - a missing final newline is added") {
    KvFile file = parse_clean("ACTIVE=\"Yes\"");
    file.set("COMMENT", {"z"});
    CHECK(file.serialize() == "ACTIVE=\"Yes\"\nCOMMENT=\"z\"\n");

    KvFile fresh = KvFile::empty("zones/new/zone.config");
    CHECK(fresh.path() == "zones/new/zone.config");
    CHECK(fresh.serialize().empty());
    fresh.set("ACTIVE", {"Yes"});
    fresh.set("COMMENT", {"with \"quotes\""});
    CHECK(fresh.serialize() == "ACTIVE=\"Yes\"\nCOMMENT=\"with \"quotes\"\"\n");
}

TEST_CASE("kvfile: append() adds after the last line of the key") {
    KvFile file = parse_clean("ACTIVE=\"Yes\"\nMEMBER=\"a\"\nMEMBER=\"b\"\nCOMMENT=\"c\"\n");
    file.append("MEMBER", "z");
    CHECK(file.serialize() ==
          "ACTIVE=\"Yes\"\nMEMBER=\"a\"\nMEMBER=\"b\"\nMEMBER=\"z\"\nCOMMENT=\"c\"\n");
    CHECK(file.modified());

    KvFile lone_empty = parse_clean("ACTIVE=\"Yes\"\nMEMBER=\"\"\nCOMMENT=\"c\"\n");
    lone_empty.append("member", "a");  // replaces the lone MEMBER=""
    CHECK(lone_empty.serialize() == "ACTIVE=\"Yes\"\nMEMBER=\"a\"\nCOMMENT=\"c\"\n");

    KvFile absent = parse_clean("ACTIVE=\"Yes\"");
    absent.append("RULE", "accept service ssh from any to firewall");
    CHECK(absent.serialize() == "ACTIVE=\"Yes\"\nRULE=\"accept service ssh from any to firewall\"\n");
}

TEST_CASE("kvfile: erase() removes every line of the key") {
    KvFile file = parse_clean("# c\nRULE=\"a\"\nACTIVE=\"Yes\"\nrule=\"b\"\n");
    file.erase("NOPE");
    CHECK_FALSE(file.modified());
    file.erase("Rule");
    CHECK(file.modified());
    CHECK(file.serialize() == "# c\nACTIVE=\"Yes\"\n");
    CHECK(file.entries("RULE").empty());
}

TEST_CASE("kvfile: format_entry writes KEY=\"value\" with an upper-case key") {
    CHECK(KvFile::format_entry("comment", "x y") == "COMMENT=\"x y\"");
    CHECK(KvFile::format_entry("RULE", "") == "RULE=\"\"");
}

// SPDX-License-Identifier: GPL-2.0-or-later
// Broken, hostile or strange input files: each gets its diagnostic, never a crash or a hang.
// Every case starts from the shipped tree, plants one bad input and checks the exact rendered
// diagnostics. (100,001 files in one directory, the entry limit, takes too long to test.)
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "support/temp_tree.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/pipeline.h"

using namespace vuurmuur;
using namespace std::string_literals;
namespace fs = std::filesystem;

namespace {

const std::string kHosts = "zones/lan/networks/local/hosts";

/// Kills the test binary with SIGALRM (Catch2 leaves it alone) should a load hang.
class Deadline {
public:
    explicit Deadline(unsigned seconds) { ::alarm(seconds); }
    ~Deadline() { ::alarm(0); }
    Deadline(const Deadline&) = delete;
    Deadline& operator=(const Deadline&) = delete;
};

/// A copy of the shipped tree to break.
class Tree {
public:
    Tree() { test::copy_default_tree(dir_.path()); }
    fs::path path(const std::string& rel) const { return dir_.path() / rel; }
    void write(const std::string& rel, const std::string& content) const { dir_.write(rel, content); }
    void remove(const std::string& rel) const { fs::remove(path(rel)); }
    void chmod(const std::string& rel, fs::perms perms) const { fs::permissions(path(rel), perms); }

    /// Runs the whole load and returns every diagnostic, rendered without a root.
    std::string load(Loaded* out = nullptr) const {
        diag::Diagnostics diags;
        Loaded loaded;
        {
            Deadline deadline(60);
            loaded = load_and_check(dir_.path(), diags);
        }
        diags.sort();
        if (out != nullptr) *out = std::move(loaded);
        return diag::render_all(diags, "");
    }

private:
    test::TempDir dir_;
};

const std::string kPrinter = "ACTIVE=\"Yes\"\nIPADDRESS=\"192.168.1.20\"\nCOMMENT=\"printer\"\n";

}  // namespace

TEST_CASE("bad input: a service file with NUL bytes is a binary-file error") {
    Tree t;
    t.write("services/aim", "ACTIVE=\"Yes\"\nTCP=\"5190*1024:65535\"\nBIN\0\0ARY\nCOMMENT=\"x\"\n"s);
    Loaded loaded;
    CHECK(t.load(&loaded) ==
          "services/aim:3: error: file contains a NUL byte; it is not a text config file "
          "[binary-file]\n");
    CHECK(loaded.config.find_service("aim") == nullptr);
    CHECK(loaded.config.find_service("ssh") != nullptr);
}

TEST_CASE("bad input: a rules.conf over 16 MiB is file-too-large and is not read") {
    for (std::uintmax_t size : {std::uintmax_t{16} * 1024 * 1024 + 1, std::uintmax_t{20} * 1024 * 1024}) {
        Tree t;
        fs::resize_file(t.path("rules/rules.conf"), size);  // sparse: quick to make, never read
        Loaded loaded;
        CHECK(t.load(&loaded) == "rules/rules.conf: error: file is " + std::to_string(size) +
                                     " bytes; the limit is 16777216 [file-too-large]\n");
        CHECK(loaded.config.rules.empty());
    }
}

TEST_CASE("bad input: a line over 4096 bytes is too-long - the rest of the file is read") {
    Tree t;
    t.write("services/aim", "ACTIVE=\"Yes\"\nTCP=\"5190*1024:65535\"\nCOMMENT=\"" +
                                std::string(1024 * 1024, 'x') + "\"\nUDP=\"5190*1024:65535\"\n");
    t.write("services/cvs", "# " + std::string(4094, 'c') + "\nACTIVE=\"Yes\"\nTCP=\"2401*1024:65535\"\n");
    t.write("services/git", "# " + std::string(4095, 'g') + "\nACTIVE=\"Yes\"\nTCP=\"9418*1024:65535\"\n");
    Loaded loaded;
    CHECK(t.load(&loaded) ==
          "services/aim:3:4097: error: line is 1048586 bytes long; the limit is 4096 [too-long]\n"
          "services/git:1:4097: error: line is 4097 bytes long; the limit is 4096 [too-long]\n");
    const model::Service* aim = loaded.config.find_service("aim");
    REQUIRE(aim != nullptr);
    CHECK(aim->comment.empty());
    CHECK(aim->ports.size() == 2);
}

TEST_CASE("bad input: control bytes and invalid UTF-8 in a rule are rule-syntax errors") {
    Tree t;
    t.write("rules/rules.conf",
            "RULE=\"accept service ssh from local.lan to firewall\"\n"
            "RULE=\"accept service ssh from local.lan to firewall options comment=\\\"\xff\xfe\\\"\"\n"
            "RULE=\"accept service ssh from local.lan to firewall options comment=\\\"\x1b[2J\\\"\"\n");
    Loaded loaded;
    CHECK(t.load(&loaded) ==
          "rules/rules.conf:2:7: error: rule contains control characters or invalid UTF-8 [rule-syntax]\n"
          "rules/rules.conf:3:7: error: rule contains control characters or invalid UTF-8 [rule-syntax]\n");
    CHECK(loaded.config.rules.size() == 1);
}

TEST_CASE("bad input: a FIFO in place of a config file is not opened (no hang)") {
    Tree t;
    REQUIRE(::mkfifo(t.path(kHosts + "/printer.host").c_str(), 0600) == 0);
    t.remove("zones/vpn/zone.config");
    REQUIRE(::mkfifo(t.path("zones/vpn/zone.config").c_str(), 0600) == 0);
    t.remove("services/aim");
    REQUIRE(::mkfifo(t.path("services/aim").c_str(), 0600) == 0);
    Loaded loaded;
    CHECK(t.load(&loaded) ==
          "services/aim: error: not a regular file [unreadable]\n"
          "zones/lan/networks/local/hosts/printer.host: error: not a regular file [unreadable]\n"
          "zones/vpn/zone.config: error: not a regular file [unreadable]\n");
    CHECK(loaded.config.find_zone("vpn") == nullptr);
    CHECK(loaded.config.find_host("admin-pc", "local", "lan") != nullptr);
}

TEST_CASE("bad input: symbolic links are refused, not followed") {
    SECTION("a host file") {
        Tree t;
        fs::create_symlink("admin-pc.host", t.path(kHosts + "/printer.host"));
        fs::create_symlink("missing.host", t.path(kHosts + "/dangling.host"));
        Loaded loaded;
        CHECK(t.load(&loaded) ==
              "zones/lan/networks/local/hosts/dangling.host: error: symbolic links are not "
              "followed in the config tree [symlink]\n"
              "zones/lan/networks/local/hosts/printer.host: error: symbolic links are not "
              "followed in the config tree [symlink]\n");
        CHECK(loaded.config.find_host("printer", "local", "lan") == nullptr);
        CHECK(loaded.config.find_host("admin-pc", "local", "lan") != nullptr);
    }
    SECTION("a directory loop in zones/") {
        Tree t;
        fs::create_directory_symlink("loop", t.path("zones/loop"));
        fs::create_directory_symlink(".", t.path("zones/self"));
        fs::create_directory_symlink("..", t.path("zones/up"));
        Loaded loaded;
        CHECK(t.load(&loaded) ==
              "zones/loop: error: symbolic links are not followed in the config tree [symlink]\n"
              "zones/self: error: symbolic links are not followed in the config tree [symlink]\n"
              "zones/up: error: symbolic links are not followed in the config tree [symlink]\n");
        CHECK(loaded.config.zones.size() == 4);
    }
    SECTION("config.conf and the rules directory, reported once and not read") {
        Tree t;
        fs::rename(t.path("config.conf"), t.path("config.real"));
        fs::create_symlink("config.real", t.path("config.conf"));
        fs::rename(t.path("rules"), t.path("rules.real"));
        fs::create_directory_symlink("rules.real", t.path("rules"));
        Loaded loaded;
        CHECK(t.load(&loaded) ==
              "config.conf: error: symbolic links are not followed in the config tree [symlink]\n"
              "rules: error: symbolic links are not followed in the config tree [symlink]\n");
        CHECK(loaded.tree.find("config.conf") == nullptr);
        CHECK(loaded.config.rules.empty());
    }
}

TEST_CASE("bad input: deeply nested directories under hosts/ are reported, not walked") {
    Tree t;
    fs::path deep = t.path(kHosts);
    for (int i = 0; i < 200; ++i) deep /= "deep";
    fs::create_directories(deep);
    test::write_file(deep / "x.host", kPrinter);
    Loaded loaded;
    CHECK(t.load(&loaded) ==
          "zones/lan/networks/local/hosts/deep: warning: not a *.host file; ignored [unexpected-file]\n");
    CHECK(loaded.config.hosts.size() == 2);
}

TEST_CASE("bad input: a zone directory without zone.config") {
    Tree t;
    fs::create_directories(t.path("zones/empty"));
    Loaded loaded;
    CHECK(t.load(&loaded) ==
          "zones/empty/zone.config: error: cannot read: No such file or directory [unreadable]\n");
    CHECK(loaded.config.find_zone("empty") == nullptr);
}

TEST_CASE("bad input: a file others may write is an insecure-file warning and still loads") {
    Tree t;
    t.chmod(kHosts + "/admin-pc.host", fs::perms::owner_read | fs::perms::owner_write |
                                           fs::perms::group_write | fs::perms::others_read |
                                           fs::perms::others_write);
    t.chmod("services/aim", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_write);
    Loaded loaded;
    CHECK(t.load(&loaded) ==
          "services/aim: warning: group or others may write this file [insecure-file]\n"
          "  hint: chmod 600 services/aim\n"
          "zones/lan/networks/local/hosts/admin-pc.host: warning: group or others may write "
          "this file [insecure-file]\n"
          "  hint: chmod 600 zones/lan/networks/local/hosts/admin-pc.host\n");
    CHECK(loaded.config.find_host("admin-pc", "local", "lan") != nullptr);
    CHECK(loaded.config.find_service("aim") != nullptr);
}

TEST_CASE("bad input: a file the loader may not read is unreadable (root may read it)") {
    Tree t;
    t.write(kHosts + "/printer.host", kPrinter);
    t.chmod(kHosts + "/printer.host", fs::perms::none);
    // A directory that can be listed but not searched: its entries cannot be looked at.
    t.write("zones/vpn/networks/lab/network.config",
            "ACTIVE=\"Yes\"\nNETWORK=\"10.8.0.0\"\nNETMASK=\"255.255.255.0\"\nINTERFACE=\"lan-nic\"\n");
    t.write("zones/vpn/networks/lab/hosts/pc.host", "ACTIVE=\"Yes\"\nIPADDRESS=\"10.8.0.5\"\n");
    t.chmod("zones/vpn/networks/lab/hosts", fs::perms::owner_read | fs::perms::owner_write);
    t.chmod("rules", fs::perms::none);
    // Root (CAP_DAC_OVERRIDE) reads all of it; anyone else gets a diagnostic for each.
    const bool privileged = ::access(t.path(kHosts + "/printer.host").c_str(), R_OK) == 0;
    Loaded loaded;
    std::string got = t.load(&loaded);
    t.chmod("rules", fs::perms::owner_all);
    t.chmod("zones/vpn/networks/lab/hosts", fs::perms::owner_all);
    t.chmod(kHosts + "/printer.host", fs::perms::owner_read | fs::perms::owner_write);
    if (privileged) {
        CHECK(got.empty());
        CHECK(loaded.config.find_host("printer", "local", "lan") != nullptr);
        CHECK(loaded.config.find_host("pc", "lab", "vpn") != nullptr);
        CHECK(loaded.config.rules.size() == 28);
    } else {
        CHECK(got ==
              "rules/blocklist.conf: error: cannot read: Permission denied [unreadable]\n"
              "rules/rules.conf: error: cannot read: Permission denied [unreadable]\n"
              "zones/lan/networks/local/hosts/printer.host: error: cannot open: Permission denied "
              "[unreadable]\n"
              "zones/vpn/networks/lab/hosts: error: cannot read directory: Permission denied "
              "[unreadable]\n");
        CHECK(loaded.config.find_host("printer", "local", "lan") == nullptr);
        CHECK(loaded.config.rules.empty());
    }
}

TEST_CASE("bad input: CRLF line endings load like LF") {
    Tree t;
    auto to_crlf = [&](const std::string& rel) {
        std::string text = test::read_file(t.path(rel)), out;
        for (char c : text) {
            if (c == '\n') out += '\r';
            out += c;
        }
        t.write(rel, out);
    };
    for (const char* rel : {"config.conf", "rules/rules.conf", "services/ssh", "interfaces/lan-nic.conf",
                            "zones/lan/zone.config", "zones/lan/networks/local/network.config",
                            "zones/lan/networks/local/hosts/admin-pc.host",
                            "zones/lan/networks/local/groups/admins.group"}) {
        to_crlf(rel);
    }
    Loaded loaded;
    CHECK(t.load(&loaded).empty());
    const model::Host* host = loaded.config.find_host("admin-pc", "local", "lan");
    REQUIRE(host != nullptr);
    REQUIRE(host->ipv4);
    CHECK(host->ipv4->str() == "192.168.1.10");
    CHECK(host->comment == "Administrator workstation.");
    const model::Interface* nic = loaded.config.find_interface("lan-nic");
    REQUIRE(nic != nullptr);
    CHECK(nic->device == "eth1");
    CHECK(nic->protections.size() == 5);
    CHECK(loaded.config.settings.nfgrp == 8);
    CHECK(loaded.config.rules.size() == 28);
}

TEST_CASE("bad input: a value with unbalanced quotes is a syntax error") {
    Tree t;
    t.write(kHosts + "/admin-pc.host",
            "ACTIVE=\"Yes\"\nIPADDRESS=\"192.168.1.10\"\nCOMMENT=\"Administrator workstation.\n");
    Loaded loaded;
    CHECK(t.load(&loaded) ==
          "zones/lan/networks/local/hosts/admin-pc.host:3:9: error: unbalanced quotes in the value "
          "of COMMENT [syntax]\n"
          "  hint: write the value as KEY=\"value\"\n");
    CHECK(loaded.config.find_host("admin-pc", "local", "lan") != nullptr);
}

TEST_CASE("bad input: huge numbers are bad values, not overflows") {
    Tree t;
    t.write("config.conf", "NFGRP=\"99999999999999999999999\"\nSYN_LIMIT=\"18446744073709551617\"\n");
    t.write("interfaces/lan-nic.conf",
            "ACTIVE=\"Yes\"\nDEVICE=\"eth1\"\nIPADDRESS=\"192.168.1.1\"\n"
            "BW_IN=\"18446744073709551616\"\nBW_OUT=\"4294967296\"\n");
    Loaded loaded;
    CHECK(t.load(&loaded) ==
          "config.conf:1:8: error: bad value '99999999999999999999999' for NFGRP: expected a number "
          "from 1 to 999 [bad-value]\n"
          "config.conf:2:12: error: bad value '18446744073709551617' for SYN_LIMIT: expected a number "
          "from 1 to 10000 [bad-value]\n"
          "interfaces/lan-nic.conf:4:8: error: BW_IN must be a number from 0 to 4294967295 [bad-value]\n"
          "interfaces/lan-nic.conf:5:9: error: BW_OUT must be a number from 0 to 4294967295 [bad-value]\n");
    CHECK(loaded.config.settings.nfgrp == 8);  // the default stays
}

TEST_CASE("bad input: a rule with thousands of options is too-long") {
    Tree t;
    auto rule_with = [](int options) {
        std::string text = "RULE=\"accept service ssh from local.lan to firewall options log";
        for (int i = 1; i < options; ++i) text += ",log";
        return text + "\"\n";
    };
    t.write("rules/rules.conf", "RULE=\"accept service ssh from local.lan to firewall\"\n" +
                                    rule_with(10000) + rule_with(200) + rule_with(100));
    Loaded loaded;
    CHECK(t.load(&loaded) ==
          "rules/rules.conf:2:4097: error: line is 40060 bytes long; the limit is 4096 [too-long]\n"
          "rules/rules.conf:3:519: error: rule is 853 characters; at most 512 fit [too-long]\n"
          "rules/rules.conf:4:53: error: options are 399 characters; at most 256 fit [too-long]\n");
    CHECK(loaded.config.rules.size() == 1);
}

TEST_CASE("bad input: a file of more than a million lines is file-too-large and kept intact") {
    Tree t;
    const std::string rule = "RULE=\"block 192.0.2.1\"\n";
    const std::string at_limit = std::string(999999, '\n') + rule;  // 1,000,000 lines
    t.write("rules/blocklist.conf", at_limit);
    Loaded loaded;
    CHECK(t.load(&loaded).empty());
    CHECK(loaded.config.blocklist.size() == 1);

    const std::string over = "\n" + at_limit;
    t.write("rules/blocklist.conf", over);
    CHECK(t.load(&loaded) ==
          "rules/blocklist.conf: error: file has 1000001 lines; the limit is 1000000 "
          "[file-too-large]\n");
    CHECK(loaded.config.blocklist.empty());
    const config::KvFile* file = loaded.tree.find("rules/blocklist.conf");
    REQUIRE(file != nullptr);
    CHECK(file->serialize() == over);  // an edit would not cut the file short
}

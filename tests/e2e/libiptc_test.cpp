// SPDX-License-Identifier: GPL-2.0-or-later
// Issue 4 acceptance for the libiptc apply backend: the core apply::apply() runs in process,
// on a thread of its own inside a fresh anonymous network namespace (unshare(CLONE_NEWNET)
// affects only the calling thread; the programs it starts and the sockets libiptc opens see
// that namespace, which disappears with the thread). The shipped tree is loaded once with the
// restore backend (iptables-legacy-restore, via config.conf) and once with libiptc, and the
// kernels' iptables-legacy-save / ip6tables-legacy-save outputs are compared byte for byte.
// Catch2 assertions stay on the test's own thread: the namespace thread only collects.
#include <catch2/catch.hpp>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_tree.h"
#include "vuurmuur/apply/apply.h"
#include "vuurmuur/apply/exec.h"
#include "vuurmuur/apply/libiptc.h"
#include "vuurmuur/apply/netfilter.h"

namespace vma = vuurmuur::apply;
namespace fs = std::filesystem;
using vuurmuur::test::TempDir;

namespace {

const std::string kLegacy4 = "/usr/sbin/iptables-legacy";
const std::string kLegacy6 = "/usr/sbin/ip6tables-legacy";

/// Empty when these tests can run here, else why not.
std::string why_unavailable() {
    if (::geteuid() != 0) return "not root";
    if (!vma::libiptc_available()) return "this build has no libiptc backend";
    for (const auto& p : {kLegacy4, kLegacy6}) {
        for (const char* suffix : {"", "-restore", "-save"}) {
            if (::access((p + suffix).c_str(), X_OK) != 0) return p + suffix + " is missing";
        }
    }
    return {};
}

#define LIBIPTC_SKIP_UNLESS_AVAILABLE()                                  \
    do {                                                                 \
        std::string why_ = why_unavailable();                            \
        if (!why_.empty()) {                                             \
            WARN("SKIPPED libiptc end-to-end test: " << why_);           \
            return;                                                      \
        }                                                                \
    } while (0)

/// Runs `fn` on a new thread inside a fresh network namespace; rethrows what it threw.
void in_fresh_netns(const std::function<void()>& fn) {
    std::exception_ptr failure;
    std::string setup_error;
    std::thread t([&] {
        if (::unshare(CLONE_NEWNET) != 0) {
            setup_error = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
            return;
        }
        try {
            fn();
        } catch (...) {
            failure = std::current_exception();
        }
    });
    t.join();
    if (!setup_error.empty()) throw std::runtime_error(setup_error);
    if (failure) std::rethrow_exception(failure);
}

/// Runs a program (no shell); throws when it fails.
std::string run(const std::vector<std::string>& argv) {
    vma::ExecResult r = vma::run_program(argv);
    if (!r.ok()) throw std::runtime_error(vma::join_argv(argv) + " failed: " + r.err + r.error);
    return r.out;
}

/// Both families' legacy save output, normalised.
std::string saves() {
    return "#ipv4\n" + vma::normalize_save(run({kLegacy4 + "-save", "-c"})) + "#ipv6\n" +
           vma::normalize_save(run({kLegacy6 + "-save", "-c"}));
}

/// Both families' legacy save -c output with only the '#' lines dropped: counters included.
std::string saves_with_counters() {
    std::string out;
    for (const auto& ipt : {kLegacy4, kLegacy6}) {
        std::string text = run({ipt + "-save", "-c"});
        std::size_t pos = 0;
        while (pos < text.size()) {
            std::size_t end = text.find('\n', pos);
            if (end == std::string::npos) end = text.size();
            if (text[pos] != '#') out += text.substr(pos, end - pos) + "\n";
            pos = end + 1;
        }
    }
    return out;
}

/// What an admin set up before Vuurmuur: a foreign chain with a rule, hook chains with rules.
void foreign_setup() {
    for (const auto& ipt : {kLegacy4, kLegacy6}) {
        run({ipt, "-w", "-N", "DOCKER-USER"});
        run({ipt, "-w", "-A", "DOCKER-USER", "-c", "7", "700", "-p", "tcp", "--dport", "2375", "-j", "DROP"});
        run({ipt, "-w", "-A", "FORWARD", "-j", "DOCKER-USER"});
        run({ipt, "-w", "-N", "PRE-VRMR-INPUT"});
        run({ipt, "-w", "-A", "PRE-VRMR-INPUT", "-p", "udp", "--dport", "5353", "-j", "ACCEPT"});
    }
}

/// The shipped tree, loaded with the legacy restore programs, plus `extra_rules`.
class ShippedTree {
public:
    explicit ShippedTree(const std::vector<std::string>& extra_rules = {}) {
        vuurmuur::test::copy_default_tree(tree_.path());
        std::string conf = vuurmuur::test::read_file(tree_.path() / "config.conf");
        replace_value(conf, "IPTABLES_RESTORE", kLegacy4 + "-restore");
        replace_value(conf, "IP6TABLES_RESTORE", kLegacy6 + "-restore");
        vuurmuur::test::write_file(tree_.path() / "config.conf", conf);
        std::string rules = vuurmuur::test::read_file(tree_.path() / "rules/rules.conf");
        for (const auto& r : extra_rules) rules += "RULE=\"" + r + "\"\n";
        vuurmuur::test::write_file(tree_.path() / "rules/rules.conf", rules);
    }

    vma::Report apply(vma::Backend backend, bool boot = false) const {
        vma::Request rq;
        rq.config_dir = tree_.path();
        rq.state_dir = state_.path() / "state";
        rq.backend = backend;
        rq.boot = boot;
        return vma::apply(rq);
    }

    void write(const std::string& rel, const std::string& content) const { tree_.write(rel, content); }

    void set(const std::string& key, const std::string& value) const {
        std::string conf = vuurmuur::test::read_file(tree_.path() / "config.conf");
        replace_value(conf, key, value);
        vuurmuur::test::write_file(tree_.path() / "config.conf", conf);
    }

private:
    static void replace_value(std::string& conf, const std::string& key, const std::string& value) {
        const std::string start = key + "=\"";
        auto pos = conf.find("\n" + start);
        REQUIRE(pos != std::string::npos);
        pos += 1;
        auto end = conf.find('\n', pos);
        conf.replace(pos, end - pos, start + value + "\"");
    }

    TempDir tree_;
    TempDir state_;
};

std::string joined(const vma::Report& r) {
    std::string out;
    for (const auto& m : r.messages) out += m + "\n";
    return out;
}

bool has_message(const vma::Report& r, const std::string& text) {
    return joined(r).find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("e2e libiptc: the shipped tree loads to the same legacy save output as with restore - twice changes "
          "nothing; foreign chains survive",
          "[e2e][apply][libiptc]") {
    LIBIPTC_SKIP_UNLESS_AVAILABLE();
    ShippedTree tree;

    std::string with_restore;
    vma::Report restore_report;
    in_fresh_netns([&] {
        foreign_setup();
        restore_report = tree.apply(vma::Backend::Restore);
        with_restore = saves();
    });
    INFO(joined(restore_report));
    REQUIRE(restore_report.loaded == vma::Loaded::Config);

    std::string first, second;
    vma::Report r1, r2;
    in_fresh_netns([&] {
        foreign_setup();
        r1 = tree.apply(vma::Backend::Libiptc);
        first = saves();
        r2 = tree.apply(vma::Backend::Libiptc);
        second = saves();
    });
    INFO(joined(r1));
    INFO(joined(r2));
    REQUIRE(r1.loaded == vma::Loaded::Config);
    REQUIRE_FALSE(r1.failed);
    CHECK(has_message(r1, " rules loaded with libiptc (legacy)"));
    CHECK(r2.loaded == vma::Loaded::Config);

    // Every table of both families, rules and chains alike.
    CHECK(first == with_restore);
    CHECK(second == first);
    for (const char* table : {"*raw\n", "*mangle\n", "*nat\n", "*filter\n"}) {
        CHECK(first.find(table) != first.rfind(table));  // in the IPv4 and the IPv6 part
    }
    CHECK(first.find("-A FWD-eth2-eth0 -s 192.168.2.0/24 -i eth2 -o eth0 -p tcp -m tcp --sport 1024:65535 "
                     "--dport 443 --tcp-flags FIN,SYN,RST,ACK SYN -m conntrack --ctstate NEW -m comment "
                     "--comment \"package updates\" -j NEWACCEPT\n") != std::string::npos);
    // The admin's chains: DOCKER-USER untouched, the hook chain kept with its rule, once.
    for (const char* rule : {"-A DOCKER-USER -p tcp -m tcp --dport 2375 -j DROP\n",
                             "-A PRE-VRMR-INPUT -p udp -m udp --dport 5353 -j ACCEPT\n"}) {
        auto at = second.find(rule);
        CHECK(at != std::string::npos);
        CHECK(second.find(rule, at + 1) != std::string::npos);  // IPv6 too
        CHECK(second.find(rule, second.find(rule, at + 1) + 1) == std::string::npos);
    }
}

TEST_CASE("e2e libiptc: a load that fails leaves the save output of both families identical",
          "[e2e][apply][libiptc]") {
    LIBIPTC_SKIP_UNLESS_AVAILABLE();
    ShippedTree good;
    // The kernel's snmp_trap conntrack helper is IPv4 only (and the compiler does not know
    // that): IPv4 commits, then the kernel refuses the IPv6 raw table, so the IPv4 tables
    // already committed must be put back.
    ShippedTree ipv6_fails({"accept service snmptrap from local.lan to world.inet"});
    ipv6_fails.write("services/snmptrap", "ACTIVE=\"Yes\"\nUDP=\"162\"\nHELPER=\"snmp_trap\"\n");
    // A helper no family has: the first table (IPv4 raw) is refused.
    ShippedTree ipv4_fails({"accept service nohelper from local.lan to world.inet"});
    ipv4_fails.write("services/nohelper", "ACTIVE=\"Yes\"\nTCP=\"2121*1024:65535\"\nHELPER=\"nosuchhelper\"\n");

    std::string before, after_v6_failure, after_v4_failure, counters_before, counters_after;
    vma::Report first, v6_failure, v4_failure;
    in_fresh_netns([&] {
        foreign_setup();
        first = good.apply(vma::Backend::Libiptc);
        before = saves();
        counters_before = saves_with_counters();
        v6_failure = ipv6_fails.apply(vma::Backend::Libiptc);
        after_v6_failure = saves();
        v4_failure = ipv4_fails.apply(vma::Backend::Libiptc);
        after_v4_failure = saves();
        counters_after = saves_with_counters();
    });
    INFO(joined(first));
    REQUIRE(first.loaded == vma::Loaded::Config);
    CHECK(before.find("-A DOCKER-USER -p tcp -m tcp --dport 2375 -j DROP") != std::string::npos);

    INFO(joined(v6_failure));
    CHECK(v6_failure.failed);
    CHECK(v6_failure.loaded == vma::Loaded::Nothing);
    CHECK(has_message(v6_failure, "error: ipv6: libiptc refused the ruleset (exit 1): libiptc: line "));
    CHECK(has_message(v6_failure, " failed: the kernel refused table raw: No chain/target/match by that name\n"
                                  "  line "));
    CHECK(has_message(v6_failure, "the previous ruleset was restored (ipv4 and ipv6)"));
    CHECK(after_v6_failure == before);

    INFO(joined(v4_failure));
    CHECK(v4_failure.failed);
    CHECK(has_message(v4_failure, "error: ipv4: libiptc refused the ruleset (exit 1): libiptc: line "));
    CHECK(has_message(v4_failure, "the previous ruleset was restored (ipv4)"));
    CHECK(after_v4_failure == before);

    // The rollbacks put the counters back too (no packet moves in this namespace).
    CHECK(counters_before.find("[7:700] -A DOCKER-USER -p tcp -m tcp --dport 2375 -j DROP\n") != std::string::npos);
    CHECK(counters_after == counters_before);
}

TEST_CASE("e2e libiptc: refused with one line when the host's iptables is nf_tables", "[e2e][apply][libiptc]") {
    LIBIPTC_SKIP_UNLESS_AVAILABLE();
    if (::access("/usr/sbin/iptables-nft-restore", X_OK) != 0) {
        WARN("SKIPPED: no /usr/sbin/iptables-nft-restore");
        return;
    }
    ShippedTree tree;
    tree.set("IPTABLES_RESTORE", "/usr/sbin/iptables-nft-restore");
    std::string before, after;
    vma::Report r, boot;
    in_fresh_netns([&] {
        foreign_setup();
        before = saves();
        r = tree.apply(vma::Backend::Libiptc);
        after = saves();
        // At boot a firewall must come up all the same: with the restore backend.
        boot = tree.apply(vma::Backend::Libiptc, true);
    });
    CHECK(r.failed);
    CHECK(r.loaded == vma::Loaded::Nothing);
    REQUIRE(r.messages.size() == 1);
    CHECK(r.messages[0] ==
          "error: the libiptc backend needs iptables with the legacy backend, but this host's IPv4 iptables is "
          "nf_tables (libiptc cannot load nf_tables); use --backend restore; nothing was changed");
    CHECK(after == before);
    INFO(joined(boot));
    CHECK(boot.loaded == vma::Loaded::Config);
    CHECK(has_message(boot, "warning: the libiptc backend needs iptables with the legacy backend, but this host's "
                            "IPv4 iptables is nf_tables (libiptc cannot load nf_tables); use --backend restore; "
                            "loading with the restore backend\n"));
    CHECK(has_message(boot, "boot: the config was loaded"));
}

TEST_CASE("e2e libiptc: a line it cannot build is named with its number - nothing is committed",
          "[e2e][apply][libiptc]") {
    LIBIPTC_SKIP_UNLESS_AVAILABLE();
    vma::ExecResult bad_option, bad_value, bad_match, bad_chain, test_only;
    std::string before, after;
    in_fresh_netns([&] {
        foreign_setup();  // the legacy tables exist from here on (as after any legacy command)
        before = saves();
        bad_option = vma::libiptc_restore(vuurmuur::ir::Family::Ipv4,
                                          "*filter\n:X - [0:0]\n-A X -p tcp -m tcp --dport 22 --bogus -j ACCEPT\nCOMMIT\n",
                                          vma::LoadMode::NoFlush);
        // Refused by the extension's own parser (libxtables' exit_err).
        bad_value = vma::libiptc_restore(vuurmuur::ir::Family::Ipv4,
                                         "*filter\n-A INPUT -j NFLOG --nflog-group 99999999\nCOMMIT\n",
                                         vma::LoadMode::NoFlush);
        bad_match = vma::libiptc_restore(vuurmuur::ir::Family::Ipv6, "*filter\n-A INPUT -m nosuchmatch -j DROP\nCOMMIT\n",
                                         vma::LoadMode::NoFlush);
        bad_chain = vma::libiptc_restore(vuurmuur::ir::Family::Ipv4,
                                         "# comment\n*filter\n-A INPUT -j NOSUCHCHAIN\nCOMMIT\n", vma::LoadMode::NoFlush);
        test_only = vma::libiptc_restore(vuurmuur::ir::Family::Ipv4,
                                         "*filter\n:INPUT DROP [0:0]\n:X - [0:0]\n-A X -j ACCEPT\nCOMMIT\n",
                                         vma::LoadMode::Test);
        after = saves();
    });
    CHECK(bad_option.exit_code == 1);
    CHECK(bad_option.err == "libiptc: line 3: unknown option --bogus\n");
    CHECK(vma::failing_line(bad_option.err) == 3);
    CHECK(bad_value.exit_code == 1);
    CHECK(bad_value.err ==
          "libiptc: line 2: NFLOG: bad value for option \"--nflog-group\", or out of range (0-65535).\n");
    CHECK(bad_match.exit_code == 1);
    CHECK(bad_match.err == "libiptc: line 2: unknown match 'nosuchmatch' (no such extension)\n");
    CHECK(bad_chain.exit_code == 1);
    CHECK(bad_chain.err ==
          "libiptc: line 3: unknown target 'NOSUCHCHAIN' (neither an extension nor a chain of the table)\n");
    CHECK(test_only.ok());
    CHECK(test_only.err.empty());
    CHECK(after == before);
}

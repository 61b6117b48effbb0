// SPDX-License-Identifier: GPL-2.0-or-later
// Issue 4, the parts of apply that act on a running ruleset: the runtime blocklist
// (apply/blocklist_live.h), the rtnetlink watch of dynamic interfaces (apply/watch.h) and the
// system settings (apply/sysctl.h). Everything runs in the namespaces of a fresh Topology:
// `apply` through the real binary in the fw namespace, the core functions in a thread that
// joined the fw namespace (setns(CLONE_NEWNET) changes only the calling thread). Waits end
// on observable events (a callback, a process exit), bounded by deadlines; no sleeps.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "e2e/netns.h"
#include "e2e/traffic.h"
#include "support/temp_tree.h"
#include "vuurmuur/apply/blocklist_live.h"
#include "vuurmuur/apply/netfilter.h"
#include "vuurmuur/apply/watch.h"

using namespace vuurmuur::test::e2e;
using vuurmuur::test::TempDir;
namespace vma = vuurmuur::apply;
namespace fs = std::filesystem;

namespace {

/// Bound for the waits below: only a limit for a hang, not a timing assertion.
const Millis kBound{120000};

/// Runs `fn` in a new thread that joined network namespace `ns` and returns its result.
template <typename T>
std::future<T> in_netns(const std::string& ns, std::function<T()> fn) {
    return std::async(std::launch::async, [ns, fn = std::move(fn)]() -> T {
        int fd = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw std::runtime_error("cannot open /run/netns/" + ns);
        int r = ::setns(fd, CLONE_NEWNET);
        ::close(fd);
        if (r != 0) throw std::runtime_error("setns " + ns + " failed");
        return fn();
    });
}

/// Tree: zones cli and srv, network "net" each on the fw device towards it, host
/// client.net.cli and server.net.srv, service tcp5000, and `accept service tcp5000 from net.cli
/// to server.net.srv`.
class Tree {
public:
    explicit Tree(const Topology& topo) : topo_(topo) {}

    const fs::path& dir() const { return tree_.path(); }
    fs::path state() const { return state_.path() / "state"; }

    /// `cli_iface_extra` goes into the cli interface file (e.g. protection RULE lines);
    /// `dynamic_cli`: the cli interface is IPADDRESS="dynamic".
    void write(const std::vector<std::string>& blocked, bool dynamic_cli = false,
               const std::string& cli_iface_extra = {}) const {
        for (Host side : {Host::cli, Host::srv}) {
            const std::string zone = side == Host::cli ? "cli" : "srv";
            const std::string iface = zone + "-if";
            auto net = [&](Family f) {
                std::string n = Topology::subnet(side, f);
                return n.substr(0, n.find('/'));
            };
            const bool dyn = dynamic_cli && side == Host::cli;
            tree_.write("interfaces/" + iface + ".conf",
                        "ACTIVE=\"Yes\"\nDEVICE=\"" + topo_.fw_iface(side) + "\"\n"
                        "IPADDRESS=\"" + (dyn ? std::string("dynamic") : Topology::fw_addr(side, Family::ipv4)) + "\"\n"
                        "IPV6ADDRESS=\"" + Topology::fw_addr(side, Family::ipv6) + "\"\n" +
                        (side == Host::cli ? cli_iface_extra : std::string()));
            tree_.write("zones/" + zone + "/zone.config", "ACTIVE=\"Yes\"\n");
            tree_.write("zones/" + zone + "/networks/net/network.config",
                        "ACTIVE=\"Yes\"\nNETWORK=\"" + net(Family::ipv4) + "\"\nNETMASK=\"255.255.255.0\"\n"
                        "IPV6NETWORK=\"" + net(Family::ipv6) + "\"\nIPV6CIDR=\"64\"\nINTERFACE=\"" + iface + "\"\n");
            const std::string host = side == Host::cli ? "client" : "server";
            tree_.write("zones/" + zone + "/networks/net/hosts/" + host + ".host",
                        "ACTIVE=\"Yes\"\nIPADDRESS=\"" + Topology::addr(side, Family::ipv4) + "\"\n"
                        "IPV6ADDRESS=\"" + Topology::addr(side, Family::ipv6) + "\"\n");
        }
        tree_.write("services/tcp5000", "ACTIVE=\"Yes\"\nTCP=\"5000*1024:65535\"\n");
        tree_.write("config.conf",
                    "USE_SYN_LIMIT=\"No\"\nUSE_UDP_LIMIT=\"No\"\nLOG_POLICY=\"No\"\nLOG_INVALID=\"No\"\n"
                    "LOG_NO_SYN=\"No\"\nLOG_PROBES=\"No\"\nLOG_FRAG=\"No\"\nLOG_BLOCKLIST=\"No\"\n");
        tree_.write("rules/rules.conf", "RULE=\"accept service tcp5000 from net.cli to server.net.srv\"\n");
        std::string bl;
        for (const auto& b : blocked) bl += "RULE=\"block " + b + "\"\n";
        tree_.write("rules/blocklist.conf", bl);
    }

    ProcessResult apply() const {
        return topo_.exec(Host::fw,
                          {Topology::tool("vuurmuur-script"), "--config-dir", dir().string(), "apply", "--state-dir",
                           state().string()},
                          {}, kBound);
    }

    vma::BlockUpdate update() const {
        auto d = dir();
        auto s = state();
        auto fut = in_netns<vma::BlockUpdate>(topo_.netns(Host::fw), [d, s] { return vma::update_blocklist(d, s); });
        REQUIRE(fut.wait_for(kBound) == std::future_status::ready);
        return fut.get();
    }

private:
    const Topology& topo_;
    TempDir tree_;
    TempDir state_;
};

std::string report_text(const vma::BlockUpdate& u) {
    std::string s;
    for (const auto& m : u.messages) s += m + "\n";
    return s;
}

/// iptables-save -c without comments and without the lines of the blocklist chains.
std::string counters_except_blocklist(const Topology& topo) {
    ProcessResult r = topo.save(Family::ipv4, {"-c"});
    REQUIRE(r.exit_code == 0);
    std::string out;
    std::size_t pos = 0;
    const std::string& t = r.out;
    while (pos < t.size()) {
        std::size_t end = t.find('\n', pos);
        if (end == std::string::npos) end = t.size();
        std::string line = t.substr(pos, end - pos);
        pos = end + 1;
        if (line.empty() || line[0] == '#') continue;
        if (line.rfind(":BLOCK", 0) == 0 || line.find("-A BLOCK") != std::string::npos) continue;
        out += line + "\n";
    }
    return out;
}

std::string sysctl_in(const Topology& topo, Host h, const std::string& key) {
    ProcessResult r = topo.exec(h, {"cat", "/proc/sys/" + key});
    REQUIRE(r.exit_code == 0);
    return r.out.substr(0, r.out.find('\n'));
}

std::string sysctl_root(const std::string& key) {
    std::string v = vuurmuur::test::e2e::run({"cat", "/proc/sys/" + key}).out;
    return v.substr(0, v.find('\n'));
}

TrafficOptions quick() {
    TrafficOptions o;
    o.timeout = Millis{1000};
    return o;
}

}  // namespace

TEST_CASE("e2e blocklist: block and unblock take effect on live traffic - no other chain's counters change",
          "[e2e][apply][blocklist]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    Tree tree(topo);
    // One entry per family from the start, so the running ruleset jumps to BLOCKLIST.
    tree.write({"192.0.2.99", "2001:db8::99"});
    ProcessResult first = tree.apply();
    INFO(first.out << first.err);
    REQUIRE(first.exit_code == 0);
    const std::string srv = Topology::addr(Host::srv, Family::ipv4);
    {
        TcpResult t = tcp_connect(topo, Host::cli, srv, 5000, "x");
        INFO(describe(t));
        REQUIRE(t.reply_received);
    }
    const std::string before = counters_except_blocklist(topo);
    REQUIRE(before.find("-A FORWARD") != std::string::npos);

    tree.write({"192.0.2.99", "2001:db8::99", "client.net.cli"});
    vma::BlockUpdate blocked = tree.update();
    INFO(report_text(blocked));
    REQUIRE(blocked.loaded);
    CHECK_FALSE(blocked.full_apply);
    CHECK(counters_except_blocklist(topo) == before);
    CHECK(topo.save(Family::ipv4).out.find("-A BLOCKLIST -s 10.99.1.2/32 -j BLOCK") != std::string::npos);
    CHECK(topo.save(Family::ipv6).out.find("-A BLOCKLIST -s fd99:1::2/128 -j BLOCK") != std::string::npos);
    for (Family f : {Family::ipv4, Family::ipv6}) {
        TcpResult t = tcp_connect(topo, Host::cli, Topology::addr(Host::srv, f), 5000, "x", quick());
        INFO(to_string(f) << ": " << describe(t));
        CHECK_FALSE(t.connected);
        CHECK_FALSE(t.server_received);
    }

    tree.write({"192.0.2.99", "2001:db8::99"});
    const std::string while_blocked = counters_except_blocklist(topo);
    vma::BlockUpdate unblocked = tree.update();
    INFO(report_text(unblocked));
    REQUIRE(unblocked.loaded);
    CHECK(counters_except_blocklist(topo) == while_blocked);
    for (Family f : {Family::ipv4, Family::ipv6}) {
        TcpResult t = tcp_connect(topo, Host::cli, Topology::addr(Host::srv, f), 5000, "x");
        INFO(to_string(f) << ": " << describe(t));
        CHECK(t.reply_received);
    }
}

TEST_CASE("e2e blocklist: the first block after an apply with an empty blocklist applies the whole config",
          "[e2e][apply][blocklist]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    Tree tree(topo);
    tree.write({});
    ProcessResult first = tree.apply();
    INFO(first.out << first.err);
    REQUIRE(first.exit_code == 0);
    CHECK(topo.save(Family::ipv4).out.find("BLOCKLIST") == std::string::npos);
    tree.write({"client.net.cli"});
    vma::BlockUpdate u = tree.update();
    INFO(report_text(u));
    CHECK(u.full_apply);
    CHECK(u.loaded);
    CHECK(topo.save(Family::ipv4).out.find("-A BLOCKLIST -s 10.99.1.2/32 -j BLOCK") != std::string::npos);
    TcpResult t = tcp_connect(topo, Host::cli, Topology::addr(Host::srv, Family::ipv4), 5000, "x", quick());
    INFO(describe(t));
    CHECK_FALSE(t.server_received);
}

TEST_CASE("e2e blocklist: without a Vuurmuur ruleset the update changes nothing and says so",
          "[e2e][apply][blocklist]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    Tree tree(topo);
    tree.write({"client.net.cli"});
    const std::string v4 = topo.save(Family::ipv4).out, v6 = topo.save(Family::ipv6).out;
    vma::BlockUpdate u = tree.update();
    INFO(report_text(u));
    CHECK(u.no_ruleset);
    CHECK_FALSE(u.loaded);
    CHECK_FALSE(u.failed);
    CHECK(report_text(u).find("no Vuurmuur ruleset is loaded") != std::string::npos);
    CHECK(strip_save_comments(topo.save(Family::ipv4).out) == strip_save_comments(v4));
    CHECK(strip_save_comments(topo.save(Family::ipv6).out) == strip_save_comments(v6));
}

TEST_CASE("e2e watch: an address change on a dynamic interface re-applies - one on another device does not",
          "[e2e][apply][watch]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    Tree tree(topo);
    tree.write({}, /*dynamic_cli=*/true);
    ProcessResult first = tree.apply();
    INFO(first.out << first.err);
    REQUIRE(first.exit_code == 0);

    int stop = ::eventfd(0, EFD_CLOEXEC);
    REQUIRE(stop >= 0);
    std::mutex mu;
    std::condition_variable cv;
    bool ready = false;
    std::deque<bool> bursts;  // per burst of events: whether it re-applied
    std::vector<std::string> log;
    vma::WatchOptions w;
    w.request.config_dir = tree.dir();
    w.request.state_dir = tree.state();
    w.max_applies = 1;
    w.stop_fd = stop;
    w.on_ready = [&] {
        std::lock_guard<std::mutex> l(mu);
        ready = true;
        cv.notify_all();
    };
    w.on_burst = [&](bool reapplied) {
        std::lock_guard<std::mutex> l(mu);
        bursts.push_back(reapplied);
        cv.notify_all();
    };
    w.log = [&](const std::string& m) {
        std::lock_guard<std::mutex> l(mu);
        log.push_back(m);
    };
    auto done = in_netns<vma::WatchResult>(topo.netns(Host::fw), [&w] { return vma::watch(w); });
    struct Stopper {
        int fd;
        std::future<vma::WatchResult>& f;
        ~Stopper() {
            std::uint64_t one = 1;
            [[maybe_unused]] auto n = ::write(fd, &one, sizeof one);
            if (f.valid()) f.wait();
            ::close(fd);
        }
    } stopper{stop, done};
    auto log_text = [&] {
        std::lock_guard<std::mutex> l(mu);
        std::string s;
        for (const auto& m : log) s += m + "\n";
        return s;
    };
    {
        std::unique_lock<std::mutex> l(mu);
        REQUIRE(cv.wait_for(l, kBound, [&] { return ready; }));
    }
    INFO(log_text());
    CHECK(log_text().find("dynamic interfaces' devices: " + topo.fw_iface(Host::cli)) != std::string::npos);

    // Another device: looked at, nothing re-applied.
    REQUIRE(topo.exec(Host::fw, {"ip", "addr", "add", "10.99.8.1/32", "dev", topo.fw_iface(Host::srv)}).exit_code == 0);
    {
        std::unique_lock<std::mutex> l(mu);
        REQUIRE(cv.wait_for(l, kBound, [&] { return !bursts.empty(); }));
        CHECK_FALSE(bursts.front());
    }
    // The dynamic interface's device: one re-apply, then the watch ends (max_applies).
    REQUIRE(topo.exec(Host::fw, {"ip", "addr", "add", "10.99.7.1/32", "dev", topo.fw_iface(Host::cli)}).exit_code == 0);
    REQUIRE(done.wait_for(kBound) == std::future_status::ready);
    vma::WatchResult r = done.get();
    INFO(log_text());
    CHECK(r.error.empty());
    CHECK(r.applies == 1);
    CHECK(r.failed == 0);
    std::lock_guard<std::mutex> l(mu);
    CHECK(std::count(bursts.begin(), bursts.end(), true) == 1);
    CHECK(bursts.back());
}

TEST_CASE("e2e apply: interface protections and config.conf switches set the namespace's sysctls",
          "[e2e][apply][sysctl]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    Tree tree(topo);
    tree.write({}, false, "RULE=\"protect against rp-filter\"\nRULE=\"protect against log-martians\"\n"
                          "RULE=\"protect against source-routed-packets\"\n");
    const std::string cli_dev = topo.fw_iface(Host::cli), srv_dev = topo.fw_iface(Host::srv);
    const std::vector<std::string> keys{
        "net/ipv4/conf/" + cli_dev + "/rp_filter", "net/ipv4/conf/" + cli_dev + "/log_martians",
        "net/ipv4/conf/" + srv_dev + "/rp_filter", "net/ipv4/conf/" + srv_dev + "/log_martians",
        "net/ipv4/tcp_syncookies", "net/netfilter/nf_conntrack_acct"};
    std::map<std::string, std::string> root_before;
    for (const auto& k : {std::string("net/ipv4/tcp_syncookies"), std::string("net/netfilter/nf_conntrack_acct")}) {
        root_before[k] = sysctl_root(k);
    }
    for (const auto& k : keys) {
        std::string dotted = k;
        std::replace(dotted.begin(), dotted.end(), '/', '.');
        REQUIRE(topo.exec(Host::fw, {"sysctl", "-qw", dotted + "=0"}).exit_code == 0);
    }
    REQUIRE(topo.exec(Host::fw, {"sysctl", "-qw", "net.ipv4.conf." + cli_dev + ".accept_source_route=1"}).exit_code == 0);
    ProcessResult r = tree.apply();
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(sysctl_in(topo, Host::fw, "net/ipv4/conf/" + cli_dev + "/rp_filter") == "1");
    CHECK(sysctl_in(topo, Host::fw, "net/ipv4/conf/" + cli_dev + "/log_martians") == "1");
    CHECK(sysctl_in(topo, Host::fw, "net/ipv4/conf/" + cli_dev + "/accept_source_route") == "0");
    CHECK(sysctl_in(topo, Host::fw, "net/ipv4/tcp_syncookies") == "1");
    CHECK(sysctl_in(topo, Host::fw, "net/netfilter/nf_conntrack_acct") == "1");
    // The interface without protections is left alone.
    CHECK(sysctl_in(topo, Host::fw, "net/ipv4/conf/" + srv_dev + "/rp_filter") == "0");
    CHECK(sysctl_in(topo, Host::fw, "net/ipv4/conf/" + srv_dev + "/log_martians") == "0");
    CHECK(r.out.find("net/ipv4/conf/" + cli_dev + "/rp_filter = 1 (interface cli-if: protect against rp-filter)") !=
          std::string::npos);
    // Nothing of this reached the root namespace.
    for (const auto& [k, v] : root_before) CHECK(sysctl_root(k) == v);
}

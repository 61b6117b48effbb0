// SPDX-License-Identifier: GPL-2.0-or-later
#include "e2e/netns.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "e2e/traffic.h"
#include "support/temp_tree.h"

namespace vuurmuur::test::e2e {

namespace {

using Clock = std::chrono::steady_clock;

// Every namespace this harness creates is "vme<pid><letter>-<role>".
constexpr const char* kPrefixStem = "vme";
const std::array<Host, 4> kHosts{Host::cli, Host::fw, Host::srv, Host::in2};

struct Net {
    Host side;
    const char* v4_net;  // "10.99.1."
    const char* v6_net;  // "fd99:1::"
};
const std::array<Net, 3> kNets{{{Host::cli, "10.99.1.", "fd99:1::"},
                                {Host::srv, "10.99.2.", "fd99:2::"},
                                {Host::in2, "10.99.3.", "fd99:3::"}}};

const Net& net_of(Host side) {
    for (const auto& n : kNets) {
        if (n.side == side) return n;
    }
    throw std::invalid_argument("no network for host fw");
}

void check(const ProcessResult& r, const std::string& what) {
    if (r.exit_code != 0) {
        throw std::runtime_error("e2e topology: " + what + " failed (rc " + std::to_string(r.exit_code) +
                                 "): " + r.err + r.out);
    }
}

/// `ip -batch -` (optionally in a namespace) with one command per line.
ProcessResult ip_batch(const std::vector<std::string>& lines, const std::string& netns = {},
                       bool force = false) {
    std::vector<std::string> argv{"ip"};
    if (!netns.empty()) argv.insert(argv.end(), {"-n", netns});
    if (force) argv.push_back("-force");
    argv.insert(argv.end(), {"-batch", "-"});
    std::string input;
    for (const auto& l : lines) input += l + "\n";
    return run(argv, input, Millis{20000});
}

bool pid_alive(long pid) {
    if (pid <= 0 || pid > 0x7fffffff) return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

/// Deletes namespaces left behind by harness processes that no longer run (crash, SIGKILL),
/// plus any with the names in `reuse`.
void delete_stale(const std::vector<std::string>& reuse) {
    ProcessResult list = run({"ip", "netns", "list"}, {}, Millis{10000});
    if (list.exit_code != 0) return;
    static const std::regex pattern(std::string("^") + kPrefixStem + "([0-9]+)[a-z]-(cli|fw|srv|in2|ns)$");
    std::vector<std::string> del;
    std::istringstream in(list.out);
    std::string line;
    while (std::getline(in, line)) {
        std::string name = line.substr(0, line.find(' '));
        std::smatch m;
        bool ours = std::find(reuse.begin(), reuse.end(), name) != reuse.end();
        if (ours || (std::regex_match(name, m, pattern) && !pid_alive(std::stol(m[1].str())))) {
            del.push_back("netns del " + name);
        }
    }
    if (!del.empty()) ip_batch(del, {}, true);
}

std::string next_prefix() {
    static std::atomic<unsigned> counter{0};
    unsigned n = counter++;
    // pid has at most 7 digits, so "<prefix>-f0" stays within IFNAMSIZ-1 = 15 characters.
    return kPrefixStem + std::to_string(::getpid()) + static_cast<char>('a' + n % 26);
}

}  // namespace

const char* to_string(Host h) {
    switch (h) {
        case Host::cli: return "cli";
        case Host::fw: return "fw";
        case Host::srv: return "srv";
        case Host::in2: return "in2";
    }
    return "?";
}

const char* to_string(Family f) { return f == Family::ipv4 ? "ipv4" : "ipv6"; }

Family family_of(const std::string& addr) {
    return addr.find(':') != std::string::npos ? Family::ipv6 : Family::ipv4;
}

std::string Topology::addr(Host h, Family f) {
    const Net& n = net_of(h);
    return std::string(f == Family::ipv4 ? n.v4_net : n.v6_net) + "2";
}

std::string Topology::fw_addr(Host side, Family f) {
    const Net& n = net_of(side);
    return std::string(f == Family::ipv4 ? n.v4_net : n.v6_net) + "1";
}

std::string Topology::subnet(Host side, Family f) {
    const Net& n = net_of(side);
    return f == Family::ipv4 ? std::string(n.v4_net) + "0/24" : std::string(n.v6_net) + "/64";
}

std::optional<Host> Topology::host_of(const std::string& a) {
    for (const auto& n : kNets) {
        for (Family f : {Family::ipv4, Family::ipv6}) {
            if (a == addr(n.side, f)) return n.side;
            if (a == fw_addr(n.side, f)) return Host::fw;
        }
    }
    return std::nullopt;
}

std::string Topology::tool(const std::string& name) { return (binary_dir() / name).string(); }

bool Topology::available(std::string& why) {
    static std::optional<std::string> cached;
    if (!cached) {
        cached = std::string();
        if (::geteuid() != 0) {
            *cached = "not root (end-to-end tests need root for network namespaces)";
        } else if (!std::filesystem::exists(tool("vuurmuur-e2e-peer"))) {
            *cached = "helper " + tool("vuurmuur-e2e-peer") + " is not built";
        } else {
            ProcessResult v = run({"iptables-restore", "--version"}, {}, Millis{10000});
            if (v.exit_code != 0) {
                *cached = "iptables-restore does not run: " + v.err;
            } else {
                std::string probe = std::string(kPrefixStem) + std::to_string(::getpid()) + "z-probe";
                ProcessResult add = run({"ip", "netns", "add", probe}, {}, Millis{10000});
                if (add.exit_code != 0) {
                    *cached = "`ip netns add` failed: " + add.err + add.out;
                } else {
                    run({"ip", "netns", "del", probe}, {}, Millis{10000});
                }
            }
        }
    }
    why = *cached;
    return cached->empty();
}

Topology::Topology() : prefix_(next_prefix()) {
    try {
        build();
        wait_ready();
    } catch (...) {
        teardown();
        throw;
    }
}

Topology::~Topology() { teardown(); }

std::string Topology::netns(Host h) const { return prefix_ + "-" + to_string(h); }

std::string Topology::fw_iface(Host side) const {
    switch (side) {
        case Host::cli: return prefix_ + "-f0";
        case Host::srv: return prefix_ + "-f1";
        case Host::in2: return prefix_ + "-f2";
        case Host::fw: break;
    }
    throw std::invalid_argument("fw_iface: side must be cli, srv or in2");
}

std::string Topology::host_iface(Host h) const {
    switch (h) {
        case Host::cli: return prefix_ + "-c0";
        case Host::srv: return prefix_ + "-s0";
        case Host::in2: return prefix_ + "-i0";
        case Host::fw: break;
    }
    throw std::invalid_argument("host_iface: host must be cli, srv or in2");
}

std::vector<std::string> Topology::ns_argv(Host h, const std::vector<std::string>& argv) const {
    std::vector<std::string> full{"ip", "netns", "exec", netns(h)};
    full.insert(full.end(), argv.begin(), argv.end());
    return full;
}

ProcessResult Topology::exec(Host h, const std::vector<std::string>& argv, const std::string& input,
                             Millis timeout) const {
    return run(ns_argv(h, argv), input, timeout);
}

ProcessResult Topology::restore(Family f, const std::string& text,
                                const std::vector<std::string>& extra_args) const {
    std::vector<std::string> argv{f == Family::ipv4 ? "iptables-restore" : "ip6tables-restore"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    return exec(Host::fw, argv, text, Millis{30000});
}

ProcessResult Topology::save(Family f, const std::vector<std::string>& extra_args) const {
    std::vector<std::string> argv{f == Family::ipv4 ? "iptables-save" : "ip6tables-save"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    return exec(Host::fw, argv, {}, Millis{30000});
}

void Topology::build() {
    std::vector<std::string> names;
    for (Host h : kHosts) names.push_back(netns(h));
    delete_stale(names);

    std::vector<std::string> add;
    for (const auto& n : names) add.push_back("netns add " + n);
    created_ = names;  // teardown deletes with -force, so a partial creation is fine
    check(ip_batch(add), "creating namespaces " + prefix_);

    // DAD off before the devices exist (else IPv6 is unusable for ~1-2 s); forwarding in fw only.
    for (Host h : kHosts) {
        std::vector<std::string> argv{"sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0",
                                      "net.ipv6.conf.all.accept_dad=0"};
        if (h == Host::fw) {
            argv.insert(argv.end(), {"net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"});
        }
        check(exec(h, argv), std::string("sysctl in ") + netns(h));
    }

    // veth pairs created directly inside their namespaces (never in the root namespace's view).
    std::vector<std::string> links;
    for (const auto& n : kNets) {
        links.push_back("link add " + host_iface(n.side) + " netns " + netns(n.side) + " type veth peer name " +
                        fw_iface(n.side) + " netns " + netns(Host::fw));
    }
    check(ip_batch(links), "creating veth pairs");

    // Retry IPv6 neighbour solicitations after 100 ms instead of 1 s.
    std::vector<std::string> fw_sysctl{"sysctl", "-qw"};
    for (const auto& n : kNets) {
        fw_sysctl.push_back("net.ipv6.neigh." + fw_iface(n.side) + ".retrans_time_ms=100");
        check(exec(n.side, {"sysctl", "-qw", "net.ipv6.neigh." + host_iface(n.side) + ".retrans_time_ms=100"}),
              "neighbour sysctl in " + netns(n.side));
    }
    check(exec(Host::fw, fw_sysctl), "neighbour sysctl in " + netns(Host::fw));

    // The fw ends come up first: otherwise they sit in NO-CARRIER for ~1 s and IPv6 lags.
    std::vector<std::string> fw{"link set lo up"};
    for (const auto& n : kNets) {
        fw.push_back("addr add " + fw_addr(n.side, Family::ipv4) + "/24 dev " + fw_iface(n.side));
        fw.push_back("addr add " + fw_addr(n.side, Family::ipv6) + "/64 dev " + fw_iface(n.side) + " nodad");
        fw.push_back("link set " + fw_iface(n.side) + " up");
    }
    check(ip_batch(fw, netns(Host::fw)), "configuring " + netns(Host::fw));
    for (const auto& n : kNets) {
        std::string dev = host_iface(n.side);
        check(ip_batch({"link set lo up", "addr add " + addr(n.side, Family::ipv4) + "/24 dev " + dev,
                        "addr add " + addr(n.side, Family::ipv6) + "/64 dev " + dev + " nodad",
                        "link set " + dev + " up",
                        "route add default via " + fw_addr(n.side, Family::ipv4),
                        "route add default via " + fw_addr(n.side, Family::ipv6)},
                       netns(n.side)),
              "configuring " + netns(n.side));
    }
}

void Topology::wait_ready() {
    // Carrier and IPv6 readiness are asynchronous: poll with pings until all pass, bounded.
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    for (Host dst : {Host::srv, Host::in2}) {
        for (Family f : {Family::ipv4, Family::ipv6}) {
            std::string a = addr(dst, f);
            PingResult last;
            for (;;) {
                auto started = Clock::now();
                last = ping(*this, Host::cli, a, Millis{300});
                if (last.replied) break;
                if (Clock::now() >= deadline) {
                    throw std::runtime_error("e2e topology " + prefix_ + ": " + a + " not reachable from " +
                                             netns(Host::cli) + " within 10 s: " + last.log);
                }
                // An immediate failure (e.g. no route yet): poll again shortly, not in a hot loop.
                if (Clock::now() - started < Millis{50}) std::this_thread::sleep_for(Millis{20});
            }
        }
    }
}

void Topology::teardown() noexcept {
    if (created_.empty()) return;
    try {
        std::vector<std::string> del;
        for (const auto& n : created_) del.push_back("netns del " + n);
        ip_batch(del, {}, true);
    } catch (...) {
        // Best effort; delete_stale() of a later run removes leftovers (the pid is gone by then).
    }
    created_.clear();
}

Namespace::Namespace() : name_(next_prefix() + "-ns") {
    delete_stale({name_});
    ProcessResult add = ip_batch({"netns add " + name_});
    if (add.exit_code != 0) throw std::runtime_error("ip netns add " + name_ + ": " + add.err);
    ProcessResult up = ip_batch({"link set lo up"}, name_);
    if (up.exit_code != 0) {
        ip_batch({"netns del " + name_}, {}, true);
        throw std::runtime_error("lo up in " + name_ + ": " + up.err);
    }
}

Namespace::~Namespace() {
    try {
        ip_batch({"netns del " + name_}, {}, true);
    } catch (...) {
        // Best effort; delete_stale() of a later run removes leftovers.
    }
}

std::vector<std::string> Namespace::argv(const std::vector<std::string>& argv) const {
    // An absolute path, so the result also works with runners that do not search PATH.
    std::string ip = "ip";
    for (const char* p : {"/usr/sbin/ip", "/usr/bin/ip", "/sbin/ip", "/bin/ip"}) {
        if (::access(p, X_OK) == 0) {
            ip = p;
            break;
        }
    }
    std::vector<std::string> out{ip, "netns", "exec", name_};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
}

std::string Namespace::save(Family f) const {
    ProcessResult r = run(argv({f == Family::ipv4 ? "iptables-save" : "ip6tables-save"}), {}, Millis{20000});
    if (r.exit_code != 0) throw std::runtime_error("save in " + name_ + ": " + r.err);
    return strip_save_comments(r.out);
}

std::string strip_save_comments(const std::string& save_output) {
    std::istringstream in(save_output);
    std::string line, out;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] == '#') continue;
        out += line + "\n";
    }
    return out;
}

}  // namespace vuurmuur::test::e2e

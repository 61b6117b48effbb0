// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "e2e/process.h"
#include "support/run_process.h"

/// End-to-end test topology: four network namespaces joined by veth pairs.
///
///   cli [c0 10.99.1.2 fd99:1::2] ── [f0 10.99.1.1 fd99:1::1]
///                                         fw  [f1 10.99.2.1 fd99:2::1] ── [s0 10.99.2.2 fd99:2::2] srv
///                                             [f2 10.99.3.1 fd99:3::1] ── [i0 10.99.3.2 fd99:3::2] in2
///
/// All subnets are /24 and /64. Device names carry the topology's prefix ("<p>-f0"); the
/// namespaces are "<p>-cli", "<p>-fw", "<p>-srv", "<p>-in2". Forwarding is on in the fw
/// namespace only; hosts route everything via the fw. The fw starts with no ruleset at all.
namespace vuurmuur::test::e2e {

enum class Host { cli, fw, srv, in2 };
enum class Family { ipv4, ipv6 };

const char* to_string(Host h);
const char* to_string(Family f);
/// An address containing ':' is IPv6.
Family family_of(const std::string& addr);

class Topology {
public:
    /// True when this process can build topologies (root, `ip netns add` works, the helper
    /// tools are built). Otherwise `why` says what is missing. The answer is cached.
    static bool available(std::string& why);

    /// Builds the namespaces and waits (bounded) until ping passes cli->srv and cli->in2 over
    /// both families. Throws std::runtime_error on failure, after removing what it created.
    Topology();
    /// Deletes the namespaces.
    ~Topology();
    Topology(const Topology&) = delete;
    Topology& operator=(const Topology&) = delete;

    const std::string& prefix() const { return prefix_; }
    /// Namespace name, e.g. "vme12345a-fw".
    std::string netns(Host h) const;
    /// The fw's device facing `side` (cli: "<p>-f0", srv: "<p>-f1", in2: "<p>-f2").
    std::string fw_iface(Host side) const;
    /// The host's own device (cli: "<p>-c0", srv: "<p>-s0", in2: "<p>-i0").
    std::string host_iface(Host h) const;

    /// Address of a host (cli/srv/in2); for Host::fw use fw_addr().
    static std::string addr(Host h, Family f);
    /// The fw's address on the network towards `side`.
    static std::string fw_addr(Host side, Family f);
    /// Network of `side` in CIDR notation ("10.99.1.0/24", "fd99:1::/64").
    static std::string subnet(Host side, Family f);
    /// Which namespace owns `addr` (one of the addresses above), if any.
    static std::optional<Host> host_of(const std::string& addr);

    /// argv prefixed with `ip netns exec <ns>` (argv[0] is looked up in PATH inside).
    std::vector<std::string> ns_argv(Host h, const std::vector<std::string>& argv) const;
    /// Runs argv inside namespace `h` (no shell), `input` on stdin, killed after `timeout`.
    ProcessResult exec(Host h, const std::vector<std::string>& argv, const std::string& input = {},
                       Millis timeout = Millis{10000}) const;
    /// iptables-restore / ip6tables-restore in the fw namespace with `text` on stdin.
    /// `extra_args` e.g. {"--noflush"} or {"--test"}.
    ProcessResult restore(Family f, const std::string& text,
                          const std::vector<std::string>& extra_args = {}) const;
    /// iptables-save / ip6tables-save in the fw namespace (`extra_args` e.g. {"-c"}).
    ProcessResult save(Family f, const std::vector<std::string>& extra_args = {}) const;

    /// Full path of a helper executable built next to the tests (bin/<name>).
    static std::string tool(const std::string& name);

private:
    void build();
    void teardown() noexcept;
    void wait_ready();

    std::string prefix_;
    std::vector<std::string> created_;
};

/// One bare network namespace (only `lo`, up) for tests that run a program "on the firewall"
/// without traffic, e.g. vuurmuur-script --apply. Needs Topology::available().
class Namespace {
public:
    /// Creates "<prefix>-ns"; throws std::runtime_error on failure.
    Namespace();
    ~Namespace();
    Namespace(const Namespace&) = delete;
    Namespace& operator=(const Namespace&) = delete;

    const std::string& name() const { return name_; }
    /// argv prefixed with `ip netns exec <name>`.
    std::vector<std::string> argv(const std::vector<std::string>& argv) const;
    /// iptables-save / ip6tables-save inside, '#' lines dropped.
    std::string save(Family f) const;

private:
    std::string name_;
};

/// Drops '#' comment lines (nft save timestamps) so save output can be compared.
std::string strip_save_comments(const std::string& save_output);

}  // namespace vuurmuur::test::e2e

/// In a Catch2 test: WARN "SKIPPED end-to-end test: <why>" and return unless
/// Topology::available() (root, `ip netns add` works, the helper tools are built).
#define E2E_SKIP_UNLESS_AVAILABLE()                                                       \
    do {                                                                                  \
        std::string e2e_why_;                                                             \
        if (!::vuurmuur::test::e2e::Topology::available(e2e_why_)) {                      \
            WARN("SKIPPED end-to-end test: " << e2e_why_);                                \
            return;                                                                       \
        }                                                                                 \
    } while (0)

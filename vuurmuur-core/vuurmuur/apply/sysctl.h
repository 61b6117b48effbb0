// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vuurmuur/ir/ruleset.h"
#include "vuurmuur/model/config.h"

/// The kernel settings apply manages besides the ruleset (reference §3.7, §3.9). All of them
/// are net.* sysctls, which are per network namespace:
///
/// | setting | from | value |
/// |---|---|---|
/// | net/ipv4/ip_forward, net/ipv6/conf/all/forwarding | forwarding rules of that family | 1 / 0 |
/// | net/ipv4/conf/DEV/accept_source_route | interface `RULE="protect against source-routed-packets"` | 0 |
/// | net/ipv4/conf/DEV/accept_redirects | `protect against icmp-redirect` | 0 |
/// | net/ipv4/conf/DEV/send_redirects | `protect against send-redirect` | 0 |
/// | net/ipv4/conf/DEV/rp_filter | `protect against rp-filter` | 1 |
/// | net/ipv4/conf/DEV/log_martians | `protect against log-martians` | 1 |
/// | net/ipv4/tcp_syncookies | `PROTECT_SYNCOOKIE="Yes"` | 1 |
/// | net/ipv4/icmp_echo_ignore_broadcasts | `PROTECT_ECHOBROADCAST="Yes"` | 1 |
/// | net/netfilter/nf_conntrack_acct | `CONNTRACK_ACCOUNTING="Yes"` | 1 |
/// | net/netfilter/nf_conntrack_helper | always (helpers are assigned by CT rules only) | 0 |
///
/// As the original: a "No" leaves the setting alone (it is not switched back); interface
/// protections apply to active interfaces whose device exists (the original: "up"); an
/// oldstyle alias (`eth0:1`) uses its base device. nf_conntrack_helper is gone from kernels
/// since 6.0 (no automatic helpers at all): skipped without a word when missing.
namespace vuurmuur::apply {

struct Sysctl {
    std::string key;    ///< relative to /proc/sys, e.g. "net/ipv4/conf/eth0/rp_filter"
    std::string value;  ///< "0" or "1"
    std::string why;    ///< for messages: "interface lan: protect against rp-filter"
    bool optional = false;  ///< missing in this kernel: skip silently
};

/// "net/ipv4/ip_forward" or "net/ipv6/conf/all/forwarding".
std::string forward_key(ir::Family family);

/// The settings the config asks for, in a fixed order (system, then interfaces by name).
/// Forwarding is not among them (it depends on the compiled rules: forward_key()).
std::vector<Sysctl> wanted_sysctls(const model::Config& config);

/// Reads a sysctl ("0", "1", ...; the first line, trimmed). nullopt when it does not exist.
std::optional<std::string> read_sysctl(const std::string& key, const std::filesystem::path& root = "/proc/sys");
/// Writes `value`; empty on success, else the error.
std::string write_sysctl(const std::string& key, const std::string& value,
                         const std::filesystem::path& root = "/proc/sys");

/// Writes every setting whose value differs. `notes` gets one line per change
/// ("net/ipv4/tcp_syncookies = 1 (PROTECT_SYNCOOKIE)"), `warnings` one per failure (a
/// missing non-optional setting included).
void apply_sysctls(const std::vector<Sysctl>& wanted, std::vector<std::string>& notes,
                   std::vector<std::string>& warnings, const std::filesystem::path& root = "/proc/sys");

}  // namespace vuurmuur::apply

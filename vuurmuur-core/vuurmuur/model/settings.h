// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

/// config.conf: global settings with the original's code defaults (reference §7).
namespace vuurmuur::model {

struct Settings {
    std::string services_backend = "textdir";
    std::string zones_backend = "textdir";
    std::string interfaces_backend = "textdir";
    std::string rules_backend = "textdir";
    std::string sysctl = "/sbin/sysctl";
    std::string iptables = "/sbin/iptables";
    std::string iptables_restore = "/sbin/iptables-restore";
    std::string ip6tables = "/sbin/ip6tables";
    std::string ip6tables_restore = "/sbin/ip6tables-restore";
    std::string tc;  ///< empty: shaping disabled
    std::string modprobe = "/sbin/modprobe";
    bool load_modules = true;
    std::uint32_t modules_wait_time = 0;
    std::uint32_t max_permission = 0700;
    std::string logdir = "/var/log/vuurmuur";
    std::uint32_t nfgrp = 8;
    bool dyn_int_check = false;
    std::uint32_t dyn_int_interval = 30;
    bool log_policy = true;
    std::uint32_t log_policy_limit = 30;
    bool log_blocklist = true;
    bool log_invalid = true;
    bool log_no_syn = true;
    bool log_probes = true;
    bool log_frag = true;
    bool drop_invalid = true;
    bool conntrack_accounting = true;
    bool use_syn_limit = true;
    std::uint32_t syn_limit = 10;
    std::uint32_t syn_limit_burst = 20;
    bool use_udp_limit = true;
    std::uint32_t udp_limit = 15;
    std::uint32_t udp_limit_burst = 45;
    bool protect_syncookie = true;
    bool protect_echobroadcast = true;
    bool log_tcp_options = false;  ///< obsolete, kept for round trips
    /// Ours: the bits of the connection mark Vuurmuur owns (contiguous). The default covers
    /// the original's values (up to 131074) unshifted, so a live switch keeps classifications.
    std::uint32_t connmark_mask = 0x3FFFF;
    /// CONNMARK_MASK was written in config.conf: the admin declared which mark bits are
    /// Vuurmuur's, so packet marks (nfmark) must keep out of them.
    bool connmark_mask_explicit = false;
    /// Ours: --queue-bypass on every nfqueue rule (accept when no program listens). Off: fail closed.
    bool nfqueue_bypass = false;
    /// Ours: networks (CIDR, IPv4 and IPv6, space-separated) that may reach SSH when
    /// `apply --boot` falls back to the fail-closed safety ruleset.
    std::string admin_networks;
};

/// How one config.conf key maps onto Settings.
struct SettingSpec {
    enum class Type { Text, Path, Bool, UInt, Octal, Hex, Networks };

    std::string_view key;
    std::string_view section;  ///< as the original's editor groups them
    Type type;
    std::uint32_t min = 0;
    std::uint32_t max = 0;
    std::string Settings::*text = nullptr;
    bool Settings::*flag = nullptr;
    std::uint32_t Settings::*number = nullptr;
    std::string_view description;
};

/// Every key, in the order of the editor's sections.
std::span<const SettingSpec> setting_specs();
const SettingSpec* find_setting(std::string_view key);

/// The value of a setting in config.conf text form ("Yes", "30", "/sbin/iptables", "0700").
std::string setting_text(const Settings& settings, const SettingSpec& spec);
/// Parses `text` into `settings`; returns an error message on failure (empty on success).
std::string set_setting(Settings& settings, const SettingSpec& spec, std::string_view text);

}  // namespace vuurmuur::model

// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/model/settings.h"

#include <cctype>

#include "vuurmuur/base/ip.h"
#include "vuurmuur/base/strings.h"

namespace vuurmuur::model {

namespace {
using T = SettingSpec::Type;
using S = Settings;

constexpr SettingSpec text(std::string_view key, std::string_view section,
                           std::string S::*member, std::string_view description, T type = T::Text) {
    return {key, section, type, 0, 0, member, nullptr, nullptr, description};
}
constexpr SettingSpec flag(std::string_view key, std::string_view section, bool S::*member,
                           std::string_view description) {
    return {key, section, T::Bool, 0, 1, nullptr, member, nullptr, description};
}
constexpr SettingSpec number(std::string_view key, std::string_view section,
                             std::uint32_t S::*member, std::uint32_t min, std::uint32_t max,
                             std::string_view description, T type = T::UInt) {
    return {key, section, type, min, max, nullptr, nullptr, member, description};
}

/// "192.168.1.0/24 fd00:1::/64": networks without host bits, separated by spaces.
std::string check_networks(std::string_view text) {
    const std::string error = "expected networks like \"192.168.1.0/24 fd00:1::/64\" (no host bits)";
    if (text.size() > 1024) return error;
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (text[pos] == ' ' || text[pos] == '\t') { ++pos; continue; }
        std::size_t end = text.find_first_of(" \t", pos);
        std::string_view net = text.substr(pos, end == std::string_view::npos ? text.size() - pos : end - pos);
        pos += net.size();
        std::size_t slash = net.find('/');
        std::string_view addr = net.substr(0, slash);
        bool v6 = addr.find(':') != std::string_view::npos;
        int max = v6 ? 128 : 32;
        auto prefix = slash == std::string_view::npos ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(max))
                                                      : base::parse_uint(net.substr(slash + 1), static_cast<std::uint64_t>(max));
        if (!prefix) return error;
        int bits = static_cast<int>(*prefix);
        if (v6) {
            auto ip = base::Ipv6::parse(addr);
            if (!ip || base::Ipv6Net{*ip, bits}.has_host_bits()) return error;
        } else {
            auto ip = base::Ipv4::parse(addr);
            if (!ip || base::Ipv4Net{*ip, bits}.network() != *ip) return error;
        }
    }
    return {};
}

const SettingSpec kSpecs[] = {
    text("SYSCTL", "General", &S::sysctl, "path of sysctl", T::Path),
    text("IPTABLES", "General", &S::iptables, "path of iptables", T::Path),
    text("IPTABLES_RESTORE", "General", &S::iptables_restore, "path of iptables-restore", T::Path),
    text("IP6TABLES", "General", &S::ip6tables, "path of ip6tables", T::Path),
    text("IP6TABLES_RESTORE", "General", &S::ip6tables_restore, "path of ip6tables-restore", T::Path),
    text("TC", "General", &S::tc, "path of tc (empty: no shaping)", T::Path),
    text("MODPROBE", "General", &S::modprobe, "path of modprobe", T::Path),
    number("MAX_PERMISSION", "General", &S::max_permission, 0, 0777,
           "highest file mode allowed for config and log files", T::Octal),
    text("ADMIN_NETWORKS", "General", &S::admin_networks,
         "networks SSH stays open to when boot falls back to the safety ruleset", T::Networks),
    flag("USE_SYN_LIMIT", "Connections", &S::use_syn_limit, "limit the rate of new TCP connections"),
    number("SYN_LIMIT", "Connections", &S::syn_limit, 1, 10000, "new TCP connections per second"),
    number("SYN_LIMIT_BURST", "Connections", &S::syn_limit_burst, 1, 10000, "burst of new TCP connections"),
    flag("USE_UDP_LIMIT", "Connections", &S::use_udp_limit, "limit the rate of new UDP flows"),
    number("UDP_LIMIT", "Connections", &S::udp_limit, 1, 10000, "new UDP flows per second"),
    number("UDP_LIMIT_BURST", "Connections", &S::udp_limit_burst, 1, 10000, "burst of new UDP flows"),
    flag("DYN_INT_CHECK", "Interfaces", &S::dyn_int_check, "watch the addresses of dynamic interfaces"),
    number("DYN_INT_INTERVAL", "Interfaces", &S::dyn_int_interval, 1, 86400, "seconds between checks"),
    flag("PROTECT_SYNCOOKIE", "System Protection", &S::protect_syncookie, "SYN-flood protection (tcp_syncookies)"),
    flag("PROTECT_ECHOBROADCAST", "System Protection", &S::protect_echobroadcast, "ignore broadcast pings"),
    flag("DROP_INVALID", "Conntrack", &S::drop_invalid, "drop packets conntrack calls INVALID"),
    number("CONNMARK_MASK", "Conntrack", &S::connmark_mask, 0x3, 0xFFFFFFFFu,
           "connection-mark bits Vuurmuur owns (contiguous, hex)", T::Hex),
    flag("NFQUEUE_BYPASS", "Conntrack", &S::nfqueue_bypass, "accept queued traffic when no program listens"),
    flag("CONNTRACK_ACCOUNTING", "Conntrack", &S::conntrack_accounting, "count bytes per connection"),
    text("LOGDIR", "Logging", &S::logdir, "directory of the log files", T::Path),
    flag("LOG_POLICY", "Logging", &S::log_policy, "log what the default policy drops"),
    number("LOG_POLICY_LIMIT", "Logging", &S::log_policy_limit, 0, 10000, "policy log lines per second"),
    flag("LOG_BLOCKLIST", "Logging", &S::log_blocklist, "log blocklist drops"),
    flag("LOG_INVALID", "Logging", &S::log_invalid, "log INVALID packets"),
    flag("LOG_NO_SYN", "Logging", &S::log_no_syn, "log new TCP packets without SYN"),
    flag("LOG_PROBES", "Logging", &S::log_probes, "log TCP flag probes"),
    flag("LOG_FRAG", "Logging", &S::log_frag, "log fragments"),
    number("NFGRP", "Logging", &S::nfgrp, 1, 999, "NFLOG group of the log rules"),
    flag("LOG_TCP_OPTIONS", "Logging", &S::log_tcp_options, "obsolete: ignored"),
    flag("LOAD_MODULES", "Modules", &S::load_modules, "load missing netfilter modules"),
    number("MODULES_WAIT_TIME", "Modules", &S::modules_wait_time, 0, 1000, "1/10 s to wait after each modprobe"),
    text("SERVICES_BACKEND", "Plugins", &S::services_backend, "backend of services"),
    text("ZONES_BACKEND", "Plugins", &S::zones_backend, "backend of zones"),
    text("INTERFACES_BACKEND", "Plugins", &S::interfaces_backend, "backend of interfaces"),
    text("RULES_BACKEND", "Plugins", &S::rules_backend, "backend of rules"),
};
}  // namespace

std::span<const SettingSpec> setting_specs() { return kSpecs; }

const SettingSpec* find_setting(std::string_view key) {
    for (const auto& spec : kSpecs) {
        if (base::iequals(spec.key, key)) return &spec;
    }
    return nullptr;
}

std::string setting_text(const Settings& settings, const SettingSpec& spec) {
    switch (spec.type) {
        case T::Text:
        case T::Path:
        case T::Networks: return settings.*spec.text;
        case T::Bool: return settings.*spec.flag ? "Yes" : "No";
        case T::UInt: return std::to_string(settings.*spec.number);
        case T::Hex: {
            static const char* digits = "0123456789abcdef";
            std::uint32_t v = settings.*spec.number;
            std::string out;
            do {
                out.insert(out.begin(), digits[v & 0xFu]);
                v >>= 4;
            } while (v != 0);
            return "0x" + out;
        }
        case T::Octal: {
            std::uint32_t v = settings.*spec.number;
            std::string out;
            do {
                out.insert(out.begin(), static_cast<char>('0' + (v & 7u)));
                v >>= 3;
            } while (v != 0);
            return "0" + out;
        }
    }
    return {};
}

std::string set_setting(Settings& settings, const SettingSpec& spec, std::string_view text) {
    switch (spec.type) {
        case T::Text:
            if (!base::is_valid_utf8_text(text) || text.size() > 256) {
                return "expected printable text of at most 256 characters";
            }
            settings.*spec.text = std::string(text);
            return {};
        case T::Path:
            if (!text.empty() && text.front() != '/') return "expected an absolute path";
            if (text.size() > 256 || !base::is_valid_utf8_text(text) ||
                text.find(';') != std::string_view::npos ||
                text.find("../") != std::string_view::npos) {
                return "expected an absolute path without ';' or '../'";
            }
            settings.*spec.text = std::string(text);
            return {};
        case T::Networks: {
            std::string error = check_networks(text);
            if (error.empty()) settings.*spec.text = std::string(text);
            return error;
        }
        case T::Bool:
            if (base::iequals(text, "yes")) settings.*spec.flag = true;
            else if (base::iequals(text, "no")) settings.*spec.flag = false;
            else return "expected Yes or No";
            return {};
        case T::UInt: {
            auto n = base::parse_uint(text, spec.max);
            if (!n || *n < spec.min) {
                return "expected a number from " + std::to_string(spec.min) + " to " +
                       std::to_string(spec.max);
            }
            settings.*spec.number = static_cast<std::uint32_t>(*n);
            return {};
        }
        case T::Hex: {
            std::string_view digits = text;
            if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) digits.remove_prefix(2);
            std::uint32_t v = 0;
            if (digits.empty() || digits.size() > 8) return "expected a hex mask like 0x3ffff";
            for (char c : digits) {
                int d = std::isxdigit(static_cast<unsigned char>(c)) == 0 ? -1
                        : c <= '9' ? c - '0' : (std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
                if (d < 0) return "expected a hex mask like 0x3ffff";
                v = v * 16 + static_cast<std::uint32_t>(d);
            }
            std::uint32_t low = v >> __builtin_ctz(v == 0 ? 1 : v);
            if (v < spec.min || (low & (low + 1)) != 0) {
                return "expected a contiguous mask of at least two bits, like 0x3ffff";
            }
            settings.*spec.number = v;
            return {};
        }
        case T::Octal: {
            std::uint32_t v = 0;
            if (text.empty() || text.size() > 4) return "expected an octal mode like 0700";
            for (char c : text) {
                if (c < '0' || c > '7') return "expected an octal mode like 0700";
                v = v * 8 + static_cast<std::uint32_t>(c - '0');
            }
            if (v > spec.max) return "expected an octal mode like 0700";
            settings.*spec.number = v;
            return {};
        }
    }
    return "unsupported setting";
}

}  // namespace vuurmuur::model

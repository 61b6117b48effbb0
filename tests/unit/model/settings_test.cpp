// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "vuurmuur/model/settings.h"

using namespace vuurmuur::model;

namespace {

const SettingSpec& spec(const char* key) {
    const SettingSpec* s = find_setting(key);
    INFO(key);
    REQUIRE(s != nullptr);
    return *s;
}

std::string text_of(const Settings& s, const char* key) { return setting_text(s, spec(key)); }

}  // namespace

TEST_CASE("settings: the defaults are the original's code defaults (reference section 7)") {
    const Settings d;
    CHECK(d.services_backend == "textdir");
    CHECK(d.zones_backend == "textdir");
    CHECK(d.interfaces_backend == "textdir");
    CHECK(d.rules_backend == "textdir");
    CHECK(d.sysctl == "/sbin/sysctl");
    CHECK(d.iptables == "/sbin/iptables");
    CHECK(d.iptables_restore == "/sbin/iptables-restore");
    CHECK(d.ip6tables == "/sbin/ip6tables");
    CHECK(d.ip6tables_restore == "/sbin/ip6tables-restore");
    CHECK(d.tc.empty());
    CHECK(d.modprobe == "/sbin/modprobe");
    CHECK(d.load_modules);
    CHECK(d.modules_wait_time == 0u);
    CHECK(d.max_permission == 0700u);
    CHECK(d.logdir == "/var/log/vuurmuur");
    CHECK(d.nfgrp == 8u);
    CHECK_FALSE(d.dyn_int_check);
    CHECK(d.dyn_int_interval == 30u);
    CHECK(d.log_policy);
    CHECK(d.log_policy_limit == 30u);
    CHECK(d.log_blocklist);
    CHECK(d.log_invalid);
    CHECK(d.log_no_syn);
    CHECK(d.log_probes);
    CHECK(d.log_frag);
    CHECK(d.drop_invalid);
    CHECK(d.conntrack_accounting);
    CHECK(d.use_syn_limit);
    CHECK(d.syn_limit == 10u);
    CHECK(d.syn_limit_burst == 20u);
    CHECK(d.use_udp_limit);
    CHECK(d.udp_limit == 15u);
    CHECK(d.udp_limit_burst == 45u);
    CHECK(d.protect_syncookie);
    CHECK(d.protect_echobroadcast);
    CHECK_FALSE(d.log_tcp_options);
}

TEST_CASE("settings: every config.conf key of the original has a spec") {
    const std::vector<std::string> keys = {
        "SERVICES_BACKEND", "ZONES_BACKEND", "INTERFACES_BACKEND", "RULES_BACKEND",
        "SYSCTL", "IPTABLES", "IPTABLES_RESTORE", "IP6TABLES", "IP6TABLES_RESTORE", "TC",
        "MODPROBE", "LOAD_MODULES", "MODULES_WAIT_TIME", "MAX_PERMISSION", "LOGDIR", "NFGRP",
        "DYN_INT_CHECK", "DYN_INT_INTERVAL", "LOG_POLICY", "LOG_POLICY_LIMIT", "LOG_BLOCKLIST",
        "LOG_INVALID", "LOG_NO_SYN", "LOG_PROBES", "LOG_FRAG", "DROP_INVALID",
        "CONNTRACK_ACCOUNTING", "USE_SYN_LIMIT", "SYN_LIMIT", "SYN_LIMIT_BURST",
        "USE_UDP_LIMIT", "UDP_LIMIT", "UDP_LIMIT_BURST", "PROTECT_SYNCOOKIE",
        "PROTECT_ECHOBROADCAST", "LOG_TCP_OPTIONS",
    };
    std::set<std::string> listed;
    for (const auto& s : setting_specs()) listed.insert(std::string(s.key));
    CHECK(listed.size() == setting_specs().size());  // no key twice
    for (const auto& key : keys) {
        CAPTURE(key);
        CHECK(listed.count(key) == 1);
    }
    CHECK(find_setting("nfgrp") == find_setting("NFGRP"));  // case-insensitive
    CHECK(find_setting("NFGROUP") == nullptr);
}

TEST_CASE("settings: the default values in config.conf form") {
    const Settings d;
    CHECK(text_of(d, "MAX_PERMISSION") == "0700");
    CHECK(text_of(d, "NFGRP") == "8");
    CHECK(text_of(d, "LOG_POLICY") == "Yes");
    CHECK(text_of(d, "DYN_INT_CHECK") == "No");
    CHECK(text_of(d, "TC").empty());
    CHECK(text_of(d, "IPTABLES") == "/sbin/iptables");
    CHECK(text_of(d, "RULES_BACKEND") == "textdir");
    CHECK(text_of(d, "MODULES_WAIT_TIME") == "0");
}

TEST_CASE("settings: valid values are stored") {
    Settings s;
    CHECK(set_setting(s, spec("NFGRP"), "9").empty());
    CHECK(s.nfgrp == 9u);
    CHECK(set_setting(s, spec("NFGRP"), "999").empty());
    CHECK(s.nfgrp == 999u);
    CHECK(set_setting(s, spec("LOG_POLICY"), "NO").empty());
    CHECK_FALSE(s.log_policy);
    CHECK(set_setting(s, spec("LOG_POLICY"), "yes").empty());
    CHECK(s.log_policy);
    CHECK(set_setting(s, spec("MAX_PERMISSION"), "700").empty());
    CHECK(s.max_permission == 0700u);
    CHECK(text_of(s, "MAX_PERMISSION") == "0700");
    CHECK(set_setting(s, spec("MAX_PERMISSION"), "0750").empty());
    CHECK(s.max_permission == 0750u);
    CHECK(set_setting(s, spec("TC"), "/usr/sbin/tc").empty());
    CHECK(s.tc == "/usr/sbin/tc");
    CHECK(set_setting(s, spec("TC"), "").empty());  // empty path: shaping disabled
    CHECK(s.tc.empty());
    CHECK(set_setting(s, spec("MODULES_WAIT_TIME"), "1000").empty());
    CHECK(s.modules_wait_time == 1000u);
    CHECK(set_setting(s, spec("LOG_POLICY_LIMIT"), "0").empty());
    CHECK(s.log_policy_limit == 0u);
}

TEST_CASE("settings: bad values give an exact error and change nothing") {
    struct Case {
        const char* key;
        std::string value;
        std::string error;
    };
    const std::vector<Case> cases = {
        {"NFGRP", "1000", "expected a number from 1 to 999"},
        {"NFGRP", "0", "expected a number from 1 to 999"},
        {"NFGRP", "", "expected a number from 1 to 999"},
        {"NFGRP", "-1", "expected a number from 1 to 999"},
        {"NFGRP", "8 ", "expected a number from 1 to 999"},
        {"SYN_LIMIT", "10001", "expected a number from 1 to 10000"},
        {"DYN_INT_INTERVAL", "0", "expected a number from 1 to 86400"},
        {"MODULES_WAIT_TIME", "1001", "expected a number from 0 to 1000"},
        {"LOG_POLICY", "maybe", "expected Yes or No"},
        {"LOG_POLICY", "", "expected Yes or No"},
        {"LOG_POLICY", "Yess", "expected Yes or No"},
        {"IPTABLES", "sbin/iptables", "expected an absolute path"},
        {"IPTABLES", "/sbin/../bin/sh", "expected an absolute path without ';' or '../'"},
        {"IPTABLES", "/sbin/iptables;reboot", "expected an absolute path without ';' or '../'"},
        {"LOGDIR", "/" + std::string(256, 'x'), "expected an absolute path without ';' or '../'"},
        {"MAX_PERMISSION", "0800", "expected an octal mode like 0700"},
        {"MAX_PERMISSION", "07777", "expected an octal mode like 0700"},
        {"MAX_PERMISSION", "1000", "expected an octal mode like 0700"},
        {"MAX_PERMISSION", "", "expected an octal mode like 0700"},
        {"MAX_PERMISSION", "rwx", "expected an octal mode like 0700"},
        {"RULES_BACKEND", std::string(257, 'x'), "expected printable text of at most 256 characters"},
        {"RULES_BACKEND", "text\ndir", "expected printable text of at most 256 characters"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.key, c.value);
        Settings s;
        CHECK(set_setting(s, spec(c.key), c.value) == c.error);
        // Nothing changed.
        for (const auto& sp : setting_specs()) {
            CHECK(setting_text(s, sp) == setting_text(Settings{}, sp));
        }
    }
}

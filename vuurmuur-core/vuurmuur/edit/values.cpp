// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/edit/values.h"

#include "vuurmuur/base/ip.h"
#include "vuurmuur/base/strings.h"
#include "vuurmuur/config/rule_parser.h"
#include "vuurmuur/model/build.h"
#include "vuurmuur/model/name.h"
#include "vuurmuur/model/objects.h"

namespace vuurmuur::edit {

using model::ObjectKind;

namespace {

/// Object comments: the limit the loader enforces.
constexpr std::size_t kMaxComment = 512;

bool is_yes_no_key(ObjectKind kind, std::string_view key) {
    if (key == "ACTIVE") return kind != ObjectKind::Ruleset;
    if (kind == ObjectKind::Interface) return key == "VIRTUAL" || key == "SHAPE" || key == "TCPMSS";
    if (kind == ObjectKind::Service) return key == "BROADCAST";
    return false;
}

ValueCheck ok(std::string value) { return {true, std::move(value), {}}; }
ValueCheck bad(std::string error) { return {false, {}, std::move(error)}; }

std::string shown(std::string_view value) { return "'" + base::printable(value, 80) + "'"; }

ValueCheck check_ipv4(std::string_view key, std::string_view value) {
    if (base::Ipv4::parse(value)) return ok(std::string(value));
    return bad(shown(value) + " is not an IPv4 address (" + std::string(key) +
               " takes four decimal numbers 0-255, like 192.168.1.10)");
}

ValueCheck check_ipv6(std::string_view key, std::string_view value) {
    if (base::Ipv6::parse(value)) return ok(std::string(value));
    return bad(shown(value) + " is not an IPv6 address (" + std::string(key) + " takes one like fd00:1::10)");
}

ValueCheck check_service_value(std::string_view key, std::string_view value) {
    std::vector<model::ServicePort> ports;
    diag::Diagnostics diags;
    if (!model::parse_service_value(key, value, {"", 0, 0}, ports, diags) || diags.has_errors()) {
        std::string why = diags.all().empty() ? "malformed" : diags.all().front().message;
        std::string hint = key == "RANGE" ? "like 6;80*1024:65535 (PROTO;DST*SRC)"
                                          : "like 80*1024:65535 (DST*SRC, ranges low:high)";
        return bad("bad " + std::string(key) + " value " + shown(value) + ": " + why + "; " + hint);
    }
    return ok(std::string(value));
}

ValueCheck check_network_rule(std::string_view value) {
    std::string_view text = base::trim(value);
    constexpr std::string_view kSpoof = "protect against spoofing from ";
    if (base::starts_with_icase(text, kSpoof) &&
        model::parse_spoof_source(base::trim(text.substr(kSpoof.size())))) {
        return ok(std::string(text));
    }
    if (base::iequals(text, "accept dhcp-client") || base::iequals(text, "accept dhcp-server")) {
        return ok(std::string(text));
    }
    return bad("unknown network rule " + shown(value) +
               "; network rules are 'protect against spoofing from SOURCE' (loopback, class-a, "
               "class-b, class-c, class-d, class-e, test-net, lnk-loc-net, iana-0/8, brdcst-src, "
               "brdcst-dst), 'accept dhcp-client' and 'accept dhcp-server'");
}

ValueCheck check_interface_rule(std::string_view value) {
    std::string_view text = base::trim(value);
    constexpr std::string_view kProtect = "protect against ";
    if (base::starts_with_icase(text, kProtect) &&
        model::parse_protection(base::trim(text.substr(kProtect.size())))) {
        return ok(std::string(text));
    }
    return bad("unknown interface rule " + shown(value) +
               "; interface rules are 'protect against X' with X one of source-routed-packets, "
               "icmp-redirect, send-redirect, rp-filter, log-martians");
}

ValueCheck check_blocklist_rule(std::string_view value) {
    std::string_view text = base::trim(value);
    std::string prefix;
    if (!text.empty() && text.front() == ';') {
        prefix = ";";
        text = base::trim(text.substr(1));
    }
    if (base::starts_with_icase(text, "block ")) {
        std::string_view item = base::trim(text.substr(6));
        if (is_blockable_form(item)) return ok(prefix + "block " + std::string(item));
    }
    return bad("blocklist entries are 'block <ip|host.network.zone|group.network.zone>', not " +
               shown(value));
}

}  // namespace

std::vector<std::string> modifiable_variables(ObjectKind kind) {
    std::vector<std::string> out;
    for (const auto& spec : model::keys_of(kind)) {
        if (modifiable(kind, spec.key) != nullptr) out.emplace_back(spec.key);
    }
    return out;
}

const model::KeySpec* modifiable(ObjectKind kind, std::string_view key) {
    const model::KeySpec* spec = model::find_key(kind, key);
    if (spec == nullptr) return nullptr;
    // The interface's INTERFACE is the legacy spelling of DEVICE, read but never written.
    if (kind == ObjectKind::Interface && spec->key == "INTERFACE") return nullptr;
    return spec;
}

ValueCheck check_value(ObjectKind kind, std::string_view ruleset, std::string_view raw_key,
                       std::string_view value) {
    const model::KeySpec* spec = modifiable(kind, raw_key);
    if (spec == nullptr) {
        return bad("a " + std::string(model::kind_name(kind)) + " has no variable " +
                   shown(raw_key) + " that can be set; it has " +
                   base::join(modifiable_variables(kind), ", "));
    }
    const std::string_view key = spec->key;
    if (!base::is_valid_utf8_text(value) || value.find('\t') != std::string_view::npos) {
        return bad("the value of " + std::string(key) +
                   " contains control characters or invalid UTF-8: " + shown(value));
    }
    if (value.size() > config::kMaxLineBytes - key.size() - 3) {
        return bad("the value of " + std::string(key) + " is " + std::to_string(value.size()) +
                   " bytes long; a line holds at most " + std::to_string(config::kMaxLineBytes));
    }
    if (is_yes_no_key(kind, key)) {
        if (base::iequals(value, "yes")) return ok("Yes");
        if (base::iequals(value, "no")) return ok("No");
        return bad(std::string(key) + " takes Yes or No, not " + shown(value));
    }
    if (key == "COMMENT") {
        if (value.size() > kMaxComment) {
            return bad("the comment is " + std::to_string(value.size()) + " characters; at most " +
                       std::to_string(kMaxComment) + " fit");
        }
        return ok(std::string(value));
    }
    // Every other key may be cleared, but for DEVICE and the rules of a ruleset.
    if (value.empty()) {
        if (key == "DEVICE") return bad("DEVICE needs a value: the kernel name, like eth0");
        if (kind == ObjectKind::Ruleset) return bad("an empty RULE would end the list of rules (as in the original); give a rule");
        return ok({});
    }
    switch (kind) {
        case ObjectKind::Zone:
            break;
        case ObjectKind::Network:
            if (key == "NETWORK") return check_ipv4(key, value);
            if (key == "NETMASK") {
                auto mask = base::Ipv4::parse(value);
                if (mask && base::netmask_to_prefix(*mask)) return ok(std::string(value));
                return bad(shown(value) + " is not a netmask (contiguous one bits, like 255.255.255.0)");
            }
            if (key == "IPV6NETWORK") return check_ipv6(key, value);
            if (key == "IPV6CIDR") {
                if (base::parse_uint(value, 128)) return ok(std::string(value));
                return bad("IPV6CIDR takes a prefix length from 0 to 128, not " + shown(value));
            }
            if (key == "INTERFACE") {
                if (model::is_valid_name_part(value)) return ok(std::string(value));
                return bad(shown(value) + " is not an interface name ([a-zA-Z0-9_-], 1-32 characters)");
            }
            if (key == "RULE") return check_network_rule(value);
            break;
        case ObjectKind::Host:
            if (key == "IPADDRESS") return check_ipv4(key, value);
            if (key == "IPV6ADDRESS") return check_ipv6(key, value);
            if (key == "MAC") {
                if (base::iequals(value, "none") || base::is_valid_mac(value)) return ok(std::string(value));
                return bad(shown(value) + " is not a MAC address (six hex pairs like 00:11:22:33:44:55)");
            }
            break;
        case ObjectKind::Group:
            if (key == "MEMBER") {
                if (model::is_valid_name_part(value)) return ok(std::string(value));
                return bad(shown(value) + " is not a member name: give the host part only, like pc1 "
                           "(a host of the group's network)");
            }
            break;
        case ObjectKind::Interface:
            if (key == "IPADDRESS") {
                if (base::iequals(value, "dynamic")) return ok("dynamic");
                return check_ipv4(key, value);
            }
            if (key == "IPV6ADDRESS") return check_ipv6(key, value);
            if (key == "DEVICE") {
                if (model::is_valid_device_name(value)) return ok(std::string(value));
                return bad(shown(value) + " is not a device name (1-15 characters of [a-zA-Z0-9_.:@-])");
            }
            if (key == "RULE") return check_interface_rule(value);
            if (key == "BW_IN" || key == "BW_OUT") {
                if (base::parse_uint(value, 0xFFFFFFFFu)) return ok(std::string(value));
                return bad(std::string(key) + " takes a number, not " + shown(value));
            }
            if (key == "BW_IN_UNIT" || key == "BW_OUT_UNIT") {
                if (base::iequals(value, "kbit") || base::iequals(value, "mbit")) return ok(base::to_lower(value));
                return bad(std::string(key) + " takes kbit or mbit, not " + shown(value));
            }
            break;
        case ObjectKind::Service:
            if (key == "HELPER") {
                if (model::is_valid_name_part(value)) return ok(std::string(value));
                return bad(shown(value) + " is not a conntrack helper name (like ftp, irc, sip)");
            }
            return check_service_value(key, value);
        case ObjectKind::Ruleset:
            if (ruleset == "blocklist") return check_blocklist_rule(value);
            {
                std::string error;
                auto rule = parse_rule_text(value, error);
                if (!rule) return bad(error);
                return ok(stored_rule_text(*rule));
            }
    }
    return ok(std::string(value));
}

std::optional<model::Rule> parse_rule_text(std::string_view text, std::string& error) {
    diag::Diagnostics diags;
    auto rule = config::parse_rule(text, {"", 1, 1}, diags);
    if (!diags.all().empty()) {
        const auto& d = diags.all().front();
        error = "bad rule: " + d.message + (d.hint.empty() ? std::string() : " (" + d.hint + ")");
        return std::nullopt;
    }
    if (!rule) {
        error = "bad rule " + shown(text);
        return std::nullopt;
    }
    return rule;
}

std::string stored_rule_text(const model::Rule& rule) {
    return config::escape_rule_value(config::format_rule(rule));
}

std::string unescape_rule_value(std::string_view value) {
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\\' && i + 1 < value.size() && value[i + 1] == '"') {
            out += '"';
            ++i;
        } else {
            out += value[i];
        }
    }
    return out;
}

bool is_blockable_form(std::string_view item) {
    if (base::Ipv4::parse(item) || base::Ipv6::parse(item)) return true;
    auto name = model::ObjectName::parse(item);
    return name && name->kind == model::ObjectName::Kind::HostOrGroup;
}

}  // namespace vuurmuur::edit

// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/model/build.h"

#include <set>

#include "vuurmuur/base/spellcheck.h"
#include "vuurmuur/base/strings.h"
#include "vuurmuur/config/rule_parser.h"
#include "vuurmuur/model/name.h"
#include "vuurmuur/model/schema.h"

namespace vuurmuur::model {

using config::KvFile;
using config::KvLine;
using diag::Code;

namespace {

constexpr std::size_t kMaxObjectComment = 512;

/// Reads the keys of one object file, reporting unknown and repeated keys and the
/// original's empty-value quirk.
class ObjectReader {
public:
    ObjectReader(const KvFile& file, ObjectKind kind, diag::Diagnostics& diags)
        : file_(file), kind_(kind), diags_(diags) {
        check_keys();
    }

    const KvLine* single(std::string_view key) const { return file_.first(key); }
    std::string text(std::string_view key) const {
        const KvLine* line = single(key);
        return line ? line->value : std::string();
    }
    std::vector<const KvLine*> multi(std::string_view key) const { return file_.values(key); }
    diag::Location at(const KvLine* line) const { return file_.location_of(line); }
    diag::Location file_location() const { return {file_.path(), 0, 0}; }
    const KvFile& file() const { return file_; }

    /// ACTIVE: "yes..." is active, anything else inactive; missing means inactive.
    bool active() const {
        const KvLine* line = single("ACTIVE");
        if (line == nullptr) {
            diags_.report(diag::Severity::Warning, Code::BadValue, file_location(),
                          "no ACTIVE key: the " + std::string(kind_name(kind_)) + " is inactive",
                          "add ACTIVE=\"Yes\"");
            return false;
        }
        return yes_no(line, false);
    }

    /// A Yes/No key; `fallback` when absent or empty.
    bool yes_no(std::string_view key, bool fallback) const {
        const KvLine* line = single(key);
        if (line == nullptr || line->value.empty()) return fallback;
        return yes_no(line, fallback);
    }

    bool yes_no(const KvLine* line, bool fallback) const {
        if (base::starts_with_icase(line->value, "yes")) return true;
        if (base::starts_with_icase(line->value, "no")) return false;
        diags_.report(Code::BadValue, at(line),
                      line->key + " must be Yes or No, not '" + base::printable(line->value) + "'");
        return fallback;
    }

    std::string comment() const {
        const KvLine* line = single("COMMENT");
        if (line == nullptr) return {};
        if (line->value.size() > kMaxObjectComment) {
            diags_.report(Code::TooLong, at(line),
                          "comment is " + std::to_string(line->value.size()) +
                              " characters; at most " + std::to_string(kMaxObjectComment) + " fit");
            return line->value.substr(0, kMaxObjectComment);
        }
        return line->value;
    }

private:
    void check_keys() {
        std::vector<std::string> known;
        for (const auto& spec : keys_of(kind_)) known.emplace_back(spec.key);
        std::set<std::string> seen;
        for (const auto& line : file_.lines()) {
            if (line.kind != KvLine::Kind::Entry) continue;
            const KeySpec* spec = find_key(kind_, line.key);
            diag::Location loc{file_.path(), file_.line_of(&line), 1};
            if (spec == nullptr) {
                std::string hint;
                if (auto m = base::closest_match(line.key, known)) hint = "did you mean " + *m + "?";
                else hint = "keys of a " + std::string(kind_name(kind_)) + ": " + base::join(known, ", ");
                diags_.report(Code::UnknownKey, loc,
                              "unknown key '" + base::printable(line.key, 40) + "' for a " +
                                  std::string(kind_name(kind_)),
                              hint);
                continue;
            }
            if (!spec->multi && !seen.insert(line.key).second) {
                diags_.report(Code::DuplicateKey, loc,
                              line.key + " is given more than once; the first one is used");
            }
        }
        for (const auto& spec : keys_of(kind_)) {
            if (!spec.multi) continue;
            auto all = file_.entries(spec.key);
            auto used = file_.values(spec.key);
            if (used.size() + 1 < all.size()) {
                const KvLine* empty = all[used.size()];
                const std::size_t hidden = all.size() - used.size() - 1;
                diags_.report(Code::EmptyEndsList, at(empty),
                              "empty " + std::string(spec.key) + "=\"\" ends the list: " +
                                  (hidden == 1 ? std::string("the value after it is ignored")
                                               : "the " + std::to_string(hidden) +
                                                     " values after it are ignored") +
                                  ", as the original does",
                              "remove the empty line");
            }
        }
    }

    const KvFile& file_;
    ObjectKind kind_;
    diag::Diagnostics& diags_;
};

/// Splits "zones/<zone>/networks/<net>/hosts/<host>.host" style paths.
std::vector<std::string> path_parts(const std::string& rel) { return base::split(rel, '/'); }

std::optional<base::Ipv4> read_ipv4(const ObjectReader& r, const KvLine* line,
                                    diag::Diagnostics& diags) {
    if (line == nullptr || line->value.empty()) return std::nullopt;
    auto ip = base::Ipv4::parse(line->value);
    if (!ip) {
        diags.report(Code::BadIpv4, r.at(line),
                     "'" + base::printable(line->value) + "' is not an IPv4 address",
                     "write four decimal numbers 0-255, like 192.168.1.10");
    }
    return ip;
}

std::optional<base::Ipv6> read_ipv6(const ObjectReader& r, const KvLine* line,
                                    diag::Diagnostics& diags) {
    if (line == nullptr || line->value.empty()) return std::nullopt;
    auto ip = base::Ipv6::parse(line->value);
    if (!ip) {
        diags.report(Code::BadIpv6, r.at(line),
                     "'" + base::printable(line->value) + "' is not an IPv6 address",
                     "like fd00:1::10");
    }
    return ip;
}

Zone build_zone(const KvFile& file, const std::string& name, diag::Diagnostics& diags) {
    ObjectReader r(file, ObjectKind::Zone, diags);
    Zone zone;
    zone.name = name;
    zone.active = r.active();
    zone.comment = r.comment();
    zone.file = file.path();
    return zone;
}

void read_network_rules(const ObjectReader& r, Network& net, diag::Diagnostics& diags) {
    for (const KvLine* line : r.multi("RULE")) {
        std::string_view text = base::trim(line->value);
        NetworkRule rule;
        rule.location = r.at(line);
        constexpr std::string_view kSpoof = "protect against spoofing from ";
        if (base::starts_with_icase(text, kSpoof)) {
            std::string_view source = base::trim(text.substr(kSpoof.size()));
            auto parsed = parse_spoof_source(source);
            if (!parsed) {
                diags.report(Code::BadValue, rule.location,
                             "unknown spoofing source '" + base::printable(source) + "'",
                             "one of loopback, class-a, class-b, class-c, class-d, class-e, "
                             "test-net, lnk-loc-net, iana-0/8, brdcst-src, brdcst-dst");
                continue;
            }
            rule.kind = NetworkRule::Kind::AntiSpoof;
            rule.source = *parsed;
        } else if (base::iequals(text, "accept dhcp-client")) {
            rule.kind = NetworkRule::Kind::DhcpClient;
        } else if (base::iequals(text, "accept dhcp-server")) {
            rule.kind = NetworkRule::Kind::DhcpServer;
        } else {
            diags.report(Code::BadValue, rule.location,
                         "unknown network rule '" + base::printable(text) + "'",
                         "network rules are 'protect against spoofing from SOURCE', "
                         "'accept dhcp-client' and 'accept dhcp-server'");
            continue;
        }
        net.rules.push_back(rule);
    }
}

Network build_network(const KvFile& file, const std::string& name, const std::string& zone,
                      diag::Diagnostics& diags) {
    ObjectReader r(file, ObjectKind::Network, diags);
    Network net;
    net.name = name;
    net.zone = zone;
    net.file = file.path();
    net.active = r.active();
    net.comment = r.comment();
    net.ipv4_location = r.file_location();

    const std::size_t errors_before_address = diags.error_count();
    const KvLine* network = r.single("NETWORK");
    const KvLine* netmask = r.single("NETMASK");
    auto address = read_ipv4(r, network, diags);
    if (network != nullptr) net.ipv4_location = r.at(network);
    std::optional<int> prefix;
    if (netmask != nullptr && !netmask->value.empty()) {
        auto mask = base::Ipv4::parse(netmask->value);
        if (mask) prefix = base::netmask_to_prefix(*mask);
        if (!prefix) {
            diags.report(Code::BadNetmask, r.at(netmask),
                         "'" + base::printable(netmask->value) + "' is not a netmask",
                         "a netmask has contiguous one bits, like 255.255.255.0");
        }
    }
    bool ipv4_ok = true;
    if (address && prefix) {
        base::Ipv4Net candidate{*address, *prefix};
        if (candidate.network() != *address) {
            diags.report(Code::BadNetmask, r.at(network),
                         "network address " + address->str() + " has host bits set for netmask " +
                             netmask->value,
                         "the network address is " + candidate.network().str());
            ipv4_ok = false;
        }
        if (ipv4_ok) net.ipv4 = candidate;
    } else if (address && !prefix && (netmask == nullptr || netmask->value.empty())) {
        diags.report(Code::BadNetmask, r.at(network), "NETWORK is set but NETMASK is missing",
                     "add NETMASK=\"255.255.255.0\" (or the right mask)");
    } else if (!address && prefix && (network == nullptr || network->value.empty())) {
        diags.report(Code::BadIpv4, r.at(netmask), "NETMASK is set but NETWORK is missing");
    }

    const KvLine* v6 = r.single("IPV6NETWORK");
    const KvLine* cidr = r.single("IPV6CIDR");
    auto v6addr = read_ipv6(r, v6, diags);
    std::optional<int> v6prefix;
    if (cidr != nullptr && !cidr->value.empty()) {
        auto n = base::parse_uint(cidr->value, 128);
        if (!n) {
            diags.report(Code::BadIpv6, r.at(cidr),
                         "IPV6CIDR must be a prefix length from 0 to 128, not '" +
                             base::printable(cidr->value) + "'");
        } else {
            v6prefix = static_cast<int>(*n);
        }
    }
    if (v6addr && v6prefix) {
        base::Ipv6Net candidate{*v6addr, *v6prefix};
        if (candidate.has_host_bits()) {
            diags.report(Code::BadIpv6, r.at(v6),
                         "IPv6 network " + v6addr->str() + " has bits set beyond /" +
                             std::to_string(*v6prefix),
                         "the network is " + candidate.network().str());
        } else {
            net.ipv6 = candidate;
        }
    } else if (v6addr && !v6prefix) {
        diags.report(Code::BadIpv6, r.at(v6), "IPV6NETWORK is set but IPV6CIDR is missing",
                     "add IPV6CIDR=\"64\" (or the right prefix length)");
    }

    // Only when no address problem was reported already: one mistake, one diagnostic.
    const bool address_reported = diags.error_count() != errors_before_address;

    for (const KvLine* line : r.multi("INTERFACE")) {
        if (!is_valid_name_part(line->value)) {
            diags.report(Code::BadName, r.at(line),
                         "'" + base::printable(line->value) + "' is not a valid interface name");
            continue;
        }
        net.interfaces.push_back({line->value, r.at(line)});
    }
    read_network_rules(r, net, diags);

    if (net.active && !net.ipv4 && !net.ipv6 && !address_reported) {
        diags.report(Code::BadIpv4, net.ipv4_location,
                     "network " + net.full_name() + " has no usable address",
                     "set NETWORK and NETMASK (and/or IPV6NETWORK and IPV6CIDR)");
    }
    return net;
}

Host build_host(const KvFile& file, const std::vector<std::string>& parts, diag::Diagnostics& diags) {
    ObjectReader r(file, ObjectKind::Host, diags);
    Host host;
    host.zone = parts[1];
    host.network = parts[3];
    host.name = parts[5].substr(0, parts[5].size() - 5);
    host.file = file.path();
    host.active = r.active();
    host.comment = r.comment();
    const KvLine* ip = r.single("IPADDRESS");
    host.ipv4 = read_ipv4(r, ip, diags);
    if (ip != nullptr) {
        diag::Location at = r.at(ip);
        host.ipv4_line = at.line;
        host.ipv4_column = at.column;
    }
    const KvLine* ip6 = r.single("IPV6ADDRESS");
    host.ipv6 = read_ipv6(r, ip6, diags);
    if (ip6 != nullptr) {
        diag::Location at = r.at(ip6);
        host.ipv6_line = at.line;
        host.ipv6_column = at.column;
    }
    if (host.active && !host.ipv4 && !host.ipv6 && (ip == nullptr || ip->value.empty())) {
        diags.report(Code::BadIpv4, host.ipv4_location(),
                     "host " + host.full_name() + " has no IPADDRESS",
                     "set IPADDRESS (and/or IPV6ADDRESS)");
    }
    const KvLine* mac = r.single("MAC");
    if (mac != nullptr && !mac->value.empty() && !base::iequals(mac->value, "none")) {
        if (!base::is_valid_mac(mac->value)) {
            diags.report(Code::BadMac, r.at(mac),
                         "'" + base::printable(mac->value) + "' is not a MAC address",
                         "write six hex pairs like 00:11:22:33:44:55, or leave it empty");
        } else {
            host.mac = base::to_lower(mac->value);
        }
    }
    return host;
}

Group build_group(const KvFile& file, const std::vector<std::string>& parts, diag::Diagnostics& diags) {
    ObjectReader r(file, ObjectKind::Group, diags);
    Group group;
    group.zone = parts[1];
    group.network = parts[3];
    group.name = parts[5].substr(0, parts[5].size() - 6);
    group.file = file.path();
    group.active = r.active();
    group.comment = r.comment();
    for (const KvLine* line : r.multi("MEMBER")) {
        if (!is_valid_name_part(line->value)) {
            diags.report(Code::BadName, r.at(line),
                         "'" + base::printable(line->value) + "' is not a valid member name",
                         "members are host names of the same network, without .network.zone");
            continue;
        }
        group.members.push_back({line->value, r.at(line)});
    }
    return group;
}

std::uint32_t read_uint(const ObjectReader& r, std::string_view key, std::uint32_t max,
                        diag::Diagnostics& diags) {
    const KvLine* line = r.single(key);
    if (line == nullptr || line->value.empty()) return 0;
    auto n = base::parse_uint(line->value, max);
    if (!n) {
        diags.report(Code::BadValue, r.at(line),
                     std::string(key) + " must be a number from 0 to " + std::to_string(max));
        return 0;
    }
    return static_cast<std::uint32_t>(*n);
}

std::string read_bw_unit(const ObjectReader& r, std::string_view key, diag::Diagnostics& diags) {
    const KvLine* line = r.single(key);
    if (line == nullptr || line->value.empty()) return "kbit";
    std::string unit = base::to_lower(line->value);
    if (unit != "kbit" && unit != "mbit") {
        diags.report(Code::BadValue, r.at(line), std::string(key) + " must be kbit or mbit");
        return "kbit";
    }
    return unit;
}

Interface build_interface(const KvFile& file, const std::string& name, diag::Diagnostics& diags) {
    ObjectReader r(file, ObjectKind::Interface, diags);
    Interface iface;
    iface.name = name;
    iface.file = file.path();
    iface.active = r.active();
    iface.comment = r.comment();
    const KvLine* device = r.single("DEVICE");
    if (device == nullptr) device = r.single("INTERFACE");  // legacy name
    iface.device_location = device ? r.at(device) : r.file_location();
    if (device == nullptr || device->value.empty()) {
        if (iface.active) {
            diags.report(Code::BadValue, iface.device_location,
                         "interface " + name + " has no DEVICE", "set DEVICE=\"eth0\" (the kernel name)");
        }
    } else if (!is_valid_device_name(device->value)) {
        if (device->value.size() > 15) {
            diags.report(Code::TooLong, r.at(device),
                         "device name '" + base::printable(device->value) + "' is " +
                             std::to_string(device->value.size()) + " characters; at most 15 fit",
                         "kernel device names are 1-15 characters of [a-zA-Z0-9_.:@-]");
        } else {
            diags.report(Code::BadName, r.at(device),
                         "'" + base::printable(device->value) + "' is not a valid device name",
                         "kernel device names are 1-15 characters of [a-zA-Z0-9_.:@-]");
        }
    } else {
        iface.device = device->value;
    }
    const KvLine* ip = r.single("IPADDRESS");
    if (ip != nullptr && base::iequals(ip->value, "dynamic")) {
        iface.dynamic = true;
    } else {
        iface.ipv4 = read_ipv4(r, ip, diags);
    }
    iface.ipv6 = read_ipv6(r, r.single("IPV6ADDRESS"), diags);
    iface.is_virtual = r.yes_no("VIRTUAL", false);
    iface.shape = r.yes_no("SHAPE", false);
    iface.tcpmss = r.yes_no("TCPMSS", false);
    iface.bw_in = read_uint(r, "BW_IN", 0xFFFFFFFFu, diags);
    iface.bw_out = read_uint(r, "BW_OUT", 0xFFFFFFFFu, diags);
    iface.bw_in_unit = read_bw_unit(r, "BW_IN_UNIT", diags);
    iface.bw_out_unit = read_bw_unit(r, "BW_OUT_UNIT", diags);
    for (const KvLine* line : r.multi("RULE")) {
        constexpr std::string_view kProtect = "protect against ";
        std::string_view text = base::trim(line->value);
        std::optional<Protection> p;
        if (base::starts_with_icase(text, kProtect)) p = parse_protection(base::trim(text.substr(kProtect.size())));
        if (!p) {
            diags.report(Code::BadValue, r.at(line),
                         "unknown interface rule '" + base::printable(text) + "'",
                         "interface rules are 'protect against X' with X one of "
                         "source-routed-packets, icmp-redirect, send-redirect, rp-filter, log-martians");
            continue;
        }
        iface.protections.push_back(*p);
    }
    return iface;
}

/// `where` moved `offset` characters to the right (when it has a column).
diag::Location shifted(const diag::Location& where, std::size_t offset) {
    diag::Location loc = where;
    if (loc.column > 0) loc.column += static_cast<int>(offset);
    return loc;
}

/// "bad destination port '70000'"; says so when a range ends below its start.
std::string bad_port_message(std::string_view side, std::string_view text) {
    std::size_t colon = text.find(':');
    if (colon != std::string_view::npos) {
        auto low = base::parse_uint(text.substr(0, colon), 65535);
        auto high = base::parse_uint(text.substr(colon + 1), 65535);
        if (low && high && *high < *low) {
            return "bad " + std::string(side) + " port range '" + base::printable(text) +
                   "': it ends below its start";
        }
    }
    return "bad " + std::string(side) + " port '" + base::printable(text) + "'";
}

bool parse_port_side(std::string_view text, PortRange& out) {
    if (text.empty()) {
        out = {0, 65535};
        return true;
    }
    auto range = PortRange::parse(text);
    if (!range) return false;
    out = *range;
    return true;
}

bool parse_tuple(std::uint8_t protocol, std::string_view tuple, const diag::Location& where,
                 std::vector<ServicePort>& out, diag::Diagnostics& diags) {
    ServicePort port;
    port.protocol = protocol;
    port.location = where;
    std::size_t star = tuple.find('*');
    std::string_view dst = tuple.substr(0, star);
    std::string_view src = star == std::string_view::npos ? std::string_view() : tuple.substr(star + 1);
    if (protocol == 6 || protocol == 17) {
        port.has_ports = true;
        if (!parse_port_side(dst, port.dst) || dst.empty()) {
            diags.report(Code::BadPort, where, bad_port_message("destination", dst),
                         "ports are 0-65535, ranges low:high, written DST*SRC like 80*1024:65535");
            return false;
        }
        if (!parse_port_side(src, port.src)) {
            diags.report(Code::BadPort, shifted(where, star + 1), bad_port_message("source", src),
                         "ports are 0-65535, ranges low:high, written DST*SRC like 80*1024:65535");
            return false;
        }
    } else if (protocol == 1) {
        // ICMP: "type[:code]*"
        if (!dst.empty()) {
            auto colon = dst.find(':');
            auto type = base::parse_uint(dst.substr(0, colon), 255);
            std::optional<std::uint64_t> code;
            if (colon != std::string_view::npos) code = base::parse_uint(dst.substr(colon + 1), 255);
            if (!type || (colon != std::string_view::npos && !code)) {
                diags.report(Code::BadPort, where, "bad ICMP type/code '" + base::printable(dst) + "'",
                             "write TYPE:CODE*, like 8:0* for echo-request");
                return false;
            }
            port.icmp_type = static_cast<std::uint8_t>(*type);
            if (code) port.icmp_code = static_cast<std::uint8_t>(*code);
        }
    }
    out.push_back(port);
    return true;
}

Service build_service(const KvFile& file, const std::string& name, diag::Diagnostics& diags) {
    ObjectReader r(file, ObjectKind::Service, diags);
    Service service;
    service.name = name;
    service.file = file.path();
    service.active = r.active();
    service.comment = r.comment();
    service.broadcast = r.yes_no("BROADCAST", false);
    service.helper = r.text("HELPER");
    if (!service.helper.empty() && !is_valid_name_part(service.helper)) {
        diags.report(Code::BadName, r.at(r.single("HELPER")),
                     "'" + base::printable(service.helper) + "' is not a conntrack helper name");
        service.helper.clear();
    }
    auto ranges = r.multi("RANGE");
    if (!ranges.empty()) {
        service.uses_range_key = true;
        for (const KvLine* line : ranges) {
            parse_service_value("RANGE", line->value, r.at(line), service.ports, diags);
        }
    } else {
        for (std::string_view key : {"TCP", "UDP", "ICMP", "GRE", "AH", "ESP", "PROTO_41"}) {
            for (const KvLine* line : r.multi(key)) {
                parse_service_value(key, line->value, r.at(line), service.ports, diags);
            }
        }
    }
    if (service.ports.empty() && service.active) {
        diags.report(Code::NoPorts, r.file_location(),
                     "service " + name + " has no port ranges; rules cannot use it",
                     "add for example TCP=\"80*1024:65535\"");
    }
    return service;
}

void build_rules(const KvFile& file, Config& config, diag::Diagnostics& diags) {
    ObjectReader r(file, ObjectKind::Ruleset, diags);
    auto lines = r.multi("RULE");
    config.rules.reserve(config.rules.size() + lines.size());  // exact: a model::Rule is large
    for (const KvLine* line : lines) {
        auto rule = config::parse_rule(line->value, r.at(line), diags);
        if (rule) config.rules.push_back(std::move(*rule));
    }
}

void build_blocklist(const KvFile& file, Config& config, diag::Diagnostics& diags) {
    ObjectReader r(file, ObjectKind::Ruleset, diags);
    for (const KvLine* line : r.multi("RULE")) {
        std::string_view text = base::trim(line->value);
        BlockItem item;
        item.location = r.at(line);
        if (!text.empty() && text.front() == ';') {
            item.active = false;
            text = base::trim(text.substr(1));
        }
        if (base::starts_with_icase(text, "block ")) {
            text = base::trim(text.substr(6));
            // Point at the blocked item, not at 'block'.
            item.location = shifted(item.location, static_cast<std::size_t>(text.data() - line->value.data()));
        } else {
            diags.report(Code::RuleSyntax, item.location,
                         "blocklist entries are 'block <ip|host|group>', not '" +
                             base::printable(text) + "'");
            continue;
        }
        if (text.empty() || text.size() > 128 || text.find(' ') != std::string_view::npos) {
            diags.report(Code::RuleSyntax, item.location,
                         "expected one IP address, host or group after 'block'");
            continue;
        }
        item.item = std::string(text);
        config.blocklist.push_back(std::move(item));
    }
}

void build_settings(const KvFile& file, Settings& settings, diag::Diagnostics& diags) {
    std::set<std::string> seen;
    std::vector<std::string> known;
    for (const auto& spec : setting_specs()) known.emplace_back(spec.key);
    for (const auto& line : file.lines()) {
        if (line.kind != KvLine::Kind::Entry) continue;
        diag::Location loc = file.location_of(&line);
        const SettingSpec* spec = find_setting(line.key);
        if (spec == nullptr) {
            std::string hint;
            if (auto m = base::closest_match(line.key, known)) hint = "did you mean " + *m + "?";
            diags.report(Code::UnknownKey, {file.path(), loc.line, 1},
                         "unknown setting '" + base::printable(line.key, 40) + "'", hint);
            continue;
        }
        if (!seen.insert(line.key).second) {
            diags.report(Code::DuplicateKey, {file.path(), loc.line, 1},
                         line.key + " is given more than once; the first one is used");
            continue;
        }
        if (spec->key == "CONNMARK_MASK") settings.connmark_mask_explicit = true;
        std::string error = set_setting(settings, *spec, line.value);
        if (!error.empty()) {
            diags.report(Code::BadValue, loc,
                         "bad value '" + base::printable(line.value) + "' for " + line.key + ": " + error);
        }
    }
}

}  // namespace

bool is_valid_device_name(std::string_view device) {
    if (device.empty() || device.size() > 15) return false;
    for (char c : device) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.' || c == ':' || c == '@';
        if (!ok) return false;
    }
    return true;
}

bool parse_service_value(std::string_view key, std::string_view value, const diag::Location& where,
                         std::vector<ServicePort>& out, diag::Diagnostics& diags) {
    std::uint8_t protocol = 0;
    if (base::iequals(key, "RANGE")) {
        std::size_t semi = value.find(';');
        auto proto = base::parse_uint(value.substr(0, semi), 255);
        if (semi == std::string_view::npos || !proto) {
            diags.report(Code::BadPort, where,
                         "RANGE must be PROTO;DST*SRC, not '" + base::printable(value) + "'",
                         "like RANGE=\"6;80*1024:65535\" (6 tcp, 17 udp, 1 icmp)");
            return false;
        }
        protocol = static_cast<std::uint8_t>(*proto);
        value = value.substr(semi + 1);
        return parse_tuple(protocol, value, shifted(where, semi + 1), out, diags);
    }
    if (base::iequals(key, "TCP")) protocol = 6;
    else if (base::iequals(key, "UDP")) protocol = 17;
    else if (base::iequals(key, "ICMP")) protocol = 1;
    else if (base::iequals(key, "GRE")) protocol = 47;
    else if (base::iequals(key, "ESP")) protocol = 50;
    else if (base::iequals(key, "AH")) protocol = 51;
    else if (base::iequals(key, "PROTO_41")) protocol = 41;
    if (protocol == 47 || protocol == 50 || protocol == 51 || protocol == 41) {
        return parse_tuple(protocol, "", where, out, diags);  // protocol only; ports mean nothing
    }
    bool ok = true;
    std::size_t offset = 0;  // of the tuple in `value`, so that a diagnostic points at it
    for (const auto& tuple : base::split(value, ',')) {
        std::string_view trimmed = base::trim(tuple);
        std::size_t lead = trimmed.empty() ? 0 : static_cast<std::size_t>(trimmed.data() - tuple.data());
        ok = parse_tuple(protocol, trimmed, shifted(where, offset + lead), out, diags) && ok;
        offset += tuple.size() + 1;
    }
    return ok;
}

void Builder::add(const std::string& rel, const config::KvFile& file, diag::Diagnostics& diags) {
    Config& config = config_;
    auto parts = path_parts(rel);
    if (rel == "config.conf") {
        build_settings(file, config.settings, diags);
    } else if (parts.size() == 3 && parts[0] == "zones" && parts[2] == "zone.config") {
        config.zones.push_back(build_zone(file, parts[1], diags));
    } else if (parts.size() == 5 && parts[0] == "zones" && parts[4] == "network.config") {
        config.networks.push_back(build_network(file, parts[3], parts[1], diags));
    } else if (parts.size() == 6 && parts[0] == "zones" && parts[4] == "hosts") {
        config.hosts.push_back(build_host(file, parts, diags));
    } else if (parts.size() == 6 && parts[0] == "zones" && parts[4] == "groups") {
        config.groups.push_back(build_group(file, parts, diags));
    } else if (parts.size() == 2 && parts[0] == "interfaces") {
        config.interfaces.push_back(
            build_interface(file, parts[1].substr(0, parts[1].size() - 5), diags));
    } else if (parts.size() == 2 && parts[0] == "services") {
        config.services.push_back(build_service(file, parts[1], diags));
    } else if (rel == "rules/rules.conf") {
        build_rules(file, config, diags);
    } else if (rel == "rules/blocklist.conf") {
        build_blocklist(file, config, diags);
    }
}

Config Builder::finish() {
    Config config = std::move(config_);
    config_ = Config{};
    // Exact capacities: the model lives through compile, so growth slack would cost all along.
    config.zones.shrink_to_fit();
    config.networks.shrink_to_fit();
    config.hosts.shrink_to_fit();
    config.groups.shrink_to_fit();
    config.interfaces.shrink_to_fit();
    config.services.shrink_to_fit();
    config.rules.shrink_to_fit();
    config.index();
    return config;
}

Config build(const config::Tree& tree, diag::Diagnostics& diags) {
    Builder builder;
    for (const auto& [rel, file] : tree.files) builder.add(rel, file, diags);
    return builder.finish();
}

}  // namespace vuurmuur::model

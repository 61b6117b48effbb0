// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/compile/compiler.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <unordered_set>

#include "vuurmuur/base/strings.h"
#include "vuurmuur/model/name.h"
#include "vuurmuur/render/iptables_restore.h"

namespace vuurmuur::compile {

using ir::Chain;
using ir::Family;
using ir::Match;
using ir::Rule;
using ir::Target;
using model::Action;
using model::ObjectName;

namespace {

std::string hex(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", v);
    return buf;
}

}  // namespace

MarkLayout MarkLayout::from_mask(std::uint32_t mask) {
    MarkLayout layout;
    layout.mask = mask == 0 ? 0x3FFFF : mask;
    layout.shift = __builtin_ctz(layout.mask);
    return layout;
}

std::string MarkLayout::match(std::uint32_t value) const {
    return hex(value << shift) + "/" + hex(mask);
}

std::string MarkLayout::hex_mask() const { return hex(mask); }

namespace {

// ---------------------------------------------------------------------------------------
// Small builders for matches and targets.

Match base(std::vector<std::string> args) { return Match{"", std::move(args)}; }
Match mod(std::string module, std::vector<std::string> args) {
    return Match{std::move(module), std::move(args)};
}
Match ctstate(const std::string& states) { return mod("conntrack", {"--ctstate", states}); }
const std::string kNewText = ir::matches_text({ctstate("NEW")});
const std::string kDnatText = ir::matches_text({ctstate("DNAT")});
Target jump(std::string name, std::vector<std::string> args = {}) {
    return Target{std::move(name), std::move(args), false};
}
Target go_to(std::string name) { return Target{std::move(name), {}, true}; }
Rule rule(std::vector<Match> matches, Target target, diag::Location origin = {}) {
    return Rule(std::move(matches), std::move(target), std::move(origin));
}

/// One side of a rule after expansion: an address (or none: any), the device the traffic
/// passes (or none), the interface object behind it, and a MAC for sources.
struct Endpoint {
    std::string address;  ///< "a.b.c.d/32", "fd00::/64", or empty
    std::string device;
    const model::Interface* iface = nullptr;
    std::string mac;
    const model::Network* network = nullptr;  ///< the network the address belongs to
};

/// One protocol/port tuple in netfilter terms.
struct PortMatch {
    std::string protocol;  ///< "tcp", "udp", "icmp", "ipv6-icmp", a number, or "" (any)
    std::string sport;     ///< "" when the full range
    std::string dport;
    std::string icmp_type; ///< "8/0", "128"
};

/// What a user rule turns into, before dispatch: a filter rule for a base chain with its
/// interfaces (empty: any).
/// 16 bytes: a large tree has about 70,000 of them per family (the out device and the chain
/// share a word, which caps the devices at 2^24).
struct UserFilterRule {
    UserFilterRule(std::uint8_t chain, std::uint32_t in, std::uint32_t out, Rule r)
        : rule(std::move(r)), in_(in), out_chain_((out << 8) | chain) {}

    Rule rule;
    std::uint8_t chain() const { return static_cast<std::uint8_t>(out_chain_ & 0xffU); }  ///< index into kBaseChains
    std::uint32_t in() const { return in_; }           ///< index into FamilyCompiler::devices_ (0: any)
    std::uint32_t out() const { return out_chain_ >> 8; }

private:
    std::uint32_t in_ = 0;
    std::uint32_t out_chain_ = 0;
};
static_assert(sizeof(UserFilterRule) == 16);
const std::array<std::string, 3> kBaseChains{"INPUT", "OUTPUT", "FORWARD"};
std::uint8_t base_chain_index(const std::string& chain) {
    return static_cast<std::uint8_t>(std::find(kBaseChains.begin(), kBaseChains.end(), chain) - kBaseChains.begin());
}

class FamilyCompiler {
public:
    FamilyCompiler(const model::Config& c, Family family, const CompileOptions& options,
                   diag::Diagnostics& diags)
        : c_(c), s_(c.settings), family_(family), options_(options), diags_(diags),
          marks_(MarkLayout::from_mask(c.settings.connmark_mask)) {
        rs_.family = family;
    }

    ir::Ruleset run(bool& forwards);

private:
    bool v4() const { return family_ == Family::Ipv4; }

    // --- expansion -----------------------------------------------------------------------
    std::vector<Endpoint> expand(const std::string& text, bool source);
    void add_network(const model::Network& net, bool source, std::vector<Endpoint>& out,
                     const model::Host* host);
    std::optional<std::string> interface_address(const model::Interface* iface) const;
    std::vector<PortMatch> ports(const model::Service* service) const;

    // --- building blocks -----------------------------------------------------------------
    std::vector<Match> address_matches(const Endpoint& src, const Endpoint& dst,
                                       const PortMatch& port, bool syn) const;
    /// ir::matches_text(address_matches(src, dst, port, syn)) as pieces of pool_: the
    /// interfaces, the protocol, each address, the port match, the MAC.
    struct Pieces {
        std::array<ir::TextPool::Id, 6> ids{};
        std::size_t count = 0;
        std::span<const ir::TextPool::Id> span() const { return {ids.data(), count}; }
    };
    Pieces address_pieces(const Endpoint& src, const Endpoint& dst, const PortMatch& port, bool syn);
    Rule log_rule(std::vector<Match> matches, const std::string& prefix, const std::string& limit,
                  const std::string& burst, diag::Location origin) const;
    static std::vector<Match> with_limit(std::vector<Match> matches, const std::string& limit,
                                         const std::string& burst);
    Target log_target(const std::string& prefix) const;
    Rule log_rule_fixed(std::vector<Match> matches, const std::string& prefix, int burst) const;
    std::string log_prefix(const std::string& action, const std::string& user) const;
    Target decision(const model::Rule& r);
    /// SYN and new-UDP rate limits at the head of a chain that accepts new connections.
    void add_new_limits(Chain& ch) {
        if (s_.use_syn_limit) ch.rules.push_back(rule({base({"-p", "tcp"}), mod("tcp", {"--syn"})}, jump("SYNLIMIT")));
        if (s_.use_udp_limit) ch.rules.push_back(rule({base({"-p", "udp"}), ctstate("NEW,RELATED")}, jump("UDPLIMIT")));
    }
    void declare_builtin(const std::string& table, const std::string& chain, const std::string& policy);
    void declare_hook(const std::string& table, const std::string& hook_of);

    // --- passes, in the order they run --------------------------------------------------
    void build_skeleton();
    void build_helper_chains();
    void build_prologue(const std::string& chain);
    void build_user_rules();
    void lower_rule(const model::Rule& r);
    void lower_nat(const model::Rule& r, const model::Service* service,
                   const std::vector<Endpoint>& src, const std::vector<Endpoint>& dst,
                   const std::vector<PortMatch>& ports);
    void add_helper(const std::string& raw_chain, std::vector<Match> matches,
                    const std::string& helper, const diag::Location& origin);
    void build_rpfilter();
    void lower_broadcast(const model::Rule& r, const model::Service& service,
                         const std::vector<Endpoint>& src, const std::vector<Endpoint>& dst, bool to_firewall);
    void build_mark_dispatch();
    void build_dispatch(const std::string& base, const std::string& prefix, bool by_in,
                        bool by_out);
    void build_epilogue(const std::string& chain);

    Chain& filter(const std::string& name) { return rs_.table("filter").chain(name); }
    /// A rule of the rules.conf line being lowered: its expansions with the same target share
    /// one tail (nat, raw and mangle rules repeat targets like MASQUERADE or CT --helper).
    Rule interned(const std::vector<Match>& matches, Target target, const diag::Location& origin) {
        std::string key = target.go_to ? "g" : "j";
        key += target.name;
        for (const auto& a : target.args) {
            key += '\n';
            key += a;
        }
        key += '\n';
        key += std::to_string(origin.line) + ":" + std::to_string(origin.column) + ":" + origin.file;
        auto& slot = line_tails_[key];
        if (!slot) slot = ir::TailRef::make(ir::RuleTail{std::move(target), origin, {}, {}});
        return Rule(matches, slot);
    }

    const model::Config& c_;
    const model::Settings& s_;
    Family family_;
    const CompileOptions& options_;
    diag::Diagnostics& diags_;
    MarkLayout marks_;
    ir::Ruleset rs_;
    /// The texts the user rules' bodies are made of (sealed once all rules are lowered).
    std::shared_ptr<ir::TextPool> pool_ = std::make_shared<ir::TextPool>();
    std::string piece_buffer_;  ///< address_pieces(): one buffer for every piece
    /// address_pieces(): each slot's text and id of the previous call.
    std::array<std::pair<std::string, ir::TextPool::Id>, 6> last_pieces_;
    std::deque<UserFilterRule> user_rules_;  ///< a deque: no growth slack or copy when it grows
    /// Devices named by user rules (index 0: none), so that a user rule costs a few bytes.
    std::vector<std::string> devices_{std::string()};
    std::unordered_map<std::string, std::uint32_t> device_ids_{{std::string(), 0}};
    std::uint32_t device_id(const std::string& device) {
        if (devices_.size() >= (std::size_t{1} << 24)) throw std::length_error("more than 2^24 interface devices");
        auto [it, fresh] = device_ids_.emplace(device, static_cast<std::uint32_t>(devices_.size()));
        if (fresh) devices_.push_back(device);
        return it->second;
    }
    /// Mark value -> the chain that handles the connection (NFQ-*, NFLOG-*), sorted.
    std::map<std::uint32_t, std::string> special_marks_;
    std::set<std::string> warned_;
    /// expand(): zone -> its networks in c_.networks order (filled on first use).
    std::unordered_map<std::string, std::vector<const model::Network*>> zone_networks_;
    /// interned(): the tails of the rules.conf line being lowered (cleared for each line).
    std::unordered_map<std::string, ir::TailRef> line_tails_;
    std::unordered_set<std::string> seen_raw_;        ///< helper rules already attached
    std::unordered_set<std::string> seen_broadcast_;  ///< broadcast rules already emitted
};

// ---------------------------------------------------------------------------------------
// Expansion of objects into endpoints.

std::optional<std::string> FamilyCompiler::interface_address(const model::Interface* iface) const {
    if (iface == nullptr) return std::nullopt;
    if (v4()) {
        if (iface->ipv4) return iface->ipv4->str() + "/32";
        if (iface->dynamic) {
            auto it = options_.dynamic_ipv4.find(iface->device);
            if (it != options_.dynamic_ipv4.end()) return it->second.str() + "/32";
        }
        return std::nullopt;
    }
    if (iface->ipv6) return iface->ipv6->str() + "/128";
    return std::nullopt;
}

void FamilyCompiler::add_network(const model::Network& net, bool source, std::vector<Endpoint>& out,
                                 const model::Host* host) {
    std::string address;
    if (host != nullptr) {
        if (v4() && host->ipv4) address = host->ipv4->str() + "/32";
        else if (!v4() && host->ipv6) address = host->ipv6->str() + "/128";
        else return;  // no address in this family: nothing, never an unrestricted rule
    } else if (v4() && net.ipv4) {
        address = net.ipv4->prefix == 0 ? "" : net.ipv4->network().str() + "/" + std::to_string(net.ipv4->prefix);
    } else if (!v4() && net.ipv6) {
        address = net.ipv6->prefix == 0 ? "" : net.ipv6->network().str() + "/" + std::to_string(net.ipv6->prefix);
    } else {
        return;
    }
    bool any_iface = false;
    for (const auto& ref : net.interfaces) {
        const model::Interface* iface = c_.find_interface(ref.name);
        if (iface == nullptr || !iface->active || iface->device.empty()) continue;
        any_iface = true;
        Endpoint e;
        e.address = address;
        e.iface = iface;
        e.network = &net;
        // "eth0:1" aliases cannot be matched by device: the address match does the work.
        e.device = iface->is_oldstyle_alias() ? "" : iface->device;
        if (source && host != nullptr) e.mac = host->mac;
        if (e.device.empty() && e.address.empty()) continue;  // would match anything
        out.push_back(std::move(e));
    }
    if (!any_iface && warned_.insert("noiface:" + net.full_name()).second) {
        diags_.report(diag::Severity::Warning, diag::Code::InactiveReference, net.ipv4_location,
                      "network " + net.full_name() + " has no active interface: rules using it generate nothing",
                      "add INTERFACE=\"<interface>\" to the network");
    }
}

std::vector<Endpoint> FamilyCompiler::expand(const std::string& text, bool source) {
    std::vector<Endpoint> out;
    auto name = ObjectName::parse(text);
    if (!name) return out;
    using K = ObjectName::Kind;
    switch (name->kind) {
        case K::Any:
        case K::Firewall:
            out.push_back(Endpoint{});
            return out;
        case K::Zone: {
            const model::Zone* zone = c_.find_zone(name->zone);
            if (zone == nullptr || !zone->active) return out;
            if (zone_networks_.empty()) {
                // Once per family: the networks of each zone, in c_.networks order.
                for (const auto& net : c_.networks) zone_networks_[net.zone].push_back(&net);
            }
            auto it = zone_networks_.find(name->zone);
            if (it == zone_networks_.end()) return out;
            for (const model::Network* net : it->second) {
                if (net->active) add_network(*net, source, out, nullptr);
            }
            return out;
        }
        case K::Network:
        case K::Broadcast:
        case K::HostOrGroup: {
            const model::Zone* zone = c_.find_zone(name->zone);
            const model::Network* net = c_.find_network(name->network, name->zone);
            if (zone == nullptr || !zone->active || net == nullptr || !net->active) return out;
            if (name->kind == K::Network) {
                add_network(*net, source, out, nullptr);
            } else if (name->kind == K::Broadcast) {
                if (!v4() || !net->ipv4) return out;
                for (const auto& ref : net->interfaces) {
                    const model::Interface* iface = c_.find_interface(ref.name);
                    if (iface == nullptr || !iface->active || iface->device.empty()) continue;
                    out.push_back(Endpoint{net->ipv4->broadcast().str() + "/32",
                                           iface->is_oldstyle_alias() ? "" : iface->device, iface, ""});
                }
            } else if (const model::Host* host = c_.find_host(name->host, name->network, name->zone)) {
                if (host->active) add_network(*net, source, out, host);
            } else if (const model::Group* group = c_.find_group(name->host, name->network, name->zone)) {
                if (!group->active) return out;
                for (const auto& member : group->members) {
                    const model::Host* h = c_.find_host(member.name, name->network, name->zone);
                    if (h != nullptr && h->active) add_network(*net, source, out, h);
                }
            }
            return out;
        }
    }
    return out;
}

std::vector<PortMatch> FamilyCompiler::ports(const model::Service* service) const {
    std::vector<PortMatch> out;
    if (service == nullptr) {
        out.push_back(PortMatch{});
        return out;
    }
    for (const auto& p : service->ports) {
        PortMatch m;
        auto range = [](const model::PortRange& r) {
            return r.low == 0 && r.high == 65535 ? std::string() : r.str();
        };
        if (p.protocol == 6 || p.protocol == 17) {
            m.protocol = p.protocol == 6 ? "tcp" : "udp";
            m.sport = range(p.src);
            m.dport = range(p.dst);
        } else if (p.protocol == 1) {
            if (v4()) {
                m.protocol = "icmp";
                if (p.icmp_type) {
                    m.icmp_type = std::to_string(*p.icmp_type);
                    if (p.icmp_code) m.icmp_type += "/" + std::to_string(*p.icmp_code);
                }
            } else {
                // ICMPv4 types with an ICMPv6 counterpart; the rest has none and is left out.
                m.protocol = "ipv6-icmp";
                if (p.icmp_type) {
                    switch (*p.icmp_type) {
                        case 8: m.icmp_type = "128"; break;
                        case 0: m.icmp_type = "129"; break;
                        case 3: m.icmp_type = "1"; break;
                        case 11: m.icmp_type = "3"; break;
                        default: continue;
                    }
                }
            }
        } else if (p.protocol == 58 && v4()) {
            continue;
        } else {
            m.protocol = std::to_string(p.protocol);
        }
        out.push_back(m);
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Building blocks.

std::vector<Match> FamilyCompiler::address_matches(const Endpoint& src, const Endpoint& dst,
                                                   const PortMatch& port, bool syn) const {
    std::vector<Match> m;
    std::vector<std::string> b;
    if (!src.device.empty()) b.insert(b.end(), {"-i", src.device});
    if (!dst.device.empty()) b.insert(b.end(), {"-o", dst.device});
    if (!port.protocol.empty()) b.insert(b.end(), {"-p", port.protocol});
    if (!src.address.empty()) b.insert(b.end(), {"-s", src.address});
    if (!dst.address.empty()) b.insert(b.end(), {"-d", dst.address});
    if (!b.empty()) m.push_back(base(b));
    if (port.protocol == "tcp" || port.protocol == "udp") {
        std::vector<std::string> a;
        if (!port.sport.empty()) a.insert(a.end(), {"--sport", port.sport});
        if (!port.dport.empty()) a.insert(a.end(), {"--dport", port.dport});
        if (syn && port.protocol == "tcp") a.push_back("--syn");
        if (!a.empty()) m.push_back(mod(port.protocol, a));
    } else if (port.protocol == "icmp" && !port.icmp_type.empty()) {
        m.push_back(mod("icmp", {"--icmp-type", port.icmp_type}));
    } else if (port.protocol == "ipv6-icmp" && !port.icmp_type.empty()) {
        m.push_back(mod("icmp6", {"--icmpv6-type", port.icmp_type}));
    }
    if (!src.mac.empty()) m.push_back(mod("mac", {"--mac-source", src.mac}));
    return m;
}

namespace {
/// " ARG", quoted as ir::matches_text() quotes it.
void append_arg(std::string& out, const std::string& arg) {
    out += ' ';
    bool plain = !arg.empty();
    for (char c : arg) {
        if (c == ' ' || c == '"' || c == '\'' || c == '\\' || c == '\t') plain = false;
    }
    if (plain) out += arg;
    else out += ir::quote_arg(arg);
}
void append_arg(std::string& out, const char* arg) {
    out += ' ';
    out += arg;
}
}  // namespace

FamilyCompiler::Pieces FamilyCompiler::address_pieces(const Endpoint& src, const Endpoint& dst,
                                                      const PortMatch& port, bool syn) {
    // Their concatenation is exactly ir::matches_text(address_matches(src, dst, port, syn)).
    Pieces out;
    std::string& t = piece_buffer_;
    std::size_t slot = 0;
    auto add = [&] {
        // The loops over sources, destinations and ports repeat the slot's text of the
        // previous call more often than not: compare it before hashing it.
        auto& [last_text, last_id] = last_pieces_[slot++];
        if (!t.empty()) {
            if (t != last_text) {
                last_text = t;
                last_id = pool_->intern(t);
            }
            out.ids[out.count++] = last_id;
        }
        t.clear();
    };
    t.clear();
    if (!src.device.empty()) append_arg(t, "-i"), append_arg(t, src.device);
    if (!dst.device.empty()) append_arg(t, "-o"), append_arg(t, dst.device);
    add();
    if (!port.protocol.empty()) append_arg(t, "-p"), append_arg(t, port.protocol);
    add();
    if (!src.address.empty()) append_arg(t, "-s"), append_arg(t, src.address);
    add();
    if (!dst.address.empty()) append_arg(t, "-d"), append_arg(t, dst.address);
    add();
    if (port.protocol == "tcp" || port.protocol == "udp") {
        bool tcp_syn = syn && port.protocol == "tcp";
        if (!port.sport.empty() || !port.dport.empty() || tcp_syn) {
            t += " -m ";
            t += port.protocol;
            if (!port.sport.empty()) append_arg(t, "--sport"), append_arg(t, port.sport);
            if (!port.dport.empty()) append_arg(t, "--dport"), append_arg(t, port.dport);
            if (tcp_syn) append_arg(t, "--syn");
        }
    } else if (port.protocol == "icmp" && !port.icmp_type.empty()) {
        t += " -m icmp";
        append_arg(t, "--icmp-type"), append_arg(t, port.icmp_type);
    } else if (port.protocol == "ipv6-icmp" && !port.icmp_type.empty()) {
        t += " -m icmp6";
        append_arg(t, "--icmpv6-type"), append_arg(t, port.icmp_type);
    }
    add();
    if (!src.mac.empty()) {
        t += " -m mac";
        append_arg(t, "--mac-source"), append_arg(t, src.mac);
    }
    add();
    return out;
}

std::string FamilyCompiler::log_prefix(const std::string& action, const std::string& user) const {
    std::string text = "vrmr: " + action;
    if (!user.empty()) text += " " + render::sanitize_text(user, model::kMaxLogPrefixLength);
    // NFLOG prefixes hold 63 characters; ours stay far below that.
    return render::sanitize_text(text, 60) + " ";
}

std::vector<Match> FamilyCompiler::with_limit(std::vector<Match> matches, const std::string& limit,
                                              const std::string& burst) {
    if (!limit.empty()) {
        std::vector<std::string> args{"--limit", limit};
        if (!burst.empty()) args.insert(args.end(), {"--limit-burst", burst});
        matches.push_back(mod("limit", args));
    }
    return matches;
}

Target FamilyCompiler::log_target(const std::string& prefix) const {
    return jump("NFLOG", {"--nflog-group", std::to_string(s_.nfgrp), "--nflog-prefix", prefix});
}

Rule FamilyCompiler::log_rule(std::vector<Match> matches, const std::string& prefix,
                              const std::string& limit, const std::string& burst,
                              diag::Location origin) const {
    return rule(with_limit(std::move(matches), limit, burst), log_target(prefix), std::move(origin));
}

Rule FamilyCompiler::log_rule_fixed(std::vector<Match> matches, const std::string& what, int burst) const {
    return log_rule(std::move(matches), "vrmr: DROP " + what + " ", "1/sec",
                    std::to_string(burst), {});
}

void FamilyCompiler::declare_builtin(const std::string& table, const std::string& chain,
                                     const std::string& policy) {
    Chain& ch = rs_.table(table).chain(chain);
    ch.kind = Chain::Kind::Builtin;
    ch.policy = policy;
}

void FamilyCompiler::declare_hook(const std::string& table, const std::string& hook_of) {
    std::string name = "PRE-VRMR-" + hook_of;
    rs_.table(table).chain(name).kind = Chain::Kind::Hook;
    rs_.table(table).chain(hook_of).rules.push_back(rule({}, jump(name)));
}

// ---------------------------------------------------------------------------------------
// Passes.

void FamilyCompiler::build_skeleton() {
    // Table and chain order is the rendering order: raw, mangle, nat, filter.
    for (const char* ch : {"PREROUTING", "OUTPUT"}) declare_builtin("raw", ch, "ACCEPT");
    for (const char* ch : {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"}) {
        declare_builtin("mangle", ch, "ACCEPT");
    }
    for (const char* ch : {"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"}) declare_builtin("nat", ch, "ACCEPT");
    for (const char* ch : {"INPUT", "FORWARD", "OUTPUT"}) declare_builtin("filter", ch, "DROP");

    // Every built-in chain first jumps to the admin's hook chain.
    for (const char* ch : {"PREROUTING", "OUTPUT"}) declare_hook("raw", ch);
    for (const char* ch : {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"}) declare_hook("mangle", ch);
    for (const char* ch : {"PREROUTING", "OUTPUT", "POSTROUTING"}) declare_hook("nat", ch);
    for (const char* ch : {"INPUT", "FORWARD", "OUTPUT"}) declare_hook("filter", ch);
}

void FamilyCompiler::build_helper_chains() {
    // Global rate limits of new connections (SYN and UDP), reached from the accept chains.
    auto limit_chain = [&](const char* name, std::uint32_t rate, std::uint32_t burst) {
        auto& ch = filter(name);
        ch.rules.push_back(rule({mod("limit", {"--limit", std::to_string(rate) + "/sec", "--limit-burst",
                                               std::to_string(burst)})},
                                jump("RETURN")));
        ch.rules.push_back(log_rule_fixed({}, std::string(name) + " reach.", 2));
        ch.rules.push_back(rule({}, jump("DROP")));
    };
    if (s_.use_syn_limit) limit_chain("SYNLIMIT", s_.syn_limit, s_.syn_limit_burst);
    if (s_.use_udp_limit) limit_chain("UDPLIMIT", s_.udp_limit, s_.udp_limit_burst);
    auto& accept = filter("NEWACCEPT");
    add_new_limits(accept);
    accept.rules.push_back(rule({}, jump("CONNMARK", {"--set-xmark", marks_.match(kMarkAccept)})));
    accept.rules.push_back(rule({}, jump("ACCEPT")));

    auto& reset = filter("TCPRESET");
    reset.rules.push_back(rule({base({"-p", "tcp"})}, jump("REJECT", {"--reject-with", "tcp-reset"})));
    reset.rules.push_back(rule({}, jump("REJECT", {"--reject-with", v4() ? "icmp-port-unreachable" : "icmp6-port-unreachable"})));

    // Blocklist: addresses, hosts and groups, both directions.
    auto& block = filter("BLOCK");
    if (s_.log_blocklist) block.rules.push_back(log_rule_fixed({}, "BLOCKED", 2));
    block.rules.push_back(rule({}, jump("DROP")));
    auto& blocklist = filter("BLOCKLIST");
    for (const auto& item : c_.blocklist) {
        if (!item.active) continue;
        std::vector<std::string> addresses;
        if (auto ip = base::Ipv4::parse(item.item)) {
            if (v4()) addresses.push_back(ip->str() + "/32");
        } else if (auto ip6 = base::Ipv6::parse(item.item)) {
            if (!v4()) addresses.push_back(ip6->str() + "/128");
        } else if (auto name = ObjectName::parse(item.item); name && name->kind == ObjectName::Kind::HostOrGroup) {
            std::vector<const model::Host*> hosts;
            if (const auto* h = c_.find_host(name->host, name->network, name->zone)) hosts.push_back(h);
            if (const auto* g = c_.find_group(name->host, name->network, name->zone); g && g->active) {
                for (const auto& m : g->members) {
                    if (const auto* h = c_.find_host(m.name, name->network, name->zone)) hosts.push_back(h);
                }
            }
            for (const auto* h : hosts) {
                if (!h->active) continue;
                if (v4() && h->ipv4) addresses.push_back(h->ipv4->str() + "/32");
                if (!v4() && h->ipv6) addresses.push_back(h->ipv6->str() + "/128");
            }
        }
        for (const auto& a : addresses) {
            blocklist.rules.push_back(rule({base({"-s", a})}, jump("BLOCK"), item.location));
            blocklist.rules.push_back(rule({base({"-d", a})}, jump("BLOCK"), item.location));
        }
    }

    // Anti-spoofing per network and interface (IPv4 source classes).
    if (v4()) {
        auto& spoof = filter("ANTISPOOF");
        for (const auto& net : c_.networks) {
            if (!net.active) continue;
            for (const auto& nr : net.rules) {
                if (nr.kind != model::NetworkRule::Kind::AntiSpoof) continue;
                base::Ipv4Net src = model::spoof_source_net(nr.source);
                std::string addr = src.network().str() + "/" + std::to_string(src.prefix);
                std::string what = "spoof " + std::string(model::spoof_source_name(nr.source));
                for (const auto& ref : net.interfaces) {
                    const auto* iface = c_.find_interface(ref.name);
                    if (iface == nullptr || !iface->active || iface->device.empty() || iface->is_oldstyle_alias()) continue;
                    for (auto [dir, side] : {std::pair{"-i", "-s"}, std::pair{"-o", "-d"}}) {
                        std::vector<Match> m{base({dir, iface->device, side, addr})};
                        spoof.rules.push_back(log_rule(m, "vrmr: DROP " + what + " ", "1/sec", "5", nr.location));
                        spoof.rules.push_back(rule(m, jump("DROP"), nr.location));
                    }
                }
            }
        }
    }

    // TCP flag probes, as the original, in one chain entered by TCP packets only.
    auto& probes = filter("PROBES");
    struct Probe {
        const char* mask;
        const char* set;
        const char* name;
    };
    constexpr Probe kProbes[] = {{"ALL", "NONE", "ALL"},          {"SYN,FIN", "SYN,FIN", "SYN-FIN"},
                                 {"SYN,RST", "SYN,RST", "SYN-RST"}, {"FIN,RST", "FIN,RST", "FIN-RST"},
                                 {"ACK,FIN", "FIN", "FIN"},       {"ACK,PSH", "PSH", "PSH"},
                                 {"ACK,URG", "URG", "URG"}};
    for (const auto& p : kProbes) {
        std::vector<Match> m{base({"-p", "tcp"}), mod("tcp", {"--tcp-flags", p.mask, p.set})};
        if (s_.log_probes) probes.rules.push_back(log_rule_fixed(m, std::string("probe ") + p.name, 2));
        probes.rules.push_back(rule(m, jump("DROP")));
    }
    std::vector<Match> nosyn{base({"-p", "tcp"}), mod("tcp", {"!", "--syn"}), ctstate("NEW")};
    if (s_.log_no_syn) probes.rules.push_back(log_rule_fixed(nosyn, "no SYN", 2));
    probes.rules.push_back(rule(nosyn, jump("DROP")));
}

void FamilyCompiler::build_prologue(const std::string& chain) {
    auto& ch = filter(chain);
    if (chain == "INPUT") ch.rules.push_back(rule({base({"-i", "lo"})}, jump("ACCEPT")));
    if (chain == "OUTPUT") ch.rules.push_back(rule({base({"-o", "lo"})}, jump("ACCEPT")));
    // The blocklist comes before established traffic, so blocking cuts live connections too.
    if (!filter("BLOCKLIST").rules.empty()) ch.rules.push_back(rule({}, jump("BLOCKLIST")));
    if (v4()) {
        std::vector<Match> frag{base({"-f"})};
        if (s_.log_frag) ch.rules.push_back(log_rule_fixed(frag, "FRAG", 2));
        ch.rules.push_back(rule(frag, jump("DROP")));
    }
    if (chain == "FORWARD") {
        for (const auto& iface : c_.interfaces) {
            if (!iface.active || !iface.tcpmss || iface.device.empty() || iface.is_oldstyle_alias()) continue;
            ch.rules.push_back(rule({base({"-o", iface.device, "-p", "tcp"}), mod("tcp", {"--tcp-flags", "SYN,RST", "SYN"})},
                                    jump("TCPMSS", {"--clamp-mss-to-pmtu"})));
        }
    }
    // Established and related traffic, by the decision stored in the connection mark.
    ch.rules.push_back(rule({ctstate("ESTABLISHED"), mod("connmark", {"--mark", marks_.match(kMarkAccept)})}, jump("ACCEPT")));
    ch.rules.push_back(rule({ctstate("RELATED"), mod("connmark", {"--mark", marks_.match(kMarkAccept)})}, jump("NEWACCEPT")));
    if (chain == "OUTPUT") {
        // The firewall's own answers to rejected packets (ICMP errors, TCP RST) belong to a
        // connection that was never confirmed and carries no decision: let them out.
        ch.rules.push_back(rule({mod("conntrack", {"--ctstate", "RELATED", "!", "--ctstatus", "CONFIRMED"})}, jump("ACCEPT")));
    }
    if (!special_marks_.empty()) {
        ch.rules.push_back(rule({ctstate("ESTABLISHED,RELATED"), mod("connmark", {"!", "--mark", marks_.match(0)})},
                                jump("MARKDISPATCH")));
    }
    // TCP flag probes: after the established fast path, so accepted traffic does not pay
    // for them (conntrack already calls bad flags on a known connection INVALID).
    ch.rules.push_back(rule({base({"-p", "tcp"})}, jump("PROBES")));
    if (!v4()) {
        // Neighbour discovery (RFC 4890): link-local only, so hop limit 255; MLD with 1.
        if (chain != "FORWARD") {
            for (const char* type : {"133", "134", "135", "136"}) {
                ch.rules.push_back(rule({base({"-p", "ipv6-icmp"}), mod("icmp6", {"--icmpv6-type", type}), mod("hl", {"--hl-eq", "255"})},
                                        jump("ACCEPT")));
            }
            for (const char* type : {"130", "131", "132", "143"}) {
                ch.rules.push_back(rule({base({"-p", "ipv6-icmp"}), mod("icmp6", {"--icmpv6-type", type}), mod("hl", {"--hl-eq", "1"})},
                                        jump("ACCEPT")));
            }
        }
    }
    std::vector<Match> invalid{ctstate("INVALID")};
    if (s_.log_invalid) {
        const char* what = chain == "INPUT" ? "in INVALID" : chain == "OUTPUT" ? "out INVALID" : "fw INVALID";
        ch.rules.push_back(log_rule_fixed(invalid, what, 2));
    }
    if (s_.drop_invalid) ch.rules.push_back(rule(invalid, jump("DROP")));

    // DHCP allowances of networks (stateless, as in the original).
    if (v4() && chain != "FORWARD") {
        for (const auto& net : c_.networks) {
            if (!net.active) continue;
            for (const auto& nr : net.rules) {
                if (nr.kind == model::NetworkRule::Kind::AntiSpoof) continue;
                bool client = nr.kind == model::NetworkRule::Kind::DhcpClient;
                for (const auto& ref : net.interfaces) {
                    const auto* iface = c_.find_interface(ref.name);
                    if (iface == nullptr || !iface->active || iface->device.empty() || iface->is_oldstyle_alias()) continue;
                    if (client && !iface->dynamic) continue;
                    bool in = chain == "INPUT";
                    // client: in 67->68, out 68->67; server: in 68->67, out 67->68
                    std::string sport = (client == in) ? "67" : "68";
                    std::string dport = (client == in) ? "68" : "67";
                    ch.rules.push_back(rule({base({in ? "-i" : "-o", iface->device, "-p", "udp"}),
                                             mod("udp", {"--sport", sport, "--dport", dport})},
                                            jump("ACCEPT"), nr.location));
                }
            }
        }
    }
    // Anti-spoofing after DHCP: a DHCP client's broadcasts would match brdcst-dst.
    if (!filter("ANTISPOOF").rules.empty()) ch.rules.push_back(rule({}, jump("ANTISPOOF")));
}

Target FamilyCompiler::decision(const model::Rule& r) {
    const auto& o = r.options;
    switch (r.action) {
        case Action::Accept:
        case Action::Portfw:
        case Action::Bounce:
        case Action::Redirect:
            return jump("NEWACCEPT");
        case Action::Drop: return jump("DROP");
        case Action::Reject: {
            if (!o.rejecttype) return jump("REJECT", {"--reject-with", v4() ? "icmp-port-unreachable" : "icmp6-port-unreachable"});
            using RT = model::RejectType;
            std::string with;
            switch (*o.rejecttype) {
                case RT::TcpReset: return jump("TCPRESET");
                case RT::IcmpNetUnreachable: with = v4() ? "icmp-net-unreachable" : "icmp6-no-route"; break;
                case RT::IcmpHostUnreachable: with = v4() ? "icmp-host-unreachable" : "icmp6-addr-unreachable"; break;
                case RT::IcmpProtoUnreachable: with = v4() ? "icmp-proto-unreachable" : "icmp6-port-unreachable"; break;
                case RT::IcmpPortUnreachable: with = v4() ? "icmp-port-unreachable" : "icmp6-port-unreachable"; break;
                case RT::IcmpNetProhibited: with = v4() ? "icmp-net-prohibited" : "icmp6-adm-prohibited"; break;
                case RT::IcmpHostProhibited: with = v4() ? "icmp-host-prohibited" : "icmp6-adm-prohibited"; break;
            }
            return jump("REJECT", {"--reject-with", with});
        }
        case Action::Log:
            return jump("NFLOG", {"--nflog-group", std::to_string(s_.nfgrp), "--nflog-prefix",
                                  log_prefix("NFLOG", o.logprefix.value_or(""))});
        case Action::Chain: return jump(*o.chain);
        case Action::Nfqueue: {
            model::QueueRange q = o.nfqueuenum.value_or(model::QueueRange{0, 0});
            std::uint32_t value = kMarkQueueBase + q.first;
            bool bypass = o.bypass || s_.nfqueue_bypass;
            std::string name = "NFQ-" + q.str();
            for (char& ch : name) if (ch == ':') ch = '-';
            auto [it, fresh] = special_marks_.emplace(value, name);
            if (fresh) {
                auto& ch = filter(name);
                add_new_limits(ch);
                ch.rules.push_back(rule({}, jump("CONNMARK", {"--set-xmark", marks_.match(value)})));
                std::vector<std::string> args;
                if (q.first == q.last) args = {"--queue-num", std::to_string(q.first)};
                else args = {"--queue-balance", q.str()};
                if (bypass) args.push_back("--queue-bypass");
                if (o.fanout && q.first != q.last) args.push_back("--queue-cpu-fanout");
                ch.rules.push_back(rule({}, jump("NFQUEUE", args)));
            }
            return jump(it->second);
        }
        case Action::Nflog: {
            std::uint16_t group = o.nflognum.value_or(0);
            std::uint32_t value = kMarkNflogBase + group;
            std::string name = "NFLOG-" + std::to_string(group);
            auto [it, fresh] = special_marks_.emplace(value, name);
            if (fresh) {
                auto& ch = filter(name);
                add_new_limits(ch);
                ch.rules.push_back(rule({}, jump("CONNMARK", {"--set-xmark", marks_.match(value)})));
                ch.rules.push_back(rule({}, jump("NFLOG", {"--nflog-group", std::to_string(group)})));
                ch.rules.push_back(rule({}, jump("ACCEPT")));
            }
            return jump(it->second);
        }
        case Action::Snat:
        case Action::Masq:
        case Action::Dnat:
        case Action::Separator:
            break;
    }
    return jump("DROP");
}

void FamilyCompiler::lower_rule(const model::Rule& r) {
    line_tails_.clear();
    if (!r.active || r.is_separator()) return;
    const model::Service* service = nullptr;
    if (r.service != "any" && r.service != "all") {
        service = c_.find_service(r.service);
        if (service == nullptr || !service->active || service->ports.empty()) return;  // validate said so
    }
    auto from = ObjectName::parse(r.from);
    auto to = ObjectName::parse(r.to);
    if (!from || !to) return;

    std::vector<Endpoint> src = expand(r.from, true);
    std::vector<Endpoint> dst = expand(r.to, false);
    const auto& o = r.options;
    auto override_iface = [&](std::vector<Endpoint>& side, const model::BoxedOptional<std::string>& name) {
        if (!name) return;
        const auto* iface = c_.find_interface(*name);
        if (iface == nullptr || !iface->active) {
            side.clear();
            return;
        }
        std::vector<Endpoint> kept;
        for (auto e : side) {
            e.iface = iface;
            e.device = iface->is_oldstyle_alias() ? "" : iface->device;
            if (std::find_if(kept.begin(), kept.end(), [&](const Endpoint& k) {
                    return k.address == e.address && k.device == e.device && k.mac == e.mac;
                }) == kept.end()) {
                kept.push_back(e);
            }
        }
        side = std::move(kept);
    };
    override_iface(src, o.in_int);
    override_iface(dst, o.out_int);
    std::vector<PortMatch> port_list = ports(service);

    bool nat = r.action == Action::Snat || r.action == Action::Masq || r.action == Action::Dnat ||
               r.action == Action::Portfw || r.action == Action::Redirect || r.action == Action::Bounce;
    if (nat) lower_nat(r, service, src, dst, port_list);
    if (r.action == Action::Snat || r.action == Action::Masq || r.action == Action::Dnat) return;

    using K = ObjectName::Kind;
    std::vector<std::string> chains;
    if (r.action == Action::Redirect) chains = {"INPUT"};
    else if (from->kind == K::Firewall) chains = {"OUTPUT"};
    else if (to->kind == K::Firewall || to->kind == K::Broadcast) chains = {"INPUT"};
    else if (from->kind == K::Any && to->kind == K::Any) chains = {"INPUT", "OUTPUT", "FORWARD"};
    else chains = {"FORWARD"};

    Target target = decision(r);
    // All expansions of this line share one target and origin (ir::RuleTail) per kind of rule.
    // Per base chain, as the state matches differ; each tail keeps what all its rules end with.
    std::array<ir::TailRef, 3> main_tails, log_tails;
    std::optional<std::string> main_suffix;  ///< limit and comment matches, as text
    std::optional<std::string> log_suffix;
    std::optional<Target> log_target_of_rule;
    for (const auto& chain : chains) {
        const std::uint8_t ci = base_chain_index(chain);  // 0 INPUT, 1 OUTPUT, 2 FORWARD
        const bool is_input = ci == 0, is_output = ci == 1, is_forward = ci == 2;
        for (const auto& s0 : src) {
            for (const auto& d0 : dst) {
                // Copies only where a side changes (INPUT, OUTPUT); FORWARD uses both as they are.
                Endpoint s_copy, d_copy;
                const Endpoint* sp = &s0;
                const Endpoint* dp = &d0;
                if (is_input) {
                    d_copy = d0;
                    dp = &d_copy;
                    // The destination is the firewall: the address of the interface the
                    // traffic arrives on, when known (no address: any local address).
                    d_copy.device.clear();
                    if (to->kind == K::Firewall) {
                        // An interface without an address in this family takes no part in it.
                        if (s0.iface != nullptr && !v4() && !s0.iface->ipv6) continue;
                        d_copy.address = interface_address(s0.iface).value_or("");
                    }
                    // redirect: the kernel picks the local address; match the redirection.
                    if (r.action == Action::Redirect) d_copy.address.clear();
                } else if (is_output) {
                    s_copy = s0;
                    sp = &s_copy;
                    s_copy.device.clear();
                    s_copy.mac.clear();
                    if (from->kind == K::Firewall) {
                        if (d0.iface != nullptr && !v4() && !d0.iface->ipv6) continue;
                        s_copy.address = interface_address(d0.iface).value_or("");
                    }
                }
                if (is_input && to->kind == K::Any) {
                    d_copy = Endpoint{};
                    dp = &d_copy;
                }
                if (is_output && from->kind == K::Any) {
                    s_copy = Endpoint{};
                    sp = &s_copy;
                }
                const Endpoint& s = *sp;
                const Endpoint& d = *dp;
                for (auto p : port_list) {
                    if (to->kind == K::Broadcast && p.protocol != "udp") continue;
                    if (r.action == Action::Redirect) {
                        p.dport = std::to_string(*o.redirectport);
                    } else if ((r.action == Action::Portfw || r.action == Action::Bounce) && o.remoteport && !o.remoteport->empty()) {
                        p.dport = o.remoteport->front().str();
                    }
                    bool stateful = to->kind != K::Broadcast;
                    // The matches as text: address_matches(s, d, p, stateful), NEW, DNAT.
                    // The address part differs per expansion; the state part per chain only.
                    const Pieces pieces = address_pieces(s, d, p, stateful);
                    std::string state_text;
                    if (stateful) state_text += kNewText;
                    // Only connections that came through this rule's own DNAT/REDIRECT, not
                    // direct ones to the inside address.
                    bool translated = r.action == Action::Portfw || r.action == Action::Bounce ||
                                      r.action == Action::Redirect;
                    if (translated && (is_forward || r.action == Action::Redirect)) {
                        state_text += kDnatText;
                    }

                    const diag::Location& origin = r.location;
                    if (!main_suffix) {
                        std::vector<Match> extra;
                        if (o.limit) {
                            std::vector<std::string> args{"--limit", o.limit->str() + (o.limit->unit_written ? "" : "/sec")};
                            if (o.burst) args.insert(args.end(), {"--limit-burst", std::to_string(*o.burst)});
                            extra.push_back(mod("limit", args));
                        }
                        if (o.comment) extra.push_back(mod("comment", {"--comment", render::sanitize_text(*o.comment, 128)}));
                        main_suffix = ir::matches_text(extra);
                    }
                    auto add_user = [&](Rule ur) {
                        user_rules_.push_back(UserFilterRule{ci, device_id(s.device), device_id(d.device), std::move(ur)});
                    };
                    if (o.log || r.action == Action::Log) {
                        if (!log_suffix) {
                            std::string limit, burst;
                            if (o.loglimit) {
                                limit = std::to_string(*o.loglimit) + "/sec";
                                burst = std::to_string(*o.loglimit * 2);
                            } else if (o.limit) {
                                limit = o.limit->str() + (o.limit->unit_written ? "" : "/sec");
                                if (o.burst) burst = std::to_string(*o.burst);
                            } else {
                                // Unlike the original, a log rule is never unlimited.
                                limit = std::to_string(s_.log_policy_limit == 0 ? 30 : s_.log_policy_limit) + "/sec";
                                burst = std::to_string((s_.log_policy_limit == 0 ? 30 : s_.log_policy_limit) * 2);
                            }
                            std::string shown = base::to_upper(model::action_name(r.action));
                            if (r.action == Action::Log) shown = "NFLOG";
                            std::vector<Match> extra;
                            // The log action is the log rule itself (non-terminating).
                            if (r.action == Action::Log && o.comment) {
                                extra.push_back(mod("comment", {"--comment", render::sanitize_text(*o.comment, 128)}));
                            }
                            log_suffix = ir::matches_text(with_limit(std::move(extra), limit, burst));
                            log_target_of_rule = log_target(log_prefix(shown, o.logprefix.value_or("")));
                        }
                        if (!log_tails[ci]) {
                            log_tails[ci] = ir::TailRef::make(ir::RuleTail{*log_target_of_rule, origin, state_text + *log_suffix, pool_});
                        }
                        add_user(Rule(pieces.span(), log_tails[ci]));
                        if (r.action == Action::Log) continue;
                    }
                    if (!main_tails[ci]) {
                        Target t = target;
                        if (to->kind == K::Broadcast) {
                            if (r.action == Action::Accept) t = jump("ACCEPT");
                        }
                        main_tails[ci] = ir::TailRef::make(ir::RuleTail{std::move(t), origin, state_text + *main_suffix, pool_});
                    }
                    add_user(Rule(pieces.span(), main_tails[ci]));

                    // Conntrack helpers are attached in raw, so related connections exist.
                    // (portfw and bounce attach theirs before the DNAT, in lower_nat.)
                    bool lets_in = target.name != "DROP" && target.name != "REJECT" && target.name != "TCPRESET";
                    if (service != nullptr && !service->helper.empty() && lets_in && r.action != Action::Portfw &&
                        r.action != Action::Bounce) {
                        Endpoint rs = s, rd = d;
                        rd.device.clear();
                        rs.mac.clear();
                        std::string raw_chain = from->kind == K::Firewall ? "OUTPUT" : "PREROUTING";
                        if (raw_chain == "OUTPUT") rs.device.clear();
                        add_helper(raw_chain, address_matches(rs, rd, p, false), service->helper, origin);
                    }
                    // nfmark: the packet mark for policy routing / tc, both directions.
                    if (o.nfmark && p.protocol != "icmp" && p.protocol != "ipv6-icmp") {
                        std::string value = hex(*o.nfmark) + "/0xffffffff";
                        auto fwd = address_matches(s, d, p, false);
                        fwd.push_back(ctstate("NEW,ESTABLISHED,RELATED"));
                        rs_.table("mangle").chain(chain).rules.push_back(interned(fwd, jump("MARK", {"--set-xmark", value}), origin));
                        PortMatch rp = p;
                        std::swap(rp.sport, rp.dport);
                        Endpoint rs2 = d, rd2 = s;
                        rs2.mac.clear();
                        std::string rchain = chain == "INPUT" ? "OUTPUT" : chain == "OUTPUT" ? "INPUT" : "FORWARD";
                        if (rchain == "INPUT") rd2.device.clear();
                        if (rchain == "OUTPUT") rs2.device.clear();
                        auto rev = address_matches(rs2, rd2, rp, false);
                        rev.push_back(ctstate("ESTABLISHED,RELATED"));
                        rs_.table("mangle").chain(rchain).rules.push_back(interned(rev, jump("MARK", {"--set-xmark", value}), origin));
                    }
                }
            }
        }
    }
    if (service != nullptr && service->broadcast && to->kind != K::Broadcast && to->kind != K::Any) {
        lower_broadcast(r, *service, src, dst, to->kind == K::Firewall);
    }
}

void FamilyCompiler::add_helper(const std::string& raw_chain, std::vector<Match> matches,
                                const std::string& helper, const diag::Location& origin) {
    // The kernel has no IPv6 helper for these; asking for one fails the IPv6 load.
    if (helper.empty()) return;
    if (!v4() && (helper == "irc" || helper == "pptp" || helper == "netbios-ns" || helper == "snmp")) return;
    Rule ct = interned(std::move(matches), jump("CT", {"--helper", helper}), origin);
    // Many rules share a service and endpoints: attach each helper rule once.
    if (!seen_raw_.insert(raw_chain + "\n" + render::rule_text(ct)).second) return;
    rs_.table("raw").chain(raw_chain).rules.push_back(std::move(ct));
}

void FamilyCompiler::lower_broadcast(const model::Rule& r, const model::Service& service,
                                     const std::vector<Endpoint>& src, const std::vector<Endpoint>& dst,
                                     bool to_firewall) {
    // BROADCAST="Yes": the same rule towards the broadcast address of the destination network
    // (to firewall: of the source network), stateless UDP. No network, no broadcast rule:
    // never a rule without a destination, unlike the original.
    if (!v4()) return;
    std::string target;
    if (r.action == Action::Accept) target = "ACCEPT";
    else if (r.action == Action::Drop || r.action == Action::Reject) target = "DROP";
    else return;
    for (const auto& s0 : src) {
        for (const auto& d : dst) {
            const model::Network* net = to_firewall ? s0.network : d.network;
            if (net == nullptr || !net->ipv4 || net->ipv4->prefix >= 31) continue;
            Endpoint bs = s0;
            Endpoint bd{net->ipv4->broadcast().str() + "/32", "", nullptr, "", net};
            for (const auto& p : ports(&service)) {
                if (p.protocol != "udp") continue;
                Rule b = interned(address_matches(bs, bd, p, false), jump(target), r.location);
                if (seen_broadcast_.insert(render::rule_text(b)).second) {
                    user_rules_.push_back(UserFilterRule{base_chain_index("INPUT"), device_id(bs.device), 0, std::move(b)});
                }
            }
        }
    }
}

void FamilyCompiler::build_rpfilter() {
    // protect against rp-filter: drop what arrives on an interface the reply would not leave
    // by (raw PREROUTING, before conntrack). DHCP replies to a client without an address
    // yet are let through.
    std::vector<const model::Interface*> ifaces;
    for (const auto& iface : c_.interfaces) {
        if (!iface.active || iface.device.empty() || iface.is_oldstyle_alias()) continue;
        if (std::find(iface.protections.begin(), iface.protections.end(), model::Protection::RpFilter) !=
            iface.protections.end()) {
            ifaces.push_back(&iface);
        }
    }
    if (ifaces.empty()) return;
    auto& ch = rs_.table("raw").chain("RPFILTER");
    if (v4()) {
        ch.rules.push_back(rule({base({"-p", "udp"}), mod("udp", {"--sport", "67", "--dport", "68"})}, jump("RETURN")));
    } else {
        ch.rules.push_back(rule({base({"-p", "udp"}), mod("udp", {"--sport", "547", "--dport", "546"})}, jump("RETURN")));
    }
    for (const auto* iface : ifaces) {
        std::vector<Match> m{base({"-i", iface->device}), mod("rpfilter", {"--invert"})};
        ch.rules.push_back(log_rule(m, "vrmr: DROP rpfilter ", "1/sec", "5", {}));
        ch.rules.push_back(rule(m, jump("DROP")));
    }
    rs_.table("raw").chain("PREROUTING").rules.push_back(rule({}, jump("RPFILTER")));
}

void FamilyCompiler::lower_nat(const model::Rule& r, const model::Service* service,
                               const std::vector<Endpoint>& src, const std::vector<Endpoint>& dst,
                               const std::vector<PortMatch>& port_list) {
    const auto& o = r.options;
    auto& nat = rs_.table("nat");
    auto add_comment = [&](std::vector<Match>& m) {
        if (o.comment) m.push_back(mod("comment", {"--comment", render::sanitize_text(*o.comment, 128)}));
    };
    auto warn_once = [&](const std::string& key, const std::string& msg, const std::string& hint) {
        if (warned_.insert(key + std::string(ir::family_name(family_))).second) {
            diags_.report(diag::Severity::Warning, diag::Code::OptionNotAllowed, r.location, msg, hint);
        }
    };
    for (const auto& s : src) {
        for (const auto& d : dst) {
            for (const auto& p : port_list) {
                switch (r.action) {
                    case Action::Masq:
                    case Action::Snat: {
                        Endpoint ns = s;
                        ns.device.clear();
                        ns.mac.clear();
                        auto m = address_matches(ns, d, p, false);
                        add_comment(m);
                        if (r.action == Action::Masq) {
                            std::vector<std::string> args;
                            if (o.random) args.push_back("--random");
                            nat.chain("POSTROUTING").rules.push_back(interned(m, jump("MASQUERADE", args), r.location));
                        } else {
                            auto addr = interface_address(d.iface);
                            if (!addr) {
                                warn_once("snat-noaddr" + r.to, "snat through an interface without a known " +
                                              std::string(v4() ? "IPv4" : "IPv6") + " address: no rule for it",
                                          "use masq for dynamic interfaces, or set the interface's address");
                                continue;
                            }
                            std::vector<std::string> args{"--to-source", addr->substr(0, addr->find('/'))};
                            if (o.random) args.push_back("--random");
                            nat.chain("POSTROUTING").rules.push_back(interned(m, jump("SNAT", args), r.location));
                        }
                        break;
                    }
                    case Action::Dnat:
                    case Action::Portfw:
                    case Action::Bounce: {
                        // DNAT on the address of the interface the traffic arrives on (bounce:
                        // the via_int interface's address).
                        const model::Interface* on = s.iface;
                        if (r.action == Action::Bounce) on = c_.find_interface(*o.via_int);
                        Endpoint ns = s;
                        Endpoint nd;
                        auto addr = interface_address(on);
                        std::vector<Match> extra;
                        if (addr) nd.address = *addr;
                        else extra.push_back(mod("addrtype", {"--dst-type", "LOCAL"}));
                        std::string to_host = d.address.substr(0, d.address.find('/'));
                        if (!v4()) to_host = "[" + to_host + "]";
                        std::vector<model::PortRange> listen;
                        if (o.listenport) listen = *o.listenport;
                        std::vector<PortMatch> listen_ports;
                        if (listen.empty() || (p.protocol != "tcp" && p.protocol != "udp")) {
                            listen_ports.push_back(p);
                        } else {
                            for (const auto& l : listen) {
                                PortMatch lp = p;
                                lp.dport = l.str();
                                listen_ports.push_back(lp);
                            }
                        }
                        for (const auto& lp : listen_ports) {
                            auto m = address_matches(ns, nd, lp, false);
                            m.insert(m.end(), extra.begin(), extra.end());
                            add_comment(m);
                            std::string dest = to_host;
                            if (o.remoteport && !o.remoteport->empty() && (p.protocol == "tcp" || p.protocol == "udp")) {
                                dest += ":" + o.remoteport->front().str();
                            }
                            std::vector<std::string> args{"--to-destination", dest};
                            if (o.random) args.push_back("--random");
                            // raw runs before the DNAT: the helper matches the packet as it arrives.
                            if (service != nullptr) add_helper("PREROUTING", m, service->helper, r.location);
                            nat.chain("PREROUTING").rules.push_back(interned(m, jump("DNAT", args), r.location));
                        }
                        if (r.action == Action::Bounce) {
                            // Replies must come back through the firewall: SNAT to via_int's address.
                            if (!addr) {
                                warn_once("bounce-noaddr", "bounce via an interface without a known address: no SNAT for it",
                                          "set the via_int interface's IPADDRESS");
                                break;
                            }
                            PortMatch dp = p;
                            if (o.remoteport && !o.remoteport->empty()) dp.dport = o.remoteport->front().str();
                            Endpoint ss = s;
                            ss.device.clear();
                            ss.mac.clear();
                            Endpoint dd = d;
                            // out through the host's own interface (the same one for a
                            // classic hairpin inside one network)
                            auto m = address_matches(ss, dd, dp, false);
                            add_comment(m);
                            nat.chain("POSTROUTING").rules.push_back(
                                interned(m, jump("SNAT", {"--to-source", addr->substr(0, addr->find('/'))}), r.location));
                        }
                        break;
                    }
                    case Action::Redirect: {
                        auto m = address_matches(s, Endpoint{d.address, "", nullptr, ""}, p, false);
                        add_comment(m);
                        std::vector<std::string> args{"--to-ports", std::to_string(*o.redirectport)};
                        if (o.random) args.push_back("--random");
                        nat.chain("PREROUTING").rules.push_back(interned(m, jump("REDIRECT", args), r.location));
                        break;
                    }
                    default:
                        break;
                }
            }
        }
    }
}

void FamilyCompiler::build_mark_dispatch() {
    if (special_marks_.empty()) return;
    // A binary trie over the bits of the mark values in use: each level tests one bit, so
    // established traffic of Q queues costs O(log Q) rule evaluations, not Q.
    std::vector<std::pair<std::uint32_t, std::string>> leaves(special_marks_.begin(), special_marks_.end());
    int counter = 0;
    std::function<void(const std::string&, std::size_t, std::size_t)> node =
        [&](const std::string& chain, std::size_t lo, std::size_t hi) {
            auto& ch = filter(chain);
            if (hi - lo <= 2) {
                for (std::size_t i = lo; i < hi; ++i) {
                    ch.rules.push_back(rule({mod("connmark", {"--mark", marks_.match(leaves[i].first)})}, go_to(leaves[i].second)));
                }
                return;
            }
            // The highest bit on which the values in [lo, hi) differ splits them (they are sorted).
            std::uint32_t diff = leaves[lo].first ^ leaves[hi - 1].first;
            int bit = 31 - __builtin_clz(diff);
            std::size_t mid = lo;
            while (mid < hi && ((leaves[mid].first >> bit) & 1u) == 0) ++mid;
            std::uint32_t b = (1u << bit) << marks_.shift;
            std::string one = "MARKDISPATCH-" + std::to_string(++counter);
            std::string zero = "MARKDISPATCH-" + std::to_string(++counter);
            ch.rules.push_back(rule({mod("connmark", {"--mark", hex(b) + "/" + hex(b)})}, go_to(one)));
            ch.rules.push_back(rule({}, go_to(zero)));
            node(one, mid, hi);
            node(zero, lo, mid);
        };
    node("MARKDISPATCH", 0, leaves.size());
}

namespace {
std::string chain_name(const std::string& prefix, const std::vector<std::string>& keys,
                       const std::map<std::string, std::size_t>& index) {
    std::string name = prefix;
    for (const auto& k : keys) name += "-" + (k.empty() ? std::string("ANY") : k);
    if (name.size() <= 28) return name;
    name = prefix;
    for (const auto& k : keys) name += "-" + (k.empty() ? std::string("ANY") : "i" + std::to_string(index.at(k)));
    return name;
}
}  // namespace

void FamilyCompiler::build_dispatch(const std::string& base_chain, const std::string& prefix,
                                    bool by_in, bool by_out) {
    // The rules of this base chain, as positions in user_rules_ (4 bytes each).
    std::vector<std::uint32_t> rules;
    const std::uint8_t wanted = base_chain_index(base_chain);
    for (std::size_t k = 0; k < user_rules_.size(); ++k) {
        if (user_rules_[k].chain() == wanted) rules.push_back(static_cast<std::uint32_t>(k));
    }
    auto user = [&](std::size_t i) -> const UserFilterRule& { return user_rules_[rules[i]]; };
    if (rules.empty()) return;

    // Classify rule positions by which interfaces they name: both, only in, only out, none.
    // A pair chain (in, out) holds, in rules.conf order, every rule that can match a packet on
    // those interfaces; a packet enters exactly one pair chain, so first-match is unchanged.
    std::map<std::pair<std::string, std::string>, std::vector<std::uint32_t>> both;
    std::map<std::string, std::vector<std::uint32_t>> in_only, out_only;
    std::vector<std::uint32_t> none;
    for (std::uint32_t i = 0; i < rules.size(); ++i) {  // positions: 4 bytes each
        const std::string& in = by_in ? devices_[user(i).in()] : devices_[0];
        const std::string& out = by_out ? devices_[user(i).out()] : devices_[0];
        if (!in.empty() && !out.empty()) both[{in, out}].push_back(i);
        else if (!in.empty()) in_only[in].push_back(i);
        else if (!out.empty()) out_only[out].push_back(i);
        else none.push_back(i);
    }
    std::vector<std::string> in_keys, out_keys;  // devices, then "" (any other device)
    {
        std::set<std::string> ins, outs;
        for (const auto& [k, v] : both) ins.insert(k.first), outs.insert(k.second);
        for (const auto& [k, v] : in_only) ins.insert(k);
        for (const auto& [k, v] : out_only) outs.insert(k);
        in_keys.assign(ins.begin(), ins.end());
        out_keys.assign(outs.begin(), outs.end());
        in_keys.emplace_back();
        out_keys.emplace_back();
    }
    std::size_t n_in_only = 0, n_out_only = 0;
    for (const auto& [k, v] : in_only) n_in_only += v.size();
    for (const auto& [k, v] : out_only) n_out_only += v.size();
    const std::size_t n_both = rules.size() - n_in_only - n_out_only - none.size();

    // Rules without an interface are copied into every chain that can see their packets.
    // Choose the deepest dispatch whose copies stay within a budget, so that the output stays
    // proportional to the rules (a tree full of `any` falls back to fewer levels).
    const std::size_t budget = 4 * rules.size() + 2000;
    const std::size_t ni = in_keys.size(), no = out_keys.size();
    std::size_t cost_two = n_both + n_in_only * no + n_out_only * ni + none.size() * ni * no;
    std::size_t cost_in = n_both + n_in_only + (n_out_only + none.size()) * ni;
    int levels = 0;
    if (by_in && by_out && cost_two <= budget) levels = 2;
    else if (by_in && cost_in <= budget) levels = 1;
    else if (by_out && !by_in && n_both + n_out_only + none.size() * no <= budget) levels = 1;

    std::string top = "VRMR-" + prefix;
    filter(base_chain).rules.push_back(rule({}, jump(top)));
    if (levels == 0) {
        for (std::size_t i = 0; i < rules.size(); ++i) filter(top).rules.push_back(user(i).rule);
        return;
    }
    std::map<std::string, std::size_t> index;
    for (const auto& k : in_keys) if (!k.empty()) index.emplace(k, index.size() + 1);
    for (const auto& k : out_keys) if (!k.empty()) index.emplace(k, index.size() + 1);

    auto merged = [&](const std::vector<const std::vector<std::uint32_t>*>& lists) {
        std::vector<std::uint32_t> all;
        for (const auto* l : lists) all.insert(all.end(), l->begin(), l->end());
        std::sort(all.begin(), all.end());
        return all;
    };
    static const std::vector<std::uint32_t> kEmpty;
    auto find_or_empty = [&](const auto& map, const auto& key) -> const std::vector<std::uint32_t>& {
        auto it = map.find(key);
        return it == map.end() ? kEmpty : it->second;
    };
    auto fill = [&](const std::string& chain, const std::vector<std::uint32_t>& positions) {
        auto& ch = filter(chain);
        ch.rules.reserve(positions.size());
        for (std::size_t i : positions) ch.rules.push_back(user(i).rule);
    };

    const bool split_out = levels == 2 || !by_in;  // the dimension of the second level
    const std::vector<std::string>& first_keys = by_in ? in_keys : out_keys;
    for (const auto& first : first_keys) {
        std::string first_chain = chain_name(prefix, {first}, index);
        bool used = false;
        if (levels == 2) {
            // An in-interface with nothing of its own sees what any other one sees: FWD-ANY.
            bool own = !find_or_empty(in_only, first).empty();
            for (const auto& [k, v] : both) own = own || k.first == first;
            if (!first.empty() && !own) continue;
            for (const auto& out : out_keys) {
                // Likewise an out-interface with nothing of its own for this in-interface: the
                // packet goes on to the in-interface's ANY chain, which holds the same rules.
                const auto& pair_own = find_or_empty(both, std::make_pair(first, out));
                const auto& out_own = find_or_empty(out_only, out);
                if (!out.empty() && pair_own.empty() && out_own.empty()) continue;
                std::vector<std::uint32_t> pos = merged({&pair_own, &find_or_empty(in_only, first), &out_own, &none});
                if (pos.empty()) continue;
                std::string pair = chain_name(prefix, {first, out}, index);
                fill(pair, pos);
                std::vector<Match> m;
                if (!out.empty()) m.push_back(base({"-o", out}));
                filter(first_chain).rules.push_back(rule(m, go_to(pair)));
                used = true;
            }
        } else {
            // One level: by in (copies of out-only and interface-less rules), or by out.
            std::vector<std::uint32_t> pos;
            if (by_in) {
                std::vector<const std::vector<std::uint32_t>*> lists{&find_or_empty(in_only, first), &none};
                for (const auto& [k, v] : both) if (k.first == first) lists.push_back(&v);
                for (const auto& [k, v] : out_only) lists.push_back(&v);
                pos = merged(lists);
            } else {
                pos = merged({&find_or_empty(out_only, first), &none});
            }
            if (!pos.empty()) {
                fill(first_chain, pos);
                used = true;
            }
        }
        (void)split_out;
        if (used) {
            std::vector<Match> m;
            if (!first.empty()) m.push_back(base({by_in ? "-i" : "-o", first}));
            filter(top).rules.push_back(rule(m, go_to(first_chain)));
        }
    }
}

void FamilyCompiler::build_epilogue(const std::string& chain) {
    if (!s_.log_policy) return;
    const char* what = chain == "INPUT" ? "in policy" : chain == "OUTPUT" ? "out policy" : "fw policy";
    std::uint32_t limit = s_.log_policy_limit == 0 ? 1 : s_.log_policy_limit;
    filter(chain).rules.push_back(log_rule({}, "vrmr: DROP " + std::string(what) + " ",
                                           std::to_string(limit) + "/sec", std::to_string(limit * 2), {}));
}

ir::Ruleset FamilyCompiler::run(bool& forwards) {
    build_skeleton();           // built-ins, policies, hook jumps: first in every chain
    build_helper_chains();      // NEWACCEPT, limits, blocklist, anti-spoof, probes
    build_rpfilter();           // raw, right after the hook jump
    for (const auto& r : c_.rules) lower_rule(r);  // rules.conf order
    pool_->seal();
    // The chains filled so far grew by push_back: give back their slack before the dispatch
    // chains, the largest part, are built.
    for (auto& t : rs_.tables) {
        for (auto& c : t.chains) c.rules.shrink_to_fit();
    }
    build_mark_dispatch();      // needs every nfqueue/nflog mark the rules used
    for (const char* chain : {"INPUT", "OUTPUT", "FORWARD"}) build_prologue(chain);
    build_dispatch("INPUT", "IN", true, false);
    build_dispatch("OUTPUT", "OUT", false, true);
    build_dispatch("FORWARD", "FWD", true, true);
    for (const char* chain : {"INPUT", "OUTPUT", "FORWARD"}) build_epilogue(chain);
    forwards = std::any_of(user_rules_.begin(), user_rules_.end(),
                           [](const UserFilterRule& u) { return u.chain() == base_chain_index("FORWARD"); });

    // Chains nobody jumps to are dropped (e.g. ANTISPOOF without rules).
    auto& f = rs_.table("filter");
    std::set<std::string> used;
    for (const auto& t : rs_.tables) {
        for (const auto& c : t.chains) {
            for (const auto& r : c.rules) if (r.target()) used.insert(r.target()->name);
        }
    }
    f.erase_chains_if([&](const Chain& c) { return c.kind == Chain::Kind::Owned && used.count(c.name) == 0; });
    // Custom chains of `chain` rules belong to the admin: created when missing, never flushed.
    for (const auto& r : c_.rules) {
        if (r.active && r.action == Action::Chain && r.options.chain && used.count(*r.options.chain) != 0) {
            f.chain(*r.options.chain).kind = Chain::Kind::Hook;
        }
    }
    return std::move(rs_);
}

}  // namespace

ir::Ruleset compile_family(const model::Config& config, Family family, const CompileOptions& options,
                           diag::Diagnostics& diags, bool* forwards) {
    bool fwd = false;
    ir::Ruleset rs = FamilyCompiler(config, family, options, diags).run(fwd);
    if (forwards != nullptr) *forwards = fwd;
    return rs;
}

Compiled compile(const model::Config& config, const CompileOptions& options, diag::Diagnostics& diags) {
    Compiled out;
    if (options.ipv4) out.ipv4 = FamilyCompiler(config, Family::Ipv4, options, diags).run(out.forwards_ipv4);
    if (options.ipv6) out.ipv6 = FamilyCompiler(config, Family::Ipv6, options, diags).run(out.forwards_ipv6);
    if (!options.ipv4) out.ipv4.family = Family::Ipv4;
    out.ipv6.family = Family::Ipv6;
    return out;
}

}  // namespace vuurmuur::compile

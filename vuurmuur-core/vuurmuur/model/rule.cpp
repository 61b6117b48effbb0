// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/model/rule.h"

#include "vuurmuur/base/strings.h"

namespace vuurmuur::model {

namespace {
struct ActionName {
    Action action;
    std::string_view name;
};
constexpr ActionName kActions[] = {
    {Action::Accept, "accept"},     {Action::Drop, "drop"},       {Action::Reject, "reject"},
    {Action::Log, "log"},           {Action::Portfw, "portfw"},   {Action::Redirect, "redirect"},
    {Action::Snat, "snat"},         {Action::Masq, "masq"},       {Action::Dnat, "dnat"},
    {Action::Bounce, "bounce"},     {Action::Chain, "chain"},     {Action::Nfqueue, "nfqueue"},
    {Action::Nflog, "nflog"},       {Action::Separator, "separator"},
};

struct RejectName {
    RejectType type;
    std::string_view name;
};
constexpr RejectName kRejectTypes[] = {
    {RejectType::IcmpNetUnreachable, "icmp-net-unreachable"},
    {RejectType::IcmpHostUnreachable, "icmp-host-unreachable"},
    {RejectType::IcmpProtoUnreachable, "icmp-proto-unreachable"},
    {RejectType::IcmpPortUnreachable, "icmp-port-unreachable"},
    {RejectType::IcmpNetProhibited, "icmp-net-prohibited"},
    {RejectType::IcmpHostProhibited, "icmp-host-prohibited"},
    {RejectType::TcpReset, "tcp-reset"},
};
}  // namespace

std::string_view action_name(Action action) {
    for (const auto& a : kActions) {
        if (a.action == action) return a.name;
    }
    return "?";
}

std::optional<Action> parse_action(std::string_view word) {
    for (const auto& a : kActions) {
        if (base::iequals(word, a.name)) return a.action;
    }
    if (base::iequals(word, "sepparator")) return Action::Separator;
    return std::nullopt;
}

std::string_view reject_type_name(RejectType type) {
    for (const auto& r : kRejectTypes) {
        if (r.type == type) return r.name;
    }
    return "?";
}

std::optional<RejectType> parse_reject_type(std::string_view text) {
    for (const auto& r : kRejectTypes) {
        if (base::iequals(text, r.name)) return r.type;
    }
    return std::nullopt;
}

std::optional<PortRange> PortRange::parse(std::string_view text) {
    std::size_t colon = text.find(':');
    auto low = base::parse_uint(text.substr(0, colon), 65535);
    if (!low) return std::nullopt;
    auto high = low;
    if (colon != std::string_view::npos) {
        high = base::parse_uint(text.substr(colon + 1), 65535);
        if (!high || *high < *low) return std::nullopt;
    }
    return PortRange{static_cast<std::uint16_t>(*low), static_cast<std::uint16_t>(*high)};
}

std::string PortRange::str() const {
    if (low == high) return std::to_string(low);
    return std::to_string(low) + ":" + std::to_string(high);
}

std::string QueueRange::str() const {
    if (first == last) return std::to_string(first);
    return std::to_string(first) + ":" + std::to_string(last);
}

std::string RateLimit::str() const {
    std::string out = std::to_string(count);
    if (!unit_written) return out;
    switch (unit) {
        case RateUnit::Second: return out + "/sec";
        case RateUnit::Minute: return out + "/min";
        case RateUnit::Hour: return out + "/hour";
        case RateUnit::Day: return out + "/day";
    }
    return out;
}

std::string Bandwidth::str() const {
    std::string out = std::to_string(amount);
    switch (unit) {
        case BandwidthUnit::Kbit: return out + "kbit";
        case BandwidthUnit::Mbit: return out + "mbit";
        case BandwidthUnit::Kbps: return out + "kbps";
        case BandwidthUnit::Mbps: return out + "mbps";
    }
    return out;
}

int RuleColumns::option(std::string_view name) const {
    for (const auto& [n, col] : options) {
        if (n == name) return col;
    }
    return 0;
}

diag::Location Rule::at(int column) const {
    diag::Location loc = location;
    if (column > 0) loc.column = column;
    return loc;
}

}  // namespace vuurmuur::model

// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/model/objects.h"

#include "vuurmuur/base/strings.h"

namespace vuurmuur::model {

namespace {
struct SpoofInfo {
    SpoofSource source;
    std::string_view name;
    std::uint32_t net;
    int prefix;
};
constexpr SpoofInfo kSpoof[] = {
    {SpoofSource::Loopback, "loopback", 0x7F000000u, 8},
    {SpoofSource::ClassA, "class-a", 0x0A000000u, 8},
    {SpoofSource::ClassB, "class-b", 0xAC100000u, 12},
    {SpoofSource::ClassC, "class-c", 0xC0A80000u, 16},
    {SpoofSource::ClassD, "class-d", 0xE0000000u, 4},
    {SpoofSource::ClassE, "class-e", 0xF0000000u, 5},
    {SpoofSource::TestNet, "test-net", 0xC0000200u, 24},
    {SpoofSource::LinkLocal, "lnk-loc-net", 0xA9FE0000u, 16},
    {SpoofSource::Iana0, "iana-0/8", 0x00000000u, 8},
    {SpoofSource::BroadcastSrc, "brdcst-src", 0x00000000u, 32},
    {SpoofSource::BroadcastDst, "brdcst-dst", 0xFFFFFFFFu, 32},
};

struct ProtectionInfo {
    Protection protection;
    std::string_view name;
};
constexpr ProtectionInfo kProtections[] = {
    {Protection::SourceRoutedPackets, "source-routed-packets"},
    {Protection::IcmpRedirect, "icmp-redirect"},
    {Protection::SendRedirect, "send-redirect"},
    {Protection::RpFilter, "rp-filter"},
    {Protection::LogMartians, "log-martians"},
};
}  // namespace

std::string_view spoof_source_name(SpoofSource s) {
    for (const auto& i : kSpoof) {
        if (i.source == s) return i.name;
    }
    return "?";
}

std::optional<SpoofSource> parse_spoof_source(std::string_view text) {
    for (const auto& i : kSpoof) {
        if (base::iequals(text, i.name)) return i.source;
    }
    return std::nullopt;
}

base::Ipv4Net spoof_source_net(SpoofSource s) {
    for (const auto& i : kSpoof) {
        if (i.source == s) return {base::Ipv4{i.net}, i.prefix};
    }
    return {};
}

std::string_view protection_name(Protection p) {
    for (const auto& i : kProtections) {
        if (i.protection == p) return i.name;
    }
    return "?";
}

std::optional<Protection> parse_protection(std::string_view text) {
    for (const auto& i : kProtections) {
        if (base::iequals(text, i.name)) return i.protection;
    }
    return std::nullopt;
}

}  // namespace vuurmuur::model

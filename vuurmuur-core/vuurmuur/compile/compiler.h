// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <map>
#include <set>
#include <string>

#include "vuurmuur/base/ip.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/ir/ruleset.h"
#include "vuurmuur/model/config.h"

/// Stage 4, compile: a validated model -> one IR ruleset per address family.
///
/// The decision about a connection is taken once, on its NEW packet, by the first matching
/// user rule (rules.conf order), and remembered in a field of the connection mark
/// (docs/connmark.md): 1 accepted, 3+N queued to NFQUEUE N, 65539+G logged to NFLOG group G.
/// Established and related packets are handled by that mark. Objects without an address in a
/// family produce no rules in that family, never a rule without an address match.
namespace vuurmuur::compile {

struct CompileOptions {
    bool ipv4 = true;
    bool ipv6 = true;
    /// Current addresses of devices of `dynamic` interfaces, when known (apply time).
    std::map<std::string, base::Ipv4> dynamic_ipv4;
};

struct Compiled {
    ir::Ruleset ipv4;
    ir::Ruleset ipv6;
    /// Whether any FORWARD user rule exists per family (drives ip_forward).
    bool forwards_ipv4 = false;
    bool forwards_ipv6 = false;
};

/// The connection-mark field: a contiguous mask from config.conf; values are shifted into it.
struct MarkLayout {
    std::uint32_t mask = 0x3FFFF;
    int shift = 0;

    static MarkLayout from_mask(std::uint32_t mask);
    std::uint32_t max_value() const { return mask >> shift; }
    /// "0xV/0xM" with V shifted into the field.
    std::string match(std::uint32_t value) const;
    std::string hex_mask() const;
};

inline constexpr std::uint32_t kMarkAccept = 1;
inline constexpr std::uint32_t kMarkQueueBase = 3;
inline constexpr std::uint32_t kMarkNflogBase = 65539;

Compiled compile(const model::Config& config, const CompileOptions& options,
                 diag::Diagnostics& diags);

/// One family of compile() (the same ruleset, whatever options.ipv4/ipv6 say), for callers
/// that render a family and release it before compiling the next, so that only one family's
/// IR exists at a time. `forwards`, when given, is set as Compiled::forwards_* would be.
ir::Ruleset compile_family(const model::Config& config, ir::Family family, const CompileOptions& options,
                           diag::Diagnostics& diags, bool* forwards = nullptr);

}  // namespace vuurmuur::compile

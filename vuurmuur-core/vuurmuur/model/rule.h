// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/model/boxed_optional.h"

/// A typed rule of rules.conf: `action service S from A to B options ...`.
namespace vuurmuur::model {

enum class Action {
    Accept, Drop, Reject, Log, Portfw, Redirect, Snat, Masq, Dnat, Bounce, Chain, Nfqueue,
    Nflog, Separator,
};

std::string_view action_name(Action action);
/// Case-insensitive; accepts the legacy spelling "sepparator".
std::optional<Action> parse_action(std::string_view word);

enum class RejectType {
    IcmpNetUnreachable, IcmpHostUnreachable, IcmpProtoUnreachable, IcmpPortUnreachable,
    IcmpNetProhibited, IcmpHostProhibited, TcpReset,
};
std::string_view reject_type_name(RejectType type);
std::optional<RejectType> parse_reject_type(std::string_view text);

struct PortRange {
    std::uint16_t low = 0;
    std::uint16_t high = 0;

    /// "80" or "1024:65535"; low <= high.
    static std::optional<PortRange> parse(std::string_view text);
    std::string str() const;
    auto operator<=>(const PortRange&) const = default;
};

/// nfqueuenum: one queue "N" or a balanced range "N:M".
struct QueueRange {
    std::uint16_t first = 0;
    std::uint16_t last = 0;
    std::string str() const;
    auto operator<=>(const QueueRange&) const = default;
};

enum class RateUnit { Second, Minute, Hour, Day };

/// limit="N[/sec|/min|/hour|/day]"
struct RateLimit {
    std::uint32_t count = 0;
    RateUnit unit = RateUnit::Second;
    bool unit_written = false;  ///< keep "5" as "5" and "5/sec" as "5/sec" when printed
    std::string str() const;
    auto operator<=>(const RateLimit&) const = default;
};

enum class BandwidthUnit { Kbit, Mbit, Kbps, Mbps };

/// Shaping bandwidth: "N" + kbit|mbit|kbps|mbps.
struct Bandwidth {
    std::uint32_t amount = 0;
    BandwidthUnit unit = BandwidthUnit::Kbit;
    std::string str() const;
    auto operator<=>(const Bandwidth&) const = default;
};

/// Every option of the rule language. Absent options are nullopt / false. Strings and port
/// lists, which most rules leave unset, are boxed (one pointer each, instead of 32–40 bytes):
/// every rule of rules.conf is held through a compile.
struct RuleOptions {
    BoxedOptional<std::string> via_int;
    BoxedOptional<std::string> in_int;
    BoxedOptional<std::string> out_int;
    std::optional<QueueRange> nfqueuenum;
    std::optional<std::uint16_t> nflognum;
    BoxedOptional<std::string> chain;
    bool log = false;
    std::optional<std::uint32_t> loglimit;
    BoxedOptional<std::string> logprefix;
    BoxedOptional<std::vector<PortRange>> listenport;
    BoxedOptional<std::vector<PortRange>> remoteport;
    std::optional<RejectType> rejecttype;
    std::optional<std::uint16_t> redirectport;
    std::optional<std::uint32_t> nfmark;
    std::optional<RateLimit> limit;
    std::optional<std::uint32_t> burst;
    std::optional<Bandwidth> in_max;
    std::optional<Bandwidth> out_max;
    std::optional<Bandwidth> in_min;
    std::optional<Bandwidth> out_min;
    std::optional<std::uint32_t> prio;
    bool random = false;
    bool bypass = false;  ///< nfqueue: --queue-bypass (accept when no program listens)
    bool fanout = false;  ///< nfqueue with a queue range: --queue-cpu-fanout
    BoxedOptional<std::string> comment;

    auto operator<=>(const RuleOptions&) const = default;
};

/// Columns of the parts of a rule line, for diagnostics (0 = not present).
struct RuleColumns {
    int action = 0;
    int service = 0;
    int from = 0;
    int to = 0;
    std::vector<std::pair<std::string, int>> options;  ///< option name -> column

    int option(std::string_view name) const;
};

struct Rule {
    bool active = true;
    Action action = Action::Accept;
    std::string service;  ///< service name, or "any" / "all"
    std::string from;     ///< object name, "any" or "firewall"
    std::string to;
    RuleOptions options;

    diag::Location location;  ///< where the rule text starts (file, line, column)
    RuleColumns columns;      ///< columns of its parts on that line

    bool is_separator() const { return action == Action::Separator; }
    /// The location of one part of the rule (an absolute column on the rule's line).
    diag::Location at(int column) const;
};

/// Limits of the original (include/vuurmuur.h).
inline constexpr std::size_t kMaxRuleLength = 512;
inline constexpr std::size_t kMaxOptionsLength = 256;
inline constexpr std::size_t kMaxCommentLength = 128;
inline constexpr std::size_t kMaxLogPrefixLength = 14;
inline constexpr std::size_t kMaxNamePart = 32;

}  // namespace vuurmuur::model

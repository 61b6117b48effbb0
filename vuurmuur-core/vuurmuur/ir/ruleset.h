// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <memory>
#include <optional>
#include <unordered_map>
#include <string>
#include <vector>

#include "vuurmuur/diag/diagnostic.h"

/// Stage 4 output: rulesets in netfilter's vocabulary, one per address family.
/// Tables hold chains; chains hold rules; a rule is matches + a target. Matches and targets
/// keep iptables' own option spelling so the renderer only has to lay them out.
namespace vuurmuur::ir {

enum class Family { Ipv4, Ipv6 };
std::string_view family_name(Family f);

/// One match: a module (`-m NAME`, empty for the built-in ones like -s/-i/-p) and its options.
struct Match {
    std::string module;
    std::vector<std::string> args;

    bool operator==(const Match&) const = default;
};

struct Target {
    std::string name;               ///< ACCEPT, DROP, a chain name, NFQUEUE, ...
    std::vector<std::string> args;  ///< target options
    bool go_to = false;             ///< -g instead of -j

    bool operator==(const Target&) const = default;
};

/// A rule: matches + target, immutable once built. Copies share one body, so the dispatch
/// can place a rule in many chains without copying its matches.
class Rule {
public:
    Rule(std::vector<Match> matches, std::optional<Target> target, diag::Location origin = {})
        : body_(std::make_shared<const Body>(Body{std::move(matches), std::move(target), std::move(origin)})) {}

    const std::vector<Match>& matches() const { return body_->matches; }
    const std::optional<Target>& target() const { return body_->target; }
    /// The rules.conf / config line behind it (empty: prologue).
    const diag::Location& origin() const { return body_->origin; }

    /// The same object for every copy of this rule (for caches keyed by rule).
    const void* identity() const { return body_.get(); }
    /// Whether other chains hold copies of this rule.
    bool is_shared() const { return body_.use_count() > 1; }

    bool operator==(const Rule& other) const {
        return body_ == other.body_ ||
               (matches() == other.matches() && target() == other.target());
    }

private:
    struct Body {
        std::vector<Match> matches;
        std::optional<Target> target;  ///< none: a counting rule
        diag::Location origin;
    };
    std::shared_ptr<const Body> body_;
};

struct Chain {
    /// Builtin: a hook chain with a policy, flushed and refilled.
    /// Owned: created or flushed by each load.
    /// Hook: the admin's (PRE-VRMR-*, chain= targets): created when missing, never flushed.
    enum class Kind { Builtin, Owned, Hook };

    std::string name;
    Kind kind = Kind::Owned;
    std::string policy;  ///< Builtin only: ACCEPT or DROP
    std::vector<Rule> rules;
};

struct Table {
    std::string name;  ///< raw, mangle, nat, filter
    std::vector<Chain> chains;

    /// The chain called `name`, created (owned, empty) at the end when missing.
    Chain& chain(const std::string& name);
    const Chain* find(const std::string& name) const;
    /// Removes the chains `drop` says so of; keeps the order of the rest.
    template <typename Pred>
    void erase_chains_if(Pred drop) {
        std::erase_if(chains, drop);
        index_.clear();
    }

private:
    /// name -> position in `chains`, rebuilt lazily (chains are only added through chain()).
    mutable std::unordered_map<std::string, std::size_t> index_;
    void reindex() const;
};

struct Ruleset {
    Family family = Family::Ipv4;
    std::vector<Table> tables;

    Table& table(const std::string& name);
    const Table* find(const std::string& name) const;
    std::size_t rule_count() const;
};

/// Deterministic text dump of the IR (for --dump ir and golden files).
std::string dump(const Ruleset& ruleset);

/// The largest number of rules a NEW forwarded packet can be tested against in the filter
/// table: the FORWARD chain plus the longest path through the dispatch chains it jumps to.
std::size_t worst_case_new_forward(const Ruleset& ruleset);

}  // namespace vuurmuur::ir

// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
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

/// One argument as iptables(-restore) reads it: quoted when it holds spaces or quotes.
std::string quote_arg(const std::string& arg);

/// Matches as a rule keeps them: " -m MODULE" and each argument preceded by a space. The
/// text of a concatenation of matches is the concatenation of their texts.
std::string matches_text(const std::vector<Match>& matches);

/// Texts that many rule bodies share (an interface pair, an address, a port match), each kept
/// once; a body built from pieces names them by 4-byte index instead of holding the text (a
/// large ruleset's user rules repeat the same few thousand addresses some 70,000 times).
/// Interning happens while a ruleset is built, in one thread; seal() then drops the lookup
/// index, and the pool is read-only from there on.
class TextPool {
public:
    using Id = std::uint32_t;

    TextPool() = default;
    TextPool(const TextPool&) = delete;  // the index refers to this object
    TextPool& operator=(const TextPool&) = delete;

    /// The id of `text`, added when new. Throws std::logic_error once sealed.
    Id intern(std::string_view text);
    std::string_view text(Id id) const {
        return std::string_view(data_).substr(starts_[id], starts_[id + 1] - starts_[id]);
    }
    std::size_t size() const { return starts_.size() - 1; }
    /// No more intern(): frees the index.
    void seal();

private:
    std::string data_;                     ///< all texts, back to back
    std::vector<std::uint32_t> starts_{0};  ///< text i is data_[starts_[i], starts_[i + 1])
    /// Open addressing, linear probing: (32-bit hash << 32) | (id + 1), 0 for empty; at most
    /// half full. Flat, so a lookup costs one or two cache lines, not a chain of nodes.
    std::vector<std::uint64_t> slots_;
    void grow();
    bool sealed_ = false;
};

/// What rules made from one rules.conf line have in common: the target and the origin.
struct RuleTail {
    std::optional<Target> target;  ///< none: a counting rule
    diag::Location origin;         ///< the rules.conf / config line behind it (empty: prologue)
    /// Matches every rule with this tail ends with (as text, like matches_text()), kept once:
    /// for example " -m conntrack --ctstate NEW" and the limit and comment of a user rule.
    std::string suffix;
    /// The texts the pieces of bodies with this tail name (Rule(pieces, tail)).
    std::shared_ptr<const TextPool> pool;
};

/// A shared, immutable RuleTail with an intrusive reference count (8 bytes where a
/// std::shared_ptr takes 16: a large ruleset holds one per rule body). The tail's file name
/// and suffix are shared with the tails made just before it when they are equal (the tails
/// of a ruleset come from one rules.conf and mostly end the same way).
class TailRef {
public:
    TailRef() = default;
    static TailRef make(RuleTail tail);
    TailRef(const TailRef& other) noexcept : node_(other.node_) { retain(node_); }
    TailRef(TailRef&& other) noexcept : node_(other.node_) { other.node_ = nullptr; }
    TailRef& operator=(TailRef other) noexcept {
        std::swap(node_, other.node_);
        return *this;
    }
    ~TailRef() { release(node_); }

    explicit operator bool() const { return node_ != nullptr; }

    /// For the storage of rule bodies (which keep a reference without a TailRef).
    struct Node;
    static void retain(Node* node) noexcept;
    static void release(Node* node) noexcept;

private:
    friend class Rule;
    Node* node_ = nullptr;
};

/// A rule: matches + target, immutable once built. The matches are kept as their
/// iptables-restore text (" -i eth0 -p tcp -m tcp --dport 80"), which is compact and what
/// the renderer writes. Copies share one body, so the dispatch can place a rule in many chains
/// for the price of a pointer; the expansions of one rules.conf line share one tail.
///
/// Bodies are not allocated one by one: they are laid out back to back in 64 KiB blocks
/// (12 bytes of header and the text each, no allocator overhead), and a block is released when
/// the last rule with a body in it is. A large ruleset has well over 100,000 bodies, so this
/// is most of what its IR costs.
class Rule {
public:
    Rule(const std::vector<Match>& matches, std::optional<Target> target, diag::Location origin = {});
    Rule(const std::vector<Match>& matches, TailRef tail);
    /// From matches already laid out as text (what matches_text() would give for them), to
    /// which the tail's suffix is appended.
    Rule(std::string_view matches_text, TailRef tail);
    /// From matches laid out as the concatenation of texts of the tail's pool (which it must
    /// have), to which the tail's suffix is appended.
    Rule(std::span<const TextPool::Id> pieces, TailRef tail);
    Rule(const Rule& other) noexcept : body_(other.body_) { retain(); }
    Rule(Rule&& other) noexcept : body_(other.body_) { other.body_ = nullptr; }
    Rule& operator=(const Rule& other) noexcept {
        if (this != &other) {
            Rule copy(other);
            std::swap(body_, copy.body_);
        }
        return *this;
    }
    Rule& operator=(Rule&& other) noexcept {
        std::swap(body_, other.body_);
        return *this;
    }
    ~Rule() { release(); }

    /// The matches as text, each option preceded by a space; empty for none.
    std::string matches_text() const;
    /// Appends matches_text() to `out` (without a temporary).
    void append_matches(std::string& out) const;
    /// The matches split into (unquoted) words, for inspection and tests.
    std::vector<std::string> match_words() const;
    const std::optional<Target>& target() const;
    /// The rules.conf / config line behind it (empty: prologue).
    diag::Location origin() const;

    /// The same object for every copy of this rule (for caches keyed by rule).
    const void* identity() const { return body_; }

    bool operator==(const Rule& other) const {
        return body_ == other.body_ ||
               (target() == other.target() && matches_text() == other.matches_text());
    }

    struct Body;  ///< opaque: the storage of a rule (ruleset.cpp)

private:
    Body* body_ = nullptr;  ///< never null except in a moved-from rule
    const TailRef::Node* tail() const;
    void retain() const noexcept;
    void release() noexcept;
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

// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/ir/ruleset.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <new>
#include <functional>
#include <map>

namespace vuurmuur::ir {

std::string_view family_name(Family f) { return f == Family::Ipv4 ? "ipv4" : "ipv6"; }

std::string quote_arg(const std::string& arg) {
    bool needs = arg.empty();
    for (char c : arg) {
        if (c == ' ' || c == '"' || c == '\'' || c == '\\' || c == '\t') needs = true;
    }
    if (!needs) return arg;
    std::string out = "\"";
    for (char c : arg) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

namespace {

void append_quoted(std::string& out, const std::string& arg) {
    bool needs = arg.empty();
    for (char c : arg) {
        if (c == ' ' || c == '"' || c == '\'' || c == '\\' || c == '\t') needs = true;
    }
    if (!needs) {
        out += arg;
        return;
    }
    out += quote_arg(arg);
}

}  // namespace

std::string matches_text(const std::vector<Match>& matches) {
    std::size_t size = 0;
    for (const auto& m : matches) {
        size += m.module.size() + 4;
        for (const auto& a : m.args) size += a.size() + 1;
    }
    std::string text;
    text.reserve(size);
    for (const auto& m : matches) {
        if (!m.module.empty()) {
            text += " -m ";
            text += m.module;
        }
        for (const auto& a : m.args) {
            text += ' ';
            append_quoted(text, a);
        }
    }
    return text;
}

namespace {

const RuleTail kNoTail{};

}  // namespace

/// One allocation: this header, then the matches text (not terminated).
struct Rule::Body {
    std::atomic<std::uint32_t> refs{1};
    std::uint32_t size = 0;
    std::shared_ptr<const RuleTail> tail;

    const char* text() const { return reinterpret_cast<const char*>(this + 1); }
    char* text() { return reinterpret_cast<char*>(this + 1); }

    static Body* make(std::string_view text, std::shared_ptr<const RuleTail> tail) {
        void* raw = ::operator new(sizeof(Body) + text.size());
        Body* b = new (raw) Body;
        b->size = static_cast<std::uint32_t>(text.size());
        b->tail = std::move(tail);
        if (!text.empty()) std::memcpy(b->text(), text.data(), text.size());
        return b;
    }
    static void destroy(Body* b) noexcept {
        b->~Body();
        ::operator delete(static_cast<void*>(b));
    }
};

Rule::Rule(const std::vector<Match>& matches, std::optional<Target> target, diag::Location origin)
    : Rule(matches, std::make_shared<const RuleTail>(RuleTail{std::move(target), std::move(origin), {}})) {}

Rule::Rule(const std::vector<Match>& matches, std::shared_ptr<const RuleTail> tail)
    : body_(Body::make(ir::matches_text(matches), std::move(tail))) {}

Rule::Rule(std::string_view text, std::shared_ptr<const RuleTail> tail)
    : body_(Body::make(text, std::move(tail))) {}

void Rule::retain() const noexcept {
    if (body_ != nullptr) body_->refs.fetch_add(1, std::memory_order_relaxed);
}

void Rule::release() noexcept {
    if (body_ != nullptr && body_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) Body::destroy(body_);
    body_ = nullptr;
}

void Rule::append_matches(std::string& out) const {
    if (body_ == nullptr) return;
    out.append(body_->text(), body_->size);
    if (body_->tail) out += body_->tail->suffix;
}

std::string Rule::matches_text() const {
    std::string out;
    append_matches(out);
    return out;
}

const std::optional<Target>& Rule::target() const {
    return body_ != nullptr && body_->tail ? body_->tail->target : kNoTail.target;
}

const diag::Location& Rule::origin() const {
    return body_ != nullptr && body_->tail ? body_->tail->origin : kNoTail.origin;
}

bool Rule::is_shared() const { return body_ != nullptr && body_->refs.load(std::memory_order_relaxed) > 1; }

std::vector<std::string> Rule::match_words() const {
    std::vector<std::string> words;
    const std::string t = matches_text();
    std::size_t i = 0;
    while (i < t.size()) {
        while (i < t.size() && t[i] == ' ') ++i;
        if (i >= t.size()) break;
        std::string w;
        if (t[i] == '"') {
            for (++i; i < t.size() && t[i] != '"'; ++i) {
                if (t[i] == '\\' && i + 1 < t.size()) ++i;
                w += t[i];
            }
            ++i;
        } else {
            while (i < t.size() && t[i] != ' ') w += t[i++];
        }
        words.push_back(std::move(w));
    }
    return words;
}

void Table::reindex() const {
    if (index_.size() == chains.size()) return;
    index_.clear();
    for (std::size_t i = 0; i < chains.size(); ++i) index_.emplace(chains[i].name, i);
}

Chain& Table::chain(const std::string& wanted) {
    reindex();
    auto it = index_.find(wanted);
    if (it != index_.end()) return chains[it->second];
    chains.push_back(Chain{wanted, Chain::Kind::Owned, {}, {}});
    index_.emplace(wanted, chains.size() - 1);
    return chains.back();
}

const Chain* Table::find(const std::string& wanted) const {
    reindex();
    auto it = index_.find(wanted);
    return it == index_.end() ? nullptr : &chains[it->second];
}

Table& Ruleset::table(const std::string& name) {
    for (auto& t : tables) {
        if (t.name == name) return t;
    }
    Table t;
    t.name = name;
    tables.push_back(std::move(t));
    return tables.back();
}

const Table* Ruleset::find(const std::string& name) const {
    for (const auto& t : tables) {
        if (t.name == name) return &t;
    }
    return nullptr;
}

std::size_t Ruleset::rule_count() const {
    std::size_t n = 0;
    for (const auto& t : tables) {
        for (const auto& c : t.chains) n += c.rules.size();
    }
    return n;
}

std::string dump(const Ruleset& ruleset) {
    std::string out = "ruleset " + std::string(family_name(ruleset.family)) + "\n";
    for (const auto& t : ruleset.tables) {
        out += "table " + t.name + "\n";
        for (const auto& c : t.chains) {
            out += "  chain " + c.name;
            switch (c.kind) {
                case Chain::Kind::Builtin: out += " builtin policy " + c.policy; break;
                case Chain::Kind::Owned: out += " owned"; break;
                case Chain::Kind::Hook: out += " hook"; break;
            }
            out += "\n";
            for (const auto& r : c.rules) {
                out += "    rule";
                r.append_matches(out);
                if (r.target()) {
                    out += r.target()->go_to ? " goto " : " -> ";
                    out += r.target()->name;
                    for (const auto& a : r.target()->args) out += " " + a;
                }
                if (!r.origin().file.empty()) {
                    out += "  # " + r.origin().file + ":" + std::to_string(r.origin().line);
                }
                out += "\n";
            }
        }
    }
    return out;
}

std::size_t worst_case_new_forward(const Ruleset& ruleset) {
    const Table* filter = ruleset.find("filter");
    if (filter == nullptr) return 0;
    // Longest path of rule evaluations through owned chains reached by jumps, counting each
    // chain's rules; a jump may or may not be taken, so the worst case adds the callee's path.
    // Chains are acyclic by construction.
    std::map<std::string, std::size_t> memo;
    std::string t;  // one buffer for every rule's matches
    std::function<std::size_t(const std::string&)> cost = [&](const std::string& name) -> std::size_t {
        auto it = memo.find(name);
        if (it != memo.end()) return it->second;
        memo[name] = 0;
        const Chain* c = filter->find(name);
        if (c == nullptr || c->kind == Chain::Kind::Hook) return 0;
        std::size_t own = c->rules.size();
        std::size_t worst_callee = 0;
        std::size_t sum_jumps = 0;
        for (const auto& r : c->rules) {
            if (!r.target() || filter->find(r.target()->name) == nullptr) continue;
            const std::size_t c_cost = cost(r.target()->name);
            std::size_t& best = r.target()->go_to ? worst_callee : sum_jumps;
            // A callee no costlier than the worst so far changes nothing, counted or not (most
            // rules jump to the same NEWACCEPT): its matches need no look.
            if (c_cost <= best) continue;
            // Only dispatch chains (FWD...) and the chains a NEW packet enters count.
            bool new_state_only_elsewhere = false;
            t.clear();
            r.append_matches(t);
            for (std::size_t at = t.find(" --ctstate "); at != std::string::npos; at = t.find(" --ctstate ", at + 1)) {
                std::size_t v = at + 11;
                std::size_t e = t.find(' ', v);
                if (t.substr(v, e == std::string::npos ? std::string::npos : e - v).find("NEW") == std::string::npos) {
                    new_state_only_elsewhere = true;
                }
            }
            if (new_state_only_elsewhere) continue;
            best = c_cost;
        }
        std::size_t total = own + std::max(worst_callee, sum_jumps);
        memo[name] = total;
        return total;
    };
    return cost("FORWARD");
}

}  // namespace vuurmuur::ir

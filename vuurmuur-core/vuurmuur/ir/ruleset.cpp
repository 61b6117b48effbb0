// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/ir/ruleset.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <new>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <stdexcept>
#include <utility>

#include <sys/mman.h>
#include <unistd.h>

// Under AddressSanitizer the blocks come from the heap (see new_block).
#if defined(__SANITIZE_ADDRESS__)
#define VM_HEAP_BLOCKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define VM_HEAP_BLOCKS 1
#endif
#endif
#ifndef VM_HEAP_BLOCKS
#define VM_HEAP_BLOCKS 0
#endif

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

// --- shared texts -----------------------------------------------------------------------

namespace {
std::uint32_t text_hash(std::string_view text) {
    const std::size_t h = std::hash<std::string_view>{}(text);
    return static_cast<std::uint32_t>(h ^ (h >> 32));
}
}  // namespace

TextPool::Id TextPool::intern(std::string_view text) {
    if (sealed_) throw std::logic_error("TextPool::intern after seal");
    if ((size() + 1) * 2 > slots_.size()) grow();
    const std::uint32_t h = text_hash(text);
    const std::size_t mask = slots_.size() - 1;
    std::size_t at = h & mask;
    for (; slots_[at] != 0; at = (at + 1) & mask) {
        const std::uint64_t slot = slots_[at];
        const auto id = static_cast<Id>((slot & 0xffffffffU) - 1);
        if ((slot >> 32) == h && this->text(id) == text) return id;
    }
    if (data_.size() + text.size() > std::numeric_limits<std::uint32_t>::max() ||
        size() >= std::numeric_limits<std::uint32_t>::max() - 1) {
        throw std::length_error("text pool full");
    }
    data_.append(text);
    const auto id = static_cast<Id>(size());
    starts_.push_back(static_cast<std::uint32_t>(data_.size()));
    slots_[at] = (std::uint64_t{h} << 32) | (std::uint64_t{id} + 1);
    return id;
}

void TextPool::grow() {
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
    const std::size_t mask = slots_.size() - 1;
    for (std::uint64_t slot : old) {
        if (slot == 0) continue;
        std::size_t at = (slot >> 32) & mask;
        while (slots_[at] != 0) at = (at + 1) & mask;
        slots_[at] = slot;
    }
}

void TextPool::seal() {
    sealed_ = true;
    std::vector<std::uint64_t>().swap(slots_);
    data_.shrink_to_fit();
    starts_.shrink_to_fit();
}

// --- tails ------------------------------------------------------------------------------

struct TailRef::Node {
    std::atomic<std::uint32_t> refs{1};
    int line = 0;
    int column = 0;
    std::optional<Target> target;
    std::shared_ptr<const std::string> file;    ///< null: none
    std::shared_ptr<const std::string> suffix;  ///< null: none
    std::shared_ptr<const TextPool> pool;       ///< null: no body with this tail has pieces
};

namespace {

/// The texts of the last tails this thread made: a new tail with an equal file name or suffix
/// shares the text instead of a copy (a large ruleset has tens of thousands of tails, nearly
/// all naming the same rules.conf and most ending in the same state match).
struct RecentTexts {
    std::array<std::shared_ptr<const std::string>, 8> slots;
    std::size_t next = 0;

    std::shared_ptr<const std::string> share(std::string&& text) {
        if (text.empty()) return nullptr;
        for (const auto& s : slots) {
            if (s && *s == text) return s;
        }
        auto fresh = std::make_shared<const std::string>(std::move(text));
        slots[next] = fresh;
        next = (next + 1) % slots.size();
        return fresh;
    }
};
thread_local RecentTexts recent_files, recent_suffixes;

}  // namespace

TailRef TailRef::make(RuleTail tail) {
    TailRef ref;
    ref.node_ = new Node{{1}, tail.origin.line, tail.origin.column, std::move(tail.target),
                         recent_files.share(std::move(tail.origin.file)),
                         recent_suffixes.share(std::move(tail.suffix)), std::move(tail.pool)};
    return ref;
}

void TailRef::retain(Node* node) noexcept {
    if (node != nullptr) node->refs.fetch_add(1, std::memory_order_relaxed);
}

void TailRef::release(Node* node) noexcept {
    if (node != nullptr && node->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete node;
}

// --- rule bodies --------------------------------------------------------------------------
//
// A body is a 12-byte header (text size, tail) followed by the matches text, padded to 4
// bytes. Bodies are placed back to back in blocks of kBlock bytes aligned to kBlock, so the
// block of a body is its address rounded down. A block counts the rules referring to bodies
// in it (plus one while a thread still fills it); the last release destroys the tails of
// all its bodies and frees it. A body too large for a shared block gets a block of its own.

namespace {

constexpr std::size_t kBlock = 64 * 1024;
constexpr std::size_t kLargeBody = kBlock / 8;

struct Block {
    std::atomic<std::uint32_t> refs{0};
    std::uint32_t used = 0;      ///< bytes from the block's start, header included
    std::uint32_t capacity = 0;  ///< bytes of the allocation
    std::uint32_t reserved = 0;
};
constexpr std::size_t kBlockHeader = sizeof(Block);
static_assert(kBlockHeader == 16);

/// A block straight from the kernel, aligned to kBlock: malloc's aligned allocations leave
/// gaps that cost more than the blocks save (measured: +5 MB peak RSS on the large tree), and
/// a freed block goes back to the kernel at once.
///
/// Under AddressSanitizer a block is an aligned heap allocation instead: LeakSanitizer does not
/// scan anonymous mappings, so the tails a block refers to would be reported as leaked while
/// the block is alive (libFuzzer checks for leaks after every input, with this thread's current
/// block still open), and a block that really leaked would go unseen. On the heap both are
/// right: a live block keeps its tails reachable, a leaked block is reported.
Block* new_block(std::size_t capacity) {
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    capacity = (capacity + page - 1) / page * page;
#if VM_HEAP_BLOCKS
    void* at = ::operator new(capacity, std::align_val_t{kBlock});
    const auto aligned = reinterpret_cast<std::uintptr_t>(at);
#else
    const std::size_t span = capacity + kBlock;
    void* raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (start + kBlock - 1) & ~std::uintptr_t{kBlock - 1};
    if (aligned > start) ::munmap(raw, aligned - start);
    if (start + span > aligned + capacity) {
        ::munmap(reinterpret_cast<void*>(aligned + capacity), start + span - (aligned + capacity));
    }
#endif
    Block* b = new (reinterpret_cast<void*>(aligned)) Block;
    b->used = static_cast<std::uint32_t>(kBlockHeader);
    b->capacity = static_cast<std::uint32_t>(capacity);
    return b;
}

void destroy_block(Block* b) noexcept;

void unref_block(Block* b) noexcept {
    if (b->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy_block(b);
}

/// The block this thread places small bodies in; holds one reference while it is current.
struct CurrentBlock {
    Block* block = nullptr;
    ~CurrentBlock() {
        if (block != nullptr) unref_block(block);
    }
};
thread_local CurrentBlock current_block;

}  // namespace

/// Bodies start at multiples of kBodyAlign in their block. Under AddressSanitizer that is 8, so
/// `tail` (first in the body) sits where LeakSanitizer looks for pointers: it scans aligned
/// words only, and a tail seen through no aligned word is reported as leaked.
constexpr std::size_t kBodyAlign = VM_HEAP_BLOCKS ? 8 : 4;

struct __attribute__((packed, aligned(4))) Rule::Body {
    TailRef::Node* tail;    ///< one reference, released with the block
    /// Bytes of the text that follows; with kPieces set, the number of TextPool ids that
    /// follow instead.
    std::uint32_t size;
    static constexpr std::uint32_t kPieces = 0x80000000U;

    const char* text() const { return reinterpret_cast<const char*>(this) + sizeof(Body); }
    char* text() { return reinterpret_cast<char*>(this) + sizeof(Body); }
    bool has_pieces() const { return (size & kPieces) != 0; }
    std::uint32_t pieces() const { return size & ~kPieces; }
    TextPool::Id piece(std::uint32_t i) const {
        TextPool::Id id;
        std::memcpy(&id, text() + i * sizeof id, sizeof id);
        return id;
    }
    static std::size_t footprint(std::uint32_t size) {
        const std::size_t bytes = (size & kPieces) != 0 ? (size & ~kPieces) * sizeof(TextPool::Id) : size;
        return (sizeof(Body) + bytes + kBodyAlign - 1) & ~(kBodyAlign - 1);
    }

    static Body* make(std::string_view text, TailRef tail) {
        if (text.size() >= kPieces - kBlock) throw std::length_error("rule text too long");
        return make(text, static_cast<std::uint32_t>(text.size()), std::move(tail));
    }
    static Body* make(std::span<const TextPool::Id> pieces, TailRef tail) {
        if (!tail || !tail.node_->pool) throw std::logic_error("a rule of pieces needs a tail with a text pool");
        if (pieces.size() > 1024) throw std::length_error("too many pieces in a rule");
        return make(std::string_view(reinterpret_cast<const char*>(pieces.data()), pieces.size_bytes()),
                    static_cast<std::uint32_t>(pieces.size()) | kPieces, std::move(tail));
    }

    /// `bytes` copied after the header, `size` the header's size field.
    static Body* make(std::string_view bytes, std::uint32_t size, TailRef tail) {
        const std::size_t need = footprint(size);
        Block* block = nullptr;
        if (need > kLargeBody) {
            block = new_block(kBlockHeader + need);
        } else {
            block = current_block.block;
            if (block == nullptr || block->used + need > block->capacity) {
                Block* fresh = new_block(kBlock);
                fresh->refs.store(1, std::memory_order_relaxed);  // the thread's reference
                if (block != nullptr) unref_block(block);
                current_block.block = block = fresh;
            }
        }
        Body* b = new (reinterpret_cast<char*>(block) + block->used) Body;
        block->used += static_cast<std::uint32_t>(need);
        b->size = size;
        b->tail = std::exchange(tail.node_, nullptr);
        if (!bytes.empty()) std::memcpy(b->text(), bytes.data(), bytes.size());
        return b;
    }
    static Block* block_of(const Body* b) {
        return reinterpret_cast<Block*>(reinterpret_cast<std::uintptr_t>(b) & ~std::uintptr_t{kBlock - 1});
    }
};
static_assert(sizeof(Rule::Body) == 12);

namespace {

void destroy_block(Block* b) noexcept {
    char* base = reinterpret_cast<char*>(b);
    for (std::size_t at = kBlockHeader; at < b->used;) {
        auto* body = reinterpret_cast<Rule::Body*>(base + at);
        TailRef::release(body->tail);
        at += Rule::Body::footprint(body->size);
    }
    const std::size_t capacity = b->capacity;
    b->~Block();
#if VM_HEAP_BLOCKS
    (void)capacity;
    ::operator delete(static_cast<void*>(b), std::align_val_t{kBlock});
#else
    ::munmap(static_cast<void*>(b), capacity);
#endif
}

}  // namespace

Rule::Rule(const std::vector<Match>& matches, std::optional<Target> target, diag::Location origin)
    : Rule(matches, TailRef::make(RuleTail{std::move(target), std::move(origin), {}, {}})) {}

Rule::Rule(const std::vector<Match>& matches, TailRef tail)
    : body_(Body::make(ir::matches_text(matches), std::move(tail))) {
    retain();
}

Rule::Rule(std::string_view text, TailRef tail) : body_(Body::make(text, std::move(tail))) { retain(); }

Rule::Rule(std::span<const TextPool::Id> pieces, TailRef tail) : body_(Body::make(pieces, std::move(tail))) { retain(); }

void Rule::retain() const noexcept {
    if (body_ != nullptr) Body::block_of(body_)->refs.fetch_add(1, std::memory_order_relaxed);
}

void Rule::release() noexcept {
    if (body_ != nullptr) unref_block(Body::block_of(body_));
    body_ = nullptr;
}

const TailRef::Node* Rule::tail() const { return body_ == nullptr ? nullptr : body_->tail; }

void Rule::append_matches(std::string& out) const {
    if (body_ == nullptr) return;
    const auto* t = tail();
    if (body_->has_pieces()) {
        const TextPool& pool = *t->pool;
        for (std::uint32_t i = 0; i < body_->pieces(); ++i) out += pool.text(body_->piece(i));
    } else {
        out.append(body_->text(), body_->size);
    }
    if (t != nullptr && t->suffix) out += *t->suffix;
}

std::string Rule::matches_text() const {
    std::string out;
    append_matches(out);
    return out;
}

const std::optional<Target>& Rule::target() const {
    static const std::optional<Target> kNone;
    const auto* t = tail();
    return t != nullptr ? t->target : kNone;
}

diag::Location Rule::origin() const {
    const auto* t = tail();
    if (t == nullptr) return {};
    return diag::Location{t->file ? *t->file : std::string(), t->line, t->column};
}

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

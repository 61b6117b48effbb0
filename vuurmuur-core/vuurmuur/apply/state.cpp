// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/apply/state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <functional>
#include <sstream>
#include <string_view>

#include "vuurmuur/apply/netfilter.h"
#include "vuurmuur/io/file_io.h"

namespace vuurmuur::apply {

namespace fs = std::filesystem;

const StoredFamily* StoredRulesets::find(ir::Family f) const {
    for (const auto& fam : families) {
        if (fam.family == f) return &fam;
    }
    return nullptr;
}

std::string format_stored(const StoredRulesets& stored) {
    std::size_t size = stored.comment.size() + 3;
    for (const auto& f : stored.families) {
        size += 32 + f.text.size() + 1;
        for (const auto& [table, chain] : f.hooks) size += 10 + table.size() + chain.size();
    }
    std::string out;
    out.reserve(size);  // one allocation: the text of a large ruleset is tens of MB
    out += "# " + stored.comment + "\n";
    for (const auto& f : stored.families) {
        out += "#@ family " + std::string(ir::family_name(f.family)) + "\n";
        if (f.forward) out += std::string("#@ forward ") + (*f.forward ? "yes" : "no") + "\n";
        for (const auto& [table, chain] : f.hooks) out += "#@ hook " + table + " " + chain + "\n";
        out += f.text;
        if (!f.text.empty() && f.text.back() != '\n') out += "\n";
    }
    return out;
}

namespace {

/// format_stored's format, a line at a time: the one place that knows its header lines and
/// what makes a file invalid. `v` receives comment(text), family(f), forward(bool),
/// hook(table, chain) and text(line) in file order.
class StoredLines {
public:
    /// False when `line` makes the file invalid (nothing more should be fed).
    template <typename Visitor>
    bool line(std::string_view line, Visitor& v) {
        if (first_) {
            first_ = false;
            if (line.substr(0, 2) != "# ") return false;
            v.comment(line.substr(2));
            return true;
        }
        if (line.substr(0, 3) == "#@ ") {
            std::istringstream words{std::string(line.substr(3))};
            std::string key, a, b;
            words >> key >> a >> b;
            if (key == "family") {
                if (a != "ipv4" && a != "ipv6") return false;
                in_family_ = true;
                v.family(a == "ipv4" ? ir::Family::Ipv4 : ir::Family::Ipv6);
            } else if (key == "forward" && in_family_ && (a == "yes" || a == "no")) {
                v.forward(a == "yes");
            } else if (key == "hook" && in_family_ && !a.empty() && !b.empty()) {
                v.hook(a, b);
            } else {
                return false;
            }
            return true;
        }
        if (!in_family_) return line.empty() || line.front() == '#';
        v.text(line);
        return true;
    }
    /// Whether the comment line was seen (an empty file is not a state file).
    bool started() const { return !first_; }

private:
    bool first_ = true;
    bool in_family_ = false;
};

}  // namespace

std::optional<StoredRulesets> parse_stored(const std::string& text) {
    struct Collect {
        StoredRulesets stored;
        void comment(std::string_view c) { stored.comment.assign(c); }
        void family(ir::Family f) { stored.families.push_back({f, {}, {}, {}}); }
        void forward(bool on) { stored.families.back().forward = on; }
        void hook(const std::string& t, const std::string& c) { stored.families.back().hooks.emplace_back(t, c); }
        void text(std::string_view line) {
            stored.families.back().text.append(line);
            stored.families.back().text += '\n';
        }
    } collect;
    StoredLines reader;
    bool valid = true;
    for_each_line(text, [&](std::string_view line) { valid = valid && reader.line(line, collect); });
    if (!valid || !reader.started()) return std::nullopt;
    return std::move(collect.stored);
}

std::string adapt_to_kernel(const StoredFamily& family,
                            const std::map<std::string, std::set<std::string>>& existing) {
    // Hook declarations to drop, as "table\0chain".
    std::set<std::string> drop;
    for (const auto& [t, c] : family.hooks) {
        auto it = existing.find(t);
        if (it != existing.end() && it->second.count(c) != 0) drop.insert(t + '\0' + c);
    }
    const std::string& text = family.text;
    if (drop.empty()) {
        std::string out = text;
        if (!out.empty() && out.back() != '\n') out += '\n';
        return out;
    }
    std::string out;
    out.reserve(text.size());
    std::string table;
    for_each_line(text, [&](std::string_view line) {
        bool keep = true;
        if (!line.empty() && line.front() == '*') {
            table.assign(line.substr(1));
        } else if (!line.empty() && line.front() == ':') {
            keep = drop.count(table + '\0' + std::string(chain_declaration(line).name)) == 0;
        }
        if (keep) {
            out.append(line);
            out += '\n';
        }
    });
    return out;
}

namespace {

bool has(const ChainsByTable& chains, const std::string& table, const std::string& chain) {
    auto it = chains.find(table);
    return it != chains.end() && it->second.count(chain) != 0;
}

/// User chains ("-" policy) per table that `text` (restore or save text) declares.
ChainsByTable declared_user_chains(std::string_view text) {
    ChainsByTable out;
    std::string table;
    for_each_line(text, [&](std::string_view line) {
        if (line.empty()) return;
        if (line.front() == '*') {
            table.assign(line.substr(1));
        } else if (line.front() == ':') {
            const ChainDeclaration d = chain_declaration(line);
            if (d.policy == "-") out[table].emplace(d.name);
        }
    });
    return out;
}

ChainsByTable hook_chains(const StoredFamily& family) {
    ChainsByTable out;
    for (const auto& [t, c] : family.hooks) out[t].insert(c);
    return out;
}

ChainsByTable without(ChainsByTable chains, const ChainsByTable& drop) {
    for (auto& [table, names] : chains) {
        if (auto it = drop.find(table); it != drop.end()) {
            for (const auto& c : it->second) names.erase(c);
        }
    }
    return chains;
}

/// The chains a rule line ("-A CHAIN ... -j TARGET" or "-g TARGET") jumps to. Every word after
/// -j/-g counts, also one inside a quoted comment: a false reference only keeps a chain.
std::vector<std::string_view> jump_targets(std::string_view line) {
    std::vector<std::string_view> out;
    std::string_view prev;
    while (!line.empty()) {
        const std::size_t space = line.find(' ');
        const std::string_view word = line.substr(0, space);
        if (prev == "-j" || prev == "--jump" || prev == "-g" || prev == "--goto") out.push_back(word);
        prev = word;
        if (space == std::string_view::npos) break;
        line.remove_prefix(space + 1);
    }
    return out;
}

}  // namespace

ChainsByTable owned_chains(const StoredFamily& family) {
    return without(declared_user_chains(family.text), hook_chains(family));
}

void retire_stale_chains(std::string& text, const StoredFamily& family, const ChainsByTable& previously_owned,
                         const std::string& saved, const ChainsByTable& kernel, std::vector<RetiredChain>* retired) {
    const ChainsByTable new_hooks = hook_chains(family);
    // Declared by the new ruleset: these are replaced (built-ins flushed, own chains
    // recreated), except hooks, which keep their rules.
    const ChainsByTable replaced = existing_chains(family.text);

    // Candidates: chains the previous load owned that the new one does not declare, in a
    // table it loads.
    ChainsByTable stale;
    for (const auto& [table, names] : previously_owned) {
        if (replaced.count(table) == 0) continue;
        for (const auto& name : names) {
            if (has(replaced, table, name) || has(new_hooks, table, name) || !has(kernel, table, name)) continue;
            stale[table].insert(name);
        }
    }
    if (stale.empty()) return;

    // The kernel's rules that jump to a candidate. Until nothing changes, a chain a surviving
    // rule jumps to is kept, and its own rules survive with it.
    struct Jump {
        std::string table, chain, target;
    };
    std::vector<Jump> jumps;
    std::string table;
    for_each_line(saved, [&](std::string_view line) {
        if (!line.empty() && line.front() == '*') table.assign(line.substr(1));
        line = without_counters(line);
        if (line.substr(0, 3) != "-A ") return;
        line.remove_prefix(3);
        auto it = stale.find(table);
        if (it == stale.end()) return;
        for (std::string_view target : jump_targets(line)) {
            if (it->second.count(std::string(target)) != 0) {
                jumps.push_back(Jump{table, std::string(line.substr(0, line.find(' '))), std::string(target)});
            }
        }
    });
    auto survives = [&](const Jump& j) {
        if (has(stale, j.table, j.chain)) return false;
        return !has(replaced, j.table, j.chain) || has(new_hooks, j.table, j.chain);
    };
    for (bool changed = true; changed;) {
        changed = false;
        for (const auto& j : jumps) {
            if (survives(j)) changed |= stale[j.table].erase(j.target) != 0;
        }
    }

    // Insert before each table's COMMIT, last table first so earlier offsets stay valid.
    std::vector<std::pair<std::size_t, std::string>> inserts;
    std::size_t offset = 0;
    for_each_line(text, [&](std::string_view line) {
        if (!line.empty() && line.front() == '*') table.assign(line.substr(1));
        if (line == "COMMIT") {
            if (auto it = stale.find(table); it != stale.end() && !it->second.empty()) {
                std::string lines;
                for (const auto& c : it->second) lines += "-F " + c + "\n";
                for (const auto& c : it->second) {
                    lines += "-X " + c + "\n";
                    if (retired != nullptr) retired->push_back(RetiredChain{table, c});
                }
                inserts.emplace_back(offset, std::move(lines));
                stale.erase(it);
            }
        }
        offset += line.size() + 1;
    });
    for (auto it = inserts.rbegin(); it != inserts.rend(); ++it) text.insert(it->first, it->second);
}

void StateDir::ensure() const {
    io::make_dirs(root_);
}

bool StateDir::has_pending() const {
    struct stat st {};
    return ::lstat(pending_dir().c_str(), &st) == 0;
}

void StateDir::clear_pending() const {
    std::error_code ec;
    fs::remove_all(pending_dir(), ec);
    if (ec) throw io::IoError("cannot remove " + pending_dir().string() + ": " + ec.message());
    io::sync_dir(root_);
}

void StateDir::write_status(const std::string& result, const std::string& detail) const {
    io::write_file_atomic(status_file(), "result: " + result + "\ntime: " + utc_now() + "\ndetail: " + detail + "\n");
}

namespace {

/// Reads a state file (regular, not a symlink, at most 512 MiB) in chunks handed to `sink`.
/// False when it is missing or unreadable (`error` says why, empty when it does not exist).
bool read_state_chunks(const fs::path& path, std::string& error, const std::function<void(std::string_view)>& sink) {
    error.clear();
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno != ENOENT) error = "cannot open " + path.string() + ": " + std::strerror(errno);
        return false;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (512L << 20)) {
        ::close(fd);
        error = path.string() + " is not a regular file of at most 512 MiB";
        return false;
    }
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = "cannot read " + path.string() + ": " + std::strerror(errno);
            ::close(fd);
            return false;
        }
        if (n == 0) break;
        sink(std::string_view(buf, static_cast<std::size_t>(n)));
    }
    ::close(fd);
    return true;
}

}  // namespace

std::optional<std::string> read_state_file(const fs::path& path, std::string& error) {
    std::string content;
    if (!read_state_chunks(path, error, [&](std::string_view chunk) { content.append(chunk); })) return std::nullopt;
    return content;
}

std::optional<std::map<ir::Family, ChainsByTable>> read_owned_chains(const fs::path& path, std::string& error) {
    struct Collect {
        std::map<ir::Family, ChainsByTable> owned, hooks;
        ir::Family current = ir::Family::Ipv4;
        std::string table;
        void comment(std::string_view) {}
        void family(ir::Family f) {
            current = f;
            owned[f];
        }
        void forward(bool) {}
        void hook(const std::string& t, const std::string& c) { hooks[current][t].insert(c); }
        void text(std::string_view line) {
            if (line.empty()) return;
            if (line.front() == '*') {
                table.assign(line.substr(1));
            } else if (line.front() == ':') {
                const ChainDeclaration d = chain_declaration(line);
                if (d.policy == "-") owned[current][table].emplace(d.name);
            }
        }
    } collect;
    StoredLines reader;
    bool valid = true;
    auto feed = [&](std::string_view line) { valid = valid && reader.line(line, collect); };
    std::string partial;  // a line cut by the end of a chunk
    const bool read = read_state_chunks(path, error, [&](std::string_view chunk) {
        for (;;) {
            const std::size_t nl = chunk.find('\n');
            if (nl == std::string_view::npos) {
                partial.append(chunk);
                return;
            }
            if (partial.empty()) {
                feed(chunk.substr(0, nl));
            } else {
                partial.append(chunk.substr(0, nl));
                feed(partial);
                partial.clear();
            }
            chunk.remove_prefix(nl + 1);
        }
    });
    if (!read) return std::nullopt;
    if (!partial.empty()) feed(partial);
    if (!valid || !reader.started()) {
        error = path.string() + " is not a vuurmuur ruleset file";
        return std::nullopt;
    }
    for (auto& [f, c] : collect.owned) c = without(std::move(c), collect.hooks[f]);
    return std::move(collect.owned);
}

ApplyLock::ApplyLock(const StateDir& dir) {
    fd_ = ::open(dir.lock_file().c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) {
        throw io::IoError("cannot open lock file " + dir.lock_file().string() + ": " + std::strerror(errno));
    }
    int r;
    do {
        r = ::flock(fd_, LOCK_EX | LOCK_NB);
    } while (r != 0 && errno == EINTR);
    held_ = r == 0;
}

ApplyLock::~ApplyLock() {
    if (fd_ >= 0) ::close(fd_);
}

std::string utc_now() {
    std::time_t t = std::time(nullptr);
    std::tm tm {};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace vuurmuur::apply

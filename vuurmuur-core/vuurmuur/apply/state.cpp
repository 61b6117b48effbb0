// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/apply/state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
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
    std::string out = "# " + stored.comment + "\n";
    for (const auto& f : stored.families) {
        out += "#@ family " + std::string(ir::family_name(f.family)) + "\n";
        if (f.forward) out += std::string("#@ forward ") + (*f.forward ? "yes" : "no") + "\n";
        for (const auto& [table, chain] : f.hooks) out += "#@ hook " + table + " " + chain + "\n";
        out += f.text;
        if (!f.text.empty() && f.text.back() != '\n') out += "\n";
    }
    return out;
}

std::optional<StoredRulesets> parse_stored(const std::string& text) {
    StoredRulesets stored;
    std::istringstream in(text);
    std::string line;
    bool first = true;
    StoredFamily* current = nullptr;
    while (std::getline(in, line)) {
        if (first) {
            first = false;
            if (line.rfind("# ", 0) != 0) return std::nullopt;
            stored.comment = line.substr(2);
            continue;
        }
        if (line.rfind("#@ ", 0) == 0) {
            std::istringstream words(line.substr(3));
            std::string key, a, b;
            words >> key >> a >> b;
            if (key == "family") {
                if (a != "ipv4" && a != "ipv6") return std::nullopt;
                stored.families.push_back({a == "ipv4" ? ir::Family::Ipv4 : ir::Family::Ipv6, {}, {}, {}});
                current = &stored.families.back();
            } else if (key == "forward" && current != nullptr && (a == "yes" || a == "no")) {
                current->forward = a == "yes";
            } else if (key == "hook" && current != nullptr && !a.empty() && !b.empty()) {
                current->hooks.emplace_back(a, b);
            } else {
                return std::nullopt;
            }
            continue;
        }
        if (current == nullptr) {
            if (line.empty() || line.front() == '#') continue;
            return std::nullopt;
        }
        current->text += line + "\n";
    }
    if (first) return std::nullopt;
    return stored;
}

namespace {

/// Calls `fn` with each line of `text`, without its '\n'.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        fn(text.substr(pos, end - pos));
        pos = end + 1;
    }
}

}  // namespace

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
            std::string_view chain = line.substr(1, line.find(' ') == std::string_view::npos ? std::string_view::npos
                                                                                               : line.find(' ') - 1);
            keep = drop.count(table + '\0' + std::string(chain)) == 0;
        }
        if (keep) {
            out.append(line);
            out += '\n';
        }
    });
    return out;
}

namespace {

using TableChains = std::map<std::string, std::set<std::string>>;

bool has(const TableChains& chains, const std::string& table, const std::string& chain) {
    auto it = chains.find(table);
    return it != chains.end() && it->second.count(chain) != 0;
}

TableChains hook_chains(const StoredFamily& family) {
    TableChains out;
    for (const auto& [t, c] : family.hooks) out[t].insert(c);
    return out;
}

/// The chains a rule line ("-A CHAIN ... -j TARGET" or "-g TARGET") jumps to. Every word after
/// -j/-g counts, also one inside a quoted comment: a false reference only keeps a chain.
void jump_targets(std::string_view line, std::set<std::string>& out) {
    std::istringstream in{std::string(line)};
    std::string word, prev;
    while (in >> word) {
        if (prev == "-j" || prev == "--jump" || prev == "-g" || prev == "--goto") out.insert(word);
        prev = word;
    }
}

}  // namespace

std::string retire_stale_chains(const std::string& text, const StoredFamily& family, const StoredFamily& previous,
                                const std::string& saved, std::vector<RetiredChain>* retired) {
    const TableChains prev_hooks = hook_chains(previous);
    const TableChains new_hooks = hook_chains(family);
    // Declared by the new text: these are replaced (built-ins flushed, own chains recreated),
    // except hooks, which keep their rules.
    TableChains declared;
    for (const auto& t : split_tables(family.text)) {
        for (const auto& [name, policy] : t.chains) declared[t.name].insert(name);
    }
    for (const auto& t : split_tables(text)) {
        for (const auto& [name, policy] : t.chains) declared[t.name].insert(name);
    }
    const TableChains kernel = existing_chains(saved);

    // Candidates: chains the previous load owned that the new one does not declare.
    TableChains stale;
    for (const auto& t : split_tables(previous.text)) {
        if (declared.count(t.name) == 0) continue;  // a table this load leaves alone
        for (const auto& [name, policy] : t.chains) {
            if (policy != "-" || has(prev_hooks, t.name, name) || has(new_hooks, t.name, name)) continue;
            if (has(declared, t.name, name) || !has(kernel, t.name, name)) continue;
            stale[t.name].insert(name);
        }
    }
    if (stale.empty()) return text;

    // Jumps from the rules that stay: until nothing changes, a chain a surviving rule jumps to
    // is kept, and its own rules survive with it.
    struct KernelRule {
        std::string table, chain;
        std::set<std::string> targets;
    };
    std::vector<KernelRule> rules;
    for (const auto& t : split_tables(saved)) {
        for_each_line(t.text, [&](std::string_view line) {
            if (!line.empty() && line.front() == '[') {  // "[packets:bytes] -A ..." (save -c)
                const std::size_t close = line.find("] ");
                if (close == std::string_view::npos) return;
                line.remove_prefix(close + 2);
            }
            if (line.substr(0, 3) != "-A ") return;
            KernelRule r{t.name, {}, {}};
            std::string_view rest = line.substr(3);
            r.chain.assign(rest.substr(0, rest.find(' ')));
            jump_targets(rest, r.targets);
            if (!r.targets.empty()) rules.push_back(std::move(r));
        });
    }
    auto survives = [&](const KernelRule& r) {
        if (has(stale, r.table, r.chain)) return false;
        return !has(declared, r.table, r.chain) || has(new_hooks, r.table, r.chain);
    };
    for (bool changed = true; changed;) {
        changed = false;
        for (const auto& r : rules) {
            if (!survives(r)) continue;
            auto it = stale.find(r.table);
            if (it == stale.end()) continue;
            for (const auto& target : r.targets) changed |= it->second.erase(target) != 0;
        }
    }

    std::string out;
    out.reserve(text.size() + 256);
    std::string table;
    for_each_line(text, [&](std::string_view line) {
        if (!line.empty() && line.front() == '*') table.assign(line.substr(1));
        if (line == "COMMIT") {
            if (auto it = stale.find(table); it != stale.end()) {
                for (const auto& c : it->second) out += "-F " + c + "\n";
                for (const auto& c : it->second) {
                    out += "-X " + c + "\n";
                    if (retired != nullptr) retired->push_back(RetiredChain{table, c});
                }
                stale.erase(it);
            }
        }
        out.append(line);
        out += '\n';
    });
    return out;
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

std::optional<std::string> read_state_file(const fs::path& path, std::string& error) {
    error.clear();
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno != ENOENT) error = "cannot open " + path.string() + ": " + std::strerror(errno);
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (512L << 20)) {
        ::close(fd);
        error = path.string() + " is not a regular file of at most 512 MiB";
        return std::nullopt;
    }
    std::string content;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = "cannot read " + path.string() + ": " + std::strerror(errno);
            ::close(fd);
            return std::nullopt;
        }
        if (n == 0) break;
        content.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return content;
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

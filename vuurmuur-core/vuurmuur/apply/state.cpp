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
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + pos, end - pos);
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
        pos = end + 1;
    }
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

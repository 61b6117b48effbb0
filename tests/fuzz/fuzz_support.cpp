// SPDX-License-Identifier: GPL-2.0-or-later
#include "fuzz_support.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace vuurmuur::fuzz {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxPath = 255;

/// Relative, no empty, "." or ".." component.
bool is_safe_relative(std::string_view path) {
    if (path.empty() || path.size() > kMaxPath || path.front() == '/') return false;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        std::string_view part = path.substr(start, end - start);
        if (part.empty() || part == "." || part == "..") return false;
        start = end + 1;
    }
    return true;
}

/// Creates the parent directories of `rel` under `root`, never through a symlink or a file.
bool make_parents(const std::string& root, std::string_view rel) {
    std::size_t slash = 0;
    while ((slash = rel.find('/', slash)) != std::string_view::npos) {
        std::string dir = root + "/" + std::string(rel.substr(0, slash));
        struct stat st {};
        if (::lstat(dir.c_str(), &st) == 0) {
            if (!S_ISDIR(st.st_mode)) return false;
        } else if (::mkdir(dir.c_str(), 0700) != 0) {
            return false;
        }
        ++slash;
    }
    return true;
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

fs::path scratch_base() {
    const char* candidates[] = {"/dev/shm", std::getenv("TMPDIR"), "/tmp"};
    for (const char* dir : candidates) {
        if (dir == nullptr || *dir == '\0' || ::access(dir, W_OK | X_OK) != 0) continue;
        std::string tmpl = std::string(dir) + "/vuurmuur-fuzz-" + std::to_string(::getpid()) + "-XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (::mkdtemp(buf.data()) != nullptr) return fs::path(buf.data());
    }
    fail("cannot create a scratch directory", "");
}

}  // namespace

std::vector<Entry> unpack(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::vector<Entry> out;
    std::size_t records = 0;
    while (!in.empty() && records < kMaxEntries) {
        ++records;
        std::size_t nul = in.find('\0');
        std::string_view path = in.substr(0, nul);
        std::string_view content;
        if (nul == std::string_view::npos) {
            in = {};
        } else {
            in.remove_prefix(nul + 1);
            std::size_t end = in.find('\0');
            content = in.substr(0, end);
            in = end == std::string_view::npos ? std::string_view{} : in.substr(end + 1);
        }
        Entry e;
        if (!path.empty() && path.front() == '@') {
            path.remove_prefix(1);
            if (!is_safe_relative(content)) continue;
            e.kind = Entry::Kind::Symlink;
        } else if (!path.empty() && path.back() == '/') {
            path.remove_suffix(1);
            e.kind = Entry::Kind::Dir;
            content = {};
        }
        if (!is_safe_relative(path)) continue;
        e.path = std::string(path);
        e.content = std::string(content);
        out.push_back(std::move(e));
    }
    return out;
}

std::string pack(const std::vector<Entry>& entries) {
    std::string out;
    for (const auto& e : entries) {
        if (e.kind == Entry::Kind::Symlink) out += '@';
        out += e.path;
        if (e.kind == Entry::Kind::Dir) out += '/';
        out += '\0';
        out += e.content;
        out += '\0';
    }
    return out;
}

Scratch& Scratch::instance() {
    static Scratch scratch;
    return scratch;
}

Scratch::Scratch() : base_(scratch_base()), tree_(base_ / "tree") {}

Scratch::~Scratch() {
    std::error_code ec;
    fs::remove_all(base_, ec);
}

const fs::path& Scratch::write(const std::vector<Entry>& entries) {
    std::error_code ec;
    fs::remove_all(tree_, ec);
    if (ec || ::mkdir(tree_.c_str(), 0700) != 0) fail("cannot reset the scratch tree", tree_.string());
    const std::string root = tree_.string();
    for (const auto& e : entries) {
        // A record whose path clashes with an earlier one (a file where a directory is
        // needed, a link in the way) is skipped.
        if (!make_parents(root, e.path)) continue;
        const std::string path = root + "/" + e.path;
        switch (e.kind) {
            case Entry::Kind::Dir: {
                (void)::mkdir(path.c_str(), 0700);
                break;
            }
            case Entry::Kind::Symlink: {
                (void)::unlink(path.c_str());
                (void)::symlink(e.content.c_str(), path.c_str());
                break;
            }
            case Entry::Kind::File: {
                int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0) break;
                bool ok = write_all(fd, e.content);
                ::close(fd);
                if (!ok) fail("cannot write to the scratch tree", path);
                break;
            }
        }
    }
    return tree_;
}

std::string printable(std::string_view text, std::size_t max) {
    std::string out;
    for (std::size_t i = 0; i < text.size() && i < max; ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            out += "\\n\n";
        } else if (c == '\\') {
            out += "\\\\";
        } else if (c < 0x20 || c >= 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    if (text.size() > max) out += "...(" + std::to_string(text.size()) + " bytes)";
    return out;
}

void fail(std::string_view what, std::string_view detail) {
    std::fprintf(stderr, "\n==== vuurmuur fuzz property failed: %.*s\n%.*s\n====\n",
                 static_cast<int>(what.size()), what.data(), static_cast<int>(detail.size()),
                 detail.data());
    std::fflush(stderr);
    std::abort();
}

}  // namespace vuurmuur::fuzz

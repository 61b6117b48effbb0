// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/io/file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <utility>

namespace vuurmuur::io {

namespace fs = std::filesystem;

namespace {

/// Owns a file descriptor.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_;
};

std::string errno_text(int err) { return std::strerror(err); }

[[noreturn]] void fail(const std::string& what, const fs::path& path, int err) {
    throw IoError(what + " " + path.string() + ": " + errno_text(err));
}

BeforeRenameHook g_before_rename = nullptr;

}  // namespace

std::optional<std::string> read_config_file(const fs::path& path, const std::string& rel,
                                            std::size_t max_bytes, diag::Diagnostics& diags) {
    diag::Location loc{rel, 0, 0};
    struct stat lst {};
    if (::lstat(path.c_str(), &lst) != 0) {
        diags.report(diag::Code::Unreadable, loc, "cannot read: " + errno_text(errno));
        return std::nullopt;
    }
    if (S_ISLNK(lst.st_mode)) {
        diags.report(diag::Code::Symlink, loc, "config files must not be symbolic links",
                     "replace the link with a copy of the file it points to");
        return std::nullopt;
    }
    if (!S_ISREG(lst.st_mode)) {
        // Never open a FIFO, socket or device: opening one can block or have side effects.
        diags.report(diag::Code::Unreadable, loc, "not a regular file");
        return std::nullopt;
    }
    // O_NONBLOCK: should the file be swapped for a FIFO after the lstat, opening it must not
    // wait for a writer; the fstat below then refuses it.
    Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0) {
        diags.report(diag::Code::Unreadable, loc, "cannot open: " + errno_text(errno));
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        diags.report(diag::Code::Unreadable, loc, "not a regular file");
        return std::nullopt;
    }
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
        diags.report(diag::Code::FileTooLarge, loc,
                     "file is " + std::to_string(st.st_size) + " bytes; the limit is " +
                         std::to_string(max_bytes));
        return std::nullopt;
    }
    if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
        diags.report(diag::Code::InsecureFile, loc,
                     "owned by uid " + std::to_string(st.st_uid) + ", not by root or you",
                     "chown root:root " + rel);
    }
    if ((st.st_mode & 022) != 0) {
        diags.report(diag::Code::InsecureFile, loc, "group or others may write this file",
                     "chmod 600 " + rel);
    }
    std::string content;
    content.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < content.size()) {
        ssize_t n = ::read(fd.get(), content.data() + got, content.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            diags.report(diag::Code::Unreadable, loc, "read failed: " + errno_text(errno));
            return std::nullopt;
        }
        if (n == 0) break;  // the file shrank while we read it
        got += static_cast<std::size_t>(n);
    }
    content.resize(got);
    auto nul = content.find('\0');
    if (nul != std::string::npos) {
        int line = 1 + static_cast<int>(std::count(content.begin(),
                                                   content.begin() + static_cast<std::ptrdiff_t>(nul), '\n'));
        diags.report(diag::Code::BinaryFile, {rel, line, 0},
                     "file contains a NUL byte; it is not a text config file");
        return std::nullopt;
    }
    return content;
}

std::optional<std::vector<DirEntry>> list_dir(const fs::path& path, const std::string& rel,
                                              bool missing_ok, diag::Diagnostics& diags) {
    diag::Location loc{rel, 0, 0};
    struct stat lst {};
    if (::lstat(path.c_str(), &lst) != 0) {
        if (!(missing_ok && errno == ENOENT)) {
            diags.report(diag::Code::Unreadable, loc, "cannot read directory: " + errno_text(errno));
        }
        return std::nullopt;
    }
    if (S_ISLNK(lst.st_mode)) {
        diags.report(diag::Code::Symlink, loc, "config directories must not be symbolic links");
        return std::nullopt;
    }
    if (!S_ISDIR(lst.st_mode)) {
        diags.report(diag::Code::Unreadable, loc, "not a directory");
        return std::nullopt;
    }
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(path.c_str()), ::closedir);
    if (!dir) {
        diags.report(diag::Code::Unreadable, loc, "cannot open directory: " + errno_text(errno));
        return std::nullopt;
    }
    std::vector<DirEntry> out;
    while (dirent* e = ::readdir(dir.get())) {
        std::string name = e->d_name;
        if (name.empty() || name.front() == '.') continue;
        const std::string child = rel.empty() ? name : rel + "/" + name;
        struct stat st {};
        if (::fstatat(::dirfd(dir.get()), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT) continue;  // removed since readdir
            // EACCES (a directory without search permission): entries must not vanish
            // without a word.
            diags.report(diag::Code::Unreadable, loc, "cannot read directory: " + errno_text(errno));
            return std::nullopt;
        }
        if (S_ISLNK(st.st_mode)) {
            diags.report(diag::Code::Symlink, {child, 0, 0},
                         "symbolic links are not followed in the config tree");
            continue;
        }
        out.push_back({name, S_ISDIR(st.st_mode), S_ISREG(st.st_mode)});
    }
    std::sort(out.begin(), out.end(),
              [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
    return out;
}

void set_before_rename_hook(BeforeRenameHook hook) { g_before_rename = hook; }

void sync_dir(const fs::path& dir) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) fail("cannot open directory", dir, errno);
    if (::fsync(fd.get()) != 0) fail("cannot sync directory", dir, errno);
}

void write_file_atomic(const fs::path& path, const std::string& content, unsigned mode) {
    fs::path dir = path.parent_path();
    if (dir.empty()) dir = ".";
    std::string leaf = ".";
    leaf += path.filename().string();
    leaf += ".tmp-XXXXXX";
    std::string tmpl = (dir / leaf).string();
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    Fd fd(::mkostemp(name.data(), O_CLOEXEC));
    if (fd.get() < 0) fail("cannot create a temp file for", path, errno);
    fs::path tmp(name.data());
    // From here on an error must not leave the temp file behind.
    struct Cleanup {
        const fs::path& p;
        bool armed = true;
        ~Cleanup() {
            if (armed) ::unlink(p.c_str());
        }
    } cleanup{tmp};

    if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) fail("cannot chmod", tmp, errno);
    std::size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("cannot write", tmp, errno);
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) fail("cannot sync", tmp, errno);
    if (::close(fd.release()) != 0) fail("cannot close", tmp, errno);
    if (g_before_rename != nullptr) g_before_rename(path);
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename over", path, errno);
    cleanup.armed = false;
    sync_dir(dir);
}

void make_dirs(const fs::path& path) {
    if (path.empty()) return;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) throw IoError("not a directory: " + path.string());
        return;
    }
    make_dirs(path.parent_path());
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) fail("cannot create directory", path, errno);
    fs::path parent = path.parent_path();
    sync_dir(parent.empty() ? fs::path(".") : parent);
}

namespace {

/// The tree locks this thread holds: lock file (device, inode) -> outer mode and depth.
struct HeldLock {
    TreeLock::Mode mode;
    unsigned depth;
};
thread_local std::map<std::pair<unsigned long long, unsigned long long>, HeldLock> held_locks;

}  // namespace

TreeLock::TreeLock(const fs::path& root, Mode mode) {
    fs::path lock = root / ".vuurmuur.lock";
    fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0 && mode == Mode::Shared) {
        // A reader of a read-only tree cannot create the lock file; read without it.
        fd_ = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd_ < 0) return;
    }
    if (fd_ < 0) fail("cannot open lock file", lock, errno);
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        int err = errno;
        ::close(fd_);
        fd_ = -1;
        fail("cannot stat lock file", lock, err);
    }
    dev_ = st.st_dev;
    ino_ = st.st_ino;
    if (auto it = held_locks.find({dev_, ino_}); it != held_locks.end()) {
        ::close(fd_);
        fd_ = -1;
        if (mode == Mode::Exclusive && it->second.mode == Mode::Shared) {
            throw IoError(lock.string() + ": cannot lock for writing while this thread holds it for reading");
        }
        ++it->second.depth;
        counted_ = true;
        return;
    }
    int op = mode == Mode::Exclusive ? LOCK_EX : LOCK_SH;
    while (::flock(fd_, op) != 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd_);
        fd_ = -1;
        fail("cannot lock", lock, err);
    }
    held_locks[{dev_, ino_}] = HeldLock{mode, 1};
    counted_ = true;
}

TreeLock::~TreeLock() {
    if (counted_) {
        auto it = held_locks.find({dev_, ino_});
        if (it != held_locks.end() && --it->second.depth == 0) held_locks.erase(it);
    }
    if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace vuurmuur::io

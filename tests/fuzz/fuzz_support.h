// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Shared by the libFuzzer targets (tests/fuzz/fuzz_*.cpp): the pack format for whole config
// trees, a per-process scratch directory to unpack them into, and the failure report.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace vuurmuur::fuzz {

/// One entry of a packed tree.
///
/// Pack format (docs/robustness.md): a sequence of records `PATH NUL CONTENT NUL`.
///   * PATH is relative, '/'-separated; "", ".", ".." components and absolute paths make
///     the record ignored, as do paths over 255 bytes. Only the first kMaxEntries records
///     count.
///   * PATH ending in '/' creates a directory (CONTENT is ignored).
///   * PATH starting with '@' creates a symbolic link at PATH minus the '@' whose target is
///     CONTENT (relative, without ".." and at most 255 bytes, so a link stays inside the
///     scratch directory; else the record is ignored).
///   * otherwise a regular file (mode 0600, parents 0700) holding CONTENT, which therefore
///     cannot hold a NUL byte; the last record may end without its NUL.
/// A later record for the same path replaces the earlier one.
struct Entry {
    enum class Kind { File, Dir, Symlink };
    Kind kind = Kind::File;
    std::string path;
    std::string content;  ///< file content or link target
};

inline constexpr std::size_t kMaxEntries = 512;

std::vector<Entry> unpack(const std::uint8_t* data, std::size_t size);
/// The inverse of unpack() for files (used by tests of the format).
std::string pack(const std::vector<Entry>& entries);

/// A directory private to this process (under /dev/shm when writable, else $TMPDIR or /tmp),
/// named vuurmuur-fuzz-<pid>-XXXXXX; removed at exit. A crashed run leaves it behind on
/// purpose; tests/fuzz/run removes it by the pid.
class Scratch {
public:
    static Scratch& instance();
    /// An empty tree directory, `entries` written into it; returns its path.
    const std::filesystem::path& write(const std::vector<Entry>& entries);

    ~Scratch();
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

private:
    Scratch();
    std::filesystem::path base_;
    std::filesystem::path tree_;
};

/// Prints what went wrong (with the input shown printable) and aborts, which libFuzzer
/// reports as a crash and saves the input.
[[noreturn]] void fail(std::string_view what, std::string_view detail);

/// `text` with non-printable bytes as \xNN, capped at `max` bytes.
std::string printable(std::string_view text, std::size_t max = 2000);

}  // namespace vuurmuur::fuzz

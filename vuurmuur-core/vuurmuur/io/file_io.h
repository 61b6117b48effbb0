// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "vuurmuur/diag/diagnostic.h"

/// The core's file access: bounded, symlink-refusing reads; atomic writes; the writer lock.
namespace vuurmuur::io {

/// Reads a config file. Refuses symlinks, non-regular files (FIFOs never block), files over
/// `max_bytes` and files with NUL bytes; warns about files others can write. `rel` is the
/// path reported in diagnostics.
std::optional<std::string> read_config_file(const std::filesystem::path& path,
                                            const std::string& rel, std::size_t max_bytes,
                                            diag::Diagnostics& diags);

/// Entries of a directory, sorted by name, without dotfiles. Symlinks are reported and left
/// out. nullopt when the directory cannot be read (reported unless it does not exist and
/// `missing_ok`).
struct DirEntry {
    std::string name;
    bool is_dir = false;
    bool is_file = false;
};
std::optional<std::vector<DirEntry>> list_dir(const std::filesystem::path& path,
                                              const std::string& rel, bool missing_ok,
                                              diag::Diagnostics& diags);

/// Thrown for system errors while writing (the message names the path and errno text).
struct IoError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Test hook: called after the temp file is complete and synced, before the rename.
using BeforeRenameHook = void (*)(const std::filesystem::path& target);
void set_before_rename_hook(BeforeRenameHook hook);

/// Writes `content` to `path` atomically: a temp file in the same directory (mode `mode`),
/// fsync, rename over `path`, fsync of the directory. Throws IoError.
void write_file_atomic(const std::filesystem::path& path, const std::string& content,
                       unsigned mode = 0600);
/// Creates `path` and missing parents with mode 0700. Throws IoError.
void make_dirs(const std::filesystem::path& path);
/// fsyncs a directory (after a rename, unlink or mkdir in it). Throws IoError.
void sync_dir(const std::filesystem::path& dir);

/// An exclusive (writers) or shared (readers) advisory lock on `<root>/.vuurmuur.lock`,
/// held for the object's lifetime. Blocks until granted. Throws IoError.
///
/// Nested in the same thread (the lock file is recognised by device and inode, whatever the
/// spelling of `root`): a lock inside one of the same mode, or a shared one inside an
/// exclusive one, is granted at once without a second flock (which would wait forever for the
/// outer one, a lock of its own process). An exclusive lock inside a shared one cannot be
/// granted that way and throws IoError instead of deadlocking.
class TreeLock {
public:
    enum class Mode { Shared, Exclusive };
    TreeLock(const std::filesystem::path& root, Mode mode);
    ~TreeLock();
    TreeLock(const TreeLock&) = delete;
    TreeLock& operator=(const TreeLock&) = delete;

private:
    int fd_ = -1;
    bool counted_ = false;  ///< counted in this thread's table of held locks
    unsigned long long dev_ = 0, ino_ = 0;
};

}  // namespace vuurmuur::io

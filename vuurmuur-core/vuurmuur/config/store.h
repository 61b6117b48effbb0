// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "vuurmuur/config/kvfile.h"
#include "vuurmuur/config/textdir.h"
#include "vuurmuur/diag/diagnostic.h"

/// The config store: the only way the CLI and the TUI change the tree.
///
/// Every change is a transaction under an exclusive advisory lock on the tree: the files it
/// touches are read fresh from disk inside the lock, changed, and written back atomically
/// (temp file, fsync, rename, fsync of the directory) with mode 0600 in 0700 directories.
/// Files the change did not modify are not rewritten, so two writers editing different
/// objects never lose each other's updates, and a killed writer leaves each file old or new.
namespace vuurmuur::config {

class Transaction;

class Store {
public:
    explicit Store(std::filesystem::path root) : root_(std::move(root)) {}

    const std::filesystem::path& root() const { return root_; }

    /// Reads the whole tree under a shared lock (a consistent snapshot).
    Tree load(diag::Diagnostics& diags) const;

    /// Runs `edit` under the exclusive lock and commits what it changed. If `edit` throws,
    /// nothing is written. Throws io::IoError when a write fails.
    void transact(const std::function<void(Transaction&)>& edit);

    /// Shorthand: one file, read fresh, changed by `edit`, written if modified.
    void modify(const std::string& rel, const std::function<void(KvFile&)>& edit);

private:
    std::filesystem::path root_;
};

/// What one transaction may do. Paths are relative to the tree root.
class Transaction {
public:
    explicit Transaction(const std::filesystem::path& root) : root_(root) {}

    bool exists(const std::string& rel) const;
    /// The file, read fresh from disk on first use. Throws io::IoError when it cannot be read.
    KvFile& file(const std::string& rel);
    /// A new file (with its directories); throws io::IoError when it exists already.
    KvFile& create(const std::string& rel);
    /// Removes a file at commit time.
    void remove(const std::string& rel);
    /// Renames a file or directory at commit time (after all writes).
    void rename(const std::string& from, const std::string& to);
    /// Removes an empty directory at commit time, after the file removals (in call order, so
    /// name children before their parent). A directory that is not empty then fails the commit.
    void remove_dir(const std::string& rel);

    void commit();

private:
    const std::filesystem::path& root_;
    std::map<std::string, KvFile> files_;
    std::set<std::string> created_;
    std::set<std::string> removed_;
    std::vector<std::string> removed_dirs_;
    std::vector<std::pair<std::string, std::string>> renames_;
};

}  // namespace vuurmuur::config

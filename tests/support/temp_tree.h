// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <map>
#include <string>

/// Test helpers: throwaway directories and whole files.
namespace vuurmuur::test {

/// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    /// Writes `content` to `rel` (creating directories).
    void write(const std::string& rel, const std::string& content) const;

private:
    std::filesystem::path path_;
};

/// The repository root (where the shipped zones/ and services/ live).
std::filesystem::path source_dir();
/// build/bin
std::filesystem::path binary_dir();

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& content);
/// Copies a tree recursively (regular files and directories only).
void copy_tree(const std::filesystem::path& from, const std::filesystem::path& to);
/// Copies the shipped default tree (config.conf, zones, services, interfaces, rules) to `to`.
void copy_default_tree(const std::filesystem::path& to);
/// Every regular file under `root` -> content, keyed by relative path.
std::map<std::string, std::string> snapshot(const std::filesystem::path& root);

/// Compares `actual` with the golden file; with VUURMUUR_UPDATE_GOLDEN=1 rewrites it instead.
/// Returns an empty string when equal, else a readable description of the first difference.
std::string compare_golden(const std::filesystem::path& golden, const std::string& actual);

}  // namespace vuurmuur::test
